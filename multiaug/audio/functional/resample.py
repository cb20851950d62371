"""Fixed-cost resampling for any ratio: a Farrow (polynomial-in-the-fraction) windowed-sinc interpolator.

Reading a clip at arbitrary fractional positions ``t`` costs the same for every ratio: the clip is filtered once
by ``order + 1`` short FIR filters (one matrix product over blocks of samples), and every output sample is a
polynomial in its fractional position ``mu = t - floor(t)`` evaluated on the filtered values at ``floor(t)``.
The polynomials approximate a Kaiser-windowed sinc of 24 taps (flat to 0.8 of Nyquist, -0.9 dB at 0.85,
-3 dB at 0.9, images rejected by 45 dB from 1.1 of Nyquist on), so time and memory are bounded whatever the ratio (torchaudio's rational resampler builds a kernel whose
size grows with the ratio's reduced denominator). When reading faster than the input rate (downsampling,
speeding up) each clip is first low-passed to its new Nyquist in the frequency domain.

Positions are computed in float64 (float32 positions drift by whole samples over long clips), and the same
float64 parameters give the same result on CPU and CUDA up to float32 rounding.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np
import torch
from torch import Tensor

from ...core.grad import tracks_grad
from .lengths import zero_padding
from .stft import Workspace, workspace

__all__ = ["farrow_coefficients", "read_at", "resample", "speed_change"]

_TAPS = 24
_ORDER = 5
_CUTOFF = 0.94
_BETA = 7.0
_BLOCK = 8
_CHUNK = 4
_OUT_BLOCK = 1 << 16  # output samples per block for a long clip alone in its chunk
_FILTER_SPEEDUP = 1.5  # up to this speed-up the interpolation filter itself is the anti-aliasing filter


@functools.lru_cache(maxsize=128)
def farrow_coefficients(
    taps: int = _TAPS, order: int = _ORDER, cutoff: float = _CUTOFF, beta: float = _BETA
) -> np.ndarray:
    """Coefficients ``c (taps, order + 1)``: ``h(mu - j) ~ sum_m c[j + taps//2 - 1, m] * mu**m`` for
    ``mu`` in [0, 1) and ``j`` in ``[-taps//2 + 1, taps//2]``, where ``h`` is the windowed-sinc prototype.

    Example:
        >>> c = farrow_coefficients()
        >>> c.shape
        (24, 6)
        >>> round(float(np.polyval(c[11][::-1], 0.0)), 4)  # h(0)
        0.94
    """
    half = taps // 2
    mu = 0.5 - 0.5 * np.cos(np.pi * (np.arange(256) + 0.5) / 256)  # Chebyshev-like nodes on [0, 1]
    mu = np.concatenate([[0.0], mu, [1.0]])
    coeffs = np.zeros((taps, order + 1))
    vander = np.vander(mu, order + 1, increasing=True)
    for k in range(taps):
        j = k - half + 1
        tau = mu - j
        window = np.i0(beta * np.sqrt(np.clip(1.0 - (tau / half) ** 2, 0.0, None))) / np.i0(beta)
        h = cutoff * np.sinc(cutoff * tau) * window
        coeffs[k] = np.linalg.lstsq(vander, h, rcond=None)[0]
    return coeffs


@functools.lru_cache(maxsize=128)  # speed-ups quantised to 1/64 up to 1.5: at most 33 cutoffs
def _block_matrix(taps: int, order: int, block: int, cutoff: float = _CUTOFF) -> np.ndarray:
    """``(block + taps - 1, block * (order + 1))`` matrix mapping a block of input to its filtered values."""
    c = farrow_coefficients(taps, order, cutoff)
    m = np.zeros((block + taps - 1, block * (order + 1)))
    for b in range(block):
        m[b : b + taps, b * (order + 1) : (b + 1) * (order + 1)] = c
    return m


def _index(rows: list[int], device: torch.device) -> Tensor:
    return torch.as_tensor(rows, dtype=torch.int64, device=device)


def _filter_bank(
    xp: Tensor,
    first: int,
    count: int,
    ws: Workspace | None = None,
    cutoffs: list[float] | None = None,
) -> Tensor:
    """Filtered values ``v (N, count', order + 1)`` (``count'``: ``count`` rounded up to the block) for input
    samples ``first .. first + count' - 1``: ``v[n, i, m] = sum_k c[k, m] * x[n, first + i + k - taps//2 + 1]``
    with the prototype of cutoff ``cutoffs[n]``, where ``xp`` is ``x`` padded with ``taps//2 - 1`` zeros in
    front and enough after."""
    n = xp.shape[0]
    taps, order, block = _TAPS, _ORDER, _BLOCK
    blocks = -(-count // block)
    frames = xp[:, first : first + blocks * block + taps - 1].unfold(-1, block + taps - 1, block)
    cutoffs = cutoffs or [_CUTOFF] * n
    if tracks_grad(xp):  # autograd records: one product per cutoff group, no work buffers, no per-row nodes
        cuts = sorted(set(cutoffs))
        if len(cuts) == 1:
            mat = torch.as_tensor(
                _block_matrix(taps, order, block, cuts[0]), dtype=xp.dtype, device=xp.device
            )
            return (frames @ mat).view(n, blocks * block, order + 1)
        grouped = [i for cut in cuts for i, c in enumerate(cutoffs) if c == cut]  # the clips, by cutoff
        products, start = [], 0
        for cut in cuts:
            size = cutoffs.count(cut)
            mat = torch.as_tensor(_block_matrix(taps, order, block, cut), dtype=xp.dtype, device=xp.device)
            products.append(frames.index_select(0, _index(grouped[start : start + size], xp.device)) @ mat)
            start += size
        values = torch.cat(products).index_select(0, _index(np.argsort(grouped).tolist(), xp.device))
        return values.view(n, blocks * block, order + 1)
    ws = ws or Workspace()
    rows = ws.get("fb_in", (n, blocks, block + taps - 1), xp.dtype, xp.device)
    rows.copy_(frames)
    width = block * (order + 1)
    out = ws.get("fb_out", (n, blocks, width), xp.dtype, xp.device)
    # One matrix product per distinct cutoff (the same kernel for a clip alone or in any batch).
    for cut in sorted(set(cutoffs)):
        mat = torch.as_tensor(_block_matrix(taps, order, block, cut), dtype=xp.dtype, device=xp.device)
        group = [i for i, c in enumerate(cutoffs) if c == cut]
        if len(group) == n:
            torch.mm(rows.view(n * blocks, -1), mat, out=out.view(n * blocks, width))
        else:
            for i in group:
                torch.mm(rows[i], mat, out=out[i])
    return out.view(n, blocks * block, order + 1)


def read_at(
    x: Tensor,
    start: Tensor,
    step: Tensor,
    out_lengths: Tensor,
    lengths: Tensor | None = None,
    *,
    cutoff: np.ndarray | None = None,
) -> Tensor:
    """Band-limited reading of each clip at positions ``start[i] + k * step[i]`` for ``k < out_lengths[i]``.

    ``x`` is ``(N, T)``; ``start``/``step`` are float64 ``(N,)``, both ``>= 0``; samples outside
    ``[0, lengths[i])`` count as zero. The interpolation filter's cutoff is ``cutoff[i]`` (fraction of the
    input's Nyquist, default 0.94); lower it to read faster than the input rate without aliasing. Returns
    ``(N, max(out_lengths))``, zero past each clip's output length.

    Example:
        >>> x = torch.sin(torch.arange(200.0) * 0.1)[None]
        >>> y = read_at(x, torch.tensor([100.0], dtype=torch.float64), torch.tensor([0.5], dtype=torch.float64),
        ...             torch.tensor([3]))
        >>> [round(v, 3) for v in y[0].tolist()], round(math.sin(10.05), 3)
        ([-0.544, -0.585, -0.625], -0.585)
    """
    if x.ndim != 2:
        raise ValueError(f"read_at expects (N, T), got shape {tuple(x.shape)}")
    n, t = x.shape
    device = x.device
    out_host = out_lengths.to("cpu", torch.int64).tolist()
    m = max(out_host, default=0)
    if m == 0 or t == 0:
        return x.new_zeros(n, m)
    if lengths is not None:
        x = zero_padding(x.unsqueeze(1), lengths.to(device)).squeeze(1)
    start = start.to(device=device, dtype=torch.float64)
    step = step.to(device=device, dtype=torch.float64)
    if bool((start < 0).any()) or bool((step < 0).any()):
        raise ValueError("read_at: start and step must be >= 0")
    shifted = bool((start != 0).any())
    steps = torch.arange(m, device=device, dtype=torch.float64)
    # autograd records: the interpolation in plain torch operations, no work buffers, and the chunks joined once
    # at the end (writes into slices of one tensor would make autograd copy the whole gradient per write)
    plain = tracks_grad(x)
    pieces: list[Tensor] = []
    out = x.new_empty(n, m) if not plain else x.new_empty(0)
    ws = workspace()
    reach = t + _TAPS  # past this the filter bank only holds zeros
    xp = torch.nn.functional.pad(x, (_TAPS // 2 - 1, reach - t + _TAPS + _BLOCK))
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        cuts = None if cutoff is None else [float(c) for c in cutoff[lo:hi]]
        # A long clip alone in its chunk is read in blocks of output samples (cache-sized tensors).
        block = _OUT_BLOCK if hi - lo == 1 and m > 2 * _OUT_BLOCK else m
        chunk: list[Tensor] = []  # the chunk's output blocks, when autograd records
        for k0 in range(0, m, block):
            k1 = min(m, k0 + block)
            pos = torch.mul(
                steps[None, k0:k1],
                step[lo:hi, None],
                out=None if plain else ws.get("pos", (hi - lo, k1 - k0), torch.float64, device),
            )
            if shifted:
                pos.add_(start[lo:hi, None])
            idx = pos.to(torch.int64).clamp_(max=reach)  # positions are >= 0: truncation is floor
            mu = torch.frac(pos, out=pos).to(x.dtype)
            first = int(idx.min())
            v = _filter_bank(xp[lo:hi], first, int(idx.max()) - first + 1, ws, cuts)
            tv = v.shape[1]
            rows = idx.sub_(first).add_(torch.arange(hi - lo, device=device)[:, None] * tv)
            if plain:
                vals = v.reshape(-1, _ORDER + 1).index_select(0, rows.view(-1)).view(hi - lo, k1 - k0, -1)
                y = torch.addcmul(vals[..., _ORDER - 1], vals[..., _ORDER], mu)
                for k in range(_ORDER - 2, -1, -1):
                    y = y * mu + vals[..., k]
                chunk.append(y)
                continue
            picked = ws.get("picked", ((hi - lo) * (k1 - k0), _ORDER + 1), x.dtype, device)
            vals = torch.index_select(v.reshape(-1, _ORDER + 1), 0, rows.view(-1), out=picked)
            vals = vals.view(hi - lo, k1 - k0, _ORDER + 1)
            y = out[lo:hi, k0:k1]
            torch.addcmul(vals[..., _ORDER - 1], vals[..., _ORDER], mu, out=y)
            for k in range(_ORDER - 2, -1, -1):
                y.mul_(mu).add_(vals[..., k])
        if plain:
            pieces.append(torch.cat(chunk, dim=1) if len(chunk) > 1 else chunk[0])
            continue
        for r in range(lo, hi):  # at most _CHUNK rows: zero past each output length
            out[r, out_host[r] :] = 0.0
    if plain:
        joined = torch.cat(pieces) if len(pieces) > 1 else pieces[0]
        valid = torch.arange(m, device=device) < torch.as_tensor(out_host, device=device)[:, None]
        return torch.where(valid, joined, 0.0)
    return out


def _fast_size(n: int) -> int:
    """Smallest ``2**a * 3**b * 5**c >= n`` (FFT sizes with large prime factors are several times slower)."""
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p = p35
            while p < n:
                p *= 2
            best = min(best, p)
            p35 *= 3
        p5 *= 5
    return best


def _lowpass(x: Tensor, cutoff: Tensor, size: int) -> Tensor:
    """Zero-phase low-pass of each row of ``(N, T)`` at ``cutoff[i]`` (fraction of Nyquist, float64), with a
    raised-cosine transition from ``0.85 * cutoff`` to ``cutoff``; one FFT of ``size`` per row."""
    t = x.shape[-1]
    spec = torch.fft.rfft(x, n=size)
    freqs = torch.linspace(0.0, 1.0, spec.shape[-1], device=x.device, dtype=torch.float64)
    c = cutoff.to(device=x.device, dtype=torch.float64)[:, None]
    lo = 0.85 * c
    ramp = ((freqs[None, :] - lo) / (c - lo)).clamp(0.0, 1.0)
    gain = (0.5 + 0.5 * torch.cos(math.pi * ramp)).to(x.dtype)
    out = torch.fft.irfft(spec * gain, n=size)  # size >= each clip's length + 1024: no wrap-around
    return out[:, :t] if size >= t else torch.nn.functional.pad(out, (0, t - size))


def speed_change(
    x: Tensor,
    factors: Tensor | np.ndarray,
    lengths: Tensor | None = None,
    *,
    out_lengths: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """Play each clip ``factors[i]`` times faster (pitch and tempo together): output sample ``k`` is the input
    at ``k * factor``; the new length is ``round(length / factor)`` (at least 1 for a non-empty clip).

    ``x`` is ``(N, T)``; for clips with a factor above 1 the interpolation filter's cutoff is lowered to
    ``0.94 / factor - 0.06`` of Nyquist (factors above 1.5 are low-passed in the frequency domain first).
    ``out_lengths`` overrides the new lengths. Returns ``(y (N, max new length), new_lengths)``.

    Example:
        >>> y, n = speed_change(torch.randn(2, 16000), np.array([2.0, 0.5]))
        >>> n.tolist(), tuple(y.shape)
        ([8000, 32000], (2, 32000))
    """
    if x.ndim != 2:
        raise ValueError(f"speed_change expects (N, T), got shape {tuple(x.shape)}")
    n, t = x.shape
    f = torch.as_tensor(np.asarray(factors, dtype=np.float64), device="cpu").reshape(-1)
    if f.numel() != n:
        raise ValueError(f"speed_change: {f.numel()} factors for {n} clips")
    if not bool(torch.isfinite(f).all()) or bool((f <= 0).any()):
        raise ValueError(f"speed_change: factors must be finite and > 0, got {f.tolist()}")
    lens = (
        torch.full((n,), t, dtype=torch.int64, device="cpu")
        if lengths is None
        else lengths.to("cpu", torch.int64)
    )
    if out_lengths is None:
        new_lengths = torch.maximum(torch.round(lens.to(torch.float64) / f), lens.clamp(max=1)).to(
            torch.int64
        )
    else:
        new_lengths = out_lengths.to("cpu", torch.int64).reshape(-1)
    if lengths is not None:
        x = zero_padding(x.unsqueeze(1), lengths.to(x.device)).squeeze(1)
    # Speeding up by up to 1.5x: a lower-cutoff interpolation filter (quantised so filters are shared).
    # Beyond: an FFT low-pass first, then the normal filter.
    fq = np.ceil(f.numpy() * 64.0) / 64.0
    cutoff = np.where(f.numpy() > 1.0, np.minimum(_CUTOFF, _CUTOFF / fq - 0.06), _CUTOFF)
    fast = np.nonzero(f.numpy() > _FILTER_SPEEDUP)[0]
    if fast.size:
        cutoff[fast] = _CUTOFF
        x = x.clone()
        # Grouped by FFT size (from each clip's own length), so a clip gets the same result in any batch.
        sizes = np.array([_fast_size(int(lens[i]) + 1024) for i in fast])
        for size in np.unique(sizes):
            group = fast[sizes == size]
            sel = torch.as_tensor(group, device=x.device)
            x[sel] = _lowpass(x.index_select(0, sel), _CUTOFF / f[group], int(size))
        if lengths is not None:
            x = zero_padding(x.unsqueeze(1), lengths.to(x.device)).squeeze(1)
    y = read_at(x, torch.zeros(n, dtype=torch.float64, device="cpu"), f, new_lengths, cutoff=cutoff)
    return y, new_lengths.to(x.device)


def resample(x: Tensor, orig_sr: float, new_sr: float) -> Tensor:
    """Resample ``(..., T)`` from ``orig_sr`` to ``new_sr`` (any real ratio, fixed cost per sample); the new
    length is ``T * new_sr / orig_sr`` rounded (halves up), computed exactly.

    Example:
        >>> resample(torch.randn(2, 44100), 44100, 16000).shape
        torch.Size([2, 16000])
    """
    if not (orig_sr > 0 and new_sr > 0 and math.isfinite(orig_sr) and math.isfinite(new_sr)):
        raise ValueError(f"resample: sample rates must be finite and > 0, got {orig_sr} -> {new_sr}")
    if orig_sr == new_sr:
        return x.clone()
    lead = x.shape[:-1]
    flat = x.reshape(-1, x.shape[-1])
    factors = np.full(flat.shape[0], float(orig_sr) / float(new_sr))
    size = math.floor(Fraction(x.shape[-1]) * Fraction(new_sr) / Fraction(orig_sr) + Fraction(1, 2))
    y, _ = speed_change(
        flat, factors, out_lengths=torch.full((flat.shape[0],), size, dtype=torch.int64, device="cpu")
    )
    return y.reshape(*lead, y.shape[-1])
