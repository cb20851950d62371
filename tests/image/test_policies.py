"""RandAugment, TrivialAugmentWide and Sharpness: torchvision's tables, each operation's effect, targets, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import multiaug.image as mi
from multiaug.core.errors import ConfigError, InputError
from multiaug.image.functional.filters import adjust_sharpness
from multiaug.image.policies import OPS, augmix_table, auto_policy, magnitude_table

SIGNED = {
    "ShearX",
    "ShearY",
    "TranslateX",
    "TranslateY",
    "Rotate",
    "Brightness",
    "Color",
    "Contrast",
    "Sharpness",
}


def _images(n: int, seed: int = 0, size: int = 24) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 3, size, size), generator=gen, dtype=torch.uint8)


def test_magnitude_tables_are_torchvisions() -> None:
    bins = 31
    assert np.allclose(magnitude_table("ShearX", bins, 24, 40), np.linspace(0, 0.3, bins))
    assert np.allclose(magnitude_table("TranslateX", bins, 24, 40), np.linspace(0, 150 / 331 * 40, bins))
    assert np.allclose(magnitude_table("TranslateY", bins, 24, 40), np.linspace(0, 150 / 331 * 24, bins))
    assert np.allclose(magnitude_table("Rotate", bins, 24, 40), np.linspace(0, 30, bins))
    assert np.allclose(magnitude_table("Sharpness", bins, 24, 40), np.linspace(0, 0.9, bins))
    posterize = [8] * 4 + [7] * 8 + [6] * 7 + [5] * 8 + [4] * 4  # 8 - round(i / 7.5)
    assert magnitude_table("Posterize", bins, 24, 40).tolist() == posterize
    assert np.allclose(magnitude_table("Solarize", bins, 24, 40), np.linspace(1, 0, bins))
    assert not magnitude_table("Equalize", bins, 24, 40).any()
    wide = {"ShearY": 0.99, "TranslateX": 32.0, "Rotate": 135.0, "Color": 0.99}
    for op, top in wide.items():
        assert np.allclose(magnitude_table(op, bins, 24, 40, wide=True), np.linspace(0, top, bins))
    assert magnitude_table("Posterize", bins, 24, 40, wide=True)[[0, 30]].tolist() == [8, 2]
    # torchvision's tables are float32: the wide translation of bin 15 is 15.999999 pixels, truncated to 15
    assert int(magnitude_table("TranslateX", bins, 24, 40, wide=True)[15]) == 15
    assert magnitude_table("Rotate", bins, 24, 40).tolist() == torch.linspace(0, 30, bins).tolist()


def test_randaugment_records_num_ops_operations_at_the_fixed_magnitude() -> None:
    aug = mi.RandAugment(num_ops=3, magnitude=12)
    _, rec = aug(_images(200), seed=4, return_params=True)
    ops, mags = rec.params["op"], rec.params["magnitude"]
    assert ops.shape == mags.shape == (200, 3)
    assert set(np.unique(ops).tolist()) == set(range(14))  # every operation drawn somewhere, never Invert
    for k, op in enumerate(OPS[:14]):
        got = np.abs(mags[ops == k])
        assert np.allclose(got, magnitude_table(op, 31, 24, 24)[12])
        negative = (mags[ops == k] < 0).mean()
        assert (0.3 < negative < 0.7) if op in SIGNED and got.any() else negative == 0


def test_trivialaugment_draws_one_operation_and_a_bin_per_sample() -> None:
    _, rec = mi.TrivialAugmentWide()(_images(600), seed=2, return_params=True)
    ops, mags = rec.params["op"][:, 0], rec.params["magnitude"][:, 0]
    assert rec.params["op"].shape == (600, 1)
    rot = np.abs(mags[ops == OPS.index("Rotate")])
    assert rot.max() <= 135.0 and len(np.unique(rot)) > 10  # many of the 31 bins, wide range
    assert np.isin(rot, magnitude_table("Rotate", 31, 24, 24, wide=True)).all()
    counts = np.bincount(ops, minlength=len(OPS))
    assert counts[:14].min() > 15 and counts[14] == 0  # about 43 each, never Invert


# bin 19 (shear 0.19): no source position of a shear falls exactly half-way between two pixels
@pytest.mark.parametrize("policy", [mi.RandAugment(num_ops=1, magnitude=19), mi.TrivialAugmentWide()])
def test_every_sample_gets_exactly_the_operation_it_recorded(policy: mi.ImageAugmenter) -> None:
    x = _images(160, seed=1)
    out, rec = policy(x, seed=7, return_params=True)
    for i in range(len(x)):
        op, m = OPS[int(rec.params["op"][i, 0])], float(rec.params["magnitude"][i, 0])
        assert torch.equal(out[i], _reference(op, m, x[i])), (i, op, m)


def _reference(op: str, m: float, x: torch.Tensor) -> torch.Tensor:
    """One operation on one uint8 image through the public single-purpose augmenters (or by hand)."""
    if op == "Identity":
        return x
    if op in ("TranslateX", "TranslateY"):
        shift = int(m)  # whole pixels, truncated, the revealed part black
        out = torch.zeros_like(x)
        dim = -1 if op == "TranslateX" else -2
        n = x.shape[dim]
        if abs(shift) < n:
            src = x.narrow(dim, max(0, -shift), n - abs(shift))
            out.narrow(dim, max(0, shift), n - abs(shift)).copy_(src)
        return out
    if op in ("ShearX", "ShearY"):
        h, w = x.shape[-2:]
        ys, xs = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
        # torchvision's shear about the top-left corner of the image (the pixel edge, half a pixel before the
        # first pixel centre): the output pixel (X, Y) reads the input at (X + m (Y + 1/2), Y) (ShearX) or
        # (X, Y + m (X + 1/2)) (ShearY), nearest
        sx = torch.round(xs + m * (ys + 0.5)).long() if op == "ShearX" else xs
        sy = torch.round(ys + m * (xs + 0.5)).long() if op == "ShearY" else ys
        inside = (sx >= 0) & (sx < w) & (sy >= 0) & (sy < h)
        out = x[:, sy.clamp(0, h - 1), sx.clamp(0, w - 1)]
        return torch.where(inside, out, torch.zeros_like(out))
    if op == "Solarize":  # torchvision's: the pixels >= 255 m (uint8) or m (float), compared in float32
        bound = 255.0 if x.dtype == torch.uint8 else 1.0
        return torch.where(
            x.float() >= torch.tensor(bound * m, dtype=torch.float32), (bound - x).to(x.dtype), x
        )
    single = {
        "Rotate": lambda: mi.Rotate(degrees=(m, m), interpolation="nearest", p=1.0),
        "Brightness": lambda: mi.Brightness((1 + m, 1 + m), p=1.0),
        "Color": lambda: mi.Saturation((1 + m, 1 + m), p=1.0),
        "Contrast": lambda: mi.Contrast((1 + m, 1 + m), p=1.0),
        "Sharpness": lambda: mi.Sharpness(factor=1 + m, p=1.0),
        "Posterize": lambda: mi.Posterize(bits=(int(m), int(m)), p=1.0),
        "AutoContrast": lambda: mi.AutoContrast(p=1.0),
        "Equalize": lambda: mi.Equalize(p=1.0),
        "Invert": lambda: mi.Invert(p=1.0),
    }[op]()
    return single(x, seed=0)


@pytest.mark.parametrize("op", ["ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate"])
def test_geometric_operations_equal_torchvisions(op: str) -> None:
    tv = pytest.importorskip("torchvision.transforms.v2")
    x = torch.rand(1, 3, 21, 26, generator=torch.Generator().manual_seed(0))
    table = magnitude_table(op, 31, 21, 26, wide=True)
    # bins whose nearest-neighbour source positions never fall exactly half-way between two pixels
    for b in (3, 7, 13, 15, 19, 29):
        for m in (float(table[b]), -float(table[b])):
            ours = _replay(mi.TrivialAugmentWide(), x, op, m)
            theirs = tv.TrivialAugmentWide()._apply_image_or_video_transform(
                x, op, m, interpolation="nearest", fill={}
            )
            assert torch.equal(ours, theirs), (op, b, m)


def _replay(policy: mi.ImageAugmenter, x: torch.Tensor, op: str, m: float) -> torch.Tensor:
    """``policy`` on ``x`` with every sample given one operation ``op`` at signed magnitude ``m``."""
    _, record = policy(x, seed=0, return_params=True)
    record.params["op"] = np.full((len(x), 1), OPS.index(op))
    record.params["magnitude"] = np.full((len(x), 1), m)
    return policy(x, params=record)


@pytest.mark.parametrize("bins", [11, 31, 52])
def test_solarize_thresholds_are_torchvisions_for_uint8_and_float(bins: int) -> None:
    levels = torch.arange(256, dtype=torch.uint8).reshape(1, 1, 16, 16)
    for m in magnitude_table("Solarize", bins, 16, 16).tolist():
        # torchvision: pixels >= 255 m (uint8) or >= m (float), compared in float32
        for x, bound in ((levels, 255.0), (levels / 255.0, 1.0)):
            threshold = torch.tensor(bound * m, dtype=torch.float32)
            expected = torch.where(x.float() >= threshold, (bound - x.double()).to(x.dtype), x)
            assert torch.equal(_replay(mi.RandAugment(num_ops=1), x, "Solarize", m), expected), (
                bins,
                m,
                x.dtype,
            )


def test_masks_and_boxes_follow_the_geometry_only() -> None:
    x = _images(120, seed=3)
    mask = x[:, :1].clone()  # a mask that is the first channel: nearest warps move both alike
    boxes = torch.tensor([[[4.0, 5.0, 12.0, 14.0]]]).repeat(120, 1, 1)
    aug = mi.RandAugment(num_ops=1, magnitude=15)
    out, rec = aug(image=x, mask=mask, boxes=boxes, seed=5, return_params=True)
    for i in range(len(x)):
        op, m = OPS[int(rec.params["op"][i, 0])], float(rec.params["magnitude"][i, 0])
        if op in ("ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate"):
            assert torch.equal(out["mask"][i], out["image"][i, :1]), op
        else:
            assert torch.equal(out["mask"][i], mask[i]) and torch.equal(out["boxes"][i], boxes[i]), op
        if op == "TranslateX" and 4 + int(m) >= 0 and 12 + int(m) <= 24:  # shifted, still inside
            assert torch.equal(out["boxes"][i], boxes[i] + torch.tensor([int(m), 0.0, int(m), 0.0]))


def test_sequences_compose_and_zero_ops_is_the_identity() -> None:
    x = _images(40, seed=6)
    assert torch.equal(mi.RandAugment(num_ops=0)(x, seed=1), x)
    out, rec = mi.RandAugment(num_ops=2, magnitude=9)(x, seed=1, return_params=True)
    for i in range(len(x)):
        y = x[i]
        for step in range(2):
            y = _reference(OPS[int(rec.params["op"][i, step])], float(rec.params["magnitude"][i, step]), y)
        assert torch.equal(out[i], y), i


def _halfway(shear: float, size: int) -> bool:
    """Whether a shear by ``shear`` reads exactly half-way between two pixels (``s (k + 1/2)`` ends in .5)."""
    frac = (abs(shear) * (np.arange(size) + 0.5)) % 1
    return bool((np.abs(frac - 0.5) < 1e-6).any())


@pytest.mark.parametrize("name", ["imagenet", "cifar10", "svhn"])
def test_autoaugment_applies_each_step_of_the_drawn_subpolicy_with_its_probability(name: str) -> None:
    table_ops, probs, bins = auto_policy(name)
    assert table_ops.shape == probs.shape == bins.shape == (25, 2)
    _, rec = mi.AutoAugment(name)(_images(5000, size=8), seed=1, return_params=True)
    sub, ops, mags = rec.params["subpolicy"], rec.params["op"], rec.params["magnitude"]
    assert np.bincount(sub, minlength=25).min() > 120  # 200 each on average
    applied = ops != 0  # a skipped step is Identity (the tables hold no Identity)
    assert (ops[applied] == table_ops[sub][applied]).all()
    for (s, j), p in np.ndenumerate(probs):
        rows = sub == s
        rate = applied[rows, j].mean()
        assert abs(rate - p) <= 4 * np.sqrt(p * (1 - p) / rows.sum()) + 1e-9, (name, s, j, rate, p)
    for (i, j), k in np.ndenumerate(ops):
        if k:
            expected = magnitude_table(OPS[k], 10, 8, 8)[bins[sub[i], j]]
            assert abs(mags[i, j]) == expected and (mags[i, j] >= 0 or OPS[k] in SIGNED)


def test_autoaugment_gives_every_sample_its_two_steps() -> None:
    x = _images(60, seed=9)
    out, rec = mi.AutoAugment("svhn")(x, seed=3, return_params=True)  # shears, translations and Invert
    compared = 0
    for i in range(len(x)):
        steps = [(OPS[int(k)], float(m)) for k, m in zip(rec.params["op"][i], rec.params["magnitude"][i])]
        if any(op.startswith("Shear") and _halfway(m, 24) for op, m in steps):
            continue
        y = x[i]
        for op, m in steps:
            y = _reference(op, m, y)
        assert torch.equal(out[i], y), i
        compared += 1
    assert compared > 40
    with pytest.raises(ConfigError, match="policy"):
        mi.AutoAugment("coco")


def test_float_and_grey_images_and_the_bad_inputs() -> None:
    xf = torch.rand(16, 3, 20, 20)
    out = mi.TrivialAugmentWide()(xf, seed=0)
    assert out.dtype == torch.float32 and float(out.min()) >= 0.0 and float(out.max()) <= 1.0
    grey = torch.rand(16, 1, 20, 20)
    assert mi.RandAugment(num_ops=3)(grey, seed=0).shape == grey.shape  # Color leaves grey images alone
    with pytest.raises(InputError, match="3 or 1 channels"):
        mi.RandAugment()(torch.rand(2, 4, 8, 8), seed=0)
    with pytest.raises(ConfigError, match="magnitude"):
        mi.RandAugment(magnitude=31)
    with pytest.raises(ConfigError, match="num_ops"):
        mi.RandAugment(num_ops=-1)
    with pytest.raises(ConfigError, match="num_magnitude_bins"):
        mi.TrivialAugmentWide(num_magnitude_bins=1)


def test_sharpness_is_pils_blend_with_the_smoothed_interior() -> None:
    x = torch.zeros(1, 1, 3, 3)
    x[..., 1, 1] = 1.0
    smooth = adjust_sharpness(x, [0.0])
    assert smooth[0, 0, 1, 1].item() == pytest.approx(5 / 13)
    assert torch.equal(smooth[0, 0, 0], x[0, 0, 0])  # the border is kept
    gen = torch.Generator().manual_seed(0)
    img = torch.rand(3, 2, 9, 11, generator=gen, dtype=torch.float64)
    kernel = torch.tensor([[1.0, 1, 1], [1, 5, 1], [1, 1, 1]], dtype=torch.float64) / 13
    inner = torch.nn.functional.conv2d(img.reshape(6, 1, 9, 11), kernel[None, None]).reshape(3, 2, 7, 9)
    factors = [0.0, 0.5, 1.8]
    expected = img.clone()
    f = torch.tensor(factors, dtype=torch.float64)[:, None, None, None]
    expected[..., 1:-1, 1:-1] = (inner + f * (img[..., 1:-1, 1:-1] - inner)).clamp(0, 1)
    assert torch.allclose(adjust_sharpness(img, factors), expected, atol=1e-12)
    u8 = (img * 255).round().to(torch.uint8)
    assert torch.equal(adjust_sharpness(u8, [1.0] * 3), u8)
    assert torch.equal(adjust_sharpness(u8[..., :2, :], [0.0] * 3), u8[..., :2, :])  # too small: unchanged


def test_autoaugment_tables_are_torchvisions() -> None:
    tv = pytest.importorskip("torchvision.transforms.v2")
    from torchvision.transforms import AutoAugmentPolicy

    from multiaug.image.policies import _AUTO_POLICIES

    for name, policy in (("imagenet", AutoAugmentPolicy.IMAGENET), ("cifar10", AutoAugmentPolicy.CIFAR10),
                         ("svhn", AutoAugmentPolicy.SVHN)):  # fmt: skip
        theirs = tuple(tuple(tuple(step) for step in sub) for sub in tv.AutoAugment(policy)._policies)
        assert theirs == _AUTO_POLICIES[name], name


def test_augmix_is_the_recorded_convex_mix_of_its_chains() -> None:
    x = torch.rand(40, 3, 16, 16, generator=torch.Generator().manual_seed(4))
    # nearest warps, as the single-purpose references below run them
    out, rec = mi.AugMix(severity=10, interpolation="nearest")(x, seed=2, return_params=True)
    ops, mags, keep, weights = (rec.params[k] for k in ("op", "magnitude", "keep", "weights"))
    assert ops.shape == mags.shape == (40, 3, 3) and weights.shape == (40, 3)
    assert np.allclose(keep + weights.sum(1), 1.0) and (weights >= 0).all()
    compared = 0
    for i in range(len(x)):
        shears = mags[i][np.isin(ops[i], [OPS.index("ShearX"), OPS.index("ShearY")])]
        if any(_halfway(m, 16) for m in shears):
            continue
        compared += 1
        mix = keep[i] * x[i].double()
        for c in range(3):
            y = x[i]
            for op, m in zip(ops[i, c], mags[i, c]):
                name = OPS[int(op)]
                y = torch.zeros_like(y) if name == "Posterize" and m == 0 else _reference(name, float(m), y)
            mix += weights[i, c] * y.double()
        assert torch.allclose(out[i].double(), mix.clamp(0, 1), atol=2e-5), i
    assert compared > 20


def test_augmix_draws_depths_bins_and_weights_per_sample() -> None:
    _, rec = mi.AugMix(severity=3)(torch.rand(3000, 3, 8, 8), seed=5, return_params=True)
    ops, mags, keep, weights = (rec.params[k] for k in ("op", "magnitude", "keep", "weights"))
    depth = (ops != 0).sum(-1)  # AugMix's operations hold no Identity: the steps past a chain's depth do
    assert set(np.unique(depth).tolist()) == {1, 2, 3}
    assert ((ops != 0).argmin(-1)[depth < 3] == depth[depth < 3]).all()  # identities only at the end
    for k in np.unique(ops[ops != 0]).tolist():
        table = np.abs(augmix_table(OPS[k], 8, 8))
        assert np.isin(np.abs(mags[ops == k]), table[:3]).all(), OPS[k]  # bins below the severity
    assert abs(keep.mean() - 0.5) < 0.02 and abs(keep.std() - np.sqrt(1 / 12)) < 0.02  # Beta(1, 1)
    shares = weights / weights.sum(1, keepdims=True)
    assert np.allclose(shares.mean(0), 1 / 3, atol=0.02)  # Dirichlet(1, 1, 1)
    narrow = mi.AugMix(all_ops=False, chain_depth=2)(torch.rand(500, 3, 8, 8), seed=1, return_params=True)[1]
    used = {OPS[k] for k in np.unique(narrow.params["op"]).tolist()}
    assert used.isdisjoint({"Brightness", "Color", "Contrast", "Sharpness", "Identity"}) and len(used) == 9


def test_augmix_refuses_targets_and_bad_settings() -> None:
    x = torch.rand(2, 3, 8, 8)
    with pytest.raises(InputError, match="masks, boxes and keypoints"):
        mi.AugMix()(image=x, mask=torch.zeros(2, 1, 8, 8, dtype=torch.int64), seed=0)
    for bad in ({"severity": 0}, {"severity": 11}, {"mixture_width": 0}, {"chain_depth": 0}, {"alpha": 0.0}):
        with pytest.raises(ConfigError):
            mi.AugMix(**bad)
    u8 = (x * 255).round().to(torch.uint8)
    assert mi.AugMix()(u8, seed=0).dtype == torch.uint8


def test_augmix_rounds_the_float32_mix_of_uint8_chains() -> None:
    x = _images(12, seed=8, size=20)
    aug = mi.AugMix(severity=6)
    out, rec = aug(x, seed=3, return_params=True)
    keep, weights = rec.params["keep"], rec.params["weights"]
    mix = x.float() * torch.as_tensor(keep, dtype=torch.float32).view(-1, 1, 1, 1)
    for c in range(3):  # each chain alone: its weight 1, the others' and the original's 0
        rec.params["keep"] = np.zeros_like(keep)
        rec.params["weights"] = np.eye(3)[[c] * len(x)]
        chain = aug(x, params=rec)
        mix += chain * torch.as_tensor(weights[:, c], dtype=torch.float32).view(-1, 1, 1, 1)
    assert torch.equal(out, mix.round().clamp(0, 255).to(torch.uint8))  # rounded: torchvision truncates
    assert not torch.equal(out, mix.clamp(0, 255).to(torch.uint8))
