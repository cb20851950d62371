"""Zero-phase Butterworth-magnitude filters applied in the frequency domain, with per-clip cutoffs.

The gain at frequency ``f`` of a low-pass of order ``n`` (``n = rolloff_db / 6``, any real value) with cutoff
``fc`` is ``1 / sqrt(1 + (f / fc) ** (2 n))``: -3.01 dB at the cutoff and a slope of ``rolloff_db`` dB per
octave far from it (``6 n`` dB per octave). A high-pass uses ``(fc / f)`` instead; a band-pass is the product
of a high-pass at the lower and a low-pass at the upper edge. The phase is untouched (zero phase: no delay).
Clips are zero-padded to at least twice their length before the FFT, so no circular wrap-around from one end
of a clip reaches the other at any level that matters (the filter's impulse response decays long before).
"""

from __future__ import annotations

import scipy.fft
import torch
from torch import Tensor

from .lengths import zero_padding

__all__ = ["band_pass", "butterworth_gain", "frequency_filter", "high_pass", "low_pass"]


def butterworth_gain(freqs: Tensor, cutoff: Tensor, order: Tensor, kind: str) -> Tensor:
    """Butterworth magnitude ``(B, F)`` at ``freqs`` ``(F,)`` for per-clip ``cutoff`` and ``order`` ``(B,)``.

    ``kind`` is ``"low"`` or ``"high"``. Computed in float64 (callers cast).

    Example:
        >>> g = butterworth_gain(torch.tensor([1000.0]), torch.tensor([1000.0]), torch.tensor([2.0]), "low")
        >>> round(float(20 * torch.log10(g[0, 0])), 2)
        -3.01
    """
    f = freqs.to(torch.float64)[None, :]
    fc = cutoff.to(torch.float64)[:, None]
    n = order.to(torch.float64)[:, None]
    if kind == "low":
        ratio = f / fc
    elif kind == "high":
        ratio = fc / f.clamp(min=1e-12)
    else:
        raise ValueError(f"kind must be 'low' or 'high', got {kind!r}")
    # 1/sqrt(1 + r^(2n)), written to stay finite for huge ratios.
    log_r = torch.log(ratio.clamp(min=1e-300))
    gain = torch.exp(-0.5 * torch.nn.functional.softplus(2.0 * n * log_r, beta=1.0, threshold=50.0))
    return gain if kind == "low" else torch.where(f > 0, gain, torch.zeros_like(gain))


def frequency_filter(audio: Tensor, gains_fn, sample_rate: float, lengths: Tensor | None = None) -> Tensor:
    """Filter ``audio`` ``(B, C, T)`` by a real per-clip gain curve evaluated on the padded FFT grid.

    ``gains_fn(freqs_hz)`` gets the bin frequencies ``(F,)`` and returns gains ``(B, F)``. The result keeps
    the input's length; padding past ``lengths`` stays zero.

    Example:
        >>> y = frequency_filter(torch.ones(1, 1, 8), lambda f: torch.ones(1, f.shape[0]), 16000)
        >>> torch.allclose(y, torch.ones(1, 1, 8))
        True
    """
    t = audio.shape[-1]
    n_fft = scipy.fft.next_fast_len(2 * t, real=True)
    freqs = torch.fft.rfftfreq(n_fft, d=1.0 / float(sample_rate), dtype=torch.float64)
    gains = gains_fn(freqs).to(device=audio.device, dtype=audio.dtype)
    spectrum = torch.fft.rfft(audio, n=n_fft, dim=-1)
    out = torch.fft.irfft(spectrum * gains[:, None, :], n=n_fft, dim=-1)[..., :t]
    return zero_padding(out.to(audio.dtype), lengths)


def low_pass(
    audio: Tensor, sample_rate: float, cutoff_hz: Tensor, rolloff_db: Tensor, lengths: Tensor | None = None
) -> Tensor:
    """Low-pass each clip at ``cutoff_hz[b]`` with a slope of ``rolloff_db[b]`` dB per octave.

    Example:
        >>> t = torch.arange(16000) / 16000
        >>> x = torch.sin(2 * torch.pi * 4000 * t).reshape(1, 1, -1)
        >>> y = low_pass(x, 16000, torch.tensor([1000.0]), torch.tensor([12.0]))
        >>> round(float(20 * torch.log10(y.norm() / x.norm())), 1)
        -24.1
    """
    cutoff, order = cutoff_hz.reshape(-1), rolloff_db.reshape(-1) / 6.0
    return frequency_filter(audio, lambda f: butterworth_gain(f, cutoff, order, "low"), sample_rate, lengths)


def high_pass(
    audio: Tensor, sample_rate: float, cutoff_hz: Tensor, rolloff_db: Tensor, lengths: Tensor | None = None
) -> Tensor:
    """High-pass each clip at ``cutoff_hz[b]`` with a slope of ``rolloff_db[b]`` dB per octave.

    Example:
        >>> t = torch.arange(16000) / 16000
        >>> x = torch.sin(2 * torch.pi * 250 * t).reshape(1, 1, -1)
        >>> y = high_pass(x, 16000, torch.tensor([1000.0]), torch.tensor([24.0]))
        >>> mid = slice(4000, 12000)  # away from the clip's edges, where the cut-off sine has transients
        >>> round(float(20 * torch.log10(y[..., mid].norm() / x[..., mid].norm())), 1)
        -48.2
    """
    cutoff, order = cutoff_hz.reshape(-1), rolloff_db.reshape(-1) / 6.0
    return frequency_filter(audio, lambda f: butterworth_gain(f, cutoff, order, "high"), sample_rate, lengths)


def band_pass(
    audio: Tensor,
    sample_rate: float,
    low_hz: Tensor,
    high_hz: Tensor,
    rolloff_db: Tensor,
    lengths: Tensor | None = None,
) -> Tensor:
    """Band-pass each clip between ``low_hz[b]`` and ``high_hz[b]`` (each edge -3 dB), ``rolloff_db`` per
    octave.

    Example:
        >>> x = torch.randn(2, 1, 4000)
        >>> band_pass(x, 16000, torch.tensor([300.0, 500.0]), torch.tensor([3000.0, 900.0]),
        ...           torch.tensor([12.0, 24.0])).shape
        torch.Size([2, 1, 4000])
    """
    low, high, order = low_hz.reshape(-1), high_hz.reshape(-1), rolloff_db.reshape(-1) / 6.0

    def gains(f: Tensor) -> Tensor:
        return butterworth_gain(f, low, order, "high") * butterworth_gain(f, high, order, "low")

    return frequency_filter(audio, gains, sample_rate, lengths)
