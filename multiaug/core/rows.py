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

__all__ = ["copy_rows", "index_tensor", "merge_rows", "restore_rows", "runs"]


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


def copy_rows(dst: torch.Tensor, src: torch.Tensor, index: np.ndarray) -> None:
    """Copy the rows at ``index`` from ``src`` into ``dst`` (same shapes), in place: runs of consecutive rows as
    slice copies on CPU, one indexed copy elsewhere.

    Example:
        >>> import torch
        >>> dst = torch.zeros(4, 2)
        >>> copy_rows(dst, torch.ones(4, 2), np.array([0, 1, 3]))
        >>> dst[:, 0].tolist()
        [1.0, 1.0, 0.0, 1.0]
    """
    if dst.device.type != "cpu":
        idx = index_tensor(index, dst.device)
        dst.index_copy_(0, idx, src.index_select(0, idx))
        return
    for start, stop, _ in runs(np.asarray(index)):
        dst[start:stop].copy_(src[start:stop])


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
    copy_rows(merged, value, np.flatnonzero(~written))
    for index, new in parts:
        for start, stop, at in runs(np.asarray(index)):
            merged[start:stop].copy_(new[at : at + stop - start])
    return merged


def restore_rows(out: torch.Tensor, source: torch.Tensor, index: np.ndarray) -> torch.Tensor:
    """``out`` (an op's result for a whole batch, same shape and dtype as ``source``) with the rows at ``index``
    put back from ``source``: in place when ``out`` has memory of its own, else in a new tensor (an op that
    returned its input, or a view of it, must never have that input written to).

    Example:
        >>> import torch
        >>> x = torch.zeros(3, 2)
        >>> restore_rows(x + 1, x, np.array([1]))[:, 0].tolist()
        [1.0, 0.0, 1.0]
    """
    if out.untyped_storage().data_ptr() == source.untyped_storage().data_ptr():
        return merge_rows(
            out, [(np.asarray(index), source.index_select(0, index_tensor(index, source.device)))]
        )
    copy_rows(out, source, index)
    return out
