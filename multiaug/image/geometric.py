"""Geometric image augmenters: masks follow the image."""

from __future__ import annotations

from typing import Any

from ..core import Draws, register
from .base import ImageAugmenter, ImageBatch

__all__ = ["HorizontalFlip"]


@register("image.HorizontalFlip")
class HorizontalFlip(ImageAugmenter):
    """Mirror left-right, per sample with probability ``p``; masks are flipped too.

    Example:
        >>> import torch, multiaug.image as mi
        >>> mi.HorizontalFlip(p=1.0)(torch.tensor([[[1, 2, 3]]], dtype=torch.uint8)).tolist()
        [[[3, 2, 1]]]
    """

    def __init__(self, *, p: float = 0.5, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        return {}

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return batch.replace(**{k: v.flip(-1) for k, v in batch._fields().items()})
