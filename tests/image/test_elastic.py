"""ElasticTransform: the displacement field's statistics, identity at alpha 0, masks follow, targets refused."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import multiaug.image as mi
from multiaug.core.errors import ConfigError, InputError
from multiaug.image.functional.elastic import displace, elastic_field


@pytest.mark.parametrize("sigma", [3.0, 6.0])
def test_field_has_the_smoothed_noise_statistics(sigma):
    alpha = 50.0
    field = elastic_field(
        list(range(4)), 192, 192, np.full(4, alpha), np.full(4, sigma), 20, torch.device("cpu")
    )
    # uniform noise of variance 1/3 smoothed by a 2-D Gaussian of sigma: variance (1/3) / (4 pi sigma^2)
    want = alpha / math.sqrt(12 * math.pi) / sigma
    assert abs(float(field.std()) / want - 1) < 0.1
    assert abs(float(field.mean())) < 0.1 * want
    # neighbours move together: correlation exp(-d^2 / (4 sigma^2)) at distance d
    a, b = field[..., :, :-3].reshape(-1), field[..., :, 3:].reshape(-1)
    corr = float(torch.corrcoef(torch.stack([a, b]))[0, 1])
    assert abs(corr - math.exp(-9 / (4 * sigma**2))) < 0.05


def test_alpha_zero_is_the_identity_and_masks_follow_the_image():
    x = torch.randint(0, 256, (3, 3, 40, 50), dtype=torch.uint8)
    assert torch.equal(mi.ElasticTransform(alpha=0.0, p=1.0)(x, seed=1), x)
    labels = torch.randint(0, 7, (3, 40, 50))
    aug = mi.ElasticTransform(alpha=(60.0, 60.0), sigma=(4.0, 4.0), interpolation="nearest", p=1.0)
    out = aug(image=labels[:, None].to(torch.uint8), mask=labels, seed=2)
    assert torch.equal(out["image"][:, 0].long(), out["mask"])  # the same field moves both
    assert set(out["mask"].unique().tolist()) <= set(range(7)) and not torch.equal(out["mask"], labels)


def test_constant_border_fills_what_comes_from_outside():
    x = torch.full((1, 1, 32, 32), 0.5)
    mask = torch.ones(1, 32, 32, dtype=torch.long)
    aug = mi.ElasticTransform(
        alpha=(2000.0, 2000.0), sigma=(4.0, 4.0), border="constant", fill=1.0, fill_mask=9, p=1.0
    )
    out = aug(image=x, mask=mask, seed=3)
    outside = out["mask"] == 9
    assert bool(outside.any()) and bool((out["image"][:, 0][outside] > 0.5).all())
    assert set(out["mask"].unique().tolist()) <= {1, 9}


def test_displace_reads_at_the_shifted_positions():
    x = torch.arange(20.0).reshape(1, 1, 4, 5) / 19
    field = torch.zeros(1, 2, 4, 5)
    field[:, 1] = 1.0  # one row down
    y = displace(x, field, border="replicate")
    torch.testing.assert_close(y[0, 0, :3], x[0, 0, 1:])
    torch.testing.assert_close(y[0, 0, 3], x[0, 0, 3])


def test_targets_and_bad_arguments_are_refused():
    with pytest.raises(InputError, match="cannot follow"):
        mi.ElasticTransform(p=1.0)(image=torch.rand(1, 3, 8, 8), boxes=torch.tensor([[[0.0, 0, 4, 4]]]))
    with pytest.raises(ConfigError, match="sigma"):
        mi.ElasticTransform(sigma=(0.0, 3.0))
    with pytest.raises(ConfigError, match="border"):
        mi.ElasticTransform(border="wrap")
