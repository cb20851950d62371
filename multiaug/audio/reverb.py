"""Reverb: convolve each clip with an impulse response drawn from a bank of files or tensors."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from ..core import Draws, register
from ..core.errors import ConfigError
from .bank import SoundBank
from .base import AudioAugmenter, AudioBatch
from .functional.convolve import fft_convolve
from .functional.lengths import zero_padding
from .functional.shift import shift

__all__ = ["ApplyImpulseResponse"]


@register("audio.ApplyImpulseResponse")
class ApplyImpulseResponse(AudioAugmenter):
    """Convolve each clip with an impulse response (room reverb, a microphone, a phone line) from ``sources``.

    ``sources`` is a folder, a file, a list of files or impulse responses in memory (``(N, L)`` / ``(N, C,
    L)`` tensor or a list; those have no config), read and resampled like :class:`AddBackgroundNoise`'s. Each
    response is scaled to unit energy (L2 norm 1 per channel, averaged over its channels), so a clip keeps
    roughly its loudness; a silent response
    leaves the clip unchanged. With ``compensate_delay`` the output is moved earlier by the position of the
    response's peak (the direct sound), so the clip does not start late. The convolution runs as one batched
    FFT; each clip keeps its length (the reverb tail past its valid part is cut) and padding stays zero.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> ir = torch.zeros(1, 800); ir[0, 0] = 1.0; ir[0, 400] = 0.5          # direct sound and one echo
        >>> y = ma.ApplyImpulseResponse(ir, p=1.0)(torch.ones(1, 1000), sample_rate=8000)
        >>> [round(v, 3) for v in y[0, [0, 399, 400, 999]].tolist()]
        [0.894, 0.894, 1.342, 1.342]
    """

    def __init__(
        self,
        sources: str | os.PathLike | Sequence[Any] | Tensor,
        *,
        sources_sample_rate: int | None = None,
        compensate_delay: bool = False,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        if not isinstance(compensate_delay, bool):
            raise ConfigError(f"compensate_delay must be True or False, got {compensate_delay!r}")
        self.bank = SoundBank(sources, sample_rate=sources_sample_rate, name="sources")
        self.compensate_delay = compensate_delay

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"index": draws.integers(0, len(self.bank))}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        irs, _, rows = self.bank.stack_for(params["index"], batch, self)
        # Unit energy per channel on average (keeps the level differences between a stereo response's channels).
        energy = irs.square().sum(dim=(1, 2), keepdim=True, dtype=torch.float64).div(irs.shape[1]).sqrt()
        silent = (energy == 0).reshape(-1)
        irs = irs / torch.where(energy > 0, energy, torch.ones_like(energy)).to(irs.dtype)
        irs[silent, :, 0] = 1.0  # a silent response acts as the identity
        frames = batch.num_frames
        delay = irs.abs().amax(dim=1).argmax(dim=-1)[rows] if self.compensate_delay else None
        out_length = frames + int(delay.max()) if delay is not None else frames
        out = fft_convolve(batch.audio, irs, out_length=out_length, rows=rows)
        if delay is not None:
            out = shift(out, -delay.cpu(), rollover=False)[..., :frames]
        return batch.replace(audio=zero_padding(out, batch.lengths))
