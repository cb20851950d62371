"""Helpers for padded audio batches: valid-part masks and RMS over each clip's valid part."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["length_mask", "masked_rms", "zero_padding"]


def length_mask(lengths: Tensor | None, num_samples: int) -> Tensor | None:
    """Boolean mask ``(B, 1, T)`` that is True inside each clip's valid part, or None when all are full.

    Example:
        >>> length_mask(torch.tensor([2, 4]), 4).int().squeeze(1).tolist()
        [[1, 1, 0, 0], [1, 1, 1, 1]]
    """
    if lengths is None or bool((lengths >= num_samples).all()):
        return None
    t = torch.arange(num_samples, device=lengths.device)
    return (t[None, :] < lengths[:, None]).unsqueeze(1)


def masked_rms(audio: Tensor, lengths: Tensor | None = None) -> Tensor:
    """RMS of each clip ``(B,)`` over all channels and the valid part only (0 for an empty or silent clip).

    Example:
        >>> x = torch.tensor([[[1.0, -1.0, 0.0, 0.0]]])
        >>> [round(v, 6) for v in masked_rms(x, torch.tensor([2])).tolist()]
        [1.0]
    """
    b, c, t = audio.shape
    mask = None if lengths is None else length_mask(lengths, t)
    norm = torch.linalg.vector_norm(audio if mask is None else audio * mask, dim=(1, 2)).to(torch.float64)
    if lengths is None:
        count = torch.full((b,), c * t, dtype=torch.float64, device=audio.device)
    else:
        count = lengths.to(device=audio.device, dtype=torch.float64).clamp(max=t) * c
    return norm / count.clamp(min=1.0).sqrt()


def zero_padding(audio: Tensor, lengths: Tensor | None) -> Tensor:
    """Return ``audio`` with everything past each clip's length set to 0 (the input itself when none is
    padded).

    Example:
        >>> zero_padding(torch.ones(1, 1, 3), torch.tensor([1])).tolist()
        [[[1.0, 0.0, 0.0]]]
    """
    mask = length_mask(lengths, audio.shape[-1])
    return audio if mask is None else audio * mask
