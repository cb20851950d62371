"""The host paths of the image kernels: numpy taps of the separable warp, uint8 rounding through the float
mantissa, the crop-and-resize matrices. Each equals the torch path it replaces, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from multiaug.image.functional.chunks import round_to_uint8
from multiaug.image.functional.geometry import crop_resize_matrix
from multiaug.image.functional.warp import BORDERS, INTERPOLATIONS, _inverse, _prepare, _separable_taps, warp


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("border", BORDERS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 2, 7, 224])
def test_prepare_numpy_equals_torch(interpolation: str, border: str, dtype: type, n: int) -> None:
    coord = np.random.default_rng(n).uniform(-2 * n - 3, 3 * n + 3, 4000).astype(dtype)
    coord[:8] = [-0.5, 0.5, n - 1, n - 0.5, n, -1.0, 0.0, n - 1.5]  # edges, half-way points
    margin = 2
    host = _prepare(coord, n, interpolation, border, margin)
    dev = _prepare(torch.from_numpy(coord), n, interpolation, border, margin)
    for a, b in zip(host, dev):
        assert a.dtype == b.numpy().dtype
        np.testing.assert_array_equal(a, b.numpy())


def _crop_matrices(b: int, h: int, w: int, out: tuple[int, int], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ch, cw = rng.integers(1, h + 1, b), rng.integers(1, w + 1, b)
    top, left = rng.integers(-2, h - ch + 3), rng.integers(-2, w - cw + 3)  # some boxes reach outside
    return crop_resize_matrix(top, left, ch, cw, *out)


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("border", BORDERS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.uint8])
def test_separable_taps_host_equal_device_path(interpolation: str, border: str, dtype: torch.dtype) -> None:
    image = torch.zeros(5, 3, 31, 17, dtype=dtype)
    inv = _inverse(_crop_matrices(5, 31, 17, (24, 40), seed=3))
    coord = np.float64 if dtype == torch.float64 else np.float32
    ntap = 1 if interpolation == "nearest" else 4 if interpolation == "bicubic" else 2
    host = _separable_taps(inv.astype(coord), image, (24, 40), interpolation, border, ntap)
    dev = _separable_taps(torch.as_tensor(inv).to(torch.float64 if dtype == torch.float64 else torch.float32),
                          image, (24, 40), interpolation, border, ntap)  # fmt: skip
    for a, b in zip(host, dev):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert torch.equal(a, b)


@pytest.mark.parametrize("shape", [(1, 3, 224, 224), (1, 3, 37, 53), (9, 1, 20, 31)])
def test_uint8_crop_resize_is_the_rounded_float_warp(shape: tuple[int, ...]) -> None:
    """uint8 bilinear results are the float32 computation rounded half to even (the mantissa trick in
    ``_finish``), with no clamp needed."""
    gen = torch.Generator().manual_seed(0)
    image = torch.randint(0, 256, shape, generator=gen, dtype=torch.uint8)
    image[0, 0, :2] = 255  # saturated and black rows reach the border taps
    image[0, 0, -2:] = 0
    m = _crop_matrices(shape[0], shape[2], shape[3], (30, 41), seed=1)
    out = warp(image, m, (30, 41), border="replicate")
    ref = warp(image.float(), m, (30, 41), border="replicate")
    assert torch.equal(out, ref.round().to(torch.uint8))


def test_round_to_uint8_matches_round_and_saturate() -> None:
    values = torch.cat([
        torch.arange(-3.0, 260.0, 0.25),  # every half-way point: ties go to even
        torch.tensor([-0.0, 254.5, 255.49, 255.5, 1e6, -1e6]),
        torch.rand(1000, generator=torch.Generator().manual_seed(0)) * 300 - 20,
    ])  # fmt: skip
    expected = values.round().clamp(0, 255).to(torch.uint8)
    out = torch.empty_like(expected)
    assert torch.equal(out.copy_(round_to_uint8(values.clone())), expected)
    inside = values[(values >= 0) & (values < 255.5)]
    out = torch.empty(inside.shape, dtype=torch.uint8)
    assert torch.equal(
        out.copy_(round_to_uint8(inside.clone(), saturate=False)), inside.round().to(torch.uint8)
    )


def test_crop_resize_matrix_mixes_scalars_and_arrays() -> None:
    top, left = np.array([0.0, 3.0, -2.0]), 5
    ch, cw = 7, np.array([4, 9, 1])
    m = crop_resize_matrix(top, left, ch, cw, 14, 12)
    assert m.shape == (3, 3, 3) and m.dtype == np.float64
    fx, fy = 12 / cw, 14 / ch
    np.testing.assert_array_equal(m[:, 0, 0], fx)
    np.testing.assert_array_equal(m[:, 1, 1], np.full(3, fy))
    np.testing.assert_array_equal(m[:, 0, 2], (0.5 - left) * fx - 0.5)
    np.testing.assert_array_equal(m[:, 1, 2], (0.5 - top) * fy - 0.5)
    np.testing.assert_array_equal(m[:, 2], np.tile([0.0, 0.0, 1.0], (3, 1)))
    np.testing.assert_array_equal(m[:, [0, 1], [1, 0]], 0.0)
