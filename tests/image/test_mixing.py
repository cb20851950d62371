"""Mixing: Mixup, CutMix, Blend, Mosaic, mixed targets and losses, the classic seed functions."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import multiaug.image as mi
from multiaug.core.errors import ConfigError, InputError
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


# -- classes -------------------------------------------------------------------------------------------------


def _labelled(n: int, height: int = 32, width: int = 64, channels: int = 1) -> torch.Tensor:
    """Image i is filled with the value i + 1: every output pixel tells which image it came from."""
    return (torch.arange(n, dtype=torch.float32) + 1).view(n, 1, 1, 1).expand(n, channels, height, width)


@pytest.mark.parametrize("alpha", [0.4, 2.0])
@pytest.mark.parametrize("mode", ["sample", "batch"])
def test_mixup_lam_follows_beta(alpha, mode):
    from scipy import stats

    aug = mi.Mixup(alpha=alpha, mode=mode)
    x, y = torch.rand(16, 1, 2, 2), torch.arange(16)
    lams = []
    for seed in range(150 if mode == "sample" else 1500):
        _, t = aug.mix(x, y, seed=seed)
        lams.extend(t.lam.tolist() if t.per_sample else [t.lam])
    assert stats.kstest(lams, "beta", args=(alpha, alpha)).pvalue > 1e-3
    assert not stats.kstest(lams, "beta", args=(alpha * 2, alpha * 2)).pvalue > 1e-3


def test_mixup_pixels_are_the_formula_with_reported_lam():
    x, y = torch.rand(6, 3, 8, 8), torch.arange(6)
    for mode in ("batch", "pair", "sample"):
        out, t = mi.Mixup(alpha=1.0, mode=mode).mix(x, y, seed=4)
        lam = t.lam_per_sample(6).float().view(-1, 1, 1, 1)
        torch.testing.assert_close(out, lam * x + (1 - lam) * x[t.targets_b])


@pytest.mark.parametrize("mode", ["batch", "pair", "sample"])
def test_cutmix_lam_is_the_exact_fraction_of_own_pixels_on_non_square_images(mode):
    n = 1000 if mode != "batch" else 4  # 3000 draws of lam; mode "batch" draws one per call: 300 calls
    x = _labelled(n)
    mask = x[:, 0].long()
    aug = mi.CutMix(alpha=1.0, mode=mode)
    own = []
    reported = []
    for seed in range(3 if mode != "batch" else 300):
        out, t = aug.mix(x, torch.arange(n), mask=mask, seed=seed)
        image = out["image"]
        frac = (image[:, 0] == x[:, 0]).double().mean(dim=(1, 2))
        from_partner = (image[:, 0] == x[t.targets_b][:, 0]) | (image[:, 0] == x[:, 0])
        assert from_partner.all()
        assert torch.equal(out["mask"], image[:, 0].long())  # the mask got the same patch
        own.append(frac)
        reported.append(t.lam_per_sample(n))
    own_all, reported_all = torch.cat(own), torch.cat(reported)
    assert len(own_all) == (3000 if mode != "batch" else 1200)
    assert torch.equal(own_all, reported_all)
    assert 0.3 < float(reported_all.mean()) < 0.7


def test_cutmix_box_takes_height_from_h_and_width_from_w():
    aug = mi.CutMix(alpha=1.0, mode="sample")
    _, rec = aug(torch.rand(200, 1, 32, 64), seed=0, return_params=True)
    box = rec.params["box"]
    inside = (box[:, 0] > 0) & (box[:, 1] > 0) & (box[:, 2] < 32) & (box[:, 3] < 64)
    h, w = box[inside, 2] - box[inside, 0], box[inside, 3] - box[inside, 1]
    assert inside.sum() > 20
    assert (np.abs(2 * h - w) <= 3).all()


def test_cutmix_uint8_stays_exact_and_mixup_uint8_rounds():
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (8, 3, 16, 24), dtype=torch.uint8, generator=g)
    out, t = mi.CutMix(mode="sample").mix(x, torch.arange(8), seed=1)
    assert out.dtype == torch.uint8
    assert ((out == x) | (out == x[t.targets_b])).all()
    out, t = mi.Mixup(mode="sample").mix(x, torch.arange(8), seed=1)
    lam = t.lam.view(-1, 1, 1, 1)
    expected = lam * x.double() + (1 - lam) * x[t.targets_b].double()
    assert out.dtype == torch.uint8
    assert (out.double() - expected).abs().max() <= 0.5 + 1e-4


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_input_never_mutated(dtype):
    x = (torch.rand(6, 3, 12, 16) * 255).to(dtype)
    m = torch.randint(0, 4, (6, 12, 16))
    fm_ = torch.rand(6, 12, 16)
    x0, m0, fm0 = x.clone(), m.clone(), fm_.clone()
    y = torch.arange(6)
    for aug in (mi.Mixup(), mi.CutMix(), mi.MixupCutMix(mode="sample"), mi.Mosaic(), mi.Blend(p=1.0)):
        for seed in range(3):
            aug(x, seed=seed)
            if not isinstance(aug, mi.Mixup | mi.MixupCutMix):
                aug(image=x, mask=m, seed=seed)
            aug(image=x, mask=fm_, seed=seed)
    mi.mixup(x, y, 1.0, seed=0)
    mi.cutmix(x, y, 1.0, seed=0)
    assert torch.equal(x, x0) and torch.equal(m, m0) and torch.equal(fm_, fm0)


def test_soft_targets_of_a_mixed_batch():
    x = torch.rand(10, 3, 8, 8)
    for aug in (mi.Mixup(mode="sample"), mi.CutMix(), mi.MixupCutMix(mode="pair")):
        _, t = aug.mix(x, torch.arange(10) % 4, seed=2)
        soft = t.soft(4, label_smoothing=0.1)
        torch.testing.assert_close(soft.sum(1), torch.ones(10))
    given = torch.softmax(torch.randn(10, 5), 1)
    _, t = mi.Mixup().mix(x, given, seed=0)
    partner = torch.cdist(t.targets_b, given).argmin(1)
    assert sorted(partner.tolist()) == list(range(10)) and torch.equal(t.targets_b, given[partner])
    torch.testing.assert_close(t.soft(), t.lam * given + (1 - t.lam) * given[partner])


def test_mixup_cutmix_switch_gives_the_right_weights():
    n = 64
    x = _labelled(n, 16, 16)
    out, rec = mi.MixupCutMix(switch_prob=0.5, mode="sample")(x, seed=3, return_params=True)
    cut = rec.params["cutmix"]
    assert 10 < cut.sum() < n - 10
    partner, lam = rec.params["partner"], rec.params["lam"]
    for i in range(n):
        a, b = float(i + 1), float(partner[i] + 1)
        if cut[i]:
            assert float((out[i] == a).double().mean()) == pytest.approx(lam[i], abs=0)
        else:
            torch.testing.assert_close(out[i], torch.full_like(out[i], lam[i] * a + (1 - lam[i]) * b))


def test_pair_mode_partners_are_mutual_and_share_lam():
    for n in (8, 9):
        out, rec = mi.CutMix(mode="pair")(_labelled(n), seed=5, return_params=True)
        partner, lam = rec.params["partner"], rec.params["lam"]
        assert (partner[partner] == np.arange(n)).all()
        assert np.allclose(lam, lam[partner])
        alone = np.flatnonzero(partner == np.arange(n))
        assert len(alone) == n % 2 and (lam[alone] == 1.0).all()
        for i in range(n):  # the two partners swapped the same box
            j = partner[i]
            assert torch.equal(out[i] == j + 1, out[j] == i + 1) or i == j


def test_partner_is_never_the_sample_itself():
    for seed in range(20):
        _, t = mi.Mixup().mix(torch.rand(5, 1, 2, 2), torch.arange(5), seed=seed)
        assert (t.targets_b != t.targets_a).all()


def test_p_is_the_fraction_of_batches_mixed():
    aug = mi.Mixup(p=0.3)
    applied = [aug(torch.rand(4, 1, 2, 2), seed=s, return_params=True)[1].applied for s in range(400)]
    assert all(a.all() or not a.any() for a in applied)
    frac = np.mean([a[0] for a in applied])
    assert abs(frac - 0.3) < 4.5 * np.sqrt(0.21 / 400)
    x = torch.rand(4, 1, 2, 2)
    off = next(s for s in range(400) if not applied[s][0])
    out, t = aug.mix(x, torch.arange(4), seed=off)
    assert torch.equal(out, x) and t.lam == 1.0 and torch.equal(t.targets_b, t.targets_a)


def test_batch_of_one_is_returned_unchanged():
    x = torch.rand(1, 3, 8, 8)
    for aug in (mi.Mixup(), mi.CutMix(), mi.MixupCutMix(mode="pair"), mi.Mosaic(), mi.Blend(p=1.0)):
        assert torch.equal(aug(x, seed=0), x)
    out, t = mi.CutMix().mix(x, torch.tensor([3]), seed=0)
    assert torch.equal(out, x) and t.lam == 1.0
    single = torch.rand(3, 8, 8)
    assert torch.equal(mi.Mixup()(single, seed=0), single)
    m = torch.randint(0, 3, (1, 8, 8))
    for aug in (mi.CutMix(), mi.MixupCutMix(), mi.Mosaic()):
        out = aug(image=x, mask=m, seed=0)
        assert torch.equal(out["image"], x) and torch.equal(out["mask"], m)


def test_odd_one_out_in_pair_mode_keeps_integer_masks():
    x, m = _labelled(5, 8, 8), torch.randint(0, 3, (5, 8, 8))
    for aug in (mi.CutMix(mode="pair"), mi.MixupCutMix(switch_prob=1.0, mode="pair")):
        out, t = aug.mix(x, torch.arange(5), mask=m, seed=0)
        alone = int(np.flatnonzero(t.targets_b.numpy() == np.arange(5))[0])
        assert torch.equal(out["image"][alone], x[alone]) and torch.equal(out["mask"][alone], m[alone])
        assert float(t.lam[alone]) == 1.0


def test_mixup_of_masks():
    x, m = torch.rand(4, 3, 8, 8), torch.randint(0, 3, (4, 8, 8))
    with pytest.raises(InputError, match="CutMix"):
        mi.Mixup()(image=x, mask=m, seed=0)
    soft = torch.rand(4, 2, 8, 8)
    out, t = mi.Mixup().mix(x, torch.arange(4), mask=soft, seed=0)
    torch.testing.assert_close(out["mask"], t.lam * soft + (1 - t.lam) * soft[t.targets_b])


def test_cutmix_replays_onto_a_mask_alone():
    x = _labelled(6, 16, 20)
    out, rec = mi.CutMix(mode="sample")(x, seed=9, return_params=True)
    mask = mi.CutMix(mode="sample")(mask=x[:, 0].long(), params=rec)["mask"]
    assert torch.equal(mask, out[:, 0].long())


def test_mixed_targets_through_a_pipeline():
    import multiaug
    from multiaug.core.mixing import mixed_targets

    x, y = _labelled(8, 8, 8), torch.arange(8)
    pipe = multiaug.Pipeline([mi.HorizontalFlip(p=0.5), mi.CutMix(mode="sample")])
    out, rec = pipe(x, seed=1, return_params=True)
    t = mixed_targets(rec, y)
    frac = (out[:, 0] == x[:, 0]).double().mean(dim=(1, 2))
    assert torch.equal(frac, t.lam_per_sample(8))
    one = multiaug.OneOf([mi.CutMix(mode="sample"), mi.CutMix(alpha=0.5, mode="pair")])
    out, rec = one(_labelled(16, 8, 8), seed=0, return_params=True)
    t = mixed_targets(rec, torch.arange(16))
    x16 = _labelled(16, 8, 8)
    assert torch.equal((out[:, 0] == x16[:, 0]).double().mean(dim=(1, 2)), t.lam_per_sample(16))
    assert all(((out[i] == x16[i]) | (out[i] == x16[t.targets_b[i]])).all() for i in range(16))
    twice = multiaug.Pipeline([mi.Mixup(), mi.CutMix()])
    with pytest.raises(InputError, match="more than one mixing op"):
        mixed_targets(twice(x, seed=0, return_params=True)[1], y)


# -- the classic functions ---------------------------------------------------------------------------------


def test_classic_functions_match_the_class_api():
    x, y = torch.rand(8, 3, 16, 24), torch.arange(8)
    for fn, cls in ((mi.mixup, mi.Mixup), (mi.cutmix, mi.CutMix)):
        data, new_targets = fn(x, y, 0.7, seed=12)
        out, t = cls(0.7, p=1.0).mix(x, y, seed=12)
        assert isinstance(new_targets, list) and len(new_targets) == 3
        targets, shuffled, lam = new_targets
        assert torch.equal(data, out) and torch.equal(targets, y) and torch.equal(shuffled, t.targets_b)
        assert isinstance(lam, float) and lam == t.lam
        preds = torch.randn(8, 8)
        crit = mi.mixup_criterion if fn is mi.mixup else mi.cutmix_criterion
        expected = lam * F.cross_entropy(preds, targets) + (1 - lam) * F.cross_entropy(preds, shuffled)
        torch.testing.assert_close(crit(preds, new_targets), expected)
        assert not torch.equal(fn(x, y, 0.7, seed=13)[0], data)


def test_classic_rand_bbox():
    boxes = [mi.rand_bbox((4, 3, 32, 64), 0.75, seed=s) for s in range(200)]
    assert boxes[0] == mi.rand_bbox((4, 3, 32, 64), 0.75, seed=0)
    assert len(set(boxes)) > 50
    for bbx1, bby1, bbx2, bby2 in boxes:
        assert 0 <= bbx1 <= bbx2 <= 32 and 0 <= bby1 <= bby2 <= 64
        assert bbx2 - bbx1 <= 16 and bby2 - bby1 <= 32
    assert (16, 32) in {(b[2] - b[0], b[3] - b[1]) for b in boxes}


def test_training_loop_with_the_classic_p_mixup_pattern():
    """Three epochs on a small synthetic dataset with the classic pattern, then the multiaug pattern."""
    g = torch.Generator().manual_seed(0)
    n, classes = 192, 4
    labels = torch.arange(n) % classes
    images = 0.25 * torch.rand(n, 3, 16, 16, generator=g)
    for c in range(classes):  # class c: a bright quadrant
        rows = labels == c
        images[rows, :, (c // 2) * 8 : (c // 2) * 8 + 8, (c % 2) * 8 : (c % 2) * 8 + 8] += 0.7
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(4),
        torch.nn.Flatten(),
        torch.nn.Linear(8 * 4 * 4, classes),
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    criterion = torch.nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    p_mixup, alpha = 0.5, 1.0
    losses = []
    for epoch in range(3):
        order = torch.randperm(n, generator=g)
        for step in range(0, n, 32):
            image, target = images[order[step : step + 32]], labels[order[step : step + 32]]
            if rng.random() < p_mixup:
                if rng.random() < 0.5:
                    image, targets = mi.mixup(image, target, alpha, seed=epoch * 1000 + step)
                    loss = mi.mixup_criterion(model(image), targets)
                else:
                    image, targets = mi.cutmix(image, target, alpha, seed=epoch * 1000 + step)
                    loss = mi.cutmix_criterion(model(image), targets)
            else:
                loss = criterion(model(image), target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    aug = mi.MixupCutMix(switch_prob=0.5, p=p_mixup, seed=0)
    for step in range(0, n, 32):
        image, targets = aug.mix(images[step : step + 32], labels[step : step + 32])
        loss = targets.loss(model(image), criterion)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.isfinite(losses).all()
    with torch.no_grad():
        accuracy = float((model(images).argmax(1) == labels).float().mean())
    assert accuracy > 0.5


# -- Blend and Mosaic --------------------------------------------------------------------------------------


def test_blend_with_the_batch():
    x = _labelled(6, 4, 4, channels=3)
    out, rec = mi.Blend(alpha=(0.2, 0.6), p=1.0)(x, seed=0, return_params=True)
    partner, alpha = rec.params["partner"], rec.params["alpha"]
    assert (partner != np.arange(6)).all() and ((alpha >= 0.2) & (alpha <= 0.6)).all()
    expected = (1 - alpha) * (np.arange(6) + 1) + alpha * (partner + 1)
    torch.testing.assert_close(out[:, 0, 0, 0].double(), torch.as_tensor(expected))
    m = torch.randint(0, 3, (6, 4, 4))
    assert torch.equal(mi.Blend(p=1.0)(image=x, mask=m, seed=0)["mask"], m)


def test_blend_with_image_files(tmp_path, monkeypatch):
    from PIL import Image

    from multiaug.image import mixing

    Image.new("RGB", (40, 20), (255, 0, 0)).save(tmp_path / "red.png")
    aug = mi.Blend(alpha=0.5, source=tmp_path, p=1.0)
    x = torch.zeros(2, 3, 8, 8, dtype=torch.uint8)
    out = aug(x, seed=0)
    assert out.dtype == torch.uint8
    assert (out[:, 0] == 128).all() and (out[:, 1:] == 0).all()
    gray = aug(torch.zeros(2, 1, 8, 8), seed=0)
    torch.testing.assert_close(gray, torch.full((2, 1, 8, 8), 0.5 * 0.299))
    Image.new("RGB", (30, 30), (0, 0, 255)).save(tmp_path / "blue.png")
    monkeypatch.setattr(mixing, "PICTURE_CACHE_BYTES", 3 * 40 * 20)
    both = mi.Blend(alpha=1.0, source=tmp_path, p=1.0)
    out = both(torch.zeros(16, 3, 4, 4), seed=1)
    assert {tuple(v.round(decimals=4).tolist()) for v in out[:, :, 0, 0]} == {
        (0.0, 0.0, 1.0),
        (1.0, 0.0, 0.0),
    }
    assert len(both._pictures) == 1  # the cache keeps what fits
    with pytest.raises(ConfigError, match="neither"):
        mi.Blend(source=tmp_path / "missing")
    with pytest.raises(ConfigError, match="no image files"):
        mi.Blend(source=tmp_path / "empty" if (tmp_path / "empty").mkdir() is None else None)


def test_mosaic_tiles_and_masks():
    n = 6
    x = _labelled(n, 20, 30, channels=2)
    mask = x[:, 0].long()
    out, rec = mi.Mosaic(center=(0.25, 0.75))(image=x, mask=mask, seed=3, return_params=True)
    sources, center = rec.params["sources"], rec.params["center"]
    assert torch.equal(out["mask"], out["image"][:, 0].long())
    for i in range(n):
        assert i in sources[i] and len(set(sources[i].tolist())) == 4
        cy, cx = center[i]
        assert 5 <= cy < 15 and 7 <= cx < 23
        img = out["image"][i, 0]
        for tile, (rows, cols) in enumerate(
            [
                (slice(0, cy), slice(0, cx)),
                (slice(0, cy), slice(cx, 30)),
                (slice(cy, 20), slice(0, cx)),
                (slice(cy, 20), slice(cx, 30)),
            ]
        ):
            assert (img[rows, cols] == sources[i, tile] + 1).all()


# -- bad input ---------------------------------------------------------------------------------------------


def test_bad_arguments():
    with pytest.raises(ConfigError, match="alpha"):
        mi.Mixup(alpha=0.0)
    with pytest.raises(ConfigError, match="did you mean 'pair'"):
        mi.CutMix(mode="pairs")
    with pytest.raises(ConfigError, match="switch_prob"):
        mi.MixupCutMix(switch_prob=1.5)
    with pytest.raises(InputError, match="targets hold 3"):
        mi.Mixup().mix(torch.rand(4, 3, 8, 8), torch.arange(3), seed=0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    x = _labelled(16, 32, 64, channels=3)
    m = x[:, 0].long()
    for aug in (mi.Mixup(mode="sample"), mi.CutMix(mode="sample"), mi.MixupCutMix(mode="pair"), mi.Mosaic()):
        fields = {"image": x} if isinstance(aug, mi.Mixup) else {"image": x, "mask": m}
        cpu = aug(**fields, seed=0)
        gpu = aug(**{k: v.cuda() for k, v in fields.items()}, seed=0)
        for k in cpu:
            assert gpu[k].device.type == "cuda"
            torch.testing.assert_close(gpu[k].cpu(), cpu[k], atol=1e-6, rtol=1e-6)
