"""Gradients through augmenters: when autograd records, and how a batch drops its graph.

An augmenter whose output is a differentiable function of its input (given the drawn parameters) lets gradients
flow to the input, as kornia and torchvision do; its kernels keep their fast paths (work buffers, ``out=``
arguments, NumPy) for input that autograd does not record, and take plain torch operations otherwise. An
augmenter that is not differentiable (``differentiable = False``: quantisers, codecs, histogram equalisation,
the phase vocoder) processes such input detached, and its output carries no gradient.

Example:
    >>> import torch
    >>> x = torch.ones(2, requires_grad=True)
    >>> tracks_grad(x), tracks_grad(x.detach())
    (True, False)
    >>> with torch.no_grad():
    ...     tracks_grad(x)
    False
"""

from __future__ import annotations

import torch

__all__ = ["detached", "tracks_grad"]


def tracks_grad(*tensors: torch.Tensor | None) -> bool:
    """True when autograd records operations on any of ``tensors`` (grad mode on and one requires grad)."""
    return torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors)


def detached(tensor: torch.Tensor | None) -> torch.Tensor | None:
    """``tensor`` without its autograd graph (the same object when it has none)."""
    return tensor.detach() if tensor is not None and tensor.requires_grad else tensor
