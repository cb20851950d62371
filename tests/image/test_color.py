"""Colour augmenters: textbook definitions on hand-computed tensors, references, errors, masks, CUDA."""

from __future__ import annotations

import colorsys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps

import multiaug.image as mi
from multiaug.core.errors import ConfigError, InputError
from multiaug.image.functional import color as C
from tests.cases.image_color import CASES

# One 2x2 RGB image with hand-picked values; luma Y = 0.299 R + 0.587 G + 0.114 B.
RGB = torch.tensor(
    [
        [[0.2, 0.4], [0.6, 0.8]],  # R
        [[0.1, 0.3], [0.5, 0.7]],  # G
        [[0.5, 0.5], [0.5, 0.5]],  # B
    ]
)


def _luma(x: torch.Tensor) -> torch.Tensor:
    return 0.299 * x[0] + 0.587 * x[1] + 0.114 * x[2]


def test_brightness_is_a_product() -> None:
    out = mi.Brightness((1.25, 1.25), p=1.0)(RGB)
    expected = torch.tensor([[[0.25, 0.5], [0.75, 1.0]], [[0.125, 0.375], [0.625, 0.875]], [[0.625] * 2] * 2])
    assert torch.allclose(out, expected, atol=1e-6)


def test_brightness_uint8_rounds_and_saturates() -> None:
    x = torch.tensor([[[3, 100, 200, 255]]], dtype=torch.uint8)
    assert mi.Brightness((1.5, 1.5), p=1.0)(x).tolist() == [[[4, 150, 255, 255]]]  # 4.5 -> 4 (half to even)
    assert mi.Brightness((0.5, 0.5), p=1.0)(x).tolist() == [[[2, 50, 100, 128]]]  # 127.5 -> 128


def test_contrast_blends_with_mean_luma() -> None:
    m = float(_luma(RGB).mean())  # hand value: 0.299*0.5 + 0.587*0.4 + 0.114*0.5 = 0.4413
    assert m == pytest.approx(0.4413, abs=1e-6)
    out = mi.Contrast((0.5, 0.5), p=1.0)(RGB)
    assert torch.allclose(out, 0.5 * RGB + 0.5 * m, atol=1e-6)
    assert float(out[0, 0, 0]) == pytest.approx(0.5 * 0.2 + 0.5 * 0.4413, abs=1e-6)


def test_contrast_on_one_channel_uses_its_mean() -> None:
    x = torch.tensor([[[0.0, 0.2], [0.4, 0.6]]])
    out = mi.Contrast((2.0, 2.0), p=1.0)(x)
    assert torch.allclose(out, torch.tensor([[[0.0, 0.1], [0.5, 0.9]]]), atol=1e-6)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.uint8])
def test_per_sample_affine_ops_match_the_formulas_across_chunks(dtype: torch.dtype) -> None:
    # 11 samples cross the CPU chunk of 8; factors above and below 1 mix clamped and unclamped samples
    gen = torch.Generator().manual_seed(3)
    x64 = torch.rand(11, 3, 5, 7, generator=gen, dtype=torch.float64)
    x = (x64 * 255).round().to(dtype) if dtype == torch.uint8 else x64.to(dtype)
    unit = 255.0 if dtype == torch.uint8 else 1.0
    xd = x.double() / unit
    f = np.linspace(0.4, 1.8, 11)
    fd = torch.as_tensor(f)[:, None, None, None]
    means = (xd * torch.as_tensor(C.GRAY_WEIGHTS)[None, :, None, None]).sum(1).mean((1, 2))
    shift = np.linspace(-0.3, 0.3, 33).reshape(11, 3)
    cases = [
        (C.adjust_brightness(x, f), xd * fd),
        (C.adjust_contrast(x, f), fd * xd + (1 - fd) * means[:, None, None, None]),
        (C.rgb_shift(x, shift), xd + torch.as_tensor(shift)[:, :, None, None]),
    ]
    tol = 1.0 if dtype == torch.uint8 else 4 * torch.finfo(dtype).eps
    for out, ref in cases:
        expected = ref.clamp(0.0, 1.0) * unit
        assert out.dtype == dtype and out.shape == x.shape
        assert (out.double() - expected).abs().max() <= tol


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16, torch.uint8])
def test_channel_affine_without_clamp_leaves_float_results_unclamped(dtype: torch.dtype) -> None:
    # one scale per sample (the per-sample fused path on CPU), 10 samples across the chunk of 8, negative,
    # zero and above-one scales with biases that push results out of [0, 1] on both sides
    gen = torch.Generator().manual_seed(5)
    x64 = torch.rand(10, 2, 3, 4, generator=gen, dtype=torch.float64)
    x64[:, :, 0, 0], x64[:, :, 0, 1] = 0.0, 1.0
    unit = 255.0 if dtype == torch.uint8 else 1.0
    x = (x64 * 255).round().to(dtype) if dtype == torch.uint8 else x64.to(dtype)
    before = x.clone()
    scale = np.linspace(-1.5, 2.5, 10)[:, None]
    bias = np.linspace(-0.6, 0.6, 20).reshape(10, 2)
    ref = (
        torch.as_tensor(scale)[:, :, None, None] * (x.double() / unit)
        + torch.as_tensor(bias)[:, :, None, None]
    )
    loose = C.channel_affine(x, scale, bias, clamp=False)
    tight = C.channel_affine(x, scale, bias)
    assert torch.equal(x, before)
    tol = 1.0 if dtype == torch.uint8 else 4 * torch.finfo(dtype).eps * float(ref.abs().max())
    assert (tight.double() - ref.clamp(0.0, 1.0) * unit).abs().max() <= tol
    if dtype == torch.uint8:  # uint8 results saturate either way
        assert torch.equal(loose, tight)
    else:
        assert float(loose.min()) < 0.0 and float(loose.max()) > 1.0
        assert (loose.double() - ref).abs().max() <= tol


def test_saturation_blends_with_own_grey() -> None:
    out = mi.Saturation((0.25, 0.25), p=1.0)(RGB)
    assert torch.allclose(out, 0.25 * RGB + 0.75 * _luma(RGB)[None], atol=1e-6)
    grey = mi.Saturation((0.0, 0.0), p=1.0)(RGB)
    assert torch.allclose(grey, _luma(RGB).expand(3, 2, 2), atol=1e-6)


def test_hue_is_a_yiq_rotation() -> None:
    # textbook: RGB -> YIQ, rotate (I, Q) by -2 pi h, back with the inverse matrix
    h = 0.1
    yiq = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
    t = -2 * np.pi * h
    rot = np.array([[1, 0, 0], [0, np.cos(t), -np.sin(t)], [0, np.sin(t), np.cos(t)]])
    x = RGB * 0.5 + 0.2
    ref = np.einsum("ij,jhw->ihw", np.linalg.inv(yiq) @ rot @ yiq, x.double().numpy())
    out = mi.Hue((h, h), p=1.0)(x)
    assert np.allclose(out.double().numpy(), ref, atol=1e-6)
    assert torch.allclose(_luma(out), _luma(x), atol=1e-6)  # luma kept


def test_hue_turns_red_towards_yellow_like_hsv() -> None:
    red = torch.tensor([0.9, 0.2, 0.2]).view(3, 1, 1)
    ours = mi.Hue((0.05, 0.05), p=1.0)(red).flatten()
    h, sat, v = colorsys.rgb_to_hsv(0.9, 0.2, 0.2)
    hsv = colorsys.hsv_to_rgb((h + 0.05) % 1.0, sat, v)
    assert ours[1] > red[1, 0, 0] and hsv[1] > red[1, 0, 0]  # green rises in both
    assert mi.Hue((0.0, 0.0), p=1.0)(RGB).equal(RGB)


def test_color_jitter_equals_the_steps_in_each_samples_order() -> None:
    x = torch.rand(6, 3, 8, 8) * 0.4 + 0.3  # no intermediate clipping for these factors
    aug = mi.ColorJitter(0.2, 0.2, 0.2, 0.05, p=1.0)
    out, record = aug(x, seed=3, return_params=True)
    params = record.params
    assert len({tuple(o) for o in params["order"].tolist()}) > 1  # per-sample orders
    steps = [
        lambda y, i: C.adjust_brightness(y, [params["brightness"][i]]),
        lambda y, i: C.adjust_contrast(y, [params["contrast"][i]]),
        lambda y, i: C.adjust_saturation(y, [params["saturation"][i]]),
        lambda y, i: C.adjust_hue(y, [params["hue"][i]]),
    ]
    for i in range(6):
        y = x[i : i + 1]
        for k in params["order"][i]:
            y = steps[k](y, i)
        assert torch.allclose(out[i : i + 1], y, atol=1e-5)


def _textbook_jitter(x: np.ndarray, b: float, c: float, s: float) -> np.ndarray:
    """Brightness, contrast, saturation one after the other, clipped after each step (torchvision's order)."""
    w = np.array([0.299, 0.587, 0.114])[:, None, None]
    y = np.clip(x * b, 0, 1)
    y = np.clip(c * y + (1 - c) * (w * y).sum(0).mean(), 0, 1)
    return np.clip(s * y + (1 - s) * (w * y).sum(0, keepdims=True), 0, 1)


def test_color_jitter_fixed_order_matches_the_textbook_steps_without_hue() -> None:
    x = torch.rand(2, 3, 8, 8) * 0.4 + 0.3
    aug = mi.ColorJitter(0.2, 0.2, 0.2, 0.0, random_order=False, p=1.0)
    out, record = aug(x, seed=0, return_params=True)
    assert (record.params["order"] == np.arange(4)).all()
    for i in range(2):
        p = record.params
        ref = _textbook_jitter(
            x[i].double().numpy(), p["brightness"][i], p["contrast"][i], p["saturation"][i]
        )
        assert np.allclose(out[i].double().numpy(), ref, atol=1e-5)


def _pil(op, x: torch.Tensor) -> torch.Tensor:
    """Apply a PIL ImageOps function to each uint8 RGB image of a batch."""
    outs = [np.asarray(op(Image.fromarray(img.permute(1, 2, 0).numpy()))) for img in x]
    return torch.from_numpy(np.stack(outs)).permute(0, 3, 1, 2).contiguous()


def test_references_from_pillow_and_textbook_formulas() -> None:
    g = torch.Generator().manual_seed(0)
    xf = torch.rand(3, 3, 16, 16, generator=g)
    xu = (xf * 255).round().to(torch.uint8)
    f = xf.double().numpy()
    assert C.equalize(xu).equal(_pil(ImageOps.equalize, xu))
    assert C.posterize(xu, [3, 3, 3]).equal(_pil(lambda im: ImageOps.posterize(im, 3), xu))
    assert np.allclose(C.posterize(xf, [3, 3, 3]).numpy(), np.clip(np.floor(f * 8), 0, 7) / 8)
    assert C.solarize(xu, [0.5] * 3).equal(_pil(lambda im: ImageOps.solarize(im, 128), xu))
    assert np.array_equal(C.solarize(xf, [0.5] * 3).numpy(), np.where(xf >= 0.5, 1 - xf, xf))
    lo, hi = f.min(axis=(2, 3), keepdims=True), f.max(axis=(2, 3), keepdims=True)
    assert np.allclose(C.autocontrast(xf).numpy(), (f - lo) / (hi - lo), atol=1e-6)
    assert C.invert(xu).equal(255 - xu) and torch.allclose(C.invert(xf), 1 - xf)
    assert np.allclose(C.adjust_gamma(xf, [0.7] * 3).numpy(), f**0.7, atol=1e-6)
    ends = torch.tensor([0.0, 1.0]).expand(4, 1, 1, 2)  # exp(g * log x) keeps 0 and 1 exact; 0 ** 0 is 1
    assert C.adjust_gamma(ends, [0.25, 1.0, 4.0, 0.0]).flatten().tolist() == [0, 1, 0, 1, 0, 1, 1, 1]
    ref_u8 = np.round(255 * (xu.double().numpy() / 255) ** 0.7)
    assert np.abs(C.adjust_gamma(xu, [0.7] * 3).numpy() - ref_u8).max() <= 1
    mean, std = np.array([0.4, 0.5, 0.6])[:, None, None], np.array([0.2, 0.3, 0.4])[:, None, None]
    out = C.normalize(xf, [0.4, 0.5, 0.6], [0.2, 0.3, 0.4]).numpy()
    assert np.allclose(out, (f - mean) / std, atol=1e-5)


def test_gray_channel_shuffle_and_shift_are_exact() -> None:
    x = torch.tensor([[[255]], [[0]], [[0]]], dtype=torch.uint8)
    assert mi.ToGray(p=1.0)(x).flatten().tolist() == [76, 76, 76]  # 0.299 * 255 = 76.2
    y = torch.arange(12, dtype=torch.uint8).reshape(4, 3, 1, 1)
    out, rec = mi.ChannelShuffle(p=1.0)(y, seed=2, return_params=True)
    for i in range(4):
        assert out[i, :, 0, 0].tolist() == y[i, rec.params["perm"][i], 0, 0].tolist()
    shifted = mi.RGBShift((0.1, 0.1), (-0.1, -0.1), (0.0, 0.0), p=1.0)(torch.full((3, 1, 1), 0.5))
    assert torch.allclose(shifted.flatten(), torch.tensor([0.6, 0.4, 0.5]))


def test_normalize_gives_float_and_needs_p_one() -> None:
    x = torch.tensor([[[0, 255]], [[51, 102]], [[255, 255]]], dtype=torch.uint8)
    out = mi.Normalize(mean=(0.5, 0.2, 0.0), std=(0.5, 0.2, 1.0))(x)
    as_arrays = mi.Normalize(
        mean=np.array([0.5, 0.2, 0.0]), std=torch.tensor([0.5, 0.2, 1.0], dtype=torch.float64)
    )
    assert torch.equal(as_arrays(x), out)  # numpy arrays and tensors of per-channel values work too
    assert out.dtype == torch.float32
    assert torch.allclose(out, torch.tensor([[[-1.0, 1.0]], [[0.0, 1.0]], [[1.0, 1.0]]]), atol=1e-6)
    assert mi.Normalize()(torch.rand(2, 3, 4, 4, dtype=torch.float64)).dtype == torch.float64
    with pytest.raises(ConfigError, match="p must be 1"):
        mi.Normalize(p=0.5)
    with pytest.raises(InputError, match="3 mean values for an image with 4 channels"):
        mi.Normalize()(torch.rand(4, 4, 4))


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: mi.Brightness(1.5), "brightness must be >= 0"),
        (lambda: mi.Contrast((1.2, 0.8)), "low <= high"),
        (lambda: mi.Saturation("high"), "saturation must be a number"),
        (lambda: mi.Hue(0.7), "hue must be"),
        (lambda: mi.ColorJitter(hue=(-0.6, 0.1)), "hue must be >= -0.5"),
        (lambda: mi.ColorJitter(random_order="yes"), "random_order must be True or False"),
        (lambda: mi.RGBShift(r_shift=2.0), "r_shift must be"),
        (lambda: mi.Gamma((0.0, 1.0)), "gamma must be > 0"),
        (lambda: mi.Solarize(1.5), "threshold must be <= 1.0"),
        (lambda: mi.Posterize(0), "bits must be >= 1"),
        (lambda: mi.Posterize((2, 9)), "bits must be <= 8"),
        (lambda: mi.Posterize(2.5), "bits must be an integer"),
        (lambda: mi.Normalize(std=(0.2, 0.0, 0.2)), "std must be > 0"),
        (lambda: mi.Brightness(p=1.5), "p must be a probability"),
        (lambda: mi.Brightness(brightnes=0.1), "did you mean 'brightness'"),
    ],
)
def test_bad_arguments_are_rejected_at_construction(make, match) -> None:
    with pytest.raises(ConfigError, match=match):
        make()


@pytest.mark.parametrize(
    "aug", [mi.Saturation(p=1.0), mi.Hue(p=1.0), mi.ColorJitter(p=1.0), mi.ToGray(p=1.0), mi.RGBShift(p=1.0)]
)
def test_rgb_ops_reject_other_channel_counts(aug) -> None:
    with pytest.raises(InputError, match="RGB"):
        aug(torch.rand(2, 4, 8, 8))


@pytest.mark.parametrize(
    "aug",
    [
        mi.Brightness(p=1.0),
        mi.Gamma(p=1.0),
        mi.Solarize(p=1.0),
        mi.Posterize(p=1.0),
        mi.Equalize(p=1.0),
        mi.AutoContrast(p=1.0),
        mi.Invert(p=1.0),
        mi.ChannelShuffle(p=1.0),
    ],
)
@pytest.mark.parametrize("channels", [1, 5])
def test_channel_agnostic_ops(aug, channels) -> None:
    x = torch.randint(0, 256, (2, channels, 6, 7), dtype=torch.uint8)
    assert aug(x, seed=0).shape == x.shape


@pytest.mark.parametrize("name", sorted(CASES))
def test_masks_are_untouched(name) -> None:
    aug = CASES[name].build(p=1.0)
    x = torch.rand(3, 3, 10, 12)
    mask = torch.randint(0, 5, (3, 10, 12))
    out = aug(image=x, mask=mask, seed=1)
    assert out["mask"] is mask or out["mask"].equal(mask)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float64])
def test_other_float_dtypes(dtype) -> None:
    x = torch.rand(2, 3, 8, 8).to(dtype)
    for aug in (mi.ColorJitter(0.3, 0.3, 0.3, 0.1, p=1.0), mi.Gamma(p=1.0), mi.Equalize(p=1.0)):
        out = aug(x, seed=0)
        assert out.dtype == dtype and float(out.min()) >= 0 and float(out.max()) <= 1


def test_same_on_batch_shares_the_draw() -> None:
    x = torch.rand(4, 3, 8, 8)
    _, rec = mi.ColorJitter(0.3, 0.3, 0.3, 0.1, p=1.0, same_on_batch=True)(x, seed=0, return_params=True)
    assert len(np.unique(rec.params["brightness"])) == 1 and len({tuple(o) for o in rec.params["order"]}) == 1


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_cuda_matches_cpu_on_large_batches(dtype) -> None:
    x = torch.rand(20, 3, 40, 50)
    x = (x * 255).round().to(torch.uint8) if dtype == torch.uint8 else x
    for name in sorted(CASES):
        aug = CASES[name].build(p=0.8)
        cpu = aug(x, seed=4)
        gpu = aug(x.cuda(), seed=4)
        assert gpu.device.type == "cuda"
        diff = (cpu.double() - gpu.cpu().double()).abs().max().item()
        assert diff <= (1 if dtype == torch.uint8 else 1e-4), name


@settings(max_examples=30, deadline=None)
@given(
    brightness=st.floats(0.0, 3.0),
    contrast=st.floats(0.0, 3.0),
    saturation=st.floats(0.0, 3.0),
    hue=st.floats(-0.5, 0.5),
    shift=st.floats(-1.0, 1.0),
)
def test_float_results_stay_in_unit_range_for_any_parameters(
    brightness, contrast, saturation, hue, shift
) -> None:
    x = torch.rand(3, 3, 5, 6, generator=torch.Generator().manual_seed(0))
    x[0] = 0.0
    x[1] = 1.0
    outs = [
        C.color_jitter(x, brightness, contrast, saturation, hue, [[3, 2, 1, 0]] * 3),
        C.adjust_brightness(x, brightness),
        C.channel_affine(x, brightness, shift),
        C.adjust_gamma(x, brightness + 0.01),
    ]
    for out in outs:
        assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.uint8])
def test_normalize_is_within_two_ulp_of_the_exact_formula(dtype: torch.dtype) -> None:
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(4, 3, 9, 11, generator=gen)
    x = (x * 255).round().to(torch.uint8) if dtype == torch.uint8 else x.to(dtype)
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    out_dtype = dtype if dtype.is_floating_point else torch.float32
    unit = 255.0 if dtype == torch.uint8 else 1.0
    centred = x.double() - torch.as_tensor(mean * unit)[None, :, None, None]
    exact = centred / torch.as_tensor(std * unit)[None, :, None, None]
    for image in (x, x[:, :, ::2]):  # contiguous and strided input
        out = C.normalize(image, mean, std)
        ref = exact if image.shape == x.shape else exact[:, :, ::2]
        ulp = torch.finfo(out_dtype).eps * ref.abs().clamp(min=1.0)
        assert out.dtype == out_dtype and out.is_contiguous()
        assert ((out.double() - ref).abs() <= 2 * ulp).all()


@pytest.mark.parametrize(
    "dtype",
    [
        torch.float32,
        torch.float64,
        torch.float16,
        torch.bfloat16,
        torch.uint8,
        torch.bool,
        torch.int64,
        torch.complex128,
    ],
)
def test_channel_shuffle_copies_the_permuted_planes_exactly(dtype: torch.dtype) -> None:
    # CPU: numpy copies of runs of consecutive planes (identities and runs across samples merge); complex128 has
    # no same-size integer view and takes the batched index_select that CUDA runs
    gen = torch.Generator().manual_seed(4)
    x = (torch.rand(7, 3, 5, 9, generator=gen, dtype=torch.float64) * 200).to(dtype)
    perm = np.array([[2, 0, 1], [0, 1, 2], [0, 1, 2], [1, 2, 0], [0, 2, 1], [2, 1, 0], [0, 1, 2]])
    expected = torch.stack([x[i, perm[i]] for i in range(7)])
    before = x.clone()
    out = C.channel_shuffle(x, perm)
    assert out.dtype == dtype and out.is_contiguous() and torch.equal(out, expected)
    assert torch.equal(x, before)
    view = x.transpose(2, 3)  # a non-contiguous input
    assert torch.equal(C.channel_shuffle(view, perm), expected.transpose(2, 3))
    four = x[:, :2].repeat(1, 2, 1, 1)  # any number of channels
    p4 = np.array([np.roll(np.arange(4), i) for i in range(7)])
    assert torch.equal(C.channel_shuffle(four, p4), torch.stack([four[i, p4[i]] for i in range(7)]))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.uint8])
def test_contrast_skips_the_clamp_only_where_the_result_stays_in_range(dtype: torch.dtype) -> None:
    # factors <= 1 blend towards the mean and skip the clamp unless the image is almost white; factors > 1 and
    # almost white images are clamped: every result equals the clamped formula and stays in [0, 1]
    gen = torch.Generator().manual_seed(6)
    x64 = torch.rand(10, 3, 6, 5, generator=gen, dtype=torch.float64)
    x64[:4] = 1.0  # white: mean 1, the unclamped result would be 1 + an ulp at worst
    x64[4, :, 0, 0] = 0.0  # almost white
    x64[4, :, 1:] = 1.0
    x64[5:7, :, :2] = 0.0  # black and white halves
    x64[5:7, :, 2:] = 1.0
    unit = 255.0 if dtype == torch.uint8 else 1.0
    x = (x64 * 255).round().to(dtype) if dtype == torch.uint8 else x64.to(dtype)
    f = np.array([0.0, 0.3, 0.999999, 1.0, 0.7, 0.5, 1.5, 0.9, 1.0 - 1e-7, 2.0])
    xd = x.double() / unit
    means = (xd * torch.as_tensor(C.GRAY_WEIGHTS)[None, :, None, None]).sum(1).mean((1, 2))
    fd = torch.as_tensor(f)[:, None, None, None]
    expected = (fd * xd + (1 - fd) * means[:, None, None, None]).clamp(0.0, 1.0) * unit
    out = C.adjust_contrast(x, f)
    assert float(out.double().min()) >= 0.0 and float(out.double().max()) <= unit
    tol = 1.0 if dtype == torch.uint8 else 4 * torch.finfo(dtype).eps
    assert (out.double() - expected).abs().max() <= tol


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.uint8])
def test_to_gray_is_the_luma_formula_and_stays_in_range_without_a_clamp(dtype: torch.dtype) -> None:
    # 11 samples cross the CPU chunk of 8; white and black samples reach the ends of the range exactly
    gen = torch.Generator().manual_seed(8)
    x64 = torch.rand(11, 3, 7, 5, generator=gen, dtype=torch.float64)
    x64[0], x64[1] = 1.0, 0.0
    x64[2, 0], x64[2, 1:] = 1.0, 0.0
    unit = 255.0 if dtype == torch.uint8 else 1.0
    x = (x64 * 255).round().to(dtype) if dtype == torch.uint8 else x64.to(dtype)
    expected = (x.double() * torch.as_tensor(C.GRAY_WEIGHTS)[None, :, None, None]).sum(1, keepdim=True)
    before = x.clone()
    out = C.to_gray(x)
    assert torch.equal(x, before) and out.dtype == dtype and out.is_contiguous()
    assert torch.equal(out, out[:, :1].expand_as(out))
    assert float(out.double().min()) >= 0.0 and float(out.double().max()) <= unit
    tol = 0.5 if dtype == torch.uint8 else 4 * torch.finfo(dtype).eps
    # white is 1.0 in float32 (and below), 1 - 2**-53 in float64; black is exact
    assert float(out[0].double().min()) >= unit - tol and float(out[1].double().max()) == 0.0
    assert float((out.double() - expected).abs().max()) <= tol + 1e-9


@pytest.mark.parametrize("host_copies", [True, False])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_spread_plane_host_and_batched_copies_agree(host_copies: bool, dtype: torch.dtype) -> None:
    # the batched copy is the CUDA path; the numpy copies are CPU's
    plane = torch.rand(5, 1, 3, 4, generator=torch.Generator().manual_seed(2), dtype=torch.float64).to(dtype)
    dst = torch.full((5, 3, 3, 4), -1.0, dtype=dtype)
    C.spread_plane(plane, dst, host_copies=host_copies)
    assert torch.equal(dst, plane.expand(5, 3, 3, 4))
    ints = torch.arange(60, dtype=torch.int32).reshape(5, 1, 3, 4)
    u8 = torch.empty(5, 2, 3, 4, dtype=torch.uint8)
    C.spread_plane(ints, u8)  # dtypes differ: the batched converting copy
    assert torch.equal(u8, ints.expand(5, 2, 3, 4).to(torch.uint8))
