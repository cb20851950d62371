"""Bilinear resize of float images by strided row and column blends (no index copies, no gathers).

A half-pixel-aligned resize (``align_corners=False``, no antialiasing: torch's and OpenCV's map) from ``n`` to
``m`` pixels reads output pixel ``i`` from ``s = ((2i + 1) n - m) / (2m)``, clamped to ``[0, n - 1]``. Its taps
repeat: output ``i + P`` reads ``Q`` pixels further on with the same weight, where ``Q / P = n / m`` in lowest
terms. So every output row of a residue class ``i mod P`` is one blend of two strided views of the source rows,
and likewise for columns: ``P`` blends per axis (a few more where the border clamps), each one torch ``lerp``
over whole views. The taps are computed exactly in integers, so the weights are the same in every period.

On CPU this is about 1.7x the separable gather of :func:`multiaug.image.functional.warp.warp` at 224 -> 160
(the row ``index_select`` and the column ``gather`` cost more than the blends). It pays only when the period is
short: :func:`blend_runs` returns None beyond ``max_runs`` blends, and callers then use the warp.

For an image that requires grad (autograd records) each axis is one gather of both taps and one ``lerp`` with
per-pixel weights: the same values, gradients pass, and no buffer keeps a graph.

Example:
    >>> import torch
    >>> x = torch.arange(4.0).reshape(1, 1, 1, 4).expand(1, 1, 2, 4)
    >>> resize_bilinear(x, (2, 2))[0, 0].tolist()
    [[0.5, 2.5], [0.5, 2.5]]
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import torch

from ...core.grad import tracks_grad
from .chunks import chunk_slices, work_buffer

__all__ = ["MAX_RUNS", "Run", "blend_runs", "resize_bilinear", "resize_taps"]

MAX_RUNS = 48
"""Most strided blends per axis the fast path accepts (224 -> 160 needs 5; 224 -> 223 would need 223)."""

Run = tuple[int, int, int, int, int, float]
"""``(first output, output step, count, first source, source step, weight)``: outputs ``first + k * step``
for ``k < count`` blend sources ``src + k * source step`` and the next pixel with that weight."""


def resize_taps(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """First tap (int64, in ``[0, n_in - 2]``) and float64 weight of the second, per output pixel (``n_in`` >= 2).

    Example:
        >>> first, weight = resize_taps(4, 2)
        >>> first.tolist(), weight.tolist()
        ([0, 2], [0.5, 0.5])
    """
    den = 2 * n_out
    num = np.clip((2 * np.arange(n_out, dtype=np.int64) + 1) * n_in - n_out, 0, (n_in - 1) * den)
    first = np.minimum(num // den, n_in - 2)
    return first, (num - first * den) / den


def blend_runs(n_in: int, n_out: int, max_runs: int = MAX_RUNS) -> list[Run] | None:
    """The strided blends that resize one axis from ``n_in`` to ``n_out`` pixels, or None if more than
    ``max_runs`` (or ``n_in`` < 2).

    Example:
        >>> blend_runs(7, 5)[:2]
        [(0, 5, 1, 0, 7, 0.2), (1, 5, 1, 1, 7, 0.6)]
    """
    if n_in < 2:
        return None
    first, weight = resize_taps(n_in, n_out)
    g = int(np.gcd(n_in, n_out))
    period, step = n_out // g, n_in // g
    runs: list[Run] = []
    for r in range(min(period, n_out)):
        outs = np.arange(r, n_out, period)
        # split where the border clamp breaks the progression (a source step other than ``step`` or a new weight)
        breaks = (np.diff(first[outs]) != step) | (np.diff(weight[outs]) != 0)
        starts = [0, *(np.flatnonzero(breaks) + 1).tolist(), len(outs)]
        for a, b in pairwise(starts):
            runs.append((int(outs[a]), period, b - a, int(first[outs[a]]), step, float(weight[outs[a]])))
            if len(runs) > max_runs:
                return None
    return runs


def _view(t: torch.Tensor, dim: int, start: int, step: int, count: int) -> torch.Tensor:
    return t.narrow(dim, start, step * (count - 1) + 1)[(slice(None),) * dim + (slice(None, None, step),)]


def _blend_axis(src: torch.Tensor, dst: torch.Tensor, runs: list[Run], dim: int) -> None:
    """Write the blends of ``runs`` along ``dim`` of ``src`` into ``dst``."""
    for out0, ostep, count, src0, sstep, weight in runs:
        lo = _view(src, dim, src0, sstep, count)
        hi = _view(src, dim, src0 + 1, sstep, count)
        torch.lerp(lo, hi, weight, out=_view(dst, dim, out0, ostep, count))


def _lerp_axis(src: torch.Tensor, n_out: int, dim: int) -> torch.Tensor:
    """Resize ``dim`` of ``src`` to ``n_out`` pixels: the blends of :func:`blend_runs` as one gather and one
    ``lerp`` (plain torch, for autograd)."""
    first, weight = resize_taps(src.shape[dim], n_out)
    index = torch.as_tensor(first, device=src.device)
    shape = [1] * src.ndim
    shape[dim] = n_out
    w = torch.as_tensor(weight, dtype=src.dtype, device=src.device).view(shape)
    return torch.lerp(src.index_select(dim, index), src.index_select(dim, index + 1), w)


def resize_bilinear(
    image: torch.Tensor, size: tuple[int, int], runs: tuple[list[Run], list[Run]] | None = None
) -> torch.Tensor:
    """Half-pixel-aligned bilinear resize of a float batch ``(B,C,H,W)`` to ``size``, without antialiasing.

    The same map as ``F.interpolate(mode="bilinear", align_corners=False)`` within float rounding. ``runs``, the
    rows' and columns' :func:`blend_runs`, is computed when not given; it raises ValueError when either axis has
    none (use the warp then). On CPU the batch goes through in chunks, rows first into a reused buffer; an image
    that autograd records takes one gather and one lerp per axis (the same values; gradients pass).

    Example:
        >>> resize_bilinear(torch.ones(2, 3, 7, 9), (5, 4)).shape
        torch.Size([2, 3, 5, 4])
    """
    b, c, h, w = image.shape
    ho, wo = int(size[0]), int(size[1])
    if runs is None:
        rows, cols = blend_runs(h, ho), blend_runs(w, wo)
        if rows is None or cols is None:
            raise ValueError(f"no short strided resize from {h}x{w} to {ho}x{wo}")
    else:
        rows, cols = runs
    if tracks_grad(image):
        # autograd records: each axis is one gather of both taps and one lerp with per-pixel weights, the same
        # arithmetic as the blends (blends written into slices of a new tensor would make autograd copy the whole
        # gradient once per blend)
        return _lerp_axis(_lerp_axis(image, ho, 2), wo, 3)
    out = torch.empty((b, c, ho, wo), dtype=image.dtype, device=image.device)
    for sl in chunk_slices(b, image.device):
        src = image[sl]
        tmp = work_buffer("resize_rows", (src.shape[0], c, ho, w), image.dtype, image.device)
        _blend_axis(src, tmp, rows, 2)
        _blend_axis(tmp, out[sl], cols, 3)
    return out
