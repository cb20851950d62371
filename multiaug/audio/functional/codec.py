"""Lossy codec round trips in memory through libsndfile (LAME for MP3 encoding, mpg123 for decoding).

libsndfile (1.1 and later) maps a compression level ``c`` in [0, 1] to a constant bitrate that falls linearly
from the MPEG version's highest to its lowest: ``320 - 288 c`` kbps at 32-48 kHz (MPEG-1), ``160 - 152 c`` at
16-24 kHz (MPEG-2) and ``64 - 56 c`` at 8-12 kHz (MPEG-2.5); LAME then uses the nearest bitrate its table
allows. Decoding is gapless (the encoder delay and padding are removed) except at the lowest bitrates, where
LAME writes no gapless header or low-passes with a filter of its own delay; the decoded clip is therefore
aligned with the original by cross-correlation (within 4096 samples) before it is cut to the original length.
"""

from __future__ import annotations

import io

import numpy as np
import soundfile as sf

__all__ = ["MP3_RATES", "mp3_bitrate_range", "mp3_roundtrip", "mp3_supported"]

#: The sample rates MPEG-1, 2 and 2.5 Layer III can hold.
MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)


def mp3_supported() -> bool:
    """Whether this soundfile/libsndfile can encode MP3 with a chosen bitrate (libsndfile >= 1.1)."""
    import inspect

    return "MP3" in sf.available_formats() and "compression_level" in inspect.signature(sf.write).parameters


def mp3_bitrate_range(sample_rate: int) -> tuple[float, float]:
    """The lowest and highest constant bitrates (kbps) libsndfile offers at ``sample_rate``.

    Example:
        >>> mp3_bitrate_range(16000), mp3_bitrate_range(44100)
        ((8.0, 160.0), (32.0, 320.0))
    """
    if sample_rate >= 32000:
        return 32.0, 320.0
    if sample_rate >= 16000:
        return 8.0, 160.0
    return 8.0, 64.0


def mp3_roundtrip(clip: np.ndarray, sample_rate: int, bitrate_kbps: float) -> np.ndarray:
    """Encode ``clip`` ``(C, T)`` (float32, in [-1, 1]) as MP3 at about ``bitrate_kbps`` and decode it back.

    Mono and stereo clips are coded as they are; clips of three or more channels one channel at a time (MP3
    holds at most two).

    The bitrate is clamped to what the sample rate's MPEG version offers (:func:`mp3_bitrate_range`). Returns a
    float32 ``(C, T)`` array of the same length.

    Example:
        >>> t = np.arange(16000) / 16000
        >>> x = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None]
        >>> y = mp3_roundtrip(x, 16000, 32)
        >>> y.shape, bool(np.abs(y - x).max() < 0.2)
        ((1, 16000), True)
    """
    if clip.shape[0] > 2:  # MP3 holds mono or stereo only: code more channels one by one
        return np.concatenate(
            [mp3_roundtrip(clip[c : c + 1], sample_rate, bitrate_kbps) for c in range(len(clip))]
        )
    low, high = mp3_bitrate_range(sample_rate)
    level = float(np.clip((high - bitrate_kbps) / (high - low), 0.0, 0.99))
    buffer = io.BytesIO()
    sf.write(
        buffer,
        np.clip(clip, -1.0, 1.0).T,
        sample_rate,
        format="MP3",
        subtype="MPEG_LAYER_III",
        compression_level=level,
        bitrate_mode="CONSTANT",
    )
    buffer.seek(0)
    decoded, _ = sf.read(buffer, dtype="float32", always_2d=True)
    lag = _delay(decoded.T, clip)
    out = np.zeros(clip.shape, dtype=np.float32)
    start, stop = max(lag, 0), min(decoded.shape[0], lag + clip.shape[1])
    if stop > start:
        out[:, start - lag : stop - lag] = decoded[start:stop].T
    return out


def _delay(decoded: np.ndarray, original: np.ndarray, max_lag: int = 4096) -> int:
    """The lag (samples, -max_lag..max_lag) at which ``decoded`` best matches ``original`` (cross-correlation).

    Both are ``(T,)`` or ``(C, T)``; the channels' cross-correlations are summed (the mean of the channels
    would be silent for a stereo clip whose channels cancel, R = -L).
    """
    import scipy.fft

    n = scipy.fft.next_fast_len(decoded.shape[-1] + original.shape[-1], real=True)
    product = scipy.fft.rfft(decoded, n, axis=-1) * np.conj(scipy.fft.rfft(original, n, axis=-1))
    corr = scipy.fft.irfft(product.reshape(-1, product.shape[-1]).sum(axis=0), n)
    window = min(max_lag, n // 2 - 1)
    lags = np.concatenate([corr[: window + 1], corr[n - window :]])
    best = int(np.argmax(lags))
    return best if best <= window else best - (2 * window + 1)
