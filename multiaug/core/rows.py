"""Row selection and merging for the batches of every modality: the coin flip with ``p`` picks rows, an op
transforms those, and the result is merged back into the batch.

On CPU, copies of runs of consecutive rows are several times faster than ``index_copy_``, and writing every row
once beats cloning the whole batch and overwriting the chosen rows; on accelerators one indexed copy per part is
cheaper than many small copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the core imports no torch of its own: the batch types that call these already have it
    import torch

__all__ = ["index_tensor", "merge_rows", "runs"]


def index_tensor(index: np.ndarray, device: torch.device) -> torch.Tensor:
    """Row indices as an int64 tensor on ``device``."""
    import torch

    return torch.as_tensor(np.asarray(index, dtype=np.int64), device=device)


def runs(index: np.ndarray) -> list[tuple[int, int, int]]:
    """``(start, stop, offset)`` runs of consecutive values in ``index``: ``index[offset:offset + stop - start]``
    equals ``range(start, stop)``.

    Example:
        >>> runs(np.array([0, 1, 2, 5, 7, 8]))
        [(0, 3, 0), (5, 6, 3), (7, 9, 4)]
    """
    if len(index) == 0:
        return []
    breaks = np.flatnonzero(np.diff(index) != 1) + 1
    firsts = np.concatenate(([0], breaks))
    lasts = np.concatenate((breaks, [len(index)]))
    return [(int(index[a]), int(index[b - 1]) + 1, int(a)) for a, b in zip(firsts, lasts)]


def merge_rows(value: torch.Tensor, parts: Sequence[tuple[np.ndarray, torch.Tensor]]) -> torch.Tensor:
    """A new tensor holding ``value``'s rows where no part writes and each part's rows at its index (later
    parts win). Every part must have ``value``'s shape past the first dimension and its dtype.

    Example:
        >>> import torch
        >>> merge_rows(torch.zeros(4, 2), [(np.array([1, 3]), torch.ones(2, 2))])[:, 0].tolist()
        [0.0, 1.0, 0.0, 1.0]
    """
    if value.device.type != "cpu":
        merged = value.clone()
        for index, new in parts:
            merged.index_copy_(0, index_tensor(index, value.device), new)
        return merged
    import torch

    merged = torch.empty_like(value)  # keeps the layout (channels_last stays channels_last)
    written = np.zeros(len(value), dtype=bool)
    for index, _ in parts:
        written[index] = True
    for start, stop, _ in runs(np.flatnonzero(~written)):
        merged[start:stop].copy_(value[start:stop])
    for index, new in parts:
        for start, stop, at in runs(np.asarray(index)):
            merged[start:stop].copy_(new[at : at + stop - start])
    return merged
