"""Physical truths of the erasing ops: hole counts, sizes and areas over thousands of draws, masks, fills."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import multiaug.image as mi
from multiaug.core.errors import ConfigError
from multiaug.image.functional.erasing import _erase_by_blend, _erase_by_slices, box_mask, erase
from multiaug.image.functional.warp import as_fill

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def _holes(record) -> np.ndarray:
    return np.asarray(record.params["holes"])


def test_erase_kernel() -> None:
    img = torch.ones(2, 3, 4, 5)
    boxes = torch.tensor([[[0, 0, 2, 2], [1, 1, 3, 3]], [[0, 0, 0, 0], [3, 4, 4, 5]]])
    out = erase(img, boxes, (0.1, 0.2, 0.3))
    assert int((out[0, 0] != 1).sum()) == 7 and int((out[1, 0] != 1).sum()) == 1
    assert out[1, :, 3, 4].tolist() == pytest.approx([0.1, 0.2, 0.3])
    assert torch.equal(img, torch.ones(2, 3, 4, 5))  # input untouched
    assert box_mask(boxes, 4, 5).sum().item() == 8


def test_coarse_dropout_user_call_works_unchanged() -> None:
    aug = mi.CoarseDropout(
        max_holes=1, max_height=128, max_width=128, min_holes=None, min_height=None, min_width=None,
        fill_value=0, mask_fill_value=None, p=0.5,
    )  # fmt: skip
    x = torch.full((16, 3, 224, 224), 255, dtype=torch.uint8)
    out, record = aug(x, seed=0, return_params=True)
    erased = (out == 0).all(1).flatten(1).sum(1)
    assert set(erased[torch.as_tensor(record.applied)].tolist()) == {128 * 128}
    assert set(erased[~torch.as_tensor(record.applied)].tolist()) == {0}
    # smaller than the hole: the hole is clipped to the image
    assert (aug(torch.ones(16, 1, 100, 90), seed=1) == 0).all(1).flatten(1).sum(1).max() == 100 * 90


def test_coarse_dropout_counts_and_sizes_in_range_over_thousands_of_draws() -> None:
    aug = mi.CoarseDropout(
        max_holes=6, max_height=9, max_width=5, min_holes=2, min_height=3, min_width=1, p=1.0
    )
    x = torch.ones(3000, 1, 32, 40, dtype=torch.uint8)
    out, record = aug(x, seed=7, return_params=True)
    holes = _holes(record)
    h, w = holes[..., 2] - holes[..., 0], holes[..., 3] - holes[..., 1]
    used = h > 0
    counts = used.sum(1)
    assert counts.min() == 2 and counts.max() == 6
    assert set(h[used].tolist()) == set(range(3, 10)) and set(w[used].tolist()) == set(range(1, 6))
    assert (holes[..., 0] >= 0).all() and (holes[..., 2] <= 32).all()
    assert (holes[..., 1] >= 0).all() and (holes[..., 3] <= 40).all()
    # the image is erased exactly on the union of the holes
    assert torch.equal(out[:, 0] == 0, box_mask(torch.as_tensor(holes), 32, 40) > 0)


def test_coarse_dropout_fractions() -> None:
    aug = mi.CoarseDropout(max_holes=3, max_height=0.5, max_width=0.25, min_height=0.1, min_width=0.2, p=1.0)
    _, record = aug(torch.zeros(2000, 1, 50, 80), seed=0, return_params=True)
    holes = _holes(record)
    h, w = holes[..., 2] - holes[..., 0], holes[..., 3] - holes[..., 1]
    assert (holes != 0).any(-1).all()  # min_holes=None means max_holes: always 3
    assert h.min() >= 5 and h.max() <= 25 and w.min() >= 16 and w.max() <= 20


def test_coarse_dropout_mask_fill() -> None:
    x = torch.ones(8, 3, 20, 20)
    mask = torch.full((8, 20, 20), 2, dtype=torch.int64)
    untouched = mi.CoarseDropout(max_holes=3, p=1.0)(image=x, mask=mask, seed=0)
    assert torch.equal(untouched["mask"], mask)
    out = mi.CoarseDropout(max_holes=3, fill_value=0.5, mask_fill_value=9, p=1.0)(image=x, mask=mask, seed=0)
    assert out["mask"].dtype == torch.int64
    assert torch.equal(out["mask"] == 9, (out["image"] == 0.5).all(1))


def test_fill_values_per_channel_and_random() -> None:
    x = torch.full((4, 3, 16, 16), 100, dtype=torch.uint8)
    out = mi.CoarseDropout(max_holes=1, max_height=16, max_width=16, fill_value=(0, 128, 255), p=1.0)(x)
    assert out[:, :, 5, 5].tolist() == [[0, 128, 255]] * 4  # Albumentations: the image's own units
    cut = mi.Cutout(size=40, fill_value=(0.0, 0.5, 1.0), p=1.0)(x, seed=0)  # units of full intensity
    assert [0, 128, 255] in cut.permute(0, 2, 3, 1).reshape(-1, 3).tolist()
    aug = mi.RandomErasing(scale=(0.25, 0.35), value="random", p=1.0)
    a, record = aug(x, seed=1, return_params=True)
    assert torch.equal(a, aug(x, seed=1)) and torch.equal(a, aug(x, params=record))
    holes = _holes(record)[:, 0]
    region = a[0, :, holes[0, 0] : holes[0, 2], holes[0, 1] : holes[0, 3]]
    assert region.unique().numel() > 50  # noise, not a constant
    xf = mi.RandomErasing(value="random", p=1.0)(torch.zeros(4, 3, 16, 16), seed=2)
    assert xf.min() >= 0.0 and xf.max() <= 1.0


def test_cutout_centre_anywhere_and_clipped() -> None:
    aug = mi.Cutout(size=12, num_holes=1, p=1.0)
    out, record = aug(torch.ones(3000, 1, 30, 30), seed=3, return_params=True)
    holes = _holes(record)[:, 0]
    area = (holes[:, 2] - holes[:, 0]) * (holes[:, 3] - holes[:, 1])
    assert area.max() == 144 and area.min() < 144 // 2  # clipped at the corners
    centre_y = (holes[:, 0] + holes[:, 2]) / 2
    assert centre_y.min() <= 3 and centre_y.max() >= 26.5  # centres reach the border
    assert torch.equal((out[:, 0] == 0).flatten(1).sum(1), torch.as_tensor(area))


def test_random_erasing_fraction_within_scale() -> None:
    scale = (0.05, 0.25)
    aug = mi.RandomErasing(scale=scale, ratio=(0.3, 3.3), p=1.0)
    out, record = aug(torch.ones(3000, 1, 40, 50), seed=11, return_params=True)
    fraction = (out[:, 0] == 0).flatten(1).float().mean(1)
    assert (fraction >= scale[0]).all() and (fraction <= scale[1]).all()
    holes = _holes(record)[:, 0]
    ratio = (holes[:, 2] - holes[:, 0]) / (holes[:, 3] - holes[:, 1])
    assert ratio.min() > 0.2 and ratio.max() < 4.0  # within ratio up to pixel rounding
    assert fraction.min() < 0.07 and fraction.max() > 0.23  # the whole scale range is used


def test_random_erasing_gives_up_when_nothing_fits() -> None:
    x = torch.ones(5, 1, 4, 4)
    out = mi.RandomErasing(scale=(0.9, 1.0), p=1.0)(x, seed=0)  # needs h < 4 and w < 4 and area >= 90%
    assert torch.equal(out, x)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: mi.CoarseDropout(max_holes=2, min_holes=3), "min_holes"),
        (lambda: mi.CoarseDropout(max_holes=0), "min_holes"),
        (lambda: mi.CoarseDropout(max_holes=2.5), "max_holes"),
        (lambda: mi.CoarseDropout(max_height=0.5, max_width=8), "all be ints"),
        (lambda: mi.CoarseDropout(max_height=1.5, max_width=1.5), "max_height"),
        (lambda: mi.CoarseDropout(max_height=4, min_height=6), "min_height <= max_height"),
        (lambda: mi.CoarseDropout(max_width=0), "max_width"),
        (lambda: mi.CoarseDropout(fill_value="noise"), "fill_value"),
        (lambda: mi.CoarseDropout(mask_fill_value=(1, 2)), "mask_fill_value"),
        (lambda: mi.Cutout(size=0), "size"),
        (lambda: mi.Cutout(size=8, num_holes=0), "num_holes"),
        (lambda: mi.RandomErasing(scale=(0.5, 0.1)), "scale"),
        (lambda: mi.RandomErasing(scale=(0.1, 1.5)), "scale"),
        (lambda: mi.RandomErasing(ratio=(0.0, 2.0)), "ratio"),
        (lambda: mi.RandomErasing(value=[0.1, "a"]), "value"),
        (lambda: mi.Cutout(fill_value=255), "full intensity"),
    ],
)
def test_bad_arguments_rejected_at_construction(make, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        make()


@CUDA
def test_erasing_cuda_matches_cpu() -> None:
    x = torch.rand(6, 3, 32, 32)
    mask = torch.randint(0, 3, (6, 32, 32))
    for op in (
        mi.CoarseDropout(max_holes=4, mask_fill_value=5, p=1.0),
        mi.Cutout(8, fill_value=(0.1, 0.2, 0.3), p=1.0),
        mi.RandomErasing(value="random", p=1.0),
    ):
        gpu = op(image=x.cuda(), mask=mask.cuda(), seed=0)
        cpu = op(image=x, mask=mask, seed=0)
        assert gpu["image"].device.type == "cuda"
        assert torch.equal(gpu["image"].cpu(), cpu["image"]) and torch.equal(gpu["mask"].cpu(), cpu["mask"])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16, torch.uint8, torch.int64])
def test_erase_slice_path_equals_the_blend_path(dtype: torch.dtype) -> None:
    gen = torch.Generator().manual_seed(5)
    x = torch.rand(5, 3, 13, 17, generator=gen)
    x = (x * 200).round().to(dtype) if not dtype.is_floating_point else x.to(dtype)
    # overlapping, clipped (negative and beyond the image), empty and whole-image boxes
    boxes = torch.tensor(
        [
            [[2, 3, 8, 9], [5, 6, 11, 15]],
            [[-4, -2, 3, 5], [10, 12, 20, 30]],
            [[4, 4, 4, 9], [6, 2, 3, 9]],
            [[0, 0, 13, 17], [0, 0, 0, 0]],
            [[12, 16, 13, 17], [1, 1, 2, 2]],
        ]
    )
    noise = torch.rand(5, 3, 13, 17, generator=gen) * (1.0 if dtype.is_floating_point else 255.0)
    for value in (0.0, (0.25, 0.5, 1.0) if dtype.is_floating_point else (7, 99, 3), noise):
        fill = as_fill(value, 3, dtype, x.device)
        before = x.clone()
        a, b = _erase_by_slices(x, boxes.tolist(), fill), _erase_by_blend(x, boxes, fill)
        assert a.dtype == dtype and torch.equal(a, b)
        assert torch.equal(x, before) and a.data_ptr() != x.data_ptr()
        # the public kernel takes host (numpy) boxes as well as tensors, on CPU
        assert torch.equal(erase(x, boxes.numpy(), value), b) and torch.equal(erase(x, boxes, value), b)
