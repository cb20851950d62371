"""One warp for every geometric image op: per-sample 3x3 matrices, source coordinates computed directly, gather.

A geometric op describes itself as a forward matrix ``M`` (``(B,3,3)``, float64) that maps input pixel coordinates
to output pixel coordinates, pixel centres at integers (``x`` right, ``y`` down). :func:`warp` inverts it on the
host and computes each output pixel's source position with a few broadcast adds (a divide more for a
perspective). General (rotating, shearing, perspective) bilinear and bicubic maps then run torch's fused
``grid_sample`` on a copy of the chunk in a reused, cache-resident buffer (about 2x faster than gathering the taps
ourselves, and 2x faster than ``grid_sample`` reading the batch in place). Bilinear maps whose inverse matrix is
integer (quarter turns, flips, integer shifts) gather their source pixels directly, so they stay exact; the choice
is made per sample. Axis-aligned maps (scales, crops, resizes) take a separable path: whole rows picked with
``index_select``, then a gather along x; uint8 stays uint8 until the blend there. Borders: constant, reflect
(mirror without repeating the edge), replicate. The batch is processed in chunks of about one 224x224 image so the
temporaries stay in cache.

Gradients: a warp is linear in the image for given matrices, so it passes gradients to a float image that requires
grad. When autograd records (:func:`~multiaug.core.grad.tracks_grad`) the same kernels run as plain torch
operations: results written into the output by copy instead of through ``out=``, and fresh tensors instead of the
reused buffers (a reused buffer filled from such an image would keep its graph across calls). The values are the
same either way.

Example:
    >>> import torch
    >>> from multiaug.image.functional.warp import warp
    >>> x = torch.arange(6.0).reshape(1, 1, 2, 3)
    >>> shift = torch.tensor([[[1.0, 0, 1], [0, 1, 0], [0, 0, 1]]], dtype=torch.float64)  # move right by one
    >>> warp(x, shift, border="replicate")[0, 0].tolist()
    [[0.0, 0.0, 1.0], [3.0, 3.0, 4.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ...core.grad import clamp_through, tracks_grad
from .chunks import round_to_uint8, work_buffer, work_dtype

__all__ = ["BORDERS", "INTERPOLATIONS", "as_fill", "grid_source", "warp"]

INTERPOLATIONS = ("nearest", "bilinear", "bicubic")
BORDERS = ("constant", "reflect", "replicate")
_CHUNK_PIXELS = 32768  # output pixels per chunk: small enough for the temporaries to stay in cache


def _inverse(matrix: torch.Tensor | np.ndarray) -> np.ndarray:
    """Host float64 inverses of forward matrices, with entries within 1e-9 of an integer snapped to it.

    Snapping makes quarter turns, flips, integer shifts and the identity exact.
    """
    m = np.asarray(matrix.detach().cpu() if isinstance(matrix, torch.Tensor) else matrix, dtype=np.float64)
    inv = np.linalg.inv(m)
    inv /= inv[:, 2:3, 2:3].copy()
    near = inv.round()
    np.copyto(inv, near, where=np.abs(inv - near) < 1e-9)
    return inv


def as_fill(
    value: float | Sequence[float] | torch.Tensor, channels: int, dtype: torch.dtype, device: torch.device
) -> torch.Tensor:
    """A fill in the image's dtype, broadcastable to ``(B, channels, H, W)``: one number, one per channel, or a
    tensor (noise) already shaped for the image. Integer dtypes get it rounded and saturated.

    Example:
        >>> as_fill((300.0, 7.4), 2, torch.uint8, torch.device("cpu")).flatten().tolist()
        [255, 7]
    """
    values = torch.as_tensor(value, device=device)
    if values.ndim <= 1:
        values = values.reshape(-1)
        if values.numel() not in (1, channels):
            raise ValueError(
                f"fill must be one number or one per channel ({channels}), got {values.numel()} values"
            )
        values = values.reshape(1, -1, 1, 1)
    if not dtype.is_floating_point:
        values = values.to(torch.float64).round()
        if dtype != torch.bool:
            info = torch.iinfo(dtype)
            values = values.clamp(info.min, info.max)
    return values.to(dtype)


def _border_index(idx: torch.Tensor, n: int, border: str) -> torch.Tensor:
    """Integer positions mapped into ``[0, n)``: mirrored without repeating the edge, or clamped."""
    if border == "replicate" or n == 1:
        return idx.clamp(0, n - 1)
    period = 2 * (n - 1)
    idx = idx.remainder(period)
    return torch.where(idx >= n, period - idx, idx)


def _cubic_weights(frac: torch.Tensor, a: float = -0.75) -> list[torch.Tensor]:
    """Keys' cubic convolution weights for taps at -1, 0, 1, 2 (``a=-0.75`` as OpenCV and torch); they sum to 1."""
    g = 1 - frac
    w1 = ((a + 2) * frac - (a + 3)) * frac * frac + 1
    w2 = ((a + 2) * g - (a + 3)) * g * g + 1
    t = frac + 1
    w0 = ((a * t - 5 * a) * t + 8 * a) * t - 4 * a
    return [w0, w1, w2, 1 - w0 - w1 - w2]


def _reach(interpolation: str, border: str) -> tuple[int, int]:
    """``(r, e)``: taps on each side of a position, and how far outside the image positions are kept."""
    r = 2 if interpolation == "bicubic" else 1
    return r, (r if border == "constant" else r - 1 if border == "replicate" else 0)


def _margin(interpolation: str, border: str, height: int, width: int) -> int:
    """Pixels of padding on every side that the taps of prepared positions stay within (often 0)."""
    if interpolation == "nearest":
        return 1 if border == "constant" else 0
    r, e = _reach(interpolation, border)
    return e + r - 1 + (1 if border != "constant" and min(height, width) == 1 else 0)


Coords = (
    torch.Tensor | np.ndarray
)  # np.ndarray: host taps of the separable CPU path (same float32 arithmetic)


def _prepare(coord: Coords, n: int, interpolation: str, border: str, margin: int) -> tuple[Coords, Coords]:
    """Source positions -> (index of the first tap in the padded axis, as float; fractional part).

    The border is applied to the continuous position, which equals applying it to every tap: the mirror commutes
    with the (symmetric) kernels, and beyond ``e`` pixels outside the image every tap reads the edge or the fill.
    The integer part is clamped so the last tap stays inside the padding; the fraction may then reach 1, which
    still gives the exact value at the edge. Takes torch tensors or numpy arrays (each IEEE operation is the
    same in both, so they give the same bits).
    """
    xp: Any = np if isinstance(coord, np.ndarray) else torch
    r, e = _reach(interpolation, border)
    if border == "reflect" and n > 1:
        period = 2 * (n - 1)
        coord = coord % period
        coord = xp.where(coord > n - 1, period - coord, coord)
    else:
        coord = coord.clip(-e, n - 1 + e)
    if interpolation == "nearest":
        coord = xp.floor(coord + 0.5)
        if border != "constant":
            coord = coord.clip(0, n - 1)
        return coord + margin, coord
    base = xp.floor(coord).clip(-e, n - 1 + margin - r)  # the last tap stays within the padding
    return base + (margin - r + 1), coord - base


class _Padder:
    """Pads chunks by ``margin`` pixels on every side. For a constant border the frame of ``fill`` is written
    once per call into a reused buffer and each chunk only copies its interior; with ``plain`` (autograd records)
    every chunk gets a new one, since autograd may have saved the last."""

    def __init__(self, margin: int, border: str, fill: torch.Tensor | None, plain: bool = False) -> None:
        self.margin, self.border, self.fill, self.plain = margin, border, fill, plain
        self.buffer: torch.Tensor | None = None

    def __call__(self, src: torch.Tensor) -> torch.Tensor:
        m = self.margin
        if m == 0:
            return src
        b, c, h, w = src.shape
        if self.border != "constant":
            rows = _border_index(torch.arange(-m, h + m, device=src.device), h, self.border)
            cols = _border_index(torch.arange(-m, w + m, device=src.device), w, self.border)
            return src.index_select(2, rows).index_select(3, cols)
        if self.buffer is None or self.buffer.shape[0] < b or self.plain:
            if self.fill is None:
                raise ValueError("_Padder: a constant border needs a fill")
            self.buffer = torch.empty((b, c, h + 2 * m, w + 2 * m), dtype=src.dtype, device=src.device)
            self.buffer.copy_(self.fill.expand_as(self.buffer))
        padded = self.buffer[:b]
        padded[..., m : m + h, m : m + w] = src
        return padded


def _source_coords(inv: torch.Tensor, height: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Source x and y ``(b, height*width)`` of each output pixel under inverse matrices ``inv`` ``(b,3,3)``."""
    b = inv.shape[0]
    xs = torch.arange(width, dtype=inv.dtype, device=inv.device)
    ys = torch.arange(height, dtype=inv.dtype, device=inv.device)

    def plane(row: int) -> torch.Tensor:
        along_x = inv[:, row, 0, None] * xs
        along_y = inv[:, row, 1, None] * ys + inv[:, row, 2, None]
        return (along_x[:, None, :] + along_y[:, :, None]).view(b, -1)

    sx, sy = plane(0), plane(1)
    if bool((inv[:, 2, :2] != 0).any()):
        w = plane(2)
        sx, sy = sx / w, sy / w
    return sx, sy


def _blend(
    vals: torch.Tensor, frac: torch.Tensor, interpolation: str, dim: int, out: torch.Tensor | None = None
) -> torch.Tensor:
    """Interpolate the taps laid along ``dim`` of ``vals`` with weights from ``frac`` (broadcastable).

    A bilinear blend writes straight into ``out`` when it is given and of the computing dtype."""
    taps = vals.unbind(dim)
    if interpolation == "bilinear":
        if out is not None and out.dtype == taps[0].dtype:
            return torch.lerp(taps[0], taps[1], frac, out=out.view(taps[0].shape))
        return torch.lerp(taps[0], taps[1], frac)
    weights = _cubic_weights(frac)
    res = taps[0] * weights[0]
    for tap, weight in zip(taps[1:], weights[1:]):
        res.addcmul_(tap, weight)
    return res


def _gather(src: torch.Tensor, index: torch.Tensor, out: torch.Tensor, plain: bool) -> None:
    """``torch.gather`` along the last dim of ``src`` into ``out``: through ``out=``, or by copy with ``plain``
    (``out=`` cannot record a gradient)."""
    if plain:
        out.copy_(torch.gather(src, -1, index).view(out.shape))
    else:
        torch.gather(src, -1, index, out=out.view(index.shape))


def _finish(res: torch.Tensor, out: torch.Tensor, interpolation: str) -> None:
    """Write a float result into ``out``: bicubic clamped, integers rounded and saturated.

    A bilinear blend of in-range taps with weights in [0, 1] stays in range, so uint8 results are only rounded
    (through :func:`round_to_uint8`, the same ties-to-even rounding as ``round_``)."""
    if res.data_ptr() == out.data_ptr():
        return
    if interpolation == "bicubic":
        high = 1.0 if out.is_floating_point() else float(torch.iinfo(out.dtype).max)
        res = clamp_through(res, 0.0, high) if tracks_grad(res) else res.clamp_(0.0, high)
    if out.dtype == torch.uint8 and res.dtype == torch.float32:
        res = round_to_uint8(res, saturate=False)
    elif not out.is_floating_point():
        res = res.round_()
    out.copy_(res.view(out.shape))


def _separable_taps(
    inv: Coords, image: torch.Tensor, size: tuple[int, int], interpolation: str, border: str, ntap: int
) -> tuple[torch.Tensor, ...]:
    """Each sample's taps under axis-aligned inverse maps ``inv`` ``(b,3,3)``: the x taps' column indices
    ``(b, 1, 1, ntap * wo)`` and y taps' row indices ``(b, 1, ntap, ho)`` in the padded image (int64), and the
    fractions ``(b, 1, 1, wo)`` and ``(b, 1, ho, 1)`` in the work dtype.

    From host numpy ``inv`` for CPU images (a few microseconds, where the same steps as small torch calls cost a
    few dozen), else from a tensor on the image's device."""
    b, _, h, w = image.shape
    ho, wo = size
    host = isinstance(inv, np.ndarray)
    margin = _margin(interpolation, border, h, w)

    def arange(n: int, dtype: Any = None) -> Coords:
        return np.arange(n, dtype=dtype) if host else torch.arange(n, dtype=dtype, device=image.device)

    def axis(row: int, n_out: int, n_in: int) -> tuple[Coords, Coords]:
        coord = inv[:, row, row, None] * arange(n_out, inv.dtype) + inv[:, row, 2, None]
        first, frac = _prepare(coord, n_in, interpolation, border, margin)
        index = first[:, None, :] + arange(ntap)[:, None]  # (b, ntap, n_out), still in the coordinate dtype
        return index, frac

    (cols, fx), (rows, fy) = axis(0, wo, w), axis(1, ho, h)
    fdt = work_dtype(image.dtype)  # half types blend in float32 and round once
    cols, rows, fx, fy = (torch.as_tensor(a, device=image.device) for a in (cols, rows, fx, fy))
    return (
        cols.to(torch.int64).view(b, 1, 1, ntap * wo), rows.to(torch.int64).view(b, 1, ntap, ho),
        fx.to(fdt).view(b, 1, 1, wo), fy.to(fdt).view(b, 1, ho, 1),
    )  # fmt: skip


def _warp_separable(image, inv, out, interpolation, border, fill, step, plain):
    """Axis-aligned maps (scales, shifts, crops, resizes): whole source rows picked and blended along y with
    ``index_select`` (row copies, 5-40x faster than an element gather), then a gather and blend along x.
    The taps are computed once for the batch (on the host for CPU images); the chunks only move pixels.
    ``plain``: autograd records (no ``out=``, no reused buffer)."""
    b, c, h, w = image.shape
    ho, wo = out.shape[-2:]
    ntap = 1 if interpolation == "nearest" else 4 if interpolation == "bicubic" else 2
    idx_x, rows_all, fx, fy = _separable_taps(inv, image, (ho, wo), interpolation, border, ntap)
    margin = _margin(interpolation, border, h, w)
    sh, sw = h + 2 * margin, w + 2 * margin
    fdt = fx.dtype
    pad = _Padder(margin, border, fill, plain)
    cpu = image.device.type == "cpu"
    if cpu:
        # the columns each sample's x taps reach (a crop reads a band of the image): rows are picked and blended
        # along y only over that band
        col_lo, col_hi = (
            idx_x[:, 0, 0, :wo].amin(dim=1).tolist(),
            (idx_x[:, 0, 0, -wo:].amax(dim=1) + 1).tolist(),
        )
    for start in range(0, b, step):
        sl = slice(start, min(b, start + step))
        n = sl.stop - start
        src = pad(image[sl]).contiguous()
        c0, c1 = (int(min(col_lo[sl])), int(max(col_hi[sl]))) if cpu else (0, sw)
        planes = torch.arange(n * c, device=src.device).view(n, c, 1, 1) * sh
        band = src[..., c0:c1].reshape(n * c * sh, c1 - c0)  # a view: rows of the band, strided by sw
        picked = band.index_select(0, (planes + rows_all[sl]).view(-1)).view(n, c, ntap, ho, c1 - c0)
        idx = idx_x[sl] - c0 if c0 else idx_x[sl]
        if interpolation == "nearest":
            _gather(picked[:, :, 0], idx.expand(n, c, ho, wo), out[sl], plain)
            continue
        tmp = _blend(picked.to(fdt), fy[sl], interpolation, 2)
        vals = torch.gather(tmp, 3, idx.expand(n, c, ho, ntap * wo)).view(n, c, ho, ntap, wo)
        _finish(_blend(vals, fx[sl], interpolation, 3, None if plain else out[sl]), out[sl], interpolation)


def _warp_chunk(src, inv, out, interpolation, border, pad):
    """General maps: per output pixel, its taps' flat indices in the padded chunk, one gather, a blend
    (plain torch operations when the padder is ``plain``)."""
    b, c, h, w = src.shape
    ho, wo = out.shape[-2:]
    sx, sy = _source_coords(inv, ho, wo)
    margin = pad.margin
    src = pad(src)
    sw = w + 2 * margin
    x0, fx = _prepare(sx, w, interpolation, border, margin)
    y0, fy = _prepare(sy, h, interpolation, border, margin)
    flat = src.reshape(b, c, -1)
    if (h + 2 * margin) * sw <= 2**24 or y0.dtype == torch.float64:
        base = y0.mul_(sw).add_(x0).to(torch.int64)  # the float holds these indices exactly
    else:  # float32 cannot hold every integer past 2**24
        base = y0.to(torch.int64).mul_(sw).add_(x0.to(torch.int64))
    if interpolation == "nearest":
        _gather(flat, base.unsqueeze(1).expand(b, c, -1), out, pad.plain)
        return
    ntap = 4 if interpolation == "bicubic" else 2
    offsets = (
        torch.arange(ntap, device=src.device)[:, None] * sw + torch.arange(ntap, device=src.device)
    ).view(-1)
    n = base.shape[-1]
    idx = (base[:, None, :] + offsets[:, None]).view(b, 1, -1)  # (b, 1, Ty*Tx*N)
    vals = torch.gather(flat, 2, idx.expand(b, c, -1)).view(b, c, ntap, ntap, n)
    fdt = work_dtype(vals.dtype)
    rows = _blend(vals.to(fdt), fx.to(fdt).view(b, 1, 1, n), interpolation, 3)
    _finish(
        _blend(rows, fy.to(fdt).view(b, 1, n), interpolation, 2, None if pad.plain else out),
        out,
        interpolation,
    )


_GRID_PADDING = {"constant": "zeros", "replicate": "border", "reflect": "reflection"}


def grid_source(src: torch.Tensor, dtype: torch.dtype, cover: bool, slot: str, plain: bool) -> torch.Tensor:
    """``src`` ``(B,C,H,W)`` in ``dtype`` as ``grid_sample``'s input, with an all-ones channel appended when
    ``cover`` (its warped value is the coverage that blends in a constant fill).

    On CPU it is copied into the reused buffer ``slot`` (grid_sample's scattered reads then hit the cache;
    reading a batch slice straight from memory made it about twice as slow). With ``plain`` (autograd records),
    and on other devices, it is a new tensor: a reused buffer filled from a tensor with a graph would keep it.
    """
    b, c, h, w = src.shape
    if src.device.type == "cpu" and not plain:
        x = work_buffer(slot, (b, c + int(cover), h, w), dtype, src.device)
        x[:, :c].copy_(src)
        if cover:
            x[:, c].fill_(1.0)
        return x
    x = src.to(dtype)
    return torch.cat([x, torch.ones_like(x[:, :1])], dim=1) if cover else x


def _warp_chunk_grid(src, inv, out, mode, border, fill, plain):
    """General bilinear and bicubic maps through torch's fused ``grid_sample`` (2x our gathered taps on CPU
    once the chunk is in cache).

    With ``align_corners=True`` its coordinates are our pixel centres, its reflection is our mirror and its
    border our replicate; a non-zero constant fill is added as ``fill * (1 - coverage)``, the coverage being
    the warped weight of an all-ones channel.
    """
    b, c, h, w = src.shape
    ho, wo = out.shape[-2:]
    sx, sy = _source_coords(inv, ho, wo)
    # the normalised grid written in place (no stacked temporaries), the same two float ops per coordinate
    grid = torch.empty((b, ho, wo, 2), dtype=sx.dtype, device=sx.device)
    torch.mul(sx.view(b, ho, wo), 2.0 / (w - 1), out=grid[..., 0]).sub_(1.0)
    torch.mul(sy.view(b, ho, wo), 2.0 / (h - 1), out=grid[..., 1]).sub_(1.0)
    fdt = src.dtype if src.dtype in (torch.float32, torch.float64) else torch.float32
    cover = border == "constant" and bool((fill != 0).any())
    x = grid_source(src, fdt, cover, "bicubic_src", plain)
    res = F.grid_sample(x, grid.to(fdt), mode=mode, padding_mode=_GRID_PADDING[border], align_corners=True)
    if cover:
        res = res[:, :c].addcmul_(fill.to(fdt), 1.0 - res[:, c:])
    unit = 1.0 if out.is_floating_point() else 255.0
    _finish(clamp_through(res, 0.0, unit) if plain else res.clamp_(0.0, unit), out, "bilinear")


def _uniform_runs(flags: np.ndarray, step: int) -> list[tuple[slice, bool]]:
    """Consecutive slices of at most ``step`` samples over which ``flags`` is constant."""
    runs = []
    start, n = 0, len(flags)
    while start < n:
        stop = start + 1
        while stop < n and stop - start < step and flags[stop] == flags[start]:
            stop += 1
        runs.append((slice(start, stop), bool(flags[start])))
        start = stop
    return runs


def warp(
    image: torch.Tensor,
    matrix: torch.Tensor | np.ndarray,
    size: tuple[int, int] | None = None,
    *,
    interpolation: str = "bilinear",
    border: str = "constant",
    fill: float | Sequence[float] = 0.0,
) -> torch.Tensor:
    """Warp a batch ``(B,C,H,W)`` by per-sample forward matrices ``(B,3,3)`` (input to output pixel coordinates).

    ``size`` is the output ``(height, width)`` (default: the input's). ``interpolation`` is nearest, bilinear or
    bicubic (nearest works on any dtype, e.g. integer or bool masks, and never creates new values); ``border`` is
    constant (``fill``: one number or one per channel, in the image's own units), reflect (mirror without repeating
    the edge) or replicate. Integer outputs are rounded and saturated, interpolated float outputs clamped to [0, 1].

    Example:
        >>> import torch
        >>> x = torch.arange(4, dtype=torch.uint8).reshape(1, 1, 2, 2)
        >>> flip = torch.tensor([[[-1.0, 0, 1], [0, 1, 0], [0, 0, 1]]], dtype=torch.float64)
        >>> warp(x, flip, interpolation="nearest")[0, 0].tolist()
        [[1, 0], [3, 2]]
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
    if border not in BORDERS:
        raise ValueError(f"border must be one of {BORDERS}, got {border!r}")
    if image.ndim != 4:
        raise ValueError(f"image must be (B,C,H,W), got shape {tuple(image.shape)}")
    if interpolation != "nearest" and not (image.is_floating_point() or image.dtype == torch.uint8):
        raise ValueError(f"{interpolation} interpolation needs a float or uint8 image, got {image.dtype}")
    b, c, h, w = image.shape
    ho, wo = (h, w) if size is None else (int(size[0]), int(size[1]))
    plain = tracks_grad(image)  # autograd records: the same kernels without out= and reused buffers
    inv_host = _inverse(matrix)
    if inv_host.shape != (b, 3, 3):
        raise ValueError(f"matrix must be ({b},3,3) for a batch of {b}, got {inv_host.shape}")
    separable = bool(
        (inv_host[:, 0, 1] == 0).all() and (inv_host[:, 1, 0] == 0).all() and (inv_host[:, 2, :2] == 0).all()
    )
    coord_dtype = torch.float64 if image.dtype == torch.float64 else torch.float32
    inv_all = torch.as_tensor(inv_host, dtype=coord_dtype, device=image.device)
    fill_t = as_fill(fill, c, image.dtype, image.device) if border == "constant" else None
    out = torch.empty((b, c, ho, wo), dtype=image.dtype, device=image.device)
    taps = 4 if interpolation == "bicubic" else 2
    cpu = image.device.type == "cpu"
    # on CPU, chunks that stay in cache; one chunk on accelerators and when autograd records (per-pixel maps:
    # the same values, and one graph node per step instead of one per chunk)
    step = max(1, _CHUNK_PIXELS * 2 // (taps * ho * wo)) if cpu and not plain else b
    if separable:
        inv_taps = inv_host.astype(np.float32) if coord_dtype == torch.float32 else inv_host
        _warp_separable(image, inv_taps if cpu else inv_all, out, interpolation, border, fill_t, step, plain)
        return out
    pad = _Padder(_margin(interpolation, border, h, w), border, fill_t, plain)
    if interpolation != "nearest" and min(h, w) > 1:
        # bilinear maps with integer inverse matrices (quarter turns, flips, integer shifts) keep the exact
        # gather; the choice is per sample, so a sample's result never depends on the rest of its batch
        exact = np.all(inv_host == np.round(inv_host), axis=(1, 2)) & (interpolation == "bilinear")
        for sl, is_exact in _uniform_runs(exact, step):
            if is_exact:
                _warp_chunk(image[sl], inv_all[sl], out[sl], interpolation, border, pad)
            else:
                _warp_chunk_grid(image[sl], inv_all[sl], out[sl], interpolation, border, fill_t, plain)
        return out
    for start in range(0, b, step):
        stop = min(b, start + step)
        _warp_chunk(image[start:stop], inv_all[start:stop], out[start:stop], interpolation, border, pad)
    return out
