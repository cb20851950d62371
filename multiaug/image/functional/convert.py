"""dtype conversions shared by image kernels: uint8 <-> float in [0, 1]."""

from __future__ import annotations

import torch

__all__ = ["from_float", "to_float"]


def to_float(x: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Float view of an image in [0, 1]: uint8 is divided by 255, floats are cast to ``dtype`` if needed.

    Example:
        >>> to_float(torch.tensor([0, 255], dtype=torch.uint8)).tolist()
        [0.0, 1.0]
    """
    if x.dtype == torch.uint8:
        return x.to(dtype).div_(255.0)
    return x if x.dtype == dtype or dtype is None else x.to(dtype)


def from_float(y: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Back to ``dtype``: uint8 is scaled by 255, rounded and saturated; floats are clamped to [0, 1].

    May reuse ``y``'s storage (``y`` must be a temporary of the caller).

    Example:
        >>> from_float(torch.tensor([-0.1, 0.5, 1.2]), torch.uint8).tolist()
        [0, 128, 255]
    """
    if dtype == torch.uint8:
        return y.mul(255.0).round_().clamp_(0, 255).to(torch.uint8)
    return y.clamp(0.0, 1.0).to(dtype)
