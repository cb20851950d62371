"""Shift: move each clip in time, with rollover or a fill value, inside each clip's valid part."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import Draws, register
from ..core.checks import check_choice, check_number, check_range
from ..core.errors import ConfigError
from .base import AudioAugmenter, AudioBatch
from .functional.shift import shift as shift_kernel

__all__ = ["Shift", "check_duration", "span_starts", "spans", "to_samples"]

UNITS = ("seconds", "fraction", "samples")


def to_samples(values: Any, unit: str, batch: AudioBatch, op: Any = None) -> np.ndarray:
    """Convert per-clip amounts in ``unit`` to whole samples (int64, rounded half to even).

    ``"fraction"`` is relative to each clip's valid length; ``"seconds"`` needs the sample rate.

    Example:
        >>> import torch
        >>> b = AudioBatch(torch.zeros(2, 1, 100), torch.tensor([100, 50]), 1000)
        >>> to_samples(np.array([0.1, 0.1]), "fraction", b).tolist(), to_samples(np.array([0.01]), "seconds", b)
        ([10, 5], array([10]))
    """
    values = np.asarray(values, dtype=np.float64)
    if unit == "fraction":
        values = values * batch.host_lengths()
    elif unit == "seconds":
        values = values * batch.require_sample_rate(op)
    return np.rint(values).astype(np.int64)


def check_duration(duration: Any, unit: str) -> tuple[str, tuple[float, float]]:
    """A span's ``unit`` and ``duration`` range, checked (a ``"fraction"`` is at most 1 of the clip)."""
    unit = check_choice(unit, "unit", UNITS)
    return unit, check_range(
        duration, "duration", min_value=0.0, max_value=1.0 if unit == "fraction" else None
    )


def spans(
    params: dict[str, Any], unit: str, batch: AudioBatch, op: Any = None, shortest: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``(start, width)`` int64 per clip of spans drawn as ``params["duration"]`` (in ``unit``) and
    ``params["position"]`` (uniform in [0, 1)): the width is clipped to ``[shortest, length]`` and the start is
    uniform over the ``length - width + 1`` places inside each clip's valid part.

    Example:
        >>> import torch
        >>> b = AudioBatch(torch.zeros(2, 1, 100), torch.tensor([100, 40]), 1000)
        >>> [a.tolist() for a in spans({"duration": [0.5, 0.5], "position": [0.0, 0.99]}, "fraction", b)]
        [[0, 20], [50, 20]]
    """
    lengths = batch.host_lengths()
    width = np.clip(to_samples(params["duration"], unit, batch, op), shortest, lengths)
    return span_starts(params["position"], lengths, width), width


def span_starts(position: Any, size: Any, width: np.ndarray) -> np.ndarray:
    """Span starts from uniform ``position`` draws in [0, 1): uniform over the ``size - width + 1`` places."""
    return np.floor(np.asarray(position, dtype=np.float64) * (size - width + 1)).astype(np.int64)


@register("audio.Shift")
class Shift(AudioAugmenter):
    """Move each clip later (positive) or earlier (negative) by an amount drawn uniformly from ``shift``.

    ``unit`` is ``"fraction"`` (of each clip's valid length), ``"seconds"`` or ``"samples"``. With
    ``rollover`` what leaves one end comes back in at the other (like ``torch.roll``, within the valid part);
    without it the vacated part is set to ``fill``. Padding past each clip's length stays zero.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> x = torch.arange(1.0, 6.0)
        >>> ma.Shift(shift=(2, 2), unit="samples", p=1.0)(x).tolist()
        [4.0, 5.0, 1.0, 2.0, 3.0]
        >>> ma.Shift(shift=(-1, -1), unit="samples", rollover=False, p=1.0)(x).tolist()
        [2.0, 3.0, 4.0, 5.0, 0.0]
    """

    finite_check = False  # pointwise: a non-finite value stays where it is

    def __init__(
        self,
        shift: float | tuple[float, float] = (-0.5, 0.5),
        unit: str = "fraction",
        *,
        rollover: bool = True,
        fill: float = 0.0,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.unit = check_choice(unit, "unit", UNITS)
        self.shift = check_range(shift, "shift", symmetric=True)
        if not isinstance(rollover, bool):
            raise ConfigError(f"rollover must be True or False, got {rollover!r}")
        self.rollover = rollover
        self.fill = check_number(fill, "fill")
        if unit == "samples" and np.ceil(self.shift[0]) > np.floor(self.shift[1]):
            raise ConfigError(f"shift={shift!r} holds no whole number of samples (unit='samples')")

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        if self.unit == "samples":
            low, high = int(np.ceil(self.shift[0])), int(np.floor(self.shift[1]))
            return {"shift": draws.integers(low, high + 1)}
        return {"shift": draws.uniform(*self.shift)}

    def identity_params(self, batch: AudioBatch) -> dict[str, Any] | None:
        # a shift by 0 copies each clip; it zeroes the padding, so a padded batch keeps the select-and-merge path
        return {"shift": 0} if batch.unpadded else None

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        shifts = to_samples(params["shift"], self.unit, batch, self)
        lengths = None if batch.unpadded else batch.lengths
        out = shift_kernel(batch.audio, shifts, lengths, rollover=self.rollover, fill=self.fill)
        return batch.replace(audio=out)
