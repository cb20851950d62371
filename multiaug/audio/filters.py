"""Low-, high-, band-pass and band-stop filters with random cutoffs per clip, applied in the frequency domain.

Each filter has a Butterworth magnitude response of any real order ``n = rolloff_db / 6``: the gain is -3.01 dB
at a cutoff and falls by ``rolloff_db`` dB per octave beyond it (e.g. 12 dB/octave: a tone two octaves above a
low-pass cutoff loses 24.1 dB). The phase is untouched (zero phase, no delay). The whole batch is filtered by
one FFT with a per-clip gain curve; clips are zero-padded to twice their length first, so there is no circular
wrap-around. Cutoffs are drawn log-uniformly (equal odds per octave) and may lie above Nyquist (then a low-pass
barely changes the clip).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..core import Draws, register
from ..core.checks import check_range
from ..core.errors import ConfigError
from .base import AudioAugmenter, AudioBatch
from .functional.filters import band_pass, band_stop, high_pass, low_pass

__all__ = ["BandPassFilter", "BandStopFilter", "HighPassFilter", "LowPassFilter"]


def _hz(value: Any, name: str) -> tuple[float, float]:
    low, high = check_range(value, name, min_value=0.0)
    if low <= 0.0:
        raise ConfigError(f"{name} must be > 0 Hz, got {value!r}")
    return low, high


def _rolloff(value: Any) -> tuple[float, float]:
    return check_range(value, "rolloff_db", min_value=1.0, max_value=120.0)


def _tensor(params: dict[str, Any], key: str) -> torch.Tensor:
    return torch.as_tensor(np.asarray(params[key], dtype=np.float64), device="cpu")


class _CutoffFilter(AudioAugmenter):
    """Shared code of the one-cutoff filters: a subclass sets ``kernel`` and passes its arguments on in order."""

    kernel = staticmethod(low_pass)

    def __init__(
        self,
        cutoff_hz: float | tuple[float, float],
        rolloff_db: float | tuple[float, float],
        p: float,
        same_on_batch: bool,
        per_channel: bool,
        sample_rate: int | None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.cutoff_hz = _hz(cutoff_hz, "cutoff_hz")
        self.rolloff_db = _rolloff(rolloff_db)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {
            "cutoff_hz": draws.log_uniform(*self.cutoff_hz),
            "rolloff_db": draws.uniform(*self.rolloff_db),
        }

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        rate = batch.require_sample_rate(self)
        out = self.kernel(
            batch.audio, rate, _tensor(params, "cutoff_hz"), _tensor(params, "rolloff_db"), batch.lengths
        )
        return batch.replace(audio=out)


@register("audio.LowPassFilter")
class LowPassFilter(_CutoffFilter):
    """Remove frequencies above a cutoff drawn log-uniformly from ``cutoff_hz``, ``rolloff_db`` dB per octave.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> t = torch.arange(16000) / 16000
        >>> tone = torch.sin(2 * torch.pi * 4000 * t)                     # two octaves above 1 kHz
        >>> y = ma.LowPassFilter(cutoff_hz=1000.0, rolloff_db=12.0, p=1.0)(tone, sample_rate=16000)
        >>> round(float(20 * torch.log10(y.norm() / tone.norm())), 1)
        -24.1
    """

    kernel = staticmethod(low_pass)

    def __init__(
        self,
        cutoff_hz: float | tuple[float, float] = (150.0, 7500.0),
        rolloff_db: float | tuple[float, float] = (12.0, 24.0),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(cutoff_hz, rolloff_db, p, same_on_batch, per_channel, sample_rate)


@register("audio.HighPassFilter")
class HighPassFilter(_CutoffFilter):
    """Remove frequencies below a cutoff drawn log-uniformly from ``cutoff_hz``, ``rolloff_db`` dB per octave.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> t = torch.arange(16000) / 16000
        >>> hum = torch.sin(2 * torch.pi * 50 * t)                         # two octaves below 200 Hz
        >>> y = ma.HighPassFilter(cutoff_hz=200.0, rolloff_db=24.0, p=1.0)(hum, sample_rate=16000)
        >>> float(20 * torch.log10(y[4000:12000].norm() / hum[4000:12000].norm())) < -48
        True
    """

    kernel = staticmethod(high_pass)

    def __init__(
        self,
        cutoff_hz: float | tuple[float, float] = (20.0, 2400.0),
        rolloff_db: float | tuple[float, float] = (12.0, 24.0),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(cutoff_hz, rolloff_db, p, same_on_batch, per_channel, sample_rate)


class _BandFilter(AudioAugmenter):
    """Shared code of the band filters: a subclass sets ``kernel`` and passes its arguments on in order."""

    kernel = staticmethod(band_pass)

    def __init__(
        self,
        center_hz: float | tuple[float, float],
        bandwidth: float | tuple[float, float],
        rolloff_db: float | tuple[float, float],
        p: float,
        same_on_batch: bool,
        per_channel: bool,
        sample_rate: int | None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.center_hz = _hz(center_hz, "center_hz")
        self.bandwidth = check_range(bandwidth, "bandwidth", min_value=1e-3, max_value=1.999)
        self.rolloff_db = _rolloff(rolloff_db)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {
            "center_hz": draws.log_uniform(*self.center_hz),
            "bandwidth": draws.uniform(*self.bandwidth),
            "rolloff_db": draws.uniform(*self.rolloff_db),
        }

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        rate = batch.require_sample_rate(self)
        center, width = _tensor(params, "center_hz"), _tensor(params, "bandwidth")
        low, high = center * (1.0 - width / 2.0), center * (1.0 + width / 2.0)
        out = self.kernel(batch.audio, rate, low, high, _tensor(params, "rolloff_db"), batch.lengths)
        return batch.replace(audio=out)


@register("audio.BandPassFilter")
class BandPassFilter(_BandFilter):
    """Keep a band around a centre drawn log-uniformly from ``center_hz``; width a fraction of the centre.

    The band is ``center * (1 - w / 2)`` to ``center * (1 + w / 2)`` with ``w`` drawn uniformly from
    ``bandwidth`` (0 < w < 2); both edges are -3 dB points of Butterworth slopes of ``rolloff_db`` dB/octave.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> aug = ma.BandPassFilter(center_hz=1000.0, bandwidth=1.0, rolloff_db=24.0, p=1.0)
        >>> aug(torch.randn(2, 1, 8000), sample_rate=16000).shape
        torch.Size([2, 1, 8000])
    """

    kernel = staticmethod(band_pass)

    def __init__(
        self,
        center_hz: float | tuple[float, float] = (200.0, 4000.0),
        bandwidth: float | tuple[float, float] = (0.5, 1.99),
        rolloff_db: float | tuple[float, float] = (12.0, 24.0),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(center_hz, bandwidth, rolloff_db, p, same_on_batch, per_channel, sample_rate)


@register("audio.BandStopFilter")
class BandStopFilter(_BandFilter):
    """Remove a band (a notch) around a centre drawn log-uniformly from ``center_hz``; width a fraction of it.

    The band's edges are ``center * (1 -+ w / 2)`` with ``w`` drawn uniformly from ``bandwidth`` (0 < w < 2):
    -3 dB there and no gain at all at their geometric mean, with the analog Butterworth band-stop response of
    order ``rolloff_db / 6`` (higher orders: flatter outside the band, steeper edges). Zero phase.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> t = torch.arange(16000) / 16000
        >>> tone = torch.sin(2 * torch.pi * 1000 * t)
        >>> y = ma.BandStopFilter(center_hz=1000.0, bandwidth=0.5, rolloff_db=24.0, p=1.0)(tone, sample_rate=16000)
        >>> float(20 * torch.log10(y[4000:12000].norm() / tone[4000:12000].norm())) < -40
        True
    """

    kernel = staticmethod(band_stop)

    def __init__(
        self,
        center_hz: float | tuple[float, float] = (200.0, 4000.0),
        bandwidth: float | tuple[float, float] = (0.5, 1.99),
        rolloff_db: float | tuple[float, float] = (12.0, 24.0),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(center_hz, bandwidth, rolloff_db, p, same_on_batch, per_channel, sample_rate)
