"""Zero-copy NumPy views of CPU tensors, for loops of slice copies over the clips of a batch.

A NumPy slice or slice assignment costs about 1 us against 3-5 us for torch's, so a per-clip loop of two slice
copies on NumPy views runs at nearly the speed of one batch copy (32 clips of 3 s: 150 us against 375 us with
torch slices, and 110 us for a plain clone).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

__all__ = ["slice_views"]

_NUMPY_DTYPES = (torch.float16, torch.float32, torch.float64)


def slice_views(*tensors: Tensor) -> tuple[Any, ...]:
    """The tensors as NumPy arrays sharing their memory when all allow it (CPU, no grad, a NumPy dtype), else as
    they are. Both kinds support the same basic slicing and slice assignment, so one loop body serves either.

    Example:
        >>> x, y = torch.arange(3.0), torch.zeros(3)
        >>> a, b = slice_views(x, y)
        >>> b[1:] = a[:2]
        >>> y.tolist()
        [0.0, 0.0, 1.0]
    """
    if all(t.device.type == "cpu" and not t.requires_grad and t.dtype in _NUMPY_DTYPES for t in tensors):
        return tuple(t.numpy() for t in tensors)
    return tensors
