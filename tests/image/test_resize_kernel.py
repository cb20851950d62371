"""The strided bilinear resize (CPU float fast path of Resize): exact taps, agreement with torch and the warp."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import multiaug.image as mi
from multiaug.image.functional.geometry import crop_resize_matrix
from multiaug.image.functional.resize import blend_runs, resize_bilinear, resize_taps
from multiaug.image.functional.warp import warp

SIZES = [
    ((224, 224), (160, 160)),  # the benchmark's downscale (period 5)
    ((20, 28), (30, 42)),  # upscale: border rows clamp at both ends
    ((7, 9), (5, 4)),
    ((30, 17), (12, 40)),
    ((2, 2), (5, 3)),
    ((5, 5), (1, 1)),
    ((6, 8), (6, 8)),  # identity
]


def _rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.rand(shape, generator=torch.Generator().manual_seed(1), dtype=torch.float64).to(dtype)


@pytest.mark.parametrize(("n_in", "n_out"), [(224, 160), (160, 224), (7, 5), (2, 9), (9, 1), (5, 5), (13, 3)])
def test_runs_cover_every_output_once_with_the_exact_taps(n_in: int, n_out: int) -> None:
    first, weight = resize_taps(n_in, n_out)
    src = np.clip(((np.arange(n_out) + 0.5) * n_in / n_out - 0.5), 0, n_in - 1)  # the textbook map
    assert np.allclose(first + weight, src, atol=1e-12) and first.min() >= 0 and first.max() <= n_in - 2
    seen = np.zeros(n_out, dtype=np.int64)
    for out0, ostep, count, src0, sstep, w in blend_runs(n_in, n_out, max_runs=n_out):
        outs = out0 + ostep * np.arange(count)
        seen[outs] += 1
        assert (first[outs] == src0 + sstep * np.arange(count)).all() and (weight[outs] == w).all()
    assert (seen == 1).all()


def test_runs_refuse_long_periods_and_single_pixels() -> None:
    assert blend_runs(224, 223) is None  # period 223
    assert len(blend_runs(224, 223, max_runs=300)) == 223
    assert blend_runs(1, 5) is None
    with pytest.raises(ValueError, match="no short strided resize"):
        resize_bilinear(torch.zeros(1, 1, 224, 8), (223, 8))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(("src", "dst"), SIZES)
def test_resize_bilinear_matches_interpolate(dtype: torch.dtype, src: tuple, dst: tuple) -> None:
    x = _rand(11, 3, *src, dtype=dtype)  # 11 samples cross the CPU chunk of 8
    ref = F.interpolate(x.double(), size=dst, mode="bilinear", align_corners=False)
    out = resize_bilinear(x, dst)
    assert out.dtype == dtype and out.shape == (11, 3, *dst)
    # float32: within 4 epsilons of the float64 result; float64: torch rounds its own coordinates (about 1e-15)
    tol = 4 * torch.finfo(dtype).eps if dtype == torch.float32 else 1e-13
    assert float((out.double() - ref).abs().max()) <= tol


def test_resize_bilinear_reads_views_without_changing_them() -> None:
    base = _rand(4, 3, 40, 50)
    x = base[:, :, 5:35, 10:40].transpose(2, 3)  # non-contiguous
    before = x.clone()
    out = resize_bilinear(x, (17, 23))
    assert torch.equal(x, before)
    ref = F.interpolate(x.contiguous().double(), size=(17, 23), mode="bilinear", align_corners=False)
    assert float((out.double() - ref).abs().max()) <= 4 * torch.finfo(torch.float32).eps


@pytest.mark.parametrize(
    ("src", "dst"), [((224, 224), (160, 160)), ((20, 28), (29, 13)), ((20, 28), (19, 27))]
)
def test_resize_op_fast_path_agrees_with_the_warp(src: tuple, dst: tuple) -> None:
    # the warp is the path CUDA (and long periods) take: both give the same image within float rounding
    x = _rand(10, 3, *src)
    out = mi.Resize(dst)(x)
    m = crop_resize_matrix(np.zeros(10), 0.0, src[0], src[1], *dst)
    via_warp = warp(x, m, dst, interpolation="bilinear", border="replicate")
    torch.testing.assert_close(out, via_warp, atol=2e-5, rtol=0)
    assert torch.equal(mi.Resize(dst)(x[3:4]), out[3:4])  # per sample: independent of the batch
