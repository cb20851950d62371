"""Elastic distortion (Simard et al., 2003): every pixel is displaced by a smooth random field.

The field is uniform noise in [-1, 1] per pixel and axis, smoothed by a Gaussian of standard deviation ``sigma``
pixels and scaled by ``alpha``: displacements in pixels. It is drawn in the frequency domain (the white noise's
spectrum times the Gaussian's exact transfer function, one inverse 2-D FFT) on a grid padded by ``pad`` pixels
on every side and cut back, so no wrap-around reaches the image and the cost does not grow with ``sigma`` (a
spatial 6-sigma kernel would). After smoothing over many pixels the field is Gaussian either way. Sampling is torch's ``grid_sample`` with our pixel-centre conventions.

Gradients pass to a float image that requires grad (the field is drawn, not learned): its chunks then go to
``grid_sample`` as new tensors rather than through the reused buffer, which would keep the graph.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ...core.grad import clamp_through, tracks_grad
from ...core.noise import randn
from .chunks import chunk_slices
from .warp import as_fill, grid_source

__all__ = ["displace", "elastic_field"]

_GRID_PADDING = {"constant": "zeros", "replicate": "border", "reflect": "reflection"}
_CHUNK_PIXELS = 65536  # pixels per chunk: one 224x224 image, so the source stays in cache


def elastic_field(
    seeds: Sequence[int] | np.ndarray,
    height: int,
    width: int,
    alpha: np.ndarray,
    sigma: np.ndarray,
    pad: int,
    device: torch.device,
) -> torch.Tensor:
    """Displacements ``(B, 2, height, width)`` float32 in pixels (x then y), one independent field per seed.

    The field is that of uniform noise in [-1, 1] smoothed by a Gaussian of ``sigma`` and scaled by ``alpha``,
    drawn directly in the frequency domain: the spectrum of white noise of that variance (independent Gaussian
    real and imaginary parts per bin) times the Gaussian's transfer function, then one inverse FFT, on a grid
    ``pad`` pixels larger on every side (rounded up to a fast FFT size) and cut back. ``pad`` (at least about
    ``3 * sigma``) must not depend on the batch, so that a sample's field does not either.

    Example:
        >>> f = elastic_field([1, 2], 32, 40, np.array([10.0, 0.0]), np.array([4.0, 4.0]), 12, torch.device("cpu"))
        >>> f.shape, bool(f[1].abs().max() == 0), bool(f[0].abs().max() > 0)
        (torch.Size([2, 2, 32, 40]), True, True)
    """
    import scipy.fft  # 0.1 s to import: only when an elastic field is made

    hp = scipy.fft.next_fast_len(height + 2 * pad)
    wp = scipy.fft.next_fast_len(width + 2 * pad, real=True)
    wf = wp // 2 + 1
    # per bin and field: a complex Gaussian of the white-noise spectrum's variance, hp * wp * (1/3) / 2 per part
    noise = randn(seeds, (hp, wf, 2, 2)).permute(0, 3, 1, 2, 4).contiguous()  # (B, field, hp, wf, re/im)
    fy = np.fft.fftfreq(hp).astype(np.float32)[:, None]
    fx = np.fft.rfftfreq(wp).astype(np.float32)[None, :]
    s2 = (
        (-2.0 * math.pi**2 * np.asarray(sigma, dtype=np.float64) ** 2).astype(np.float32).reshape(-1, 1, 1, 1)
    )
    scale = (
        (np.asarray(alpha, dtype=np.float64) * math.sqrt(hp * wp / 6.0))
        .astype(np.float32)
        .reshape(-1, 1, 1, 1)
    )
    transfer = torch.from_numpy(np.exp(s2 * (fx**2 + fy**2)) * scale)  # (B, 1, hp, wf) float32
    noise.mul_(transfer[..., None])
    spectrum = torch.view_as_complex(noise)
    if device.type == "cpu":  # pocketfft codes each plane alone: a field is the same alone or in a batch
        smooth = torch.from_numpy(
            scipy.fft.irfft2(spectrum.numpy(), s=(hp, wp), workers=torch.get_num_threads())
        )
    else:
        smooth = torch.fft.irfft2(spectrum.to(device), s=(hp, wp))
    return (
        smooth[:, :, pad : pad + height, pad : pad + width]
        .to(device=device, dtype=torch.float32)
        .contiguous()
    )


def displace(
    image: torch.Tensor,
    field: torch.Tensor,
    *,
    interpolation: str = "bilinear",
    border: str = "reflect",
    fill: float | Sequence[float] = 0.0,
) -> torch.Tensor:
    """Sample ``image`` ``(B, C, H, W)`` at each pixel centre plus ``field`` ``(B, 2, H, W)`` (pixels, x then y).

    ``interpolation``: nearest (any dtype, never new values), bilinear or bicubic (float or uint8; integers are
    rounded and saturated, floats clamped to [0, 1]). ``border``: constant (``fill``), reflect (mirror without
    repeating the edge) or replicate.

    Example:
        >>> x = torch.arange(6.0).reshape(1, 1, 2, 3) / 5
        >>> shift = torch.zeros(1, 2, 2, 3); shift[:, 0] = 1.0          # read one pixel to the right
        >>> (displace(x, shift, border="replicate") * 5).round()[0, 0].tolist()
        [[1.0, 2.0, 2.0], [4.0, 5.0, 5.0]]
    """
    b, c, h, w = image.shape
    exact = image.dtype == torch.float64 or (interpolation == "nearest" and not image.is_floating_point())
    compute = torch.float64 if exact else torch.float32  # integer labels pass through float64 exactly
    ys = torch.arange(h, device=image.device, dtype=compute)[:, None]
    xs = torch.arange(w, device=image.device, dtype=compute)[None, :]
    grid = torch.empty((b, h, w, 2), dtype=compute, device=image.device)
    field = field.to(compute)
    # normalised coordinates of grid_sample with align_corners=True: -1 and 1 are the edge pixels' centres
    torch.mul(field[:, 0] + xs, 2.0 / (w - 1) if w > 1 else 0.0, out=grid[..., 0]).sub_(1.0 if w > 1 else 0.0)
    torch.mul(field[:, 1] + ys, 2.0 / (h - 1) if h > 1 else 0.0, out=grid[..., 1]).sub_(1.0 if h > 1 else 0.0)
    mode = interpolation
    fill_t = as_fill(fill, c, compute, image.device) if border == "constant" else None
    cover = fill_t is not None and bool((fill_t != 0).any())
    res = torch.empty((b, c + int(cover), h, w), dtype=compute, device=image.device)
    plain = tracks_grad(
        image
    )  # autograd records: no reused buffer, and one chunk (one graph node, as the warps)
    for sl in chunk_slices(b, image.device, chunk=b if plain else max(1, _CHUNK_PIXELS // (h * w))):
        # each chunk copied into a reused buffer first (grid_sample's scattered reads then hit the cache); a
        # non-zero constant border is blended in by the coverage of an all-ones channel
        x = grid_source(image[sl], compute, cover, "elastic_src", plain)
        res[sl] = F.grid_sample(
            x, grid[sl], mode=mode, padding_mode=_GRID_PADDING[border], align_corners=True
        )
    if cover:
        assert fill_t is not None
        coverage = res[:, c:]
        res = res[:, :c]
        if mode == "nearest":
            res = torch.where(coverage > 0.5, res, fill_t.expand_as(res))
        else:
            res = res.addcmul_(fill_t.expand_as(res), 1.0 - coverage)
    if image.is_floating_point():
        if mode != "nearest":
            res = clamp_through(res, 0.0, 1.0) if plain else res.clamp_(0.0, 1.0)
        return res.to(image.dtype)
    if mode != "nearest":
        info = torch.iinfo(image.dtype)
        res = res.round_().clamp_(info.min, info.max)
    return res.to(image.dtype)
