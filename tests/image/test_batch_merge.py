"""ImageBatch.merge: untouched rows copied bit-identically, new rows placed, no aliasing, errors kept."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import multiaug.image as mi
from multiaug.core.errors import InputError
from multiaug.image.base import ImageBatch


def _batch(b: int = 7, dtype: torch.dtype = torch.float32) -> ImageBatch:
    gen = torch.Generator().manual_seed(0)
    image = torch.rand((b, 3, 5, 6), generator=gen)
    if dtype == torch.uint8:
        image = (image * 255).to(torch.uint8)
    mask = torch.randint(0, 9, (b, 1, 5, 6), generator=gen, dtype=torch.int64)
    return ImageBatch(image, mask)


@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8])
@pytest.mark.parametrize("index", [[0], [6], [1, 2, 3], [0, 2, 4, 6], [5, 1], [0, 1, 2, 3, 4, 5]])
def test_merge_places_rows_and_keeps_the_rest(dtype: torch.dtype, index: list[int]) -> None:
    batch = _batch(dtype=dtype)
    idx = np.array(index)
    part = ImageBatch(batch.image[idx].flip(-1), batch.mask[idx] + 100)
    before = (batch.image.clone(), batch.mask.clone())
    out = batch.merge([(idx, part)])
    expected_image, expected_mask = batch.image.clone(), batch.mask.clone()
    expected_image[torch.as_tensor(idx)] = part.image
    expected_mask[torch.as_tensor(idx)] = part.mask
    assert torch.equal(out.image, expected_image) and torch.equal(out.mask, expected_mask)
    assert out.image.dtype == dtype and out.mask.dtype == torch.int64
    # the input is untouched and the output shares no memory with the input or the part
    assert torch.equal(batch.image, before[0]) and torch.equal(batch.mask, before[1])
    for t in (batch.image, batch.mask, part.image, part.mask):
        assert out.image.data_ptr() != t.data_ptr() and out.mask.data_ptr() != t.data_ptr()
    out.image.zero_()
    assert torch.equal(batch.image, before[0])


def test_merge_later_parts_win_and_several_parts() -> None:
    batch = _batch()
    a = ImageBatch(torch.zeros(2, 3, 5, 6), torch.zeros(2, 1, 5, 6, dtype=torch.int64))
    b = ImageBatch(torch.ones(2, 3, 5, 6), torch.ones(2, 1, 5, 6, dtype=torch.int64))
    out = batch.merge([(np.array([1, 3]), a), (np.array([3, 4]), b)])
    assert torch.equal(out.image[1], torch.zeros(3, 5, 6))
    assert torch.equal(out.image[3], torch.ones(3, 5, 6)) and torch.equal(out.image[4], torch.ones(3, 5, 6))
    for i in (0, 2, 5, 6):
        assert torch.equal(out.image[i], batch.image[i]) and torch.equal(out.mask[i], batch.mask[i])


def test_merge_rejects_size_and_dtype_changes() -> None:
    batch = _batch()
    with pytest.raises(InputError, match="changes the image size"):
        batch.merge([(np.array([0]), ImageBatch(torch.zeros(1, 3, 4, 6)))])
    with pytest.raises(InputError, match="changes the dtype"):
        batch.merge([(np.array([0]), ImageBatch(torch.zeros(1, 3, 5, 6, dtype=torch.float64)))])


def test_op_with_p_below_one_keeps_untouched_samples_bit_identical() -> None:
    batch = _batch(b=16)
    out, rec = mi.HorizontalFlip(p=0.5)(image=batch.image, mask=batch.mask, seed=3, return_params=True)
    applied = np.asarray(rec.applied, dtype=bool)
    assert 0 < applied.sum() < 16
    for i in range(16):
        ref_image = batch.image[i].flip(-1) if applied[i] else batch.image[i]
        ref_mask = batch.mask[i].flip(-1) if applied[i] else batch.mask[i]
        assert torch.equal(out["image"][i], ref_image) and torch.equal(out["mask"][i], ref_mask)
    assert out["image"].data_ptr() != batch.image.data_ptr()
