"""Audio RandomCrop: windows of the drawn length, cut at a uniform place, with the new lengths returned."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import multiaug.audio as ma
from multiaug.core.errors import ConfigError

SR = 8000


def test_each_window_is_a_slice_of_its_clip_of_the_drawn_length():
    lengths = torch.tensor([8000, 6000, 3000, 500, 8000, 7000])
    x = torch.randn(6, 2, 8000) * (torch.arange(8000) < lengths[:, None, None])
    aug = ma.RandomCrop(duration=(0.25, 0.5), unit="seconds", p=1.0)
    out, record = aug(audio=x, lengths=lengths, sample_rate=SR, seed=1, return_params=True)
    y, new = out["audio"], out["lengths"]
    drawn = np.rint(np.asarray(record.params["duration"]) * SR).astype(int)
    assert new.tolist() == np.minimum(drawn, lengths.numpy()).tolist()
    assert y.shape[-1] == int(new.max())
    for i, (n, w) in enumerate(zip(lengths.tolist(), new.tolist())):
        starts = [s for s in range(n - w + 1) if torch.equal(x[i, :, s : s + w], y[i, :, :w])]
        assert starts, i  # the window is a contiguous slice of the valid part
        assert bool((y[i, :, w:] == 0).all())
    assert new[3] == 500  # a clip shorter than its window is kept whole


def test_positions_are_uniform_and_fraction_is_relative_to_each_clip():
    x = torch.arange(1000.0).expand(400, 1, 1000).contiguous()
    y = ma.RandomCrop(duration=100, unit="samples", p=1.0)(x, sample_rate=SR, seed=0)
    first = y[:, 0, 0].numpy()
    assert y.shape == (400, 1, 100) and first.min() < 60 and first.max() > 840  # starts cover 0..900
    assert abs(first.mean() - 450) < 40
    lengths = torch.tensor([1000, 400])
    out = ma.RandomCrop(duration=0.5, unit="fraction", p=1.0)(audio=x[:2], lengths=lengths, sample_rate=SR)
    assert out["lengths"].tolist() == [500, 200]


def test_bad_arguments():
    with pytest.raises(ConfigError, match="duration"):
        ma.RandomCrop(duration=1.5, unit="fraction")
    with pytest.raises(ConfigError, match="per_channel"):
        ma.RandomCrop(per_channel=True)
