"""Gain augmenters: loudness changes (constant, or a transition from one level to another)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..core import Draws, register
from ..core.checks import check_range
from .base import AudioAugmenter, AudioBatch
from .functional.host import per_clip, slice_views
from .shift import check_duration, spans

__all__ = ["Gain", "GainTransition", "PolarityInversion"]


@register("audio.Gain")
class Gain(AudioAugmenter):
    """Multiply by a random gain drawn uniformly in decibels from ``gain_db=(low, high)``.

    ``+6.02 dB`` doubles the amplitude. The result is not clipped (float audio may exceed [-1, 1]).

    Example:
        >>> import torch, multiaug.audio as ma
        >>> y = ma.Gain(gain_db=(20.0, 20.0), p=1.0)(torch.full((4,), 0.01), sample_rate=8000)
        >>> [round(v, 6) for v in y.tolist()]
        [0.1, 0.1, 0.1, 0.1]
    """

    finite_check = False  # pointwise: a non-finite value stays where it is

    def __init__(
        self,
        gain_db: float | tuple[float, float] = (-12.0, 12.0),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.gain_db = check_range(gain_db, "gain_db", symmetric=True)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"gain_db": draws.uniform(*self.gain_db)}

    def identity_params(self, batch: AudioBatch) -> dict[str, Any] | None:
        return {"gain_db": 0.0} if self.exact_arithmetic(batch) else None  # a factor of exactly 1

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        factor = 10.0 ** (np.asarray(params["gain_db"], dtype=np.float64) / 20.0)
        return batch.replace(audio=batch.audio * per_clip(factor, batch.audio))


@register("audio.PolarityInversion")
class PolarityInversion(AudioAugmenter):
    """Flip the sign of every sample (a 180-degree phase inversion; inaudible alone, changes mixtures).

    Example:
        >>> import torch, multiaug.audio as ma
        >>> ma.PolarityInversion(p=1.0)(torch.tensor([0.5, -0.25]), sample_rate=8000).tolist()
        [-0.5, 0.25]
    """

    finite_check = False  # pointwise: a non-finite value stays where it is

    def __init__(
        self,
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)

    def applies_to_all(self, batch: AudioBatch) -> bool:
        return True  # about a copy per sample

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        return batch.replace(audio=torch.neg(batch.audio))


_DB = float(np.log(10.0) / 20.0)  # natural-log units per decibel of amplitude


@register("audio.GainTransition")
class GainTransition(AudioAugmenter):
    """Fade from one gain to another over a span of each clip (a fade in, a fade out, or a level change).

    The start and end gains are drawn independently and uniformly from ``gain_db``; the transition's length is
    drawn from ``duration`` in ``unit`` (``"seconds"``, ``"fraction"`` of each clip's valid length, or
    ``"samples"``; at most the clip) and its position uniformly within the valid part. Before the span the clip
    has the start gain, after it the end gain, and within it the gain moves linearly in decibels.
    audiomentations' ``GainTransition``.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> fade = ma.GainTransition(gain_db=(-60.0, 0.0), duration=(1.0, 1.0), unit="fraction", p=1.0)
        >>> y, record = fade(torch.ones(1, 1000), sample_rate=8000, seed=0, return_params=True)
        >>> start, end = record.params["start_db"][0], record.params["end_db"][0]
        >>> bool(abs(20 * torch.log10(y[0, 0]) - start) < 1e-3), bool(abs(20 * torch.log10(y[0, -1]) - end) < 1e-3)
        (True, True)
    """

    finite_check = False  # pointwise: a non-finite value stays where it is

    def __init__(
        self,
        gain_db: float | tuple[float, float] = (-24.0, 6.0),
        duration: float | tuple[float, float] = (0.2, 6.0),
        unit: str = "seconds",
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.gain_db = check_range(gain_db, "gain_db", symmetric=True, min_value=-120.0, max_value=60.0)
        self.unit, self.duration = check_duration(duration, unit)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {
            "start_db": draws.uniform(*self.gain_db),
            "end_db": draws.uniform(*self.gain_db),
            "duration": draws.uniform(*self.duration),
            "position": draws.uniform(),
        }

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        first, width = spans(params, self.unit, batch, self, shortest=1)

        start = np.asarray(params["start_db"], dtype=np.float64)
        end = np.asarray(params["end_db"], dtype=np.float64)
        out = torch.empty_like(batch.audio)
        src, dst = slice_views(batch.audio, out)
        if isinstance(src, np.ndarray):  # CPU: constant gains on both sides, the ramp only over its span
            ramp_dtype = np.float64 if src.dtype == np.float64 else np.float32
            for i, (a, w) in enumerate(zip(first.tolist(), width.tolist())):
                g0, g1 = 10.0 ** (start[i] / 20.0), 10.0 ** (end[i] / 20.0)
                ramp = np.exp(np.linspace(start[i] * _DB, end[i] * _DB, w, dtype=ramp_dtype))
                np.multiply(src[i, :, :a], g0, out=dst[i, :, :a], casting="unsafe")
                np.multiply(src[i, :, a : a + w], ramp, out=dst[i, :, a : a + w], casting="unsafe")
                np.multiply(src[i, :, a + w :], g1, out=dst[i, :, a + w :], casting="unsafe")
            return batch.replace(audio=out)

        def column(values: Any) -> torch.Tensor:
            return torch.as_tensor(np.asarray(values, dtype=np.float64), device=batch.device)[:, None]

        pos = torch.arange(batch.num_frames, device=batch.device, dtype=torch.float64)[None, :]
        # 0 before the span, 1 after it; the last sample of the span reaches the end gain
        frac = ((pos - column(first)) / column(np.maximum(width - 1, 1))).clamp_(0.0, 1.0)
        db = column(start) + (column(end) - column(start)) * frac
        envelope = torch.pow(10.0, db / 20.0).to(batch.audio.dtype)
        return batch.replace(audio=batch.audio * envelope[:, None, :])
