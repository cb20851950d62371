"""Distortion augmenters: hard clipping at a clip's own percentiles, and tanh soft clipping (overdrive)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..core import Draws, register
from ..core.checks import check_range
from .base import AudioAugmenter, AudioBatch
from .functional.lengths import masked_rms, zero_padding
from .functional.levels import percentiles

__all__ = ["ClippingDistortion", "TanhDistortion"]


def _column(values: torch.Tensor, batch: AudioBatch) -> torch.Tensor:
    return values.to(device=batch.device, dtype=batch.audio.dtype).reshape(-1, 1, 1)


@register("audio.ClippingDistortion")
class ClippingDistortion(AudioAugmenter):
    """Hard-clip each clip so that a share of its samples drawn uniformly from ``percentile`` (in %) is clipped.

    Half of that share is taken from each extreme: the clip is limited to its own ``percentile / 2`` and
    ``100 - percentile / 2`` percentiles over its valid samples (audiomentations' ``ClippingDistortion``, with
    ``percentile`` in place of its ``min/max_percentile_threshold``). ``percentile=0`` leaves a clip unchanged.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> x = torch.linspace(-1.0, 1.0, 101)
        >>> y = ma.ClippingDistortion(percentile=(20.0, 20.0), p=1.0)(x, sample_rate=8000)
        >>> round(float(y.min()), 6), round(float(y.max()), 6), int((y.abs() == y.abs().max()).sum())
        (-0.8, 0.8, 22)
    """

    def __init__(
        self,
        percentile: float | tuple[float, float] = (0.0, 40.0),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.percentile = check_range(percentile, "percentile", min_value=0.0, max_value=100.0)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"percentile": draws.uniform(*self.percentile)}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        half = torch.as_tensor(np.asarray(params["percentile"], dtype=np.float64) / 2.0)
        limits = percentiles(batch.audio, torch.stack([half, 100.0 - half], dim=1), batch.lengths)
        out = torch.clamp(batch.audio, _column(limits[:, 0], batch), _column(limits[:, 1], batch))
        return batch.replace(audio=zero_padding(out, batch.lengths))


@register("audio.TanhDistortion")
class TanhDistortion(AudioAugmenter):
    """Soft-clip each clip through ``tanh`` with an amount drawn uniformly from ``distortion`` (0..1), keeping its RMS.

    The drive is set from the clip itself, as audiomentations' ``TanhDistortion`` does: the gain is
    ``0.5 / q`` with ``q`` the clip's ``100 - 99 * distortion`` percentile of absolute values, so about a share
    ``distortion`` of the samples is driven past ``tanh(0.5)``; the result is scaled back to the clip's RMS over
    its valid part. More distortion: more odd harmonics, a flatter waveform.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> x = torch.sin(torch.arange(8000) * 0.05)
        >>> y = ma.TanhDistortion(distortion=(0.5, 0.5), p=1.0)(x, sample_rate=8000)
        >>> round(float(y.square().mean().sqrt() / x.square().mean().sqrt()), 4), bool(y.abs().max() < x.abs().max() * 1.5)
        (1.0, True)
    """

    def __init__(
        self,
        distortion: float | tuple[float, float] = (0.01, 0.7),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.distortion = check_range(distortion, "distortion", min_value=0.0, max_value=1.0)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"distortion": draws.uniform(*self.distortion)}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        q = 100.0 - 99.0 * torch.as_tensor(np.asarray(params["distortion"], dtype=np.float64))
        threshold = percentiles(batch.audio.abs(), q[:, None], batch.lengths)[:, 0]
        driven = torch.tanh(batch.audio * _column(0.5 / (threshold + 1e-6), batch))
        before, after = masked_rms(batch.audio, batch.lengths), masked_rms(driven, batch.lengths)
        gain = torch.where(after > 0, before / after.clamp(min=1e-300), torch.zeros_like(after))
        return batch.replace(audio=driven.mul_(_column(gain, batch)))
