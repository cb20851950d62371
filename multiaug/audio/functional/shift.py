"""Per-clip time shift of a padded batch, with rollover inside each clip's valid part or a fill value."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor

from .host import host_ints, slice_views

__all__ = ["shift"]


def _shift_gather(audio: Tensor, shifts: Tensor, lengths: Tensor, rollover: bool, fill: float) -> Tensor:
    b, c, t = audio.shape
    pos = torch.arange(t, device=audio.device)[None, :]
    n = lengths[:, None].clamp(min=1)
    src = pos - shifts[:, None]
    valid = pos < lengths[:, None]
    if rollover:
        src = torch.remainder(src, n)
    else:
        valid_src = (src >= 0) & (src < n)
        src = src.clamp(0, t - 1)
    out = torch.gather(audio, 2, src[:, None, :].expand(b, c, t))
    if not rollover:
        out = torch.where(valid_src[:, None, :], out, torch.full_like(out[:1, :1, :1], fill))
    return torch.where(valid[:, None, :], out, torch.zeros_like(out[:1, :1, :1]))


def _shift_copy(audio: Tensor, shifts: list[int], lengths: list[int], rollover: bool, fill: float) -> Tensor:
    # Two contiguous slice copies per clip on NumPy views: memory copies, faster on CPU than a gather index.
    out = torch.empty_like(audio)
    a, o = slice_views(audio, out)
    t = audio.shape[-1]
    for i, (k, n) in enumerate(zip(shifts, lengths)):
        src, dst = a[i], o[i]
        if n < t:
            dst[:, n:] = 0
        if n == 0:
            continue
        if rollover:
            k %= n
            dst[:, k:n] = src[:, : n - k]
            dst[:, :k] = src[:, n - k : n]
        elif k >= 0:
            k = min(k, n)
            dst[:, k:n] = src[:, : n - k]
            dst[:, :k] = fill
        else:
            k = min(-k, n)
            dst[:, : n - k] = src[:, k:n]
            dst[:, n - k : n] = fill
    return out


def shift(
    audio: Tensor,
    shifts: Tensor | np.ndarray | Sequence[int],
    lengths: Tensor | np.ndarray | Sequence[int] | None = None,
    *,
    rollover: bool = True,
    fill: float = 0.0,
) -> Tensor:
    """Move each clip of ``audio`` ``(B, C, T)`` later by ``shifts[b]`` samples (negative: earlier).

    Only each clip's valid part ``[0, lengths[b])`` takes part (all of it when ``lengths`` is None): with
    ``rollover`` what leaves one end re-enters at the other (``torch.roll`` within the valid part); without it
    the vacated part gets ``fill``. The padding past each length is zero in the result. ``shifts`` and
    ``lengths`` are integers per clip: tensors, NumPy arrays or lists. On CPU the clips are copied slice by
    slice (pure memory copies), on other devices one ``gather`` does the batch; both give bit-identical results.

    Example:
        >>> x = torch.arange(1.0, 6.0).reshape(1, 1, 5)
        >>> shift(x, torch.tensor([2])).tolist()
        [[[4.0, 5.0, 1.0, 2.0, 3.0]]]
        >>> shift(x, [-2], [4], rollover=False, fill=-1.0).tolist()
        [[[3.0, 4.0, -1.0, -1.0, 0.0]]]
    """
    b, _, t = audio.shape
    if audio.device.type == "cpu":
        lens = [t] * b if lengths is None else [min(max(n, 0), t) for n in host_ints(lengths, b)]
        return _shift_copy(audio, host_ints(shifts, b), lens, rollover, fill)

    def on_device(values: Any) -> Tensor:
        return torch.as_tensor(values, dtype=torch.int64, device=audio.device).reshape(b)

    lens_t = on_device([t] * b if lengths is None else lengths).clamp(0, t)
    return _shift_gather(audio, on_device(shifts), lens_t, rollover, fill)
