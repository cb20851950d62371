"""Gradients through augmenters: when autograd records, and a clamp whose gradient passes at its bounds.

An augmenter whose output is a differentiable function of its input (given the drawn parameters) lets gradients
flow to the input, as kornia and torchvision do; its kernels keep their fast paths (work buffers, ``out=``
arguments, NumPy) for input that autograd does not record, and take plain torch operations otherwise. An
augmenter that is not differentiable (``differentiable = False``: quantisers, codecs, histogram equalisation,
the phase vocoder) processes such input detached (``Batch.detached``), and its output carries no gradient.

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

from typing import Any

import torch

__all__ = ["clamp_through", "tracks_grad"]


def tracks_grad(*tensors: torch.Tensor | None) -> bool:
    """True when autograd records operations on any of ``tensors`` (grad mode on and one requires grad)."""
    return torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors)


def clamp_through(tensor: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """``tensor`` clamped to ``[low, high]`` (a new tensor, the values of ``clamp``), whose gradient passes at the
    bounds: torch's ``clamp`` gives a value that lands exactly on a bound a zero gradient, so a white pixel that an
    op keeps white (a warp, a gamma) would get none; here only values clamped from outside the range do.

    Example:
        >>> x = torch.tensor([-0.5, 0.0, 1.0, 1.5], requires_grad=True)
        >>> clamp_through(x, 0.0, 1.0).sum().backward()
        >>> x.grad.tolist()
        [0.0, 1.0, 1.0, 0.0]
    """
    return _ClampThrough.apply(tensor, low, high)


class _ClampThrough(torch.autograd.Function):
    """``clamp`` forward; backward, the gradient where ``low <= x <= high`` (torch's clamp: strictly inside)."""

    @staticmethod
    def forward(ctx: Any, tensor: torch.Tensor, low: float, high: float) -> torch.Tensor:
        ctx.save_for_backward(tensor)
        ctx.bounds = (low, high)
        return tensor.clamp(low, high)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        (tensor,) = ctx.saved_tensors
        low, high = ctx.bounds
        return grad.masked_fill((tensor < low) | (tensor > high), 0.0), None, None
