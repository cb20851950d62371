"""Per-clip level statistics over each clip's valid part: peak and percentiles of a padded batch ``(B, C, T)``."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .host import slice_views
from .lengths import length_mask

__all__ = ["order_statistics", "peak", "percentiles"]


def peak(audio: Tensor, lengths: Tensor | None = None) -> Tensor:
    """The largest absolute sample of each clip ``(B,)`` (float64) over all channels and its valid part.

    Example:
        >>> peak(torch.tensor([[[0.5, -2.0, 9.0]]]), torch.tensor([2])).tolist()
        [2.0]
    """
    mask = length_mask(lengths, audio.shape[-1])
    if mask is None:  # two reductions read the clips and write nothing (abs() would write a copy first)
        high, low = audio.amax(dim=(1, 2)), audio.amin(dim=(1, 2))
        return torch.maximum(high, -low).to(torch.float64)
    return torch.where(mask, audio.abs(), 0.0).amax(dim=(1, 2)).to(torch.float64)


def order_statistics(values: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """The values of 0-based ``ranks`` (ascending, unique) of a 1-D array, as float64 (the array is not changed).

    One single-rank partition per rank, each on the part above the previous rank: numpy's partition with
    several ranks at once (``np.partition(a, [k, k + 1])``, as ``np.percentile`` uses) is 12-15x slower.

    Example:
        >>> order_statistics(np.array([5.0, 1.0, 4.0, 2.0, 3.0]), np.array([0, 2, 3])).tolist()
        [1.0, 3.0, 4.0]
    """
    work = np.array(values, copy=True)
    out = np.empty(len(ranks), dtype=np.float64)
    start = 0
    for j, k in enumerate(ranks.tolist()):
        tail = work[start:]
        if k == start:  # the smallest of the rest: a min, moved into place for the ranks after it
            m = int(tail.argmin())
            tail[0], tail[m] = tail[m], tail[0]
        else:
            tail.partition(k - start)
        out[j] = work[k]
        start = k + 1
    return out


def percentiles(audio: Tensor, q: Tensor, lengths: Tensor | None = None) -> Tensor:
    """Percentiles ``q`` ``(B, K)`` (in %, 0..100, per clip) of each clip's valid samples over all channels.

    Linear interpolation between order statistics, as ``numpy.percentile``'s default; float64 ``(B, K)``. On
    CPU each clip is partitioned around the order statistics it needs (:func:`order_statistics`, linear time);
    elsewhere clips of equal length are sorted together.

    Example:
        >>> x = torch.tensor([[[4.0, 1.0, 3.0, 2.0, 100.0]]])
        >>> percentiles(x, torch.tensor([[0.0, 50.0, 100.0]]), torch.tensor([4])).tolist()
        [[1.0, 2.5, 4.0]]
    """
    b, c, t = audio.shape
    q = torch.as_tensor(q, dtype=torch.float64).reshape(b, -1).cpu()
    lens = np.full(b, t) if lengths is None else lengths.cpu().numpy()
    last = torch.as_tensor(np.maximum(lens * c - 1, 0), dtype=torch.float64, device="cpu")
    pos = q * last[:, None] / 100.0
    low = pos.floor().to(torch.int64)
    high = torch.minimum(low + 1, torch.as_tensor(lens * c - 1, device="cpu")[:, None])
    frac = pos - low
    (view,) = slice_views(audio)
    if isinstance(view, np.ndarray):
        lo, hi = torch.empty_like(q), torch.empty_like(q)
        for i, n in enumerate(lens.tolist()):
            needed = np.union1d(low[i].numpy(), high[i].numpy())
            stats = torch.from_numpy(order_statistics(view[i, :, :n].reshape(-1), needed))
            lo[i] = stats[np.searchsorted(needed, low[i].numpy())]
            hi[i] = stats[np.searchsorted(needed, high[i].numpy())]
        return lo + (hi - lo) * frac
    lo = torch.empty(q.shape, dtype=torch.float64, device=audio.device)
    hi = torch.empty_like(lo)
    for length in np.unique(lens).tolist():
        rows = np.flatnonzero(lens == length)
        index = torch.as_tensor(rows, device=audio.device)
        ranked = audio.index_select(0, index)[..., :length].reshape(len(rows), -1).sort(dim=-1).values
        lo[index] = ranked.gather(1, low[rows].to(audio.device)).to(torch.float64)
        hi[index] = ranked.gather(1, high[rows].to(audio.device)).to(torch.float64)
    return lo + (hi - lo) * frac.to(audio.device)
