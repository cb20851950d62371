"""Text augmenters: ``str`` in, ``str`` out; ``list[str]`` in, ``list[str]`` out. Offline; no torch needed."""

from .base import TextAugmenter, TextBatch

__all__ = ["TextAugmenter", "TextBatch"]
