"""One warp for every geometric image op: per-sample 3x3 matrices, source coordinates computed directly, gather.

A geometric op describes itself as a forward matrix ``M`` (``(B,3,3)``, float64) that maps input pixel coordinates
to output pixel coordinates, pixel centres at integers (``x`` right, ``y`` down). :func:`warp` inverts it on the
host, computes each output pixel's source position with a few broadcast adds (a divide more for a perspective),
and gathers the neighbouring pixels from the input. This is about 2x faster than ``affine_grid`` + ``grid_sample``
on CPU, works on uint8 without a float copy of the input, and takes nearest, bilinear and bicubic interpolation
with constant, reflect and replicate borders. The batch is processed in chunks so the temporaries stay in cache.

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

import numpy as np
import torch

__all__ = ["BORDERS", "INTERPOLATIONS", "warp"]

INTERPOLATIONS = ("nearest", "bilinear", "bicubic")
BORDERS = ("constant", "reflect", "replicate")
# Taps on each side of the source position: nearest 1 (only used with a one-pixel pad), bilinear 1, bicubic 2.
_RADIUS = {"nearest": 1, "bilinear": 1, "bicubic": 2}
_CHUNK_PIXELS = 32768  # output pixels per chunk: small enough for the temporaries to stay in cache


def _inverse(matrix: torch.Tensor | np.ndarray) -> np.ndarray:
    """Host float64 inverses of forward matrices, with entries within 1e-9 of an integer snapped to it.

    Snapping makes quarter turns, flips, integer shifts and the identity exact.
    """
    m = np.asarray(matrix.detach().cpu() if isinstance(matrix, torch.Tensor) else matrix, dtype=np.float64)
    inv = np.linalg.inv(m)
    inv = inv / inv[:, 2:3, 2:3]
    near = np.round(inv)
    return np.where(np.abs(inv - near) < 1e-9, near, inv)


def _fill_tensor(fill: float | Sequence[float], channels: int, dtype: torch.dtype, device: torch.device):
    values = torch.as_tensor(fill, dtype=torch.float64).flatten()
    if values.numel() not in (1, channels):
        raise ValueError(
            f"fill must be one number or one per channel ({channels}), got {values.numel()} values"
        )
    if not dtype.is_floating_point:
        info = torch.iinfo(dtype) if dtype != torch.bool else None
        values = values.round() if info is None else values.round().clamp(info.min, info.max)
    return values.to(dtype=dtype, device=device).expand(channels).reshape(1, channels, 1, 1)


def _reflect(idx: torch.Tensor, n: int) -> torch.Tensor:
    """Mirror indices without repeating the edge pixel (``... 2 1 | 0 1 2 ... n-1 | n-2 ...``), in place."""
    if n == 1:
        return idx.zero_()
    period = 2 * (n - 1)
    idx.remainder_(period)
    return torch.where(idx >= n, period - idx, idx)


def _axis_taps(
    coord: torch.Tensor, n: int, radius: int, border: str, pad: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Integer tap indices ``(T,b,N)`` along one axis and the fractional part ``(b,N)`` of the positions."""
    if border == "constant":  # beyond `radius` pixels outside the image every tap reads the padding
        coord = coord.clamp(-radius, n - 1 + radius)
    base = coord.floor()
    frac = coord - base
    base = base.to(torch.int64)
    offsets = torch.arange(1 - radius, radius + 1, device=coord.device).view(-1, 1, 1)
    taps = base.unsqueeze(0) + offsets
    if border == "constant":
        taps += pad
    elif border == "replicate":
        taps.clamp_(0, n - 1)
    else:
        taps = _reflect(taps, n)
    return taps, frac


def _cubic_weights(frac: torch.Tensor, a: float = -0.75) -> list[torch.Tensor]:
    """Keys' cubic convolution weights for taps at -1, 0, 1, 2 (``a=-0.75`` as OpenCV and torch); they sum to 1."""
    g = 1 - frac
    w1 = ((a + 2) * frac - (a + 3)) * frac * frac + 1
    w2 = ((a + 2) * g - (a + 3)) * g * g + 1
    t = frac + 1
    w0 = ((a * t - 5 * a) * t + 8 * a) * t - 4 * a
    return [w0, w1, w2, 1 - w0 - w1 - w2]


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


def _pad_width(interpolation: str) -> int:
    """Frame width a constant border needs: every tap of a position clamped into the frame reads the fill."""
    return 2 * _RADIUS[interpolation] - 1 if interpolation != "nearest" else 1


def _pad(
    src: torch.Tensor, interpolation: str, border: str, fill: torch.Tensor | None
) -> tuple[torch.Tensor, int]:
    """For a constant border: the chunk in a frame of ``fill`` (one pixel wider at the bottom and right)."""
    if border != "constant":
        return src, 0
    b, c, h, w = src.shape
    pad = _pad_width(interpolation)
    padded = torch.empty((b, c, h + 2 * pad + 1, w + 2 * pad + 1), dtype=src.dtype, device=src.device)
    padded.copy_(fill.expand_as(padded))
    padded[..., pad : pad + h, pad : pad + w] = src
    return padded, pad


def _blend(vals: torch.Tensor, frac: torch.Tensor, interpolation: str, dim: int) -> torch.Tensor:
    """Interpolate the taps laid along ``dim`` of ``vals`` with weights from ``frac`` (broadcastable)."""
    taps = vals.unbind(dim)
    if interpolation == "bilinear":
        return torch.lerp(taps[0], taps[1], frac)
    weights = _cubic_weights(frac)
    res = taps[0] * weights[0]
    for tap, weight in zip(taps[1:], weights[1:]):
        res.addcmul_(tap, weight)
    return res


def _finish(res: torch.Tensor, out: torch.Tensor, interpolation: str) -> None:
    """Write a float result into ``out``: bicubic clamped, integers rounded and saturated."""
    if interpolation == "bicubic":
        res.clamp_(0.0, 1.0 if out.is_floating_point() else float(torch.iinfo(out.dtype).max))
    if not out.is_floating_point():
        res = res.round_()
    out.copy_(res.view(out.shape))


def _warp_separable(image, inv, out, interpolation, border, fill, step):
    """Axis-aligned maps (scales, shifts, crops, resizes): whole source rows picked and blended along y with
    ``index_select`` (row copies, 5-40x faster than an element gather), then a gather and blend along x.
    The taps are computed once for the batch; the chunks only move pixels."""
    b, c, h, w = image.shape
    ho, wo = out.shape[-2:]
    xs = inv[:, 0, 0, None] * torch.arange(wo, dtype=inv.dtype, device=inv.device) + inv[:, 0, 2, None]
    ys = inv[:, 1, 1, None] * torch.arange(ho, dtype=inv.dtype, device=inv.device) + inv[:, 1, 2, None]
    radius = _RADIUS[interpolation]
    pad = _pad_width(interpolation) if border == "constant" else 0
    if interpolation == "nearest":
        xs, ys, radius = xs + 0.5, ys + 0.5, 1
    tx, fx = _axis_taps(xs, w, radius, border, pad)
    ty, fy = _axis_taps(ys, h, radius, border, pad)
    if interpolation == "nearest":
        tx, ty = tx[:1], ty[:1]
    ntap = tx.shape[0]
    sh, sw = h + (2 * pad + 1 if pad else 0), w + (2 * pad + 1 if pad else 0)
    idx_x = tx.permute(1, 0, 2).reshape(b, 1, 1, ntap * wo)
    rows_all = ty.permute(1, 0, 2).unsqueeze(1)  # (b, 1, T, ho)
    fdt = image.dtype if image.is_floating_point() else torch.float32
    fx, fy = fx.to(fdt).view(b, 1, 1, wo), fy.to(fdt).view(b, 1, ho, 1)
    for start in range(0, b, step):
        sl = slice(start, min(b, start + step))
        n = sl.stop - start
        src, _ = _pad(image[sl], interpolation, border, fill)
        planes = torch.arange(n * c, device=src.device).view(n, c, 1, 1) * sh
        picked = src.reshape(n * c * sh, sw).index_select(0, (planes + rows_all[sl]).view(-1))
        picked = picked.view(n, c, ntap, ho, sw)
        if interpolation == "nearest":
            torch.gather(picked[:, :, 0], 3, idx_x[sl].expand(n, c, ho, wo), out=out[sl])
            continue
        tmp = _blend(picked.to(fdt), fy[sl], interpolation, 2)
        vals = torch.gather(tmp, 3, idx_x[sl].expand(n, c, ho, ntap * wo)).view(n, c, ho, ntap, wo)
        _finish(_blend(vals, fx[sl], interpolation, 3), out[sl], interpolation)


def _warp_chunk(src, inv, out, interpolation, border, fill):
    b, c, h, w = src.shape
    ho, wo = out.shape[-2:]
    sx, sy = _source_coords(inv, ho, wo)
    radius = _RADIUS[interpolation]
    src, pad = _pad(src, interpolation, border, fill)
    sh, sw = src.shape[-2:]
    flat = src.reshape(b, c, sh * sw)
    if interpolation == "nearest":
        tx, _ = _axis_taps(sx.add(0.5), w, 1, border, pad)
        ty, _ = _axis_taps(sy.add(0.5), h, 1, border, pad)
        idx = ty[0].mul_(sw).add_(tx[0]).unsqueeze(1)
        torch.gather(flat, 2, idx.expand(b, c, -1), out=out.view(b, c, -1))
        return
    tx, fx = _axis_taps(sx, w, radius, border, pad)
    ty, fy = _axis_taps(sy, h, radius, border, pad)
    n = tx.shape[-1]
    taps = tx.shape[0]
    # (Ty, Tx, b, N) flat indices, gathered in one call as (b, c, Ty*Tx*N)
    idx = (ty.mul_(sw)[:, None] + tx[None]).permute(2, 0, 1, 3).reshape(b, 1, -1)
    vals = torch.gather(flat, 2, idx.expand(b, c, -1)).view(b, c, taps, taps, n)
    if not vals.is_floating_point():
        vals = vals.to(torch.float32)
    rows = _blend(vals, fx.to(vals.dtype).unsqueeze(1).unsqueeze(1), interpolation, 3)
    _finish(_blend(rows, fy.to(vals.dtype).unsqueeze(1), interpolation, 2), out, interpolation)


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
    the edge) or replicate. Integer outputs are rounded and saturated, bicubic float outputs clamped to [0, 1].

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
    inv_all = _inverse(matrix)
    if inv_all.shape != (b, 3, 3):
        raise ValueError(f"matrix must be ({b},3,3) for a batch of {b}, got {inv_all.shape}")
    separable = bool(
        (inv_all[:, 0, 1] == 0).all() and (inv_all[:, 1, 0] == 0).all() and (inv_all[:, 2, :2] == 0).all()
    )
    coord_dtype = torch.float64 if image.dtype == torch.float64 else torch.float32
    inv_all = torch.as_tensor(inv_all, dtype=coord_dtype).to(image.device)
    fill_t = _fill_tensor(fill, c, image.dtype, image.device) if border == "constant" else None
    out = torch.empty((b, c, ho, wo), dtype=image.dtype, device=image.device)
    taps = 2 * _RADIUS[interpolation]
    step = max(1, _CHUNK_PIXELS * 2 // (taps * ho * wo)) if image.device.type == "cpu" else b
    if separable:
        _warp_separable(image, inv_all, out, interpolation, border, fill_t, step)
        return out
    for start in range(0, b, step):
        stop = min(b, start + step)
        _warp_chunk(image[start:stop], inv_all[start:stop], out[start:stop], interpolation, border, fill_t)
    return out
