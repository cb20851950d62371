"""Zero-phase Butterworth-magnitude filters applied in the frequency domain, with per-clip cutoffs.

The gain at frequency ``f`` of a low-pass of order ``n`` (``n = rolloff_db / 6``, any real value) with cutoff
``fc`` is ``1 / sqrt(1 + (f / fc) ** (2 n))``: -3.01 dB at the cutoff and a slope of ``rolloff_db`` dB per
octave far from it (``6 n`` dB per octave). A high-pass uses ``(fc / f)`` instead; a band-pass is the product
of a high-pass at the lower and a low-pass at the upper edge; a band-stop is the analog Butterworth band-stop
``1 / sqrt(1 + (B f / (f0**2 - f**2)) ** (2 n))`` (``B`` the width, ``f0`` the geometric centre: -3 dB at both
edges, no gain at all at the centre). The phase is untouched (zero phase: no delay).

The batch is filtered by one real FFT with a per-clip gain curve. To keep the FFT linear (no circular
wrap-around from one end of a clip to the other) clips are zero-padded by the length over which the
filter's impulse response decays by about 140 dB: ``16 / (2 pi fc sin(pi / 2n))`` seconds (the decay rate of
the nearest pole of a Butterworth response) plus 512 samples for the slow algebraic tail of non-integer
orders, and never more than ``MAX_PADDING_S`` (2 s) of audio: a cap that does not depend on the batch, so a clip
gets the same result alone as padded in a batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import scipy.fft
import torch
from torch import Tensor

from .fft import irfft, rfft

__all__ = [
    "band_pass",
    "band_stop",
    "band_stop_gain",
    "butterworth_gain",
    "decay_padding",
    "equalizer",
    "equalizer_gain",
    "frequency_filter",
    "high_pass",
    "low_pass",
]


def butterworth_gain(freqs: Tensor, cutoff: Tensor, order: Tensor, kind: str) -> Tensor:
    """Butterworth magnitude ``(B, F)`` (float32) at ``freqs`` ``(F,)`` for per-clip ``cutoff`` and ``order``.

    ``kind`` is ``"low"`` or ``"high"``; the curve is ``(1 + r ** (2 n)) ** -0.5`` with ``r = f / fc`` (low)
    or ``fc / f`` (high, 0 at DC), evaluated as ``exp(2 n log r)`` so it stays finite for any ratio.

    Example:
        >>> g = butterworth_gain(torch.tensor([1000.0]), torch.tensor([1000.0]), torch.tensor([2.0]), "low")
        >>> round(float(20 * torch.log10(g[0, 0])), 2)
        -3.01
    """
    if kind not in ("low", "high"):
        raise ValueError(f"kind must be 'low' or 'high', got {kind!r}")
    device = freqs.device
    log_f = torch.log(freqs.to(torch.float64).clamp(min=1e-6)).to(torch.float32)
    log_c = torch.log(cutoff.to(torch.float64)).to(device=device, dtype=torch.float32)[:, None]
    two_n = (2.0 * order.to(torch.float64)).to(device=device, dtype=torch.float32)[:, None]
    z = log_f[None, :] - log_c if kind == "low" else log_c - log_f[None, :]
    gain = z.mul_(two_n).clamp_(max=80.0).exp_().add_(1.0).rsqrt_()
    if kind == "high":
        gain[:, freqs == 0] = 0.0
    return gain


#: The most zero-padding a filter gets, in seconds of audio: a cap that does not depend on the batch (capping at
#: the batch's length made a short clip's result depend on the clips it was batched with).
MAX_PADDING_S = 2.0


def decay_padding(sample_rate: float, edges_hz: Tensor, orders: Tensor) -> int:
    """Zero-padding (samples) after which every filter's impulse response has decayed (see the module doc).

    Example:
        >>> decay_padding(16000, torch.tensor([1000.0]), torch.tensor([2.0]))
        570
    """
    cap = math.ceil(MAX_PADDING_S * float(sample_rate))
    fc = float(edges_hz.min())
    n = float(orders.max())
    damping = math.sin(math.pi / (2.0 * n)) if n > 0.5 else 0.0  # orders up to 1/2 have no decaying pole
    if damping < 1e-3 or fc <= 0.0:
        return cap
    return min(cap, math.ceil(16.0 / (2.0 * math.pi * fc * damping) * float(sample_rate)) + 512)


def frequency_filter(
    audio: Tensor,
    gains_fn: Callable[[Tensor], Tensor],
    sample_rate: float,
    lengths: Tensor | None = None,
    padding: int | None = None,
) -> Tensor:
    """Filter ``audio`` ``(B, C, T)`` by a real per-clip gain curve evaluated on the padded FFT grid.

    ``gains_fn(freqs_hz)`` gets the bin frequencies ``(F,)`` (float64, on the audio's device) and returns
    gains ``(B, F)``. ``padding`` zeros are appended before the FFT (default ``T``: no wrap-around for any
    filter). The result keeps the input's length; padding past ``lengths`` stays zero. Clips of a padded batch
    are transformed in groups of equal valid length, each at the FFT size of its own length, so a clip gets the
    same result alone as in any batch (a zero-phase response's slow tail aliases differently at another size).

    Example:
        >>> y = frequency_filter(torch.ones(1, 1, 8), lambda f: torch.ones(1, f.shape[0]), 16000)
        >>> torch.allclose(y, torch.ones(1, 1, 8))
        True
    """
    t = audio.shape[-1]
    lens = None if lengths is None else lengths.cpu().numpy()
    if lens is None or (lens == t).all():
        return _filter_rows(audio, gains_fn, sample_rate, padding, None)
    out = torch.zeros_like(audio)
    for length in np.unique(lens).tolist():
        rows = np.flatnonzero(lens == length)
        index = torch.as_tensor(rows, device=audio.device)
        part = audio.index_select(0, index)[..., :length]
        out[index, :, :length] = _filter_rows(part, gains_fn, sample_rate, padding, rows)
    return out


def _filter_rows(
    audio: Tensor,
    gains_fn: Callable[[Tensor], Tensor],
    sample_rate: float,
    padding: int | None,
    rows: np.ndarray | None,
) -> Tensor:
    """:func:`frequency_filter` of full-length clips; ``rows`` picks their gain curves from ``gains_fn``'s."""
    t = audio.shape[-1]
    n_fft = scipy.fft.next_fast_len(t + (t if padding is None else padding), real=True)
    freqs = torch.fft.rfftfreq(n_fft, d=1.0 / float(sample_rate), dtype=torch.float64, device=audio.device)
    spectrum = rfft(audio, n_fft)
    gains = gains_fn(freqs)
    if rows is not None:
        gains = gains[torch.as_tensor(rows, device=gains.device)]
    torch.view_as_real(spectrum).mul_(
        gains.to(spectrum.real.dtype)[:, None, :, None]
    )  # 4x a complex multiply
    return irfft(spectrum, n_fft)[..., :t].to(audio.dtype)


def _one_edge(
    kind: str,
    audio: Tensor,
    sample_rate: float,
    cutoff_hz: Tensor,
    rolloff_db: Tensor,
    lengths: Tensor | None,
) -> Tensor:
    cutoff = cutoff_hz.reshape(-1).to(torch.float64)
    order = rolloff_db.reshape(-1).to(torch.float64) / 6.0
    padding = decay_padding(sample_rate, cutoff, order)
    return frequency_filter(
        audio, lambda f: butterworth_gain(f, cutoff, order, kind), sample_rate, lengths, padding
    )


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
    return _one_edge("low", audio, sample_rate, cutoff_hz, rolloff_db, lengths)


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
    return _one_edge("high", audio, sample_rate, cutoff_hz, rolloff_db, lengths)


def band_pass(
    audio: Tensor,
    sample_rate: float,
    low_hz: Tensor,
    high_hz: Tensor,
    rolloff_db: Tensor,
    lengths: Tensor | None = None,
) -> Tensor:
    """Band-pass each clip between ``low_hz[b]`` and ``high_hz[b]`` (-3 dB edges), ``rolloff_db`` per octave.

    Example:
        >>> x = torch.randn(2, 1, 4000)
        >>> band_pass(x, 16000, torch.tensor([300.0, 500.0]), torch.tensor([3000.0, 900.0]),
        ...           torch.tensor([12.0, 24.0])).shape
        torch.Size([2, 1, 4000])
    """
    low, high, order = _band(low_hz, high_hz, rolloff_db)
    padding = decay_padding(sample_rate, torch.minimum(low, high), order)

    def gains(f: Tensor) -> Tensor:
        return butterworth_gain(f, low, order, "high").mul_(butterworth_gain(f, high, order, "low"))

    return frequency_filter(audio, gains, sample_rate, lengths, padding)


def _band(low_hz: Tensor, high_hz: Tensor, rolloff_db: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Per-clip band edges and Butterworth order (``rolloff_db / 6``) as float64 ``(B,)`` tensors."""
    order = rolloff_db.reshape(-1).to(torch.float64) / 6.0
    return low_hz.reshape(-1).to(torch.float64), high_hz.reshape(-1).to(torch.float64), order


def band_stop_gain(freqs: Tensor, low: Tensor, high: Tensor, order: Tensor) -> Tensor:
    """Butterworth band-stop magnitude ``(B, F)`` (float32) between per-clip edges ``low`` and ``high`` (Hz).

    Example:
        >>> g = band_stop_gain(torch.tensor([500.0, 1000.0, 2000.0]), torch.tensor([500.0]),
        ...                    torch.tensor([2000.0]), torch.tensor([2.0]))
        >>> [round(float(20 * torch.log10(v)), 2) for v in g[0, [0, 2]]], float(g[0, 1]) < 1e-12
        ([-3.01, -3.01], True)
    """
    device = freqs.device
    f = freqs.to(torch.float32)[None, :]
    lo, hi = low.to(torch.float64), high.to(torch.float64)
    width = (hi - lo).to(device=device, dtype=torch.float32)[:, None]
    centre2 = (lo * hi).to(device=device, dtype=torch.float32)[:, None]
    two_n = (2.0 * order.to(torch.float64)).to(device=device, dtype=torch.float32)[:, None]
    # (B f / |f0^2 - f^2|) ** 2n: inf at the centre (gain 0), 0 at DC (gain 1); float32 keeps a bin's
    # distance from the centre to better than 1e-4 relative
    ratio = (centre2 - f * f).abs_().reciprocal_().mul_(width * f)
    return ratio.pow_(two_n).add_(1.0).rsqrt_()


def band_stop(
    audio: Tensor,
    sample_rate: float,
    low_hz: Tensor,
    high_hz: Tensor,
    rolloff_db: Tensor,
    lengths: Tensor | None = None,
) -> Tensor:
    """Band-stop (notch) each clip between ``low_hz[b]`` and ``high_hz[b]`` (-3 dB edges); order ``rolloff_db / 6``.

    Example:
        >>> t = torch.arange(16000) / 16000
        >>> x = torch.sin(2 * torch.pi * 1000 * t).reshape(1, 1, -1)
        >>> y = band_stop(x, 16000, torch.tensor([700.0]), torch.tensor([1400.0]), torch.tensor([24.0]))
        >>> float(20 * torch.log10(y[..., 4000:12000].norm() / x[..., 4000:12000].norm())) < -60
        True
    """
    low, high, order = _band(low_hz, high_hz, rolloff_db)
    padding = decay_padding(sample_rate, torch.minimum(low, high - low), order)
    return frequency_filter(
        audio, lambda f: band_stop_gain(f, low, high, order), sample_rate, lengths, padding
    )


EQ_KINDS = ("low_shelf", "high_shelf", "peaking")


def equalizer_gain(freqs: Tensor, kind: str, centre: Tensor, gain_db: Tensor, q: Tensor) -> Tensor:
    """Magnitude ``(B, F)`` (float32) of the analog shelving or peaking equaliser of the RBJ cookbook.

    ``kind`` is ``"low_shelf"``, ``"high_shelf"`` or ``"peaking"``; per clip ``centre`` (Hz), ``gain_db`` and
    ``q``. A low shelf has ``gain_db`` at DC and 0 dB far above the centre, a high shelf the reverse, a peaking
    filter ``gain_db`` at the centre and 0 dB far from it, with a bandwidth of about ``centre / q``.

    Example:
        >>> f = torch.tensor([1.0, 1000.0, 1e6])
        >>> g = equalizer_gain(f, "peaking", torch.tensor([1000.0]), torch.tensor([6.0]), torch.tensor([2.0]))
        >>> [round(float(20 * torch.log10(v)), 2) for v in g[0]]
        [0.0, 6.0, 0.0]
    """
    if kind not in EQ_KINDS:
        raise ValueError(f"kind must be one of {EQ_KINDS}, got {kind!r}")
    device = freqs.device

    def column(values: Tensor) -> Tensor:  # per-clip constants, derived in float64
        return values.to(device=device, dtype=torch.float32)[:, None]

    w = (freqs.to(torch.float32)[None, :] / column(centre)).square_()  # (f / f0)^2: w stands for w^2 below
    a64 = 10.0 ** (gain_db.to(torch.float64) / 40.0)
    if kind == "peaking":  # |H|^2 = ((1 - w^2)^2 + (w A / Q)^2) / ((1 - w^2)^2 + (w / (A Q))^2)
        dip = (1.0 - w).square_()
        num = torch.addcmul(dip, w, column((a64 / q.to(torch.float64)) ** 2))
        return num.div_(dip.addcmul_(w, column(1.0 / (a64 * q.to(torch.float64)) ** 2))).sqrt_()
    a = column(a64)
    cross = w * column(a64 / q.to(torch.float64) ** 2)  # (w sqrt(A) / Q)^2
    low = (a - w).square_().add_(cross)
    high = (1.0 - a * w).square_().add_(cross)
    ratio = low.div_(high) if kind == "low_shelf" else high.div_(low)
    return ratio.sqrt_().mul_(a)


def _decay_hz(kind: str, centre: Tensor, gain_db: Tensor, q: Tensor) -> Tensor:
    """Per clip, the decay rate (as ``rate / 2 pi``, Hz) of the slowest pole of an equaliser band.

    The cookbook's denominators, in ``s / w0``: peaking ``s^2 + s / (A Q) + 1``, low shelf
    ``A s^2 + (sqrt(A) / Q) s + 1``, high shelf ``s^2 + (sqrt(A) / Q) s + A``. A boost rings ``A`` times longer
    than its width suggests, and a shelf with a small ``Q`` is overdamped, with one pole far slower than ``w0``.
    """
    a64 = 10.0 ** (gain_db.to(torch.float64) / 40.0)
    q64 = q.to(torch.float64)
    one = torch.ones_like(a64)
    if kind == "peaking":
        a, b, c = one, 1.0 / (a64 * q64), one
    elif kind == "low_shelf":
        a, b, c = a64, a64.sqrt() / q64, one
    else:
        a, b, c = one, a64.sqrt() / q64, a64
    disc = b * b - 4.0 * a * c
    # real poles: the slower root (b - sqrt(disc)) / 2a, written stably; complex poles decay at b / 2a
    rate = torch.where(disc >= 0, 2.0 * c / (b + disc.clamp(min=0.0).sqrt()), b / (2.0 * a))
    return rate * centre.to(torch.float64)


def equalizer(
    audio: Tensor,
    sample_rate: float,
    bands: list[tuple[str, Tensor, Tensor, Tensor]],
    lengths: Tensor | None = None,
) -> Tensor:
    """Apply equaliser ``bands`` (``(kind, centre_hz, gain_db, q)``, per-clip tensors) in one zero-phase FFT.

    Example:
        >>> t = torch.arange(16000) / 16000
        >>> x = torch.sin(2 * torch.pi * 100 * t).reshape(1, 1, -1)
        >>> band = ("low_shelf", torch.tensor([1000.0]), torch.tensor([-12.0]), torch.tensor([0.7]))
        >>> y = equalizer(x, 16000, [band])
        >>> round(float(20 * torch.log10(y[..., 4000:12000].norm() / x[..., 4000:12000].norm())), 1)
        -12.0
    """
    # the slowest pole of any band rings longest: its decay rate sets the padding
    slowest = min(float(_decay_hz(*band).min()) for band in bands)
    host = torch.device("cpu")
    padding = decay_padding(
        sample_rate, torch.tensor([slowest], device=host), torch.tensor([1.0], device=host)
    )

    def gains(f: Tensor) -> Tensor:
        total = equalizer_gain(f, *bands[0])
        for band in bands[1:]:
            total.mul_(equalizer_gain(f, *band))
        return total

    return frequency_filter(audio, gains, sample_rate, lengths, padding)
