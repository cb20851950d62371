"""Gain augmenters: loudness changes."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..core import Draws, register
from ..core.checks import check_range
from .base import AudioAugmenter, AudioBatch

__all__ = ["Gain", "PolarityInversion"]


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

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        factor = 10.0 ** (np.asarray(params["gain_db"], dtype=np.float64) / 20.0)
        scale = torch.as_tensor(factor, dtype=batch.audio.dtype, device=batch.device).view(-1, 1, 1)
        return batch.replace(audio=batch.audio * scale)


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

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        return batch.replace(audio=torch.neg(batch.audio))
