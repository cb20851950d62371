"""Masking augmenters: silence a span of a waveform (TimeMask), and SpecAugment's frequency and time masks on
spectrograms ``(..., freq, time)`` (FrequencyMasking, TimeMasking)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..core import Draws, register
from ..core.checks import check_choice, check_number
from ..core.errors import ConfigError
from .base import AudioAugmenter, AudioBatch, SpectrogramAugmenter, SpectrogramBatch
from .functional.masking import mask_bands, time_mask
from .shift import check_duration, span_starts, spans

__all__ = ["FrequencyMasking", "TimeMask", "TimeMasking"]


@register("audio.TimeMask")
class TimeMask(AudioAugmenter):
    """Replace one span of each clip by ``fill`` (silence by default).

    The span's length is drawn uniformly from ``duration`` in ``unit`` (``"fraction"`` of each clip's valid
    length, ``"seconds"`` or ``"samples"``) and its position uniformly within the valid part. ``fade``
    (seconds, needs the sample rate) ramps the edges linearly inside the span to avoid clicks.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> y = ma.TimeMask(duration=(0.5, 0.5), p=1.0)(torch.ones(1, 100), seed=0)
        >>> int((y == 0).sum())
        50
    """

    finite_check = False  # pointwise: a non-finite value stays where it is

    def __init__(
        self,
        duration: float | tuple[float, float] = (0.01, 0.2),
        unit: str = "fraction",
        *,
        fill: float = 0.0,
        fade: float = 0.0,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.unit, self.duration = check_duration(duration, unit)
        self.fill = check_number(fill, "fill")
        self.fade = check_number(fade, "fade", min_value=0.0)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"duration": draws.uniform(*self.duration), "position": draws.uniform()}

    def identity_params(self, batch: AudioBatch) -> dict[str, Any] | None:
        # an empty span; a fade is a blend on CUDA (which would turn -0.0 into 0.0), so it keeps the merge path
        return {"duration": 0.0, "position": 0.0} if self.fade <= 0 else None

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        start, width = spans(params, self.unit, batch, self)
        fade = round(self.fade * batch.require_sample_rate(self)) if self.fade > 0 else 0
        out = time_mask(batch.audio, start, width, fill=self.fill, fade=fade)
        return batch.replace(audio=out)


def _mean(batch: SpectrogramBatch) -> torch.Tensor:
    """Each spectrogram's mean over channels, frequency and its valid frames, ``(B,1,1,1)``.

    Spectrograms of equal length are averaged together over a contiguous copy of their valid part, so a
    spectrogram gets the same bits alone (or as a view of a larger tensor) as padded in a batch.
    """
    spec = batch.spec
    if batch.lengths is None:  # contiguous: a view of a larger tensor would be summed in another order
        return spec.contiguous().mean(dim=(1, 2, 3), keepdim=True)
    lengths = batch.lengths.cpu().numpy()
    out = torch.empty((len(batch), 1, 1, 1), dtype=spec.dtype, device=spec.device)
    for length in np.unique(lengths).tolist():
        rows = torch.as_tensor(np.flatnonzero(lengths == length), device=spec.device)
        part = spec.index_select(0, rows)[..., :length].contiguous()
        out[rows] = part.mean(dim=(1, 2, 3), keepdim=True)
    return out


class _BandMasking(SpectrogramAugmenter):
    """Shared code of SpecAugment's frequency and time masks."""

    dim = -2

    def __init__(
        self,
        max_width: int,
        num_masks: int,
        fill: float | str,
        max_fraction: float,
        p: float,
        same_on_batch: bool,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        for name, value, low in (("max_width", max_width, 0), ("num_masks", num_masks, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ConfigError(f"{name} must be an integer >= {low}, got {value!r}")
        self.max_width = max_width
        self.num_masks = num_masks
        if isinstance(fill, str):
            self.fill: float | str = check_choice(fill, "fill", ["mean"])
        else:
            self.fill = check_number(fill, "fill")
        self.max_fraction = check_number(max_fraction, "max_fraction", min_value=0.0, max_value=1.0)

    def _sizes(self, batch: SpectrogramBatch) -> Any:
        """The masked axis' size: the bins, or each spectrogram's own frames ``(B, 1)`` for time masks."""
        if self.dim == -1 and batch.lengths is not None:
            return batch.lengths.cpu().numpy()[:, None]
        return batch.spec.shape[self.dim]

    def sample(self, batch: SpectrogramBatch, draws: Draws) -> dict[str, Any]:
        # the width is uniform over 0..min(max_width, max_fraction * size), as SpecAugment and torchaudio draw it
        limit = np.floor(self.max_fraction * np.asarray(self._sizes(batch), dtype=np.float64)).astype(
            np.int64
        )
        cap = np.broadcast_to(np.minimum(self.max_width, limit).reshape(-1), (len(batch),))
        size = (self.num_masks,)
        return {
            "width": draws.integers(0, cap + 1, size=size),
            "position": draws.uniform(size=size),
        }

    def apply(self, batch: SpectrogramBatch, params: dict[str, Any]) -> SpectrogramBatch:
        spec = batch.spec
        size = self._sizes(batch)
        limit = np.floor(self.max_fraction * np.asarray(size)).astype(np.int64)
        width = np.clip(np.asarray(params["width"], dtype=np.int64), 0, limit)  # a no-op but for old records
        start = span_starts(params["position"], size, width)
        valid = batch.valid_frames()
        fill = _mean(batch) if self.fill == "mean" else float(self.fill)
        masked = mask_bands(
            spec,
            self.dim,
            torch.as_tensor(start, device="cpu"),
            torch.as_tensor(width, device="cpu"),
            fill,
            valid=valid,
        )
        return batch.replace(spec=masked)


@register("audio.FrequencyMasking")
class FrequencyMasking(_BandMasking):
    """SpecAugment frequency masks on spectrograms ``(F, T)``, ``(C, F, T)`` or ``(B, C, F, T)``.

    Each spectrogram gets ``num_masks`` bands of consecutive frequency bins, each of a width drawn uniformly
    from ``0..max_width`` (at most ``max_fraction`` of the bins) at a uniform position, set to ``fill`` (a
    number, or ``"mean"``: the spectrogram's mean). All channels of a spectrogram share its bands.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> y = ma.FrequencyMasking(max_width=10, p=1.0)(torch.ones(2, 1, 64, 100), seed=1)
        >>> bool(((y == 0).all(dim=-1).sum(dim=-1) <= 10).all())
        True
    """

    dim = -2

    def __init__(
        self,
        max_width: int = 27,
        num_masks: int = 1,
        *,
        fill: float | str = 0.0,
        max_fraction: float = 1.0,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(max_width, num_masks, fill, max_fraction, p, same_on_batch)


@register("audio.TimeMasking")
class TimeMasking(_BandMasking):
    """SpecAugment time masks on spectrograms ``(F, T)``, ``(C, F, T)`` or ``(B, C, F, T)``.

    Each spectrogram gets ``num_masks`` spans of consecutive frames, each of a width drawn uniformly from
    ``0..max_width`` and at most ``max_fraction`` of the frames (SpecAugment's upper bound ``p``), at a
    uniform position, set to ``fill`` (a number, or ``"mean"``).

    Example:
        >>> import torch, multiaug.audio as ma
        >>> y = ma.TimeMasking(max_width=100, max_fraction=0.2, p=1.0)(torch.ones(80, 300), seed=0)
        >>> int((y == 0).all(dim=0).sum()) <= 60
        True
    """

    dim = -1

    def __init__(
        self,
        max_width: int = 100,
        num_masks: int = 1,
        *,
        fill: float | str = 0.0,
        max_fraction: float = 1.0,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(max_width, num_masks, fill, max_fraction, p, same_on_batch)
