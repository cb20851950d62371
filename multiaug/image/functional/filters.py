"""Pure filter kernels on image batches ``(B,C,H,W)``, any number of channels, one kernel per sample.

Borders are reflected without repeating the edge pixel (``reflect``: OpenCV's BORDER_REFLECT_101, torch's
"reflect" padding), as in Albumentations, torchvision and kornia. Separable kernels run as two passes of
per-sample taps (a sum of shifted slices), which on CPU is steadier and faster than torch's depthwise
convolution; taps that are zero for every sample of a chunk are skipped, so a per-sample kernel size costs only
what the largest kernel in the chunk needs. uint8 results are rounded and saturated, float results clamped.

Input that autograd records (see :mod:`multiaug.core.grad`) takes plain torch operations on the whole batch
(reflection by indexing, sums of shifted slices, ``torch.median`` over the windows) instead of the work buffers
and ``out=`` passes: the same values, with gradients.

Example:
    >>> import torch
    >>> from multiaug.image.functional.filters import gaussian_blur
    >>> x = torch.full((2, 3, 8, 8), 0.5)
    >>> bool(torch.allclose(gaussian_blur(x, 5, [0.5, 2.0]), x))
    True
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ...core.errors import InputError
from ...core.grad import tracks_grad
from .chunks import map_chunks, work_buffer, work_dtype
from .warp import _border_index

__all__ = [
    "adjust_sharpness",
    "box_blur",
    "box_taps",
    "filter2d",
    "gaussian_blur",
    "gaussian_taps",
    "median_blur",
    "motion_blur",
    "motion_kernel",
    "motion_kernels",
    "separable_filter",
    "sharpen",
]

FILTER_CHUNK = 2
"""Images per chunk for the tap loops (measured fastest at 224x224 on CPU)."""
SORTED_CHUNK = 2
"""Images per chunk for per-sample 2-D kernels, grouped by orientation (similar kernels share taps)."""

PER_SAMPLE_CHUNK = 4
"""Images per chunk when each sample adds its own taps (CPU): the padded chunk stays in cache."""


def _sizes(kernel_size: Any, batch: int) -> np.ndarray:
    ks = np.broadcast_to(np.asarray(kernel_size, dtype=np.int64), (batch,)).copy()
    if np.any(ks < 1) or np.any(ks % 2 == 0):
        raise InputError(f"kernel sizes must be odd and >= 1, got {sorted(set(ks.tolist()))}")
    return ks


def _check_image(image: torch.Tensor, op: str) -> None:
    if image.ndim != 4:
        raise InputError(f"{op} expects images shaped (B, C, H, W), got shape {tuple(image.shape)}")


def gaussian_taps(kernel_size: Any, sigma: Any, batch: int | None = None) -> np.ndarray:
    """Normalised 1-D Gaussian taps ``exp(-d^2 / (2 sigma^2))``, shape ``(B, K)`` with ``K`` the largest size.

    Each sample's taps are centred and zero beyond its own ``kernel_size``.

    Example:
        >>> gaussian_taps(3, [1e-3]).round(6).tolist()
        [[0.0, 1.0, 0.0]]
    """
    sig = np.asarray(sigma, dtype=np.float64).reshape(-1)
    b = len(sig) if batch is None else batch
    sig = np.broadcast_to(sig, (b,))
    if np.any(sig <= 0):
        raise InputError(f"sigma must be > 0, got {sig.min()}")
    ks = _sizes(kernel_size, b)
    kmax = int(ks.max())
    d = np.arange(kmax, dtype=np.float64) - kmax // 2
    taps = np.exp(-(d[None, :] ** 2) / (2.0 * sig[:, None] ** 2))
    taps[np.abs(d)[None, :] > (ks[:, None] // 2)] = 0.0
    return taps / taps.sum(axis=1, keepdims=True)


def box_taps(kernel_size: Any, batch: int | None = None) -> np.ndarray:
    """Normalised 1-D box taps ``1 / k``, shape ``(B, K)``, centred, zero beyond each sample's size."""
    ks = np.asarray(kernel_size, dtype=np.int64).reshape(-1)
    ks = _sizes(ks, len(ks) if batch is None else batch)
    kmax = int(ks.max())
    d = np.abs(np.arange(kmax) - kmax // 2)
    return (d[None, :] <= ks[:, None] // 2) / ks[:, None].astype(np.float64)


def _pad_indexed(x: torch.Tensor, left: int, right: int, top: int, bottom: int) -> torch.Tensor:
    """Reflect-pad (BORDER_REFLECT_101) by gathering rows and columns: a new tensor, mirrored repeatedly where
    the padding is wider than the image."""
    h, w = x.shape[-2:]
    src_rows = _border_index(torch.arange(-top, h + bottom, device=x.device), h, "reflect")
    src_cols = _border_index(torch.arange(-left, w + right, device=x.device), w, "reflect")
    return x.index_select(-2, src_rows).index_select(-1, src_cols)


def _pad(x: torch.Tensor, left: int, right: int, top: int, bottom: int, slot: str = "pad") -> torch.Tensor:
    """Reflect-pad (BORDER_REFLECT_101) into a reused work buffer of ``x``'s dtype.

    The centre is one copy and each border row/column one small copy: 2-4x faster than ``F.pad`` on CPU.
    Images not larger than the padding are mirrored repeatedly, as OpenCV does (a one-pixel side repeats its
    pixel), so a sample's border never depends on the padding its batch needs.
    """
    h, w = x.shape[-2:]
    if w <= max(left, right) or h <= max(top, bottom):
        return _pad_indexed(x, left, right, top, bottom)
    shape = (*x.shape[:-2], h + top + bottom, w + left + right)
    out = work_buffer(slot, shape, x.dtype, x.device)
    out[..., top : top + h, left : left + w].copy_(x)
    rows = slice(top, top + h)
    for j in range(1, left + 1):
        out[..., rows, left - j].copy_(x[..., j])
    for j in range(1, right + 1):
        out[..., rows, left + w - 1 + j].copy_(x[..., w - 1 - j])
    for j in range(1, top + 1):
        out[..., top - j, :].copy_(out[..., top + j, :])
    for j in range(1, bottom + 1):
        out[..., top + h - 1 + j, :].copy_(out[..., top + h - 1 - j, :])
    return out


def _accumulate(
    dst: torch.Tensor,
    views: Sequence[torch.Tensor] | Mapping[int, torch.Tensor],
    weights: torch.Tensor,
    nonzero: list[int],
) -> None:
    """``dst = sum_k views[k] * weights[..., k]`` over the taps in ``nonzero`` (at least one)."""
    first, *rest = nonzero
    torch.mul(views[first], weights[..., first], out=dst)
    for k in rest:
        dst.addcmul_(views[k], weights[..., k])


def _grouped_conv(x: torch.Tensor, kernel: torch.Tensor, ry: int, rx: int) -> torch.Tensor:
    """Correlate each sample of ``x`` ``(B,C,H,W)`` with its own centred kernel (``B`` kernels of ``Kh x Kw``
    values, any shape that reshapes to ``(B,Kh,Kw)`` with ``Kh = 2 ry + 1``, ``Kw = 2 rx + 1``) after reflect
    padding: one grouped convolution, for autograd (a few graph nodes where a sum of shifted views has one per
    tap; it may round differently from the fast path by an ulp)."""
    b, c, h, w = x.shape
    # an image not larger than the padding is mirrored repeatedly, as the fast path does
    fits = w > rx and h > ry
    padded = F.pad(x, (rx, rx, ry, ry), mode="reflect") if fits else _pad_indexed(x, rx, rx, ry, ry)
    weight = kernel.reshape(b, 1, 2 * ry + 1, 2 * rx + 1).repeat_interleave(c, dim=0).to(x.dtype)
    out = F.conv2d(padded.reshape(1, b * c, *padded.shape[-2:]), weight, groups=b * c)
    return out.view(b, c, h, w)


def separable_filter(image: torch.Tensor, taps_y: Any, taps_x: Any) -> torch.Tensor:
    """Correlate each sample with the outer product of its taps: ``taps_y`` (B, Ky) down, ``taps_x`` (B, Kx) across.

    Kernel lengths must be odd; taps are centred. Works on any number of channels.

    Example:
        >>> x = torch.zeros(1, 1, 1, 5); x[..., 2] = 1.0
        >>> separable_filter(x, [[1.0]], [[0.25, 0.5, 0.25]]).flatten().tolist()
        [0.0, 0.25, 0.5, 0.25, 0.0]
    """
    _check_image(image, "separable_filter")
    b = image.shape[0]
    ty = np.broadcast_to(np.asarray(taps_y, dtype=np.float64), (b, np.shape(taps_y)[-1])).copy()
    tx = np.broadcast_to(np.asarray(taps_x, dtype=np.float64), (b, np.shape(taps_x)[-1])).copy()
    if ty.shape[1] % 2 == 0 or tx.shape[1] % 2 == 0:
        raise InputError(f"tap lengths must be odd, got {ty.shape[1]} and {tx.shape[1]}")
    wdt = work_dtype(image.dtype)
    wy = torch.as_tensor(ty, device=image.device).to(wdt)[:, None, None, None, :]
    wx = torch.as_tensor(tx, device=image.device).to(wdt)[:, None, None, None, :]
    ry, rx = ty.shape[1] // 2, tx.shape[1] // 2
    h, w = image.shape[-2:]

    def fn(src: torch.Tensor, dst: torch.Tensor, sl: slice, unit: float) -> None:
        nz_x = np.flatnonzero(np.any(tx[sl] != 0, axis=0)).tolist()
        nz_y = np.flatnonzero(np.any(ty[sl] != 0, axis=0)).tolist()
        tmp = work_buffer("tmp", tuple(dst.shape), dst.dtype, dst.device)
        if nz_x == [rx]:
            torch.mul(src, wx[sl][..., rx], out=tmp)
        else:
            xp = _pad(src, rx, rx, 0, 0, "pad_x")
            _accumulate(tmp, [xp[..., k : k + w] for k in range(2 * rx + 1)], wx[sl], nz_x)
        if nz_y == [ry]:
            torch.mul(tmp, wy[sl][..., ry], out=dst)
        else:
            yp = _pad(tmp, 0, 0, ry, ry, "pad_y")
            _accumulate(dst, [yp[..., k : k + h, :] for k in range(2 * ry + 1)], wy[sl], nz_y)

    def plain(x: torch.Tensor) -> torch.Tensor:
        # one grouped convolution per axis (3x faster through backward than a sum of shifted views)
        nz_x = np.flatnonzero(np.any(tx != 0, axis=0)).tolist()
        nz_y = np.flatnonzero(np.any(ty != 0, axis=0)).tolist()
        tmp = x * wx[..., rx] if nz_x == [rx] else _grouped_conv(x, wx, 0, rx)
        return tmp * wy[..., ry] if nz_y == [ry] else _grouped_conv(tmp, wy, ry, 0)

    return map_chunks(image, fn, chunk=FILTER_CHUNK, plain=plain)


def gaussian_blur(image: torch.Tensor, kernel_size: Any, sigma: Any) -> torch.Tensor:
    """Gaussian blur, per-sample ``sigma`` (B,) and odd ``kernel_size`` (one int or (B,) ints); isotropic.

    Example:
        >>> x = torch.zeros(1, 1, 9, 9); x[..., 4, 4] = 1.0
        >>> round(gaussian_blur(x, 5, [1.0]).sum().item(), 6)
        1.0
    """
    _check_image(image, "gaussian_blur")
    taps = gaussian_taps(kernel_size, sigma, image.shape[0])
    return separable_filter(image, taps, taps)


def box_blur(image: torch.Tensor, kernel_size: Any) -> torch.Tensor:
    """Mean over a ``k x k`` window, per-sample odd ``k`` (one int or (B,) ints)."""
    _check_image(image, "box_blur")
    taps = box_taps(kernel_size, image.shape[0])
    return separable_filter(image, taps, taps)


def filter2d(image: torch.Tensor, kernel: Any) -> torch.Tensor:
    """Correlate each sample with its own 2-D kernel ``(B, K, K)`` (odd ``K``, centred).

    Costs one pass per non-zero kernel position, so sparse kernels (motion-blur lines) are cheap. On CPU each
    sample adds its own taps with scalar weights (a fused scalar multiply-add, 1.3x faster than a broadcast
    ``addcmul_`` over a group); elsewhere samples are grouped into one chunk and each position non-zero in some
    sample is one batched pass. Both give the same values.

    Example:
        >>> x = torch.zeros(1, 1, 1, 5); x[..., 2] = 1.0
        >>> k = [[[0.0, 0.0, 0.0], [0.0, 0.5, 0.5], [0.0, 0.0, 0.0]]]
        >>> filter2d(x, k).flatten().tolist()
        [0.0, 0.5, 0.5, 0.0, 0.0]
    """
    _check_image(image, "filter2d")
    b = image.shape[0]
    kern = np.asarray(kernel, dtype=np.float64)
    kern = np.broadcast_to(kern, (b, *kern.shape[-2:])).copy()
    ksize = kern.shape[-1]
    if kern.shape[-2] != ksize or ksize % 2 == 0:
        raise InputError(f"2-D kernels must be square with an odd size, got shape {kern.shape[-2:]}")
    if image.device.type == "cpu" and not tracks_grad(image):  # autograd takes the grouped path's plain map
        return _filter2d_per_sample(image, kern)
    return _filter2d_grouped(image, kern)


def _tap_view(xp: torch.Tensor, k: int, ksize: int, h: int, w: int) -> torch.Tensor:
    """The view of padded ``xp`` that kernel position ``k`` (row-major in ``ksize x ksize``) reads."""
    return xp[..., k // ksize : k // ksize + h, k % ksize : k % ksize + w]


def _filter2d_per_sample(image: torch.Tensor, kern: np.ndarray) -> torch.Tensor:
    """:func:`filter2d` sample by sample: each sample's own non-zero taps, scalar weights."""
    b, ksize = kern.shape[0], kern.shape[-1]
    r = ksize // 2
    h, w = image.shape[-2:]
    # the weights rounded to the working dtype once, as the grouped path's weight tensor holds them
    flat = (
        torch.as_tensor(kern.reshape(b, ksize * ksize), device="cpu")
        .to(work_dtype(image.dtype))
        .double()
        .numpy()
    )
    taps = [np.flatnonzero(row).tolist() or [r * ksize + r] for row in flat]

    def fn(src: torch.Tensor, dst: torch.Tensor, sl: Any, unit: float) -> None:
        xp = _pad(src, r, r, r, r)
        for j, i in enumerate(range(sl.start, sl.stop)):
            first, *rest = taps[i]
            out = dst[j]
            torch.mul(_tap_view(xp[j], first, ksize, h, w), float(flat[i, first]), out=out)
            for k in rest:
                out.add_(_tap_view(xp[j], k, ksize, h, w), alpha=float(flat[i, k]))

    return map_chunks(image, fn, chunk=PER_SAMPLE_CHUNK)


def _filter2d_grouped(image: torch.Tensor, kern: np.ndarray) -> torch.Tensor:
    """:func:`filter2d` a chunk at a time, one batched pass per position non-zero in some sample of the chunk.

    On CPU (where this is not the default) samples are grouped into small chunks by the orientation of their
    kernels, as line kernels of similar angles share most positions. Input that autograd records takes this
    path's map in plain torch operations on the whole batch, on every device.
    """
    b, ksize = kern.shape[0], kern.shape[-1]
    r = ksize // 2
    flat = kern.reshape(b, ksize * ksize)
    wgt = torch.as_tensor(flat, device=image.device).to(work_dtype(image.dtype))[:, None, None, None, :]
    h, w = image.shape[-2:]
    # orientation of each kernel's support (principal axis of its second moments) orders the chunks
    d = np.arange(ksize, dtype=np.float64) - r
    mass = np.abs(kern)
    mxx = (mass * d[None, None, :] ** 2).sum(axis=(1, 2))
    myy = (mass * d[None, :, None] ** 2).sum(axis=(1, 2))
    mxy = (mass * d[None, None, :] * d[None, :, None]).sum(axis=(1, 2))
    order = np.argsort(np.arctan2(2.0 * mxy, mxx - myy), kind="stable")

    def fn(src: torch.Tensor, dst: torch.Tensor, idx: Any, unit: float) -> None:
        rows = idx.cpu().numpy() if isinstance(idx, torch.Tensor) else idx
        nz = np.flatnonzero(np.any(flat[rows] != 0, axis=0)).tolist() or [r * ksize + r]
        xp = _pad(src, r, r, r, r)
        views = {i: _tap_view(xp, i, ksize, h, w) for i in nz}
        _accumulate(dst, views, wgt[idx], nz)

    def plain(x: torch.Tensor) -> torch.Tensor:  # the whole batch, for autograd
        return _grouped_conv(x, wgt, r, r)

    return map_chunks(image, fn, chunk=SORTED_CHUNK, order=order if b > SORTED_CHUNK else None, plain=plain)


def motion_kernel(kernel_size: int, angle: Any, direction: Any) -> np.ndarray:
    """Motion-blur kernels ``(B, K, K)``: a digital line of ``K`` cells through the centre, summing to 1.

    The line takes one cell per step along its major axis (the nearest cell across it, as OpenCV draws lines
    and Albumentations' kernels are drawn), so a kernel has exactly ``K`` taps: horizontal and vertical lines
    are exact. Cell weights are ``max(0, 1 + direction * d / r)``, with ``d`` the cell's signed distance along
    the line and ``r = K // 2``. ``angle`` in degrees counter-clockwise from the x axis (image y pointing down);
    ``direction`` in [-1, 1]: 0 uniform, 1 the weight ramps up towards the end the angle points to, -1 the
    other end.

    Example:
        >>> motion_kernel(3, [0.0], [0.0]).round(3)[0].tolist()
        [[0.0, 0.0, 0.0], [0.333, 0.333, 0.333], [0.0, 0.0, 0.0]]
        >>> int((motion_kernel(7, [30.0], [0.5]) > 0).sum())
        7
    """
    ang = np.deg2rad(np.asarray(angle, dtype=np.float64).reshape(-1))
    b = len(ang)
    dirn = np.broadcast_to(np.asarray(direction, dtype=np.float64).reshape(-1), (b,))
    k = int(kernel_size)
    r = k // 2
    cos, sin = np.cos(ang)[:, None], np.sin(ang)[:, None]
    step = np.arange(k, dtype=np.float64)[None, :] - r
    major_x = np.abs(cos) >= np.abs(sin)
    safe_cos = np.where(np.abs(cos) > 1e-12, cos, 1.0)
    safe_sin = np.where(np.abs(sin) > 1e-12, sin, 1.0)
    # cell offsets (dx right, dy down) of the K cells: step along the major axis, nearest cell across it
    dx = np.where(major_x, step, np.rint(-step * cos / safe_sin))
    dy = np.where(major_x, np.rint(-step * sin / safe_cos), step)
    along = dx * cos - dy * sin
    weight = np.clip(1.0 + dirn[:, None] * along / max(r, 1), 0.0, None)
    out: np.ndarray = np.zeros((b, k * k))
    rows = np.broadcast_to(np.arange(b)[:, None], dx.shape)
    np.add.at(out, (rows, ((dy + r) * k + dx + r).astype(np.int64)), weight)
    out = out.reshape(b, k, k)
    return out / out.sum(axis=(1, 2), keepdims=True)


def motion_kernels(kernel_size: Any, angle: Any, direction: Any) -> np.ndarray:
    """Per-sample :func:`motion_kernel` with per-sample odd sizes, each centred in ``(B, K, K)``, ``K`` the largest.

    Example:
        >>> motion_kernels([3, 5], [0.0, 90.0], [0.0, 0.0]).shape
        (2, 5, 5)
    """
    ang = np.asarray(angle, dtype=np.float64).reshape(-1)
    b = len(ang)
    ks = _sizes(kernel_size, b)
    dirn = np.broadcast_to(np.asarray(direction, dtype=np.float64).reshape(-1), (b,))
    kmax = int(ks.max())
    out = np.zeros((b, kmax, kmax))
    for k in np.unique(ks).tolist():
        idx = np.flatnonzero(ks == k)
        o = (kmax - k) // 2
        out[idx, o : o + k, o : o + k] = motion_kernel(k, ang[idx], dirn[idx])
    return out


def motion_blur(image: torch.Tensor, kernel_size: Any, angle: Any, direction: Any) -> torch.Tensor:
    """Blur along a line per sample (see :func:`motion_kernel`); ``kernel_size`` one odd int or (B,) ints."""
    _check_image(image, "motion_blur")
    return filter2d(image, motion_kernels(kernel_size, angle, direction))


def sharpen(image: torch.Tensor, alpha: Any, lightness: Any) -> torch.Tensor:
    """Albumentations/imgaug Sharpen: kernel ``(1 - alpha) I + alpha E``, ``E`` = -1 around ``8 + lightness``.

    Computed as ``(1 + alpha (8 + lightness)) x - 9 alpha box3(x)``, per-sample ``alpha``/``lightness``.

    Example:
        >>> x = torch.full((1, 1, 4, 4), 0.5)
        >>> bool(torch.allclose(sharpen(x, [0.5], [1.0]), x * 1.0))
        True
    """
    _check_image(image, "sharpen")
    b = image.shape[0]
    a = np.broadcast_to(np.asarray(alpha, dtype=np.float64).reshape(-1), (b,))
    li = np.broadcast_to(np.asarray(lightness, dtype=np.float64).reshape(-1), (b,))
    wdt = work_dtype(image.dtype)
    centre = torch.as_tensor(1.0 + a * (8.0 + li), device=image.device).to(wdt)[:, None, None, None]
    ring = torch.as_tensor(-a, device=image.device).to(wdt)[:, None, None, None]
    h, w = image.shape[-2:]

    def window_sum(xp: torch.Tensor) -> torch.Tensor:
        """The 3x3 window sums of a padded image (a new tensor; its in-place adds are on fresh sums)."""
        rows = xp[..., 0:w] + xp[..., 1 : w + 1]
        rows.add_(xp[..., 2 : w + 2])
        box = rows[..., 0:h, :] + rows[..., 1 : h + 1, :]
        return box.add_(rows[..., 2 : h + 2, :])

    def fn(src: torch.Tensor, dst: torch.Tensor, sl: slice, unit: float) -> None:
        box = window_sum(_pad(src, 1, 1, 1, 1))
        # -alpha times the 3x3 window sum (centre included) plus (1 + alpha (8 + lightness)) times the centre
        torch.mul(box, ring[sl], out=dst)
        dst.addcmul_(src, centre[sl])

    def plain(x: torch.Tensor) -> torch.Tensor:
        return window_sum(_pad_indexed(x, 1, 1, 1, 1)) * ring + x * centre

    return map_chunks(image, fn, chunk=FILTER_CHUNK, plain=plain)


def adjust_sharpness(image: torch.Tensor, factor: Any) -> torch.Tensor:
    """PIL's sharpness (as torchvision's and kornia's): blend with a smoothed copy by ``factor`` per sample.

    The smoothed copy is the 3x3 kernel ``[[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13`` on the interior (rounded for
    uint8, as the peers do) with the border rows and columns kept; the result is ``s + factor (x - s)``: 0 gives
    the smoothed image, 1 the image itself, 2 twice as sharp. Images under 3 pixels on a side are returned as is.

    Example:
        >>> x = torch.zeros(1, 1, 3, 3); x[..., 1, 1] = 1.0
        >>> round(adjust_sharpness(x, [0.0])[0, 0, 1, 1].item(), 6), round(5 / 13, 6)
        (0.384615, 0.384615)
    """
    _check_image(image, "adjust_sharpness")
    b, _, h, w = image.shape
    f = np.broadcast_to(np.asarray(factor, dtype=np.float64).reshape(-1), (b,)).copy()
    if h < 3 or w < 3:
        return image.clone(memory_format=torch.contiguous_format)
    keep = torch.as_tensor(f, device=image.device).to(work_dtype(image.dtype))[:, None, None, None]
    integer = not image.dtype.is_floating_point

    def smoothed(src: torch.Tensor) -> torch.Tensor:
        """The smoothed interior (a new tensor; its in-place steps are on fresh sums)."""
        rows = src[..., :, 0 : w - 2] + src[..., :, 1 : w - 1]
        rows.add_(src[..., :, 2:w])
        smooth = rows[..., 0 : h - 2, :] + rows[..., 1 : h - 1, :]
        smooth.add_(rows[..., 2:h, :]).add_(src[..., 1 : h - 1, 1 : w - 1], alpha=4.0)
        return smooth.div_(13.0)

    def fn(src: torch.Tensor, dst: torch.Tensor, sl: slice, unit: float) -> None:
        inner = src[..., 1 : h - 1, 1 : w - 1]
        smooth = smoothed(src)
        if integer:
            smooth.round_()
        dst.copy_(src)  # the border rows and columns stay as they are
        core = torch.sub(inner, smooth, out=dst[..., 1 : h - 1, 1 : w - 1])
        core.mul_(keep[sl]).add_(smooth)

    def plain(x: torch.Tensor) -> torch.Tensor:
        smooth = smoothed(x)
        out = x.clone(memory_format=torch.contiguous_format)  # the border rows and columns stay as they are
        out[..., 1 : h - 1, 1 : w - 1] = (x[..., 1 : h - 1, 1 : w - 1] - smooth) * keep + smooth
        return out

    return map_chunks(image, fn, chunk=FILTER_CHUNK, plain=plain)


@functools.cache
def _median_network(n: int) -> tuple[list[tuple[int, int, int, int]], int]:
    """A selection network for the median of ``n`` values: comparators and the id of the median value.

    Value ids ``0 .. n-1`` are the inputs; a comparator ``(lo, hi, a, b)`` makes ``lo = min(a, b)`` and
    ``hi = max(a, b)``.

    Batcher's odd-even merge sort on the next power of two, the padding wires fixed half to -inf and half to
    +inf, comparators on constant wires resolved symbolically, then pruned to those the median depends on.
    """
    size = 1
    while size < n:
        size *= 2
    comps: list[tuple[int, int]] = []

    def merge(lo: int, length: int, step: int) -> None:
        nstep = step * 2
        if nstep < length:
            merge(lo, length, nstep)
            merge(lo + step, length, nstep)
            comps.extend((i, i + step) for i in range(lo + step, lo + length - step, nstep))
        else:
            comps.append((lo, lo + step))

    def sort(lo: int, length: int) -> None:
        if length > 1:
            half = length // 2
            sort(lo, half)
            sort(lo + half, half)
            merge(lo, length, 1)

    sort(0, size)
    pad = size - n
    n_low = pad // 2
    # wire state: ("var", id) or ("lo",) / ("hi",) constants; inputs occupy wires n_low .. n_low + n - 1.
    state: list[tuple[str, int]] = (
        [("lo", -1)] * n_low + [("var", i) for i in range(n)] + [("hi", -1)] * (pad - n_low)
    )
    ops: list[tuple[int, int, int, int]] = []  # (out_min, out_max, in_a, in_b) on value ids
    next_id = n
    for i, j in comps:
        a, b = state[i], state[j]
        if a[0] == "lo" or b[0] == "hi":
            continue
        if a[0] == "hi" or b[0] == "lo":
            state[i], state[j] = b, a
            continue
        ops.append((next_id, next_id + 1, a[1], b[1]))
        state[i], state[j] = ("var", next_id), ("var", next_id + 1)
        next_id += 2
    target = state[n_low + n // 2][1]
    needed = {target}
    kept: list[tuple[int, int, int, int]] = []
    for op in reversed(ops):
        if op[0] in needed or op[1] in needed:
            kept.append(op)
            needed.update(op[2:])
    kept.reverse()
    return kept, target


def _median3(src: torch.Tensor) -> torch.Tensor:
    """3x3 median: sort each column of three once (shared by the three windows that contain it), then
    ``med3(max of the minima, med3 of the middles, min of the maxima)``: 18 min/max ops instead of 46."""
    h, w = src.shape[-2:]
    xp = _pad(src, 1, 1, 1, 1)
    a, b, c = xp[..., 0:h, :], xp[..., 1 : h + 1, :], xp[..., 2 : h + 2, :]
    t1, t2 = torch.minimum(a, b), torch.maximum(a, b)
    lo, t3 = torch.minimum(t1, c), torch.maximum(t1, c)
    mid, hi = torch.minimum(t2, t3), torch.maximum(t2, t3)
    cols = [slice(j, j + w) for j in range(3)]
    max_lo = torch.maximum(torch.maximum(lo[..., cols[0]], lo[..., cols[1]]), lo[..., cols[2]])
    min_hi = torch.minimum(torch.minimum(hi[..., cols[0]], hi[..., cols[1]]), hi[..., cols[2]])
    med_mid = _med3(mid[..., cols[0]], mid[..., cols[1]], mid[..., cols[2]])
    return _med3(max_lo, med_mid, min_hi)


def _med3(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    return torch.maximum(torch.minimum(a, b), torch.minimum(torch.maximum(a, b), c))


def _median_chunk(src: torch.Tensor, ksize: int) -> torch.Tensor:
    if ksize == 3:
        return _median3(src)
    network, target = _median_network(ksize * ksize)
    r = ksize // 2
    h, w = src.shape[-2:]
    xp = _pad(src, r, r, r, r)
    values: dict[int, torch.Tensor] = {
        i: xp[..., i // ksize : i // ksize + h, i % ksize : i % ksize + w] for i in range(ksize * ksize)
    }
    # results go to recycled buffers: fresh multi-megabyte tensors per comparator are page-faulted every time
    owned: set[int] = set()
    pool: list[torch.Tensor] = []

    def buffer(like: torch.Tensor) -> torch.Tensor:
        return pool.pop() if pool else torch.empty(like.shape, dtype=like.dtype, device=like.device)

    for lo, hi, a, b in network:
        va, vb = values.pop(a), values.pop(b)
        out_lo, out_hi = buffer(va), buffer(va)
        torch.minimum(va, vb, out=out_lo)
        torch.maximum(va, vb, out=out_hi)
        values[lo], values[hi] = out_lo, out_hi
        for key, tensor in ((a, va), (b, vb)):
            if key in owned:
                owned.discard(key)
                pool.append(tensor)
        owned.update((lo, hi))
    return values[target]


def median_blur(image: torch.Tensor, kernel_size: Any) -> torch.Tensor:
    """Median over a ``k x k`` window, per-sample odd ``k`` (samples grouped by size); exact, any dtype.

    A pruned sorting network of elementwise min/max (3x3: columns sorted once and shared); uint8 images stay
    uint8 throughout.

    Example:
        >>> x = torch.tensor([[[[0, 0, 0], [0, 9, 0], [0, 0, 0]]]], dtype=torch.uint8)
        >>> median_blur(x, 3)[0, 0].tolist()
        [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
    """
    _check_image(image, "median_blur")
    b = image.shape[0]
    ks = _sizes(kernel_size, b)
    if tracks_grad(image):
        return _median_on_graph(image, ks)
    out = torch.empty_like(image, memory_format=torch.contiguous_format)
    step = 8 if image.dtype == torch.uint8 else FILTER_CHUNK
    if image.device.type != "cpu":
        step = b
    for k in np.unique(ks).tolist():
        idx = np.flatnonzero(ks == k)
        for s in range(0, len(idx), step):
            part = idx[s : s + step]
            contiguous = part[-1] - part[0] == len(part) - 1
            sel = (
                slice(int(part[0]), int(part[-1]) + 1)
                if contiguous
                else torch.as_tensor(part, device=image.device)
            )
            src = image[sel]
            out[sel] = src if k == 1 else _median_chunk(src, k)
    return out


def _median_on_graph(image: torch.Tensor, ks: np.ndarray) -> torch.Tensor:
    """:func:`median_blur` for autograd: ``torch.median`` over each sample's unfolded windows (the gradient
    goes to the selected pixel), a group of samples per size."""
    h, w = image.shape[-2:]
    out = image
    for k in np.unique(ks).tolist():
        if k == 1:
            continue
        idx = torch.as_tensor(np.flatnonzero(ks == k), device=image.device)
        r = k // 2
        xp = _pad_indexed(image.index_select(0, idx), r, r, r, r)
        windows = xp.unfold(-2, k, 1).unfold(-2, k, 1).reshape(*xp.shape[:-2], h, w, k * k)
        out = out.index_copy(0, idx, windows.median(dim=-1).values)
    return out if out is not image else image.clone(memory_format=torch.contiguous_format)
