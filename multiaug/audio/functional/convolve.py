"""FFT convolution of a batch of clips with a batch of impulse responses."""

from __future__ import annotations

import scipy.fft
import torch
from torch import Tensor

from .fft import irfft, rfft

__all__ = ["fft_convolve"]


def fft_convolve(
    audio: Tensor, kernel: Tensor, out_length: int | None = None, rows: Tensor | None = None
) -> Tensor:
    """Linear convolution of each clip of ``audio`` ``(B, C, T)`` with its kernel along time.

    ``kernel`` is ``(B, C or 1, L)``, or ``(U, C or 1, L)`` with ``rows`` ``(B,)`` saying which kernel each
    clip uses (each distinct kernel is transformed once). Returns ``(B, C, out_length)``, by default the full
    ``T + L - 1``; one real FFT of a fast size covers both.

    Example:
        >>> fft_convolve(torch.tensor([[[1.0, 2.0, 3.0]]]), torch.tensor([[[0.0, 1.0]]])).round().tolist()
        [[[0.0, 1.0, 2.0, 3.0]]]
    """
    t, n = audio.shape[-1], kernel.shape[-1]
    full = t + n - 1
    out_length = full if out_length is None else out_length
    n_fft = scipy.fft.next_fast_len(full, real=True)
    response = rfft(kernel.to(audio.dtype), n_fft)
    if rows is not None:
        response = response[rows.to(response.device)]
    spec = rfft(audio, n_fft) * response
    out = irfft(spec, n_fft)[..., : min(out_length, full)]
    if out.shape[-1] < out_length:
        out = torch.nn.functional.pad(out, (0, out_length - out.shape[-1]))
    return out.to(audio.dtype)
