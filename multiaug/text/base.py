"""The text batch and the base class of text augmenters.

Conventions: ``aug("a sentence")`` returns a ``str``; ``aug(["a", "b"])`` returns a ``list[str]`` of the same
length, always. ``aug(text=...)`` returns ``{"text": ...}``. Text ops draw per sample (``draws.python_random()``
gives each sample a private ``random.Random``) and record their edits as JSON-able lists.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core.base import Op
from ..core.batch import data_argument
from ..core.errors import InputError, InputTypeError

__all__ = ["TextAugmenter", "TextBatch"]


@dataclasses.dataclass(frozen=True)
class TextBatch:
    """A batch of texts inside the library."""

    texts: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def replace(self, *, texts: list[str]) -> TextBatch:
        """A copy with new texts."""
        return TextBatch(texts)

    def detached(self, keep_recorded: bool = False) -> TextBatch:
        """Itself: texts have no autograd graph."""
        return self

    def select(self, index: np.ndarray) -> TextBatch:
        return TextBatch([self.texts[int(i)] for i in index])

    def merge(self, parts: Sequence[tuple[np.ndarray, TextBatch]]) -> TextBatch:
        texts = list(self.texts)
        for index, part in parts:
            for i, t in zip(index, part.texts):
                texts[int(i)] = t
        return TextBatch(texts)

    @classmethod
    def pack(
        cls, *args: Any, text: Any = None, **unknown: Any
    ) -> tuple[TextBatch, Callable[[TextBatch], Any]]:
        """Validate a call and return the batch and the function that shapes the result like the input."""
        text, as_dict = data_argument("a text", "text", args, text, unknown, "text=")
        if text is None:
            raise InputTypeError('no data: call aug("some text"), aug(["a", "b"]) or aug(text=...)')
        single = isinstance(text, str)
        if single:
            texts = [text]
        elif isinstance(text, list | tuple):
            texts = list(text)
            for i, t in enumerate(texts):
                if not isinstance(t, str):
                    raise InputTypeError(f"text item {i} must be a str, got {type(t).__name__}")
            if not texts:
                raise InputError("the text batch is empty (an empty list)")
        else:
            raise InputTypeError(f"text must be a str or a list of str, got {type(text).__name__}")

        def unpack(out: TextBatch) -> Any:
            result: Any = out.texts[0] if single else list(out.texts)
            return {"text": result} if as_dict else result

        return cls(texts), unpack


class TextAugmenter(Op):
    """Base class of text augmenters: write ``sample`` (edits per text) and ``apply`` on a :class:`TextBatch`."""

    modality = "text"

    def __init__(self, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
