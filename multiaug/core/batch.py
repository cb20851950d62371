"""The batch protocol: what a modality's data looks like inside the library.

Each modality has one batch type (``ImageBatch``, ``AudioBatch``, ``TextBatch``) that packs a user's call into
a batch, selects and merges samples, and unpacks the result into the shape the user gave.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np

__all__ = ["Batch", "batch_type", "data_argument"]

B = TypeVar("B", bound="Batch")

_BATCH_TYPES = {
    "image": ("multiaug.image.base", "ImageBatch"),
    "audio": ("multiaug.audio.base", "AudioBatch"),
    "text": ("multiaug.text.base", "TextBatch"),
    "spectrogram": ("multiaug.audio.base", "SpectrogramBatch"),
}


class Batch(Protocol):
    """A batch of samples of one modality."""

    def __len__(self) -> int: ...

    def select(self: B, index: np.ndarray) -> B:
        """The samples at ``index`` (a new batch; tensors are not modified)."""
        ...

    def merge(self: B, parts: Sequence[tuple[np.ndarray, B]]) -> B:
        """A new batch equal to this one with the samples at each ``index`` replaced by ``part``."""
        ...

    def detached(self: B, keep_recorded: bool = False) -> B:
        """This batch with no autograd graph on its tensors (itself when none has one); with ``keep_recorded``,
        tensors that autograd records on (grad mode on) keep theirs."""
        ...

    @classmethod
    def pack(cls: type[B], *args: Any, **kwargs: Any) -> tuple[B, Callable[[B], Any]]:
        """Validate a user's call and return the batch and a function that unpacks a result batch."""
        ...


def data_argument(
    modality: str, field: str, args: tuple[Any, ...], value: Any, unknown: dict[str, Any], keywords: str
) -> tuple[Any, bool]:
    """The data of a call given positionally or as ``field=``, and whether the caller used the keyword form.

    Rejects unknown keywords (naming the expected ones), extra positional arguments and data given twice.
    """
    if unknown:
        from .errors import InputTypeError

        raise InputTypeError(
            f"unknown keyword(s) {sorted(unknown)} for {modality} augmenter: expected {keywords}, seed=, keys=, "
            "params=, return_params="
        )
    if len(args) > 1:
        from .errors import InputTypeError

        raise InputTypeError(
            f"{modality} augmenter takes one positional argument (the data), got {len(args)}"
        )
    if not args:
        return value, True
    if value is not None:
        from .errors import InputTypeError

        raise InputTypeError(f"pass the data either positionally or as {field}=, not both")
    return args[0], False


@functools.cache
def batch_type(modality: str) -> Any:
    """The batch class of ``modality`` (imports the modality package lazily)."""
    module, name = _BATCH_TYPES[modality]
    return getattr(importlib.import_module(module), name)
