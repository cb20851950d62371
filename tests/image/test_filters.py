"""Kernel filters and noise: reference convolutions, invariants, errors, masks, CUDA."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TNF
from hypothesis import given, settings
from hypothesis import strategies as st

import multiaug.image as mi
from multiaug.core.errors import ConfigError
from multiaug.image.functional import filters as F
from tests.cases.image_filters import CASES


def _reference(x: torch.Tensor, kernels: np.ndarray) -> torch.Tensor:
    """Per-sample 2-D correlation in float64 with reflect padding (torch conv2d, groups = B * C)."""
    b, c, h, w = x.shape
    k = kernels.shape[-1]
    r = k // 2
    xp = TNF.pad(x.double(), (r, r, r, r), mode="reflect").reshape(1, b * c, h + 2 * r, w + 2 * r)
    weight = torch.as_tensor(kernels, dtype=torch.float64).repeat_interleave(c, 0)[:, None]
    return TNF.conv2d(xp, weight, groups=b * c).view(b, c, h, w)


def test_gaussian_blur_matches_a_2d_reference_convolution() -> None:
    x = torch.rand(5, 3, 20, 23)
    sizes, sigmas = [3, 5, 7, 7, 9], [0.3, 0.8, 1.0, 1.5, 2.5]
    taps = F.gaussian_taps(sizes, sigmas)
    ref = _reference(x, taps[:, :, None] * taps[:, None, :])
    assert torch.allclose(F.gaussian_blur(x, sizes, sigmas).double(), ref, atol=1e-6)
    xu = (x * 255).round().to(torch.uint8)
    ref_u = _reference(xu.float(), taps[:, :, None] * taps[:, None, :]).round()
    assert (F.gaussian_blur(xu, sizes, sigmas).double() - ref_u).abs().max() <= 1


def test_gaussian_taps_are_the_sampled_gaussian() -> None:
    taps = F.gaussian_taps(5, [1.0])[0]
    d = np.arange(-2, 3)
    expected = np.exp(-(d**2) / 2.0)
    assert np.allclose(taps, expected / expected.sum())
    assert np.allclose(F.gaussian_taps([3, 5], [1.0, 1.0])[0], [0, *list(F.gaussian_taps(3, [1.0])[0]), 0])


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_blurs_preserve_a_constant_image(dtype) -> None:
    value = 77 if dtype == torch.uint8 else 0.3
    x = torch.full((4, 3, 17, 19), value, dtype=dtype)
    for aug in (
        mi.GaussianBlur((3, 9), sigma=(0.2, 3.0), p=1.0),
        mi.BoxBlur((3, 9), p=1.0),
        mi.MotionBlur((3, 9), angle=180, direction=(-1, 1), p=1.0),
        mi.MedianBlur((3, 7), p=1.0),
        mi.Sharpen(p=1.0, lightness=(1.0, 1.0)),
    ):
        out = aug(x, seed=0)
        if dtype == torch.uint8:
            assert out.equal(x), type(aug).__name__
        else:
            assert torch.allclose(out, x, atol=1e-6), type(aug).__name__
            assert float(out.mean()) == pytest.approx(value, abs=1e-6)


def test_gaussian_blur_preserves_the_mean_away_from_borders() -> None:
    x = torch.zeros(1, 1, 21, 21)
    x[..., 10, 10] = 1.0
    assert float(mi.GaussianBlur(7, sigma=(1.5, 1.5), p=1.0)(x).sum()) == pytest.approx(1.0, abs=1e-6)


def test_box_and_motion_blur_match_reference_convolutions() -> None:
    x = torch.rand(4, 2, 15, 18)
    sizes = [1, 3, 5, 7]
    taps = F.box_taps(sizes)
    assert torch.allclose(
        F.box_blur(x, sizes).double(), _reference(x, taps[:, :, None] * taps[:, None, :]), atol=1e-6
    )
    angles, dirs = [0.0, 30.0, -60.0, 135.0], [0.0, 0.5, -1.0, 1.0]
    kernels = F.motion_kernels([3, 5, 7, 7], angles, dirs)
    assert np.allclose(kernels.sum(axis=(1, 2)), 1.0)
    out = F.motion_blur(x, [3, 5, 7, 7], angles, dirs).double()
    assert torch.allclose(out, _reference(x, kernels).clamp(0, 1), atol=1e-6)


def test_motion_kernel_shapes() -> None:
    horizontal = F.motion_kernel(5, [0.0], [0.0])[0]
    assert np.allclose(horizontal[2], 0.2) and np.allclose(np.delete(horizontal, 2, axis=0), 0)
    vertical = F.motion_kernel(5, [90.0], [0.0])[0]
    assert np.allclose(vertical[:, 2], 0.2)
    forward = F.motion_kernel(5, [0.0], [1.0])[0][2]
    assert forward[0] == 0 and np.all(np.diff(forward) > 0)  # all weight towards +x


@pytest.mark.parametrize("k", [3, 5, 7])
@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_median_blur_is_the_exact_window_median(k, dtype) -> None:
    x = torch.rand(3, 2, 13, 16)
    if dtype == torch.uint8:
        x = (x * 255).round().to(torch.uint8)
    r = k // 2
    xp = TNF.pad(x.float(), (r, r, r, r), mode="reflect")
    ref = xp.unfold(2, k, 1).unfold(3, k, 1).reshape(*x.shape, k * k).median(-1).values
    out = F.median_blur(x, k)
    assert out.dtype == dtype and out.float().equal(ref)


def test_median_blur_groups_per_sample_sizes() -> None:
    x = torch.rand(4, 3, 9, 9)
    out = F.median_blur(x, [3, 1, 5, 3])
    assert out[1].equal(x[1])
    assert out[0].equal(F.median_blur(x[:1], 3)[0]) and out[2].equal(F.median_blur(x[2:3], 5)[0])


def test_sharpen_matches_albumentations_kernel() -> None:
    from scipy.ndimage import correlate

    x = torch.randint(0, 256, (1, 3, 12, 15), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    alpha, lightness = 0.4, 0.7
    kernel = (1 - alpha) * np.pad([[1.0]], 1) + alpha * np.array(
        [[-1, -1, -1], [-1, 8 + lightness, -1], [-1, -1, -1]]
    )
    # OpenCV's filter2D (what Albumentations calls): reflect-101 borders ("mirror"), round and saturate
    ref = np.stack([correlate(c.astype(np.float64), kernel, mode="mirror") for c in x[0].numpy()])
    ref = np.clip(np.round(ref), 0, 255)
    out = F.sharpen(x, [alpha], [lightness])[0].numpy()
    assert np.abs(out.astype(int) - ref.astype(int)).max() == 0


def test_gaussian_noise_has_the_drawn_std_and_replays() -> None:
    x = torch.full((3, 3, 64, 64), 0.5)
    aug = mi.GaussianNoise(std=(0.02, 0.08), p=1.0)
    out, rec = aug(x, seed=5, return_params=True)
    for i in range(3):
        assert float((out[i] - 0.5).std()) == pytest.approx(rec.params["std"][i], rel=0.05)
    assert aug(x, params=rec).equal(out)
    shared = mi.GaussianNoise(std=0.05, per_channel=False, p=1.0)(x, seed=1)
    assert shared[:, 0].equal(shared[:, 1]) and shared[:, 1].equal(shared[:, 2])
    shifted = mi.GaussianNoise(std=(0.0, 0.0), mean=0.1, p=1.0)(x, seed=1)
    assert torch.allclose(shifted, torch.full_like(x, 0.6))


def test_gaussian_noise_uint8_is_rounded_and_saturated() -> None:
    x = torch.tensor([0, 128, 255], dtype=torch.uint8).view(1, 1, 3).expand(3, 8, 3).contiguous()
    out = mi.GaussianNoise(std=0.3, p=1.0)(x, seed=0)
    assert out.dtype == torch.uint8 and (out[..., 0] == 0).any() and (out[..., 2] == 255).any()


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: mi.GaussianBlur(4), "kernel_size must be odd"),
        (lambda: mi.GaussianBlur(5, sigma=0.0), "sigma must be > 0"),
        (lambda: mi.GaussianBlur((7, 3)), "low <= high"),
        (lambda: mi.BoxBlur(0), "kernel_size must be >= 1"),
        (lambda: mi.MotionBlur(1), "kernel_size must be >= 3"),
        (lambda: mi.MotionBlur(direction=1.5), "direction must be <= 1.0"),
        (lambda: mi.MedianBlur((3, 6)), "kernel_size must be odd"),
        (lambda: mi.Sharpen(alpha=(0.5, 1.5)), "alpha must be <= 1.0"),
        (lambda: mi.Sharpen(lightness=-1.0), "lightness must be >= 0"),
        (lambda: mi.GaussianNoise(std=-0.1), "std must be >= 0"),
        (lambda: mi.GaussianNoise(per_channel=1), "per_channel must be True or False"),
    ],
)
def test_bad_arguments_are_rejected_at_construction(make, match) -> None:
    with pytest.raises(ConfigError, match=match):
        make()


@pytest.mark.parametrize("name", sorted(CASES))
def test_masks_are_untouched(name) -> None:
    aug = CASES[name].build(p=1.0)
    x = torch.rand(3, 3, 10, 12)
    mask = torch.randint(0, 5, (3, 10, 12))
    assert aug(image=x, mask=mask, seed=1)["mask"].equal(mask)


@settings(max_examples=25, deadline=None)
@given(
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    c=st.integers(1, 5),
    name=st.sampled_from(sorted(CASES)),
    uint8=st.booleans(),
)
def test_any_small_shape_and_channel_count(h, w, c, name, uint8) -> None:
    x = torch.rand(2, c, h, w)
    x = (x * 255).round().to(torch.uint8) if uint8 else x
    out = CASES[name].build(p=1.0)(x, seed=0)
    assert out.shape == x.shape and out.dtype == x.dtype
    if not uint8:
        assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0


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


def test_uint8_motion_blur_through_sorted_chunks_matches_reference() -> None:
    x = torch.randint(0, 256, (7, 3, 15, 18), dtype=torch.uint8)
    angles, dirs = [0.0, 80.0, -30.0, 10.0, 95.0, -85.0, 45.0], [0.0, 0.5, -1.0, 1.0, 0.2, -0.3, 0.0]
    kernels = F.motion_kernels(5, angles, dirs)
    ref = _reference(x.float(), kernels).round().clamp(0, 255)
    assert (F.motion_blur(x, 5, angles, dirs).double() - ref).abs().max() <= 1


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.uint8])
def test_filter2d_per_sample_path_equals_the_grouped_path(dtype: torch.dtype) -> None:
    gen = torch.Generator().manual_seed(3)
    x = torch.rand(7, 3, 19, 23, generator=gen)
    x = (x * 255).round().to(torch.uint8) if dtype == torch.uint8 else x.to(dtype)
    rng = np.random.default_rng(0)
    kern = F.motion_kernels(rng.choice([3, 5, 7], 7), rng.uniform(-180, 180, 7), rng.uniform(-1, 1, 7))
    kern[5] = rng.uniform(-0.2, 0.4, (7, 7))  # a dense kernel with negative taps
    kern[6] = 0.0  # an all-zero kernel gives zeros
    a, b = F._filter2d_per_sample(x, kern), F._filter2d_grouped(x, kern)
    assert a.dtype == dtype and torch.equal(a, b)
    assert not a[6].any()
