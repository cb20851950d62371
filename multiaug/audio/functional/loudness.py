"""Integrated loudness (LUFS) per ITU-R BS.1770-4: K-weighting, 400 ms blocks, absolute and relative gates.

The K-weighting is a high shelf (+4 dB above about 1.7 kHz, the head's acoustic effect) followed by a high-pass
at about 38 Hz. BS.1770 publishes its coefficients for 48 kHz only; for any rate from 3364 Hz (twice the
shelf's centre) they are derived here from the analog parameters that reproduce the published ones exactly
through the bilinear transform with pre-warping (the same derivation as libebur128's), so 48 kHz gives the
standard's coefficients to 1e-8.

Loudness of a clip: ``-0.691 + 10 log10(sum_c z_c)`` over the blocks that pass both gates, ``z_c`` the mean
square of K-weighted channel ``c``; blocks are 400 ms with 75 % overlap, the absolute gate is -70 LUFS and the
relative gate 10 LU below the loudness of the blocks above the absolute gate. Every channel has weight 1 (the
standard's weight for left, right and centre; surround channels would get 1.41). A clip shorter than one block
is measured as one block; a silent clip measures ``-inf``.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["MIN_SAMPLE_RATE", "integrated_loudness", "k_weighting", "loudness_gradient"]

_SHELF_HZ, _SHELF_DB, _SHELF_Q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
_SHELF_SLOPE = 0.4996667741545416
_HIGHPASS_HZ, _HIGHPASS_Q = 38.13547087602444, 0.5003270373238773
#: The lowest rate (Hz) with the shelf's centre below Nyquist; at lower rates the pre-warped shelf is unstable.
MIN_SAMPLE_RATE = math.floor(2.0 * _SHELF_HZ) + 1


def k_weighting(sample_rate: float) -> np.ndarray:
    """The K-weighting filter as second-order sections ``(2, 6)`` (scipy's ``sos`` layout) at ``sample_rate``.

    Example:
        >>> sos = k_weighting(48000)
        >>> [round(float(v), 8) for v in sos[0, :3]]   # BS.1770-4, table 1
        [1.53512486, -2.69169619, 1.19839281]
    """
    if sample_rate < MIN_SAMPLE_RATE:
        raise ValueError(
            f"K-weighting needs a sample rate of at least {MIN_SAMPLE_RATE} Hz (its shelf sits at "
            f"{_SHELF_HZ:.0f} Hz), got {sample_rate}"
        )
    k = math.tan(math.pi * _SHELF_HZ / sample_rate)
    vh = 10.0 ** (_SHELF_DB / 20.0)
    vb = vh**_SHELF_SLOPE
    a0 = 1.0 + k / _SHELF_Q + k * k
    shelf = [
        (vh + vb * k / _SHELF_Q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / _SHELF_Q + k * k) / a0,
        1.0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / _SHELF_Q + k * k) / a0,
    ]
    k = math.tan(math.pi * _HIGHPASS_HZ / sample_rate)
    a0 = 1.0 + k / _HIGHPASS_Q + k * k
    high_pass = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / _HIGHPASS_Q + k * k) / a0]
    return np.array([shelf, high_pass])


def integrated_loudness(
    audio: np.ndarray, sample_rate: float, lengths: np.ndarray | None = None
) -> np.ndarray:
    """Integrated loudness in LUFS ``(B,)`` of each clip of ``audio`` ``(B, C, T)`` over its valid part.

    Example:
        >>> t = np.arange(48000 * 3) / 48000
        >>> sine = np.sin(2 * np.pi * 997 * t)[None, None]     # 0 dBFS at 997 Hz: -3.01 LUFS by definition
        >>> round(float(integrated_loudness(sine, 48000)[0]), 2)
        -3.01
    """
    return _measure(audio, sample_rate, lengths, gradient=False)[0]


def loudness_gradient(
    audio: np.ndarray, sample_rate: float, lengths: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`integrated_loudness` ``(B,)`` and its derivative with respect to ``audio`` ``(B, C, T)``.

    The gates' choice of blocks is piecewise constant and held fixed; the derivative is taken through the
    K-weighting, the blocks' mean squares and the log. It is 0 for a clip with no loudness (``-inf``).

    Example:
        >>> x = 0.1 * np.sin(0.3 * np.arange(16000))[None, None]     # 2 s at 8 kHz: 17 blocks
        >>> value, grad = loudness_gradient(x, 8000)
        >>> d = 1e-6 * np.random.default_rng(0).standard_normal(x.shape)
        >>> change = integrated_loudness(x + d, 8000)[0] - integrated_loudness(x - d, 8000)[0]
        >>> round(float(value[0]), 2), bool(abs(change - 2 * (grad * d).sum()) < 1e-12)
        (-23.52, True)
    """
    measured, grad = _measure(audio, sample_rate, lengths, gradient=True)
    assert grad is not None
    return measured, grad


def _measure(
    audio: np.ndarray, sample_rate: float, lengths: np.ndarray | None, *, gradient: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    import scipy.signal  # 0.4 s to import: only when loudness is measured

    b, _, t = audio.shape
    lens = np.full(b, t) if lengths is None else np.asarray(lengths, dtype=np.int64)
    sos = k_weighting(sample_rate)
    weighted = scipy.signal.sosfilt(sos, np.asarray(audio, dtype=np.float64), axis=-1)
    block = round(0.4 * sample_rate)
    hop = max(1, block // 4)
    out = np.empty(b)
    grad = np.zeros_like(weighted) if gradient else None
    for i, n in enumerate(lens.tolist()):
        power = np.square(weighted[i, :, :n])
        if n <= block:  # shorter than one block: the clip is the block
            z = power.mean(axis=-1, keepdims=True)
            starts, size = np.zeros(1, dtype=np.int64), n
        else:
            # mean square of every channel over every block: sums over segments of gcd(block, hop) samples
            # (vectorised), then their running sum (a few per block instead of one per sample)
            g = math.gcd(block, hop)
            segments = power[:, : (n // g) * g].reshape(power.shape[0], -1, g).sum(axis=-1)
            cum = np.concatenate([np.zeros((power.shape[0], 1)), np.cumsum(segments, axis=-1)], axis=-1)
            starts, size = np.arange(0, n - block + 1, hop), block
            z = (cum[:, starts // g + block // g] - cum[:, starts // g]) / block  # (C, blocks)
        energy = z.sum(axis=0)
        with np.errstate(divide="ignore"):
            blocks = -0.691 + 10.0 * np.log10(energy)
            kept = blocks > -70.0
            if kept.any():
                relative = -0.691 + 10.0 * np.log10(energy[kept].mean()) - 10.0
                kept &= blocks > relative
            out[i] = -0.691 + 10.0 * np.log10(energy[kept].mean()) if kept.any() else -np.inf
        if grad is not None and kept.any():
            # d loudness / d weighted sample: 10 / ln 10 / (mean kept energy) times d(mean kept energy), where
            # each kept block holding the sample adds 2 * sample / (blocks kept * block size)
            cover = np.zeros(n + 1)
            cover[starts[kept]] += 1.0
            cover[starts[kept] + size] -= 1.0
            scale = 20.0 / math.log(10.0) / energy[kept].mean() / (np.count_nonzero(kept) * size)
            grad[i, :, :n] = (scale * np.cumsum(cover[:n])) * weighted[i, :, :n]
    if grad is not None:
        # back through the K-weighting, a causal time-invariant filter: its transpose is the same filter run
        # backwards in time
        grad = np.ascontiguousarray(scipy.signal.sosfilt(sos, grad[..., ::-1], axis=-1)[..., ::-1])
    return out, grad
