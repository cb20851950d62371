"""Equaliser augmenters: low and high shelves, a peaking band, and a seven-band parametric EQ, per clip.

Each has the magnitude of the analog filter of Robert Bristow-Johnson's audio EQ cookbook, applied at zero
phase in the frequency domain by the same machinery as the other filters (one FFT for the batch, per-clip
curves, padding that keeps the convolution linear).
"""

from __future__ import annotations

from typing import Any

import torch

from ..core import Draws, register
from ..core.checks import check_number, check_range
from ..core.errors import ConfigError
from .base import AudioAugmenter, AudioBatch
from .filters import _hz, _tensor
from .functional.filters import equalizer

__all__ = ["HighShelfFilter", "LowShelfFilter", "PeakingFilter", "SevenBandParametricEQ"]


class _OneBand(AudioAugmenter):
    """Shared code of the one-band equalisers: a subclass sets ``kind``."""

    kind = "peaking"

    def __init__(
        self,
        center_hz: float | tuple[float, float],
        gain_db: float | tuple[float, float],
        q: float | tuple[float, float],
        p: float,
        same_on_batch: bool,
        per_channel: bool,
        sample_rate: int | None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.center_hz = _hz(center_hz, "center_hz")
        self.gain_db = check_range(gain_db, "gain_db", symmetric=True, min_value=-60.0, max_value=60.0)
        self.q = check_range(q, "q", min_value=0.01, max_value=100.0)
        if self.q[0] <= 0.0:
            raise ConfigError(f"q must be > 0, got {q!r}")

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {
            "center_hz": draws.log_uniform(*self.center_hz),
            "gain_db": draws.uniform(*self.gain_db),
            "q": draws.uniform(*self.q),
        }

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        band = (self.kind, _tensor(params, "center_hz"), _tensor(params, "gain_db"), _tensor(params, "q"))
        out = equalizer(batch.audio, batch.require_sample_rate(self), [band], batch.lengths)
        return batch.replace(audio=out)


@register("audio.LowShelfFilter")
class LowShelfFilter(_OneBand):
    """Boost or cut the lows: ``gain_db`` at DC, 0 dB well above a centre drawn log-uniformly from ``center_hz``.

    ``gain_db`` and ``q`` (the shelf's steepness; 0.707 is maximally flat) are drawn uniformly per clip.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> hum = torch.sin(2 * torch.pi * 50 * torch.arange(16000) / 16000)
        >>> y = ma.LowShelfFilter(center_hz=1000.0, gain_db=(-12.0, -12.0), q=0.707, p=1.0)(hum, sample_rate=16000)
        >>> round(float(20 * torch.log10(y[4000:12000].norm() / hum[4000:12000].norm())), 1)
        -12.0
    """

    kind = "low_shelf"

    def __init__(
        self,
        center_hz: float | tuple[float, float] = (50.0, 4000.0),
        gain_db: float | tuple[float, float] = (-18.0, 18.0),
        q: float | tuple[float, float] = (0.1, 0.999),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(center_hz, gain_db, q, p, same_on_batch, per_channel, sample_rate)


@register("audio.HighShelfFilter")
class HighShelfFilter(_OneBand):
    """Boost or cut the highs: ``gain_db`` well above a centre drawn log-uniformly from ``center_hz``, 0 dB at DC.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> hiss = torch.sin(2 * torch.pi * 7000 * torch.arange(16000) / 16000)
        >>> y = ma.HighShelfFilter(center_hz=500.0, gain_db=(6.0, 6.0), q=0.707, p=1.0)(hiss, sample_rate=16000)
        >>> round(float(20 * torch.log10(y[4000:12000].norm() / hiss[4000:12000].norm())), 1)
        6.0
    """

    kind = "high_shelf"

    def __init__(
        self,
        center_hz: float | tuple[float, float] = (300.0, 7500.0),
        gain_db: float | tuple[float, float] = (-18.0, 18.0),
        q: float | tuple[float, float] = (0.1, 0.999),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(center_hz, gain_db, q, p, same_on_batch, per_channel, sample_rate)


@register("audio.PeakingFilter")
class PeakingFilter(_OneBand):
    """Boost or cut a band: ``gain_db`` at a centre drawn log-uniformly from ``center_hz``, about ``centre / q`` wide.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> tone = torch.sin(2 * torch.pi * 1000 * torch.arange(16000) / 16000)
        >>> y = ma.PeakingFilter(center_hz=1000.0, gain_db=(-20.0, -20.0), q=2.0, p=1.0)(tone, sample_rate=16000)
        >>> round(float(20 * torch.log10(y[4000:12000].norm() / tone[4000:12000].norm())), 1)
        -20.0
    """

    kind = "peaking"

    def __init__(
        self,
        center_hz: float | tuple[float, float] = (50.0, 7500.0),
        gain_db: float | tuple[float, float] = (-24.0, 24.0),
        q: float | tuple[float, float] = (0.5, 5.0),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(center_hz, gain_db, q, p, same_on_batch, per_channel, sample_rate)


#: The seven bands: a low shelf, five peaking bands one to 1.5 octaves apart, a high shelf (Hz, q).
SEVEN_BANDS = (
    ("low_shelf", 100.0, 0.707),
    ("peaking", 250.0, 1.0),
    ("peaking", 500.0, 1.0),
    ("peaking", 1000.0, 1.0),
    ("peaking", 2000.0, 1.0),
    ("peaking", 4000.0, 1.0),
    ("high_shelf", 8000.0, 0.707),
)


@register("audio.SevenBandParametricEQ")
class SevenBandParametricEQ(AudioAugmenter):
    """Colour each clip with seven bands whose gains are drawn independently and uniformly from ``gain_db``.

    The bands (:data:`SEVEN_BANDS`): a low shelf at 100 Hz, peaking bands (q = 1) at 250, 500, 1000, 2000 and
    4000 Hz and a high shelf at 8 kHz, each centre moved up or down by up to ``center_jitter`` octaves (drawn
    uniformly per band). Mimics microphones, rooms and playback chains; all seven in one zero-phase FFT.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> aug = ma.SevenBandParametricEQ(gain_db=(-12.0, 12.0), p=1.0)
        >>> out, record = aug(torch.randn(2, 1, 16000), sample_rate=16000, seed=0, return_params=True)
        >>> record.params["gain_db"].shape
        (2, 7)
    """

    def __init__(
        self,
        gain_db: float | tuple[float, float] = (-12.0, 12.0),
        center_jitter: float = 0.25,
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.gain_db = check_range(gain_db, "gain_db", symmetric=True, min_value=-60.0, max_value=60.0)
        self.center_jitter = check_number(center_jitter, "center_jitter", min_value=0.0, max_value=1.0)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        size = (len(SEVEN_BANDS),)
        return {
            "gain_db": draws.uniform(*self.gain_db, size=size),
            "octaves": draws.uniform(-self.center_jitter, self.center_jitter, size=size),
        }

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        gains, octaves = _tensor(params, "gain_db"), _tensor(params, "octaves")
        bands = [
            (
                kind,
                centre * 2.0 ** octaves[:, k],
                gains[:, k],
                torch.full((len(batch),), q, dtype=torch.float64, device="cpu"),
            )
            for k, (kind, centre, q) in enumerate(SEVEN_BANDS)
        ]
        out = equalizer(batch.audio, batch.require_sample_rate(self), bands, batch.lengths)
        return batch.replace(audio=out)
