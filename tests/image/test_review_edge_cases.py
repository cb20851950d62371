"""Edge cases found in review: tiny and degenerate images, batch independence, errors that must not depend on p."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import multiaug.image as mi
from multiaug.core.errors import InputError


def _rand(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (6, 1)])
def test_perspective_on_one_pixel_wide_or_high_images(shape: tuple[int, int]) -> None:
    # the corners of a 1-pixel-high image are collinear at pixel centres: the homography was singular
    x = _rand(2, 3, *shape)
    out = mi.Perspective(distortion_scale=0.8, p=1.0)(x, seed=0)
    assert out.shape == x.shape
    assert bool(torch.isfinite(out).all())
    assert torch.equal(mi.Perspective(distortion_scale=0.0, p=1.0)(x, seed=0), x)


@pytest.mark.parametrize(
    "aug",
    [
        mi.BoxBlur((3, 9), p=1.0),
        mi.GaussianBlur((3, 9), sigma=2.0, p=1.0),
        mi.MotionBlur((3, 9), p=1.0),
        mi.MedianBlur((3, 9), p=1.0),
    ],
    ids=lambda a: type(a).__name__,
)
def test_filters_on_images_smaller_than_the_kernel_do_not_depend_on_the_batch(aug: mi.ImageAugmenter) -> None:
    # a sample's border handling depended on the largest kernel of its batch (reflect, or replicate once the
    # padding reached the image size)
    x = _rand(8, 2, 3, 5)
    full = aug(x, seed=0)
    for i in range(len(x)):
        torch.testing.assert_close(aug(x[i : i + 1], seed=0, keys=[i]), full[i : i + 1], atol=1e-6, rtol=0)


@pytest.mark.parametrize("k", [3, 5, 7, 9, 11])
@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (1, 4)])
def test_box_and_median_blur_reflect_like_opencv_on_tiny_images(k: int, shape: tuple[int, int]) -> None:
    cv2 = pytest.importorskip("cv2")
    from multiaug.image.functional.filters import box_blur, median_blur

    x = _rand(1, 1, *shape)
    ref = cv2.blur(x[0, 0].numpy(), (k, k), borderType=cv2.BORDER_REFLECT_101)
    np.testing.assert_allclose(box_blur(x, [k])[0, 0].numpy(), ref, atol=1e-6)
    u8 = (x * 255).round().to(torch.uint8)
    # OpenCV's median of uint8 images takes any odd size with BORDER_REPLICATE only; compare ours to numpy's median
    # over the reflect-101 window instead
    r = k // 2
    rows = _reflect101(np.arange(-r, shape[0] + r), shape[0])
    cols = _reflect101(np.arange(-r, shape[1] + r), shape[1])
    padded = u8[0, 0].numpy()[np.ix_(rows, cols)]
    windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k))
    expected = np.sort(windows.reshape(*shape, -1), axis=-1)[..., k * k // 2]
    np.testing.assert_array_equal(median_blur(u8, [k])[0, 0].numpy(), expected)


def _reflect101(idx: np.ndarray, n: int) -> np.ndarray:
    if n == 1:
        return np.zeros_like(idx)
    period = 2 * (n - 1)
    idx = np.mod(idx, period)
    return np.where(idx >= n, period - idx, idx)


def test_nearest_warp_of_an_image_past_2_24_pixels_reads_the_right_source_pixels() -> None:
    # the flat source index was formed in float32, which cannot hold odd integers past 2**24: pixels read
    # from the last rows of a 24-megapixel mask came from the neighbouring column
    side = 4100
    x = (torch.arange(side * side, dtype=torch.int64) % 251).to(torch.uint8).reshape(1, side, side)
    out = mi.Rotate(degrees=(90.0, 90.0), interpolation="nearest", p=1.0)(x, seed=0)
    assert torch.equal(out, torch.rot90(x, 1, dims=(-2, -1)))


@pytest.mark.parametrize(
    ("aug", "channels"),
    [
        (mi.Saturation(p=0.5), 1),
        (mi.Hue(p=0.5), 1),
        (mi.ColorJitter(p=0.5), 4),
        (mi.RGBShift(p=0.5), 1),
        (mi.ToGray(p=0.5), 2),
        (mi.Contrast(p=0.5), 4),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, int) else str(v),
)
def test_channel_count_errors_do_not_depend_on_the_coin_flip(aug: mi.ImageAugmenter, channels: int) -> None:
    # the channel checks ran in apply, so a call whose samples all lost the coin flip passed silently
    x = _rand(1, channels, 4, 4)
    for seed in range(8):
        with pytest.raises(InputError, match=r"channels|RGB"):
            aug(x, seed=seed)
    with pytest.raises(InputError):
        type(aug)(p=0.0)(x)
    # a replay on a mask alone has no image to check
    mask = torch.zeros(1, 4, 4, dtype=torch.int64)
    _, record = aug(_rand(1, 3, 4, 4), seed=0, return_params=True)
    assert torch.equal(aug(mask=mask, params=record)["mask"], mask)


@pytest.mark.parametrize(("channels", "size"), [(3, (1, 1)), (5, (4, 1)), (8, (2, 1)), (3, (6, 2))])
def test_uint8_bilinear_resize_to_one_pixel_wide_outputs(channels: int, size: tuple[int, int]) -> None:
    # torch's uint8 fixed-point resize (the CPU fast path) raises an internal assert for 3 channels to 1x1 and
    # returns garbage for 5+ channels to a 1-pixel-wide output
    x = _rand(2, channels, 9, 7)
    u8 = (x * 255).round().to(torch.uint8)
    ref = mi.Resize(size)(u8.float() / 255) * 255
    out = mi.Resize(size)(u8)
    assert out.dtype == torch.uint8
    assert float((out.float() - ref).abs().max()) <= 1.0


@pytest.mark.parametrize(
    "aug",
    [mi.Mixup(p=0.5), mi.MixupCutMix(switch_prob=0.5), mi.Mixup(p=0.0)],
    ids=["Mixup-p0.5", "MixupCutMix", "Mixup-p0"],
)
def test_blending_mixers_refuse_integer_masks_whatever_the_draws(aug: mi.ImageAugmenter) -> None:
    # the refusal came from apply: only the batches that won the coin and the Mixup/CutMix switch raised
    x, mask = _rand(4, 3, 8, 8), torch.zeros(4, 8, 8, dtype=torch.int64)
    for seed in range(8):
        with pytest.raises(InputError, match="integer mask"):
            aug(image=x, mask=mask, seed=seed)
    if aug.p > 0:  # a batch of one has no partner: returned unchanged, never an error
        assert torch.equal(aug(image=x[:1], mask=mask[:1], seed=0)["mask"], mask[:1])


def test_cutmix_only_switch_still_takes_integer_masks() -> None:
    x, mask = _rand(4, 3, 8, 8), torch.randint(0, 3, (4, 8, 8))
    out = mi.MixupCutMix(switch_prob=1.0)(image=x, mask=mask, seed=0)
    assert out["mask"].dtype == torch.int64
    assert set(out["mask"].unique().tolist()) <= {0, 1, 2}


@pytest.mark.parametrize(
    "aug",
    [
        mi.Rotate(fill=(0.1, 0.2, 0.3), p=0.5),
        mi.ElasticTransform(border="constant", fill=(0.1, 0.2, 0.3), p=0.5),
        mi.Cutout(fill_value=(0.1, 0.2, 0.3), p=0.5),
        mi.CoarseDropout(fill_value=(1, 2, 3), p=0.5),
        mi.RandomErasing(value=(0.1, 0.2, 0.3), p=0.0),
        mi.CenterCrop(10, fill=(0.1, 0.2, 0.3)),
    ],
    ids=lambda a: type(a).__name__,
)
def test_per_channel_fill_of_the_wrong_length_is_refused_whatever_the_coin(aug: mi.ImageAugmenter) -> None:
    # the fill was shaped in apply: a plain ValueError on the calls where some sample was chosen, else nothing
    x = _rand(1, 2, 8, 8)
    for seed in range(6):
        with pytest.raises(InputError, match=r"3 values .* 2 channels"):
            aug(x, seed=seed)


def test_per_channel_fill_is_not_checked_where_no_constant_border_uses_it() -> None:
    x = _rand(2, 2, 8, 8)
    assert mi.Rotate(fill=(0.1, 0.2, 0.3), border="reflect", p=1.0)(x, seed=0).shape == x.shape
    assert mi.Cutout(fill_value="random", p=1.0)(x, seed=0).shape == x.shape


def test_blend_with_files_refuses_other_channel_counts_whatever_the_coin(tmp_path) -> None:
    from PIL import Image

    Image.fromarray(np.zeros((6, 5, 3), dtype=np.uint8)).save(tmp_path / "a.png")
    aug = mi.Blend(source=tmp_path, p=0.5)
    for seed in range(6):
        with pytest.raises(InputError, match="1- or 3-channel"):
            aug(_rand(1, 4, 8, 8), seed=seed)
    assert aug(_rand(2, 1, 8, 8), seed=0).shape == (2, 1, 8, 8)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
@pytest.mark.parametrize(
    "aug",
    [
        mi.Stretch(interpolation="bicubic", p=1.0),
        mi.Zoom(p=1.0),
        mi.Resize((30, 17), interpolation="bicubic"),
        mi.Rotate(degrees=(90.0, 90.0), p=1.0),
    ],
    ids=lambda a: f"{type(a).__name__}-{a.interpolation}",
)
def test_half_precision_warps_round_once(aug: mi.ImageAugmenter, dtype: torch.dtype) -> None:
    # the separable and gathered warps computed taps and blends in the half type itself: bfloat16 bicubic
    # stretches were off by up to 0.06 (15 grey levels) from the same warp computed in float32
    x = _rand(4, 3, 21, 21).to(dtype)
    out = aug(x, seed=1)
    ref = aug(x.float(), seed=1).to(dtype)
    assert out.dtype == dtype
    ulp = 2.0**-8 if dtype == torch.bfloat16 else 2.0**-11
    assert float((out.float() - ref.float()).abs().max()) <= ulp


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_half_precision_equalize_picks_the_same_levels_as_float32(dtype: torch.dtype) -> None:
    # the 256 levels were taken as round(x * 255) computed in the half type, which can land on the neighbour
    x = _rand(4, 3, 21, 23).to(dtype)
    out = mi.Equalize(p=1.0)(x)
    assert out.dtype == dtype
    assert torch.equal(out, mi.Equalize(p=1.0)(x.float()).to(dtype))
