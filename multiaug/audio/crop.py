"""RandomCrop: cut a window of a drawn duration out of each clip at a random place (the clip gets shorter)."""

from __future__ import annotations

from typing import Any, ClassVar

import torch

from ..core import Draws, register
from .base import AudioAugmenter, AudioBatch
from .functional.lengths import zero_padding
from .functional.shift import shift
from .shift import check_duration, spans

__all__ = ["RandomCrop"]


@register("audio.RandomCrop")
class RandomCrop(AudioAugmenter):
    """Keep a window of each clip, of a length drawn uniformly from ``duration`` (in ``unit``), at a uniform place.

    ``unit`` is ``"seconds"``, ``"samples"`` or ``"fraction"`` (of each clip's valid length). A clip shorter than
    its window is kept whole. The result is padded to the longest window of the batch; call with
    ``aug(audio=x, lengths=l, sample_rate=sr)`` to get the new ``lengths``. torch-audiomentations' ``RandomCrop``
    with a range of lengths as well as a fixed one.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> out = ma.RandomCrop(duration=0.5, p=1.0)(audio=torch.randn(3, 1, 16000), sample_rate=16000, seed=0)
        >>> out["audio"].shape, out["lengths"].tolist()
        (torch.Size([3, 1, 8000]), [8000, 8000, 8000])
    """

    changes_length: ClassVar[bool] = True
    finite_check = False  # pointwise: a non-finite value stays where it is (or is cut away)

    def __init__(
        self,
        duration: float | tuple[float, float] = 1.0,
        unit: str = "seconds",
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, sample_rate=sample_rate)
        self.unit, self.duration = check_duration(duration, unit)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"duration": draws.uniform(*self.duration), "position": draws.uniform()}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        start, width = spans(params, self.unit, batch, self, shortest=1)
        moved = shift(batch.audio, torch.as_tensor(-start, device="cpu"), batch.lengths, rollover=False)
        new_lengths = torch.as_tensor(width, device=batch.device)
        out = zero_padding(moved[..., : int(width.max())], new_lengths)
        return batch.replace(audio=out, lengths=new_lengths)
