"""Order augmenters: play each clip backwards (Reverse), or swap its channels around (ShuffleChannels)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..core import Draws, register
from .base import AudioAugmenter, AudioBatch
from .functional.host import slice_views
from .functional.shift import shift

__all__ = ["Reverse", "ShuffleChannels"]


@register("audio.Reverse")
class Reverse(AudioAugmenter):
    """Play each clip backwards (time inversion) over its valid part; the padding stays at the end.

    Audiomentations' ``Reverse`` and torch-audiomentations' ``TimeInversion``.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> out = ma.Reverse(p=1.0)(audio=torch.tensor([[[1.0, 2.0, 3.0, 0.0]]]), lengths=[3], sample_rate=8000)
        >>> out["audio"].tolist()
        [[[3.0, 2.0, 1.0, 0.0]]]
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
        flipped = batch.audio.flip(-1)
        gap = batch.num_frames - batch.lengths
        if bool((gap == 0).all()):
            return batch.replace(audio=flipped)
        # the padding came first once flipped: move each clip back to the start, zeros after it
        return batch.replace(audio=shift(flipped, -gap, rollover=False))


@register("audio.ShuffleChannels")
class ShuffleChannels(AudioAugmenter):
    """Put the channels of each clip in a random order (e.g. swap left and right); mono clips are unchanged.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> x = torch.stack([torch.zeros(4), torch.ones(4)])          # (C=2, T=4)
        >>> y = ma.ShuffleChannels(p=1.0)(x, sample_rate=8000, seed=1)
        >>> sorted(y[:, 0].tolist())
        [0.0, 1.0]
    """

    finite_check = False  # pointwise: a non-finite value stays where it is

    def __init__(
        self, *, p: float = 0.5, same_on_batch: bool = False, sample_rate: int | None = None
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, sample_rate=sample_rate)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"order": draws.permutation(batch.channels)}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        order = np.asarray(params["order"], dtype=np.int64)
        out = torch.empty_like(batch.audio)
        src, dst = slice_views(batch.audio, out)
        if isinstance(src, np.ndarray):  # CPU: one row copy per clip, 1.3x faster than an index kernel
            for i, perm in enumerate(order):
                dst[i] = src[i, perm]
            return batch.replace(audio=out)
        rows = torch.arange(len(batch), device=batch.device)[:, None]
        return batch.replace(audio=batch.audio[rows, torch.as_tensor(order, device=batch.device)])
