"""Real FFTs along the last dimension: scipy's pocketfft on CPU, torch.fft elsewhere.

On CPU, scipy.fft is up to 3x faster than torch.fft for long signals (one 10 s clip at 44.1 kHz: about 6 ms
against 18 ms for a forward and inverse transform) and as fast for batches of short clips; both keep float32 as
complex64. Tensors that require grad stay on torch.fft so autograd keeps working.

Batch invariance: torch.fft rounds a lone row differently from the same row inside a batch (pocketfft through
scipy does not), so on the torch path a single row is transformed beside a zero row. A clip then gets the same
bits alone or in a batch.
"""

from __future__ import annotations

from typing import Any

import scipy.fft
import torch
from torch import Tensor

__all__ = ["irfft", "rfft"]


def _scipy(x: Tensor) -> bool:
    return x.device.type == "cpu" and not x.requires_grad and x.dtype in (
        torch.float32, torch.float64, torch.complex64, torch.complex128
    )  # fmt: skip


def rfft(x: Tensor, n: int) -> Tensor:
    """Real FFT of ``x`` along its last dimension, zero-padded (or cut) to ``n`` points (16-bit floats in float32).

    Example:
        >>> rfft(torch.ones(4), 4).real.tolist()
        [4.0, 0.0, 0.0]
    """
    if x.dtype in (torch.float16, torch.bfloat16):  # no 16-bit FFT on CPU (nor of most sizes on CUDA)
        x = x.float()
    if _scipy(x):
        return torch.from_numpy(scipy.fft.rfft(x.numpy(), n=n, axis=-1, workers=torch.get_num_threads()))
    return _rowwise(torch.fft.rfft, x, n)


def irfft(spectrum: Tensor, n: int) -> Tensor:
    """Inverse of :func:`rfft`: a real signal of ``n`` points along the last dimension.

    Example:
        >>> irfft(rfft(torch.arange(4.0), 4), 4).round().tolist()
        [0.0, 1.0, 2.0, 3.0]
    """
    if _scipy(spectrum):
        return torch.from_numpy(
            scipy.fft.irfft(spectrum.numpy(), n=n, axis=-1, workers=torch.get_num_threads())
        )
    return _rowwise(torch.fft.irfft, spectrum, n)


def _rowwise(fft: Any, x: Tensor, n: int) -> Tensor:
    """``fft`` over the last dimension, never on a lone row (see the module docstring)."""
    if x.numel() // max(1, x.shape[-1]) != 1:
        return fft(x, n=n, dim=-1)
    pair = torch.cat([x.reshape(1, -1), torch.zeros_like(x.reshape(1, -1))])
    out = fft(pair, n=n, dim=-1)[0]
    return out.reshape((*x.shape[:-1], out.shape[-1]))
