"""Mixing: Mixup, CutMix, Blend, Mosaic, mixed targets and losses, the classic seed functions."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from multiaug.core.errors import InputError
from multiaug.core.mixing import MixedTargets, mixed_loss, smooth_targets
from multiaug.image.functional import mixing as fm

# -- kernels -------------------------------------------------------------------------------------------


def test_cutmix_boxes_use_height_and_width_on_non_square_images():
    lam = np.array([0.75, 0.0, 1.0])
    boxes = fm.cutmix_boxes(32, 64, lam, np.array([16, 16, 16]), np.array([32, 32, 32]))
    heights = boxes[:, 2] - boxes[:, 0]
    widths = boxes[:, 3] - boxes[:, 1]
    assert heights.tolist() == [16, 32, 0]
    assert widths.tolist() == [32, 64, 0]
    np.testing.assert_allclose(fm.box_lam(boxes, 32, 64), [0.75, 0.0, 1.0])


def test_cutmix_boxes_are_clipped_at_the_border():
    boxes = fm.cutmix_boxes(10, 20, np.array([0.0, 0.0]), np.array([0, 9]), np.array([0, 19]))
    assert (boxes[:, 0::2] >= 0).all() and (boxes[:, 0::2] <= 10).all()
    assert (boxes[:, 1::2] >= 0).all() and (boxes[:, 1::2] <= 20).all()
    assert boxes.tolist() == [[0, 0, 5, 10], [4, 9, 10, 20]]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.uint8])
def test_mix_pairs_is_the_formula(dtype):
    g = torch.Generator().manual_seed(0)
    x = (torch.rand(11, 3, 5, 7, generator=g) * 255).to(dtype)
    partner = np.random.default_rng(0).permutation(11)
    for lam in (0.3, np.linspace(0, 1, 11)):
        out = fm.mix_pairs(x, partner, lam)
        w = torch.as_tensor(np.broadcast_to(lam, (11,)).copy()).view(-1, 1, 1, 1)
        expected = w * x.double() + (1 - w) * x[partner].double()
        assert out.dtype == dtype and out.shape == x.shape
        if dtype == torch.uint8:
            assert (out.double() - expected).abs().max() <= 0.5 + 1e-4  # rounded to nearest
        else:
            tol = 1e-2 * 255 if dtype == torch.float16 else 1e-4
            torch.testing.assert_close(out.double(), expected, atol=tol, rtol=0)


def test_mix_pairs_is_exact_at_lam_zero_and_one():
    x = torch.rand(4, 3, 8, 8)
    partner = np.array([1, 2, 3, 0])
    out = fm.mix_pairs(x, partner, np.array([1.0, 0.0, 1.0, 0.0]))
    assert torch.equal(out[0], x[0]) and torch.equal(out[1], x[2])
    assert torch.equal(out[2], x[2]) and torch.equal(out[3], x[0])


def test_paste_boxes_matches_a_slice_copy_and_keeps_dtype():
    x = torch.randint(0, 256, (6, 3, 12, 20), dtype=torch.uint8)
    partner = np.array([5, 4, 3, 2, 1, 0])
    boxes = np.array(
        [[0, 0, 12, 20], [2, 3, 7, 9], [0, 0, 0, 0], [2, 3, 7, 9], [11, 19, 12, 20], [5, 0, 6, 20]]
    )
    out = fm.paste_boxes(x, partner, boxes)
    ref = x.clone()
    for i, (y1, x1, y2, x2) in enumerate(boxes):
        ref[i, :, y1:y2, x1:x2] = x[partner[i], :, y1:y2, x1:x2]
    assert out.dtype == torch.uint8 and torch.equal(out, ref)
    shared = np.repeat(boxes[1:2], 6, axis=0)
    ref = x.clone()
    ref[:, :, 2:7, 3:9] = x[partner][:, :, 2:7, 3:9]
    assert torch.equal(fm.paste_boxes(x, partner, shared), ref)


def test_mosaic_tiles_come_from_the_four_sources():
    x = torch.arange(4, dtype=torch.float32).view(4, 1, 1, 1).expand(4, 2, 6, 8).contiguous()
    index = fm.mosaic_index(6, 8, np.array([[0, 1, 2, 3], [3, 2, 1, 0]]), np.array([2, 6]), np.array([3, 1]))
    out = fm.mosaic(x, index)
    assert out.shape == (2, 2, 6, 8)
    assert (out[0, :, :2, :3] == 0).all() and (out[0, :, :2, 3:] == 1).all()
    assert (out[0, :, 2:, :3] == 2).all() and (out[0, :, 2:, 3:] == 3).all()
    assert (out[1, :, :6, :1] == 3).all() and (out[1, :, :6, 1:] == 2).all()


def test_mosaic_tile_touching_the_centre_is_the_source_corner():
    x = torch.arange(2 * 6 * 8, dtype=torch.int64).view(2, 1, 6, 8)
    index = fm.mosaic_index(6, 8, np.array([[0, 1, 0, 1]]), np.array([2]), np.array([3]))
    out = fm.mosaic(x, index)[0, 0]
    assert torch.equal(out[:2, :3], x[0, 0, 4:, 5:])  # top-left tile: bottom-right corner of image 0
    assert torch.equal(out[:2, 3:], x[1, 0, 4:, :5])  # top-right tile: bottom-left corner of image 1
    assert torch.equal(out[2:, :3], x[0, 0, :4, 5:])
    assert torch.equal(out[2:, 3:], x[1, 0, :4, :5])


# -- targets and losses ----------------------------------------------------------------------------------


def test_soft_targets_sum_to_one_with_smoothing_and_per_sample_lam():
    a = torch.tensor([0, 1, 2, 3])
    b = torch.tensor([3, 3, 0, 1])
    for lam in (0.3, torch.tensor([0.0, 0.25, 0.5, 1.0])):
        for s in (0.0, 0.1):
            soft = MixedTargets(a, b, lam).soft(5, label_smoothing=s)
            assert soft.shape == (4, 5)
            torch.testing.assert_close(soft.sum(1), torch.ones(4))
            assert (soft >= 0).all()


def test_soft_targets_values():
    soft = MixedTargets(torch.tensor([0]), torch.tensor([2]), 0.75).soft(4, label_smoothing=0.2)
    torch.testing.assert_close(soft, torch.tensor([[0.65, 0.05, 0.25, 0.05]]))
    given = torch.tensor([[0.5, 0.5, 0.0]])
    torch.testing.assert_close(MixedTargets(given, given, 0.5).soft(), given)


def test_smooth_targets_errors():
    with pytest.raises(InputError, match="num_classes"):
        smooth_targets(torch.tensor([1]))
    with pytest.raises(InputError, match=r"\[0, 3\)"):
        smooth_targets(torch.tensor([3]), 3)
    with pytest.raises(InputError, match="label_smoothing"):
        smooth_targets(torch.tensor([1]), 3, label_smoothing=2.0)
    with pytest.raises(InputError, match="shape"):
        smooth_targets(torch.zeros(2, 3, 4), 3)


@pytest.mark.parametrize("lam", [0.3, "per_sample"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_loss_equals_formula_and_cross_entropy_on_soft_targets(lam, smoothing):
    g = torch.Generator().manual_seed(0)
    preds = torch.randn(8, 5, generator=g)
    a, b = torch.randint(0, 5, (8,), generator=g), torch.randint(0, 5, (8,), generator=g)
    lam = torch.rand(8, generator=g, dtype=torch.float64) if lam == "per_sample" else lam
    t = MixedTargets(a, b, lam)
    if isinstance(lam, float):
        crit = torch.nn.CrossEntropyLoss(label_smoothing=smoothing)
        formula = lam * crit(preds, a) + (1 - lam) * crit(preds, b)
    else:
        crit = torch.nn.CrossEntropyLoss(label_smoothing=smoothing, reduction="none")
        w = lam.float()
        formula = (w * crit(preds, a) + (1 - w) * crit(preds, b)).mean()
    torch.testing.assert_close(t.loss(preds, crit), formula)
    torch.testing.assert_close(
        t.loss(preds, crit), F.cross_entropy(preds, t.soft(5, label_smoothing=smoothing))
    )
    torch.testing.assert_close(mixed_loss(preds, list(t), crit), formula)


def test_loss_with_any_criterion_and_soft_labels():
    preds = torch.randn(4, 3)
    a = torch.softmax(torch.randn(4, 3), 1)
    b = torch.softmax(torch.randn(4, 3), 1)
    mse = torch.nn.MSELoss()
    t = MixedTargets(a, b, 0.25)
    torch.testing.assert_close(t.loss(preds, mse), 0.25 * mse(preds, a) + 0.75 * mse(preds, b))


def test_per_sample_loss_needs_per_sample_criterion():
    t = MixedTargets(torch.tensor([0, 1]), torch.tensor([1, 0]), torch.tensor([0.2, 0.7]))
    with pytest.raises(InputError, match="reduction='none'"):
        t.loss(torch.randn(2, 2), torch.nn.CrossEntropyLoss())


def test_mixed_targets_unpack_like_the_seed_list():
    a, b = torch.tensor([0, 1]), torch.tensor([1, 0])
    t = MixedTargets(a, b, 0.4)
    ta, tb, lam = t
    assert ta is a and tb is b and lam == 0.4
    assert t[0] is a and t[1] is b and t[2] == 0.4 and len(t) == 3 and not t.per_sample
