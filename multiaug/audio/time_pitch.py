"""Time-stretch, pitch shift and speed change: per-clip parameters on variable-length batches, CPU and CUDA.

All three run on the whole batch at once (a few clips at a time through the phase vocoder and the fixed-cost
resampler in ``functional/``), with every clip's own parameter; no Python loop runs over clips. All channels of a
clip get the same parameter (each channel is processed independently, like librosa). ``Speed`` is
differentiable (the resampler is linear in the audio); ``TimeStretch`` and ``PitchShift`` are not: the phase
vocoder's kernels write into reused buffers throughout, and the phase of a bin is singular where its magnitude
vanishes, so audio that requires grad is processed detached and their result carries no gradient.

What a call returns (``lengths`` are the valid lengths; padding is zero):

- ``TimeStretch(keep_length=False)`` and ``Speed``: new lengths ``round(length / rate)``; the audio is padded to
  the longest new length of the batch (it can be longer or shorter than the input). Use the dict call
  ``aug(audio=x, sample_rate=sr, lengths=l)`` to get the new lengths back.
- ``TimeStretch(keep_length=True)`` and ``PitchShift``: lengths and shape unchanged.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
import torch

from ..core import Draws, register
from ..core.checks import check_range
from ..core.errors import ConfigError
from .base import AudioAugmenter, AudioBatch
from .functional.resample import speed_change
from .functional.vocoder import pitch_shift, time_stretch

__all__ = ["PitchShift", "Speed", "TimeStretch", "default_n_fft"]


def _check_fft(n_fft: Any, hop_length: Any) -> tuple[int | None, int | None]:
    if n_fft is None:
        if hop_length is not None:
            raise ConfigError("hop_length needs an explicit n_fft")
        return None, None
    if isinstance(n_fft, bool) or not isinstance(n_fft, int | np.integer) or n_fft < 16 or n_fft % 2:
        raise ConfigError(f"n_fft must be None or an even integer >= 16, got {n_fft!r}")
    hop = n_fft // 4 if hop_length is None else hop_length
    if (
        isinstance(hop, bool)
        or not isinstance(hop, int | np.integer)
        or hop < 1
        or n_fft % hop
        or hop > n_fft // 2
    ):
        raise ConfigError(
            f"hop_length must divide n_fft ({n_fft}) and be at most n_fft // 2, got {hop_length!r}"
        )
    return int(n_fft), int(hop)


def default_n_fft(sample_rate: int) -> int:
    """The STFT size used when ``n_fft=None``: the power of two nearest (in log scale) to 50 ms of audio.

    Example:
        >>> [default_n_fft(sr) for sr in (8000, 16000, 22050, 44100, 48000)]
        [512, 1024, 1024, 2048, 2048]
    """
    return 1 << max(4, round(math.log2(0.05 * sample_rate)))


def _fft_sizes(op: Any, batch: AudioBatch) -> tuple[int, int]:
    if op.n_fft is not None:
        return op.n_fft, op.hop_length
    n_fft = default_n_fft(batch.require_sample_rate(op))
    return n_fft, n_fft // 4


def _flat(batch: AudioBatch, values: np.ndarray) -> tuple[torch.Tensor, np.ndarray, torch.Tensor]:
    """Clips ``(B, C, T)`` as rows ``(B*C, T)``, each clip's parameter and length repeated per channel."""
    b, c, t = batch.audio.shape
    rows = batch.audio.reshape(b * c, t)
    if rows.dtype not in (torch.float32, torch.float64):
        rows = rows.float()  # FFTs need float32/float64; the result is cast back
    return rows, np.repeat(np.asarray(values, dtype=np.float64), c), batch.lengths.repeat_interleave(c)


def _unflat(batch: AudioBatch, rows: torch.Tensor, frames: int) -> torch.Tensor:
    b, c = len(batch), batch.channels
    out = rows.reshape(b, c, rows.shape[-1])
    if out.shape[-1] < frames:
        out = torch.nn.functional.pad(out, (0, frames - out.shape[-1]))
    return out.to(batch.audio.dtype)


@register("audio.TimeStretch")
class TimeStretch(AudioAugmenter):
    """Change the tempo of each clip, not its pitch, by a rate drawn uniformly from ``rate`` (phase vocoder).

    ``rate > 1`` is faster and shorter: a clip of ``L`` samples becomes ``round(L / rate)`` samples. With
    ``keep_length=True`` the result is cropped or zero-padded back to ``L`` (only the frames needed are
    computed). ``n_fft``/``hop_length`` set the STFT; by default ``n_fft`` is about 50 ms of audio (1024 at
    16 kHz, 2048 at 44.1 kHz: see ``default_n_fft``; it then needs the sample rate) and the hop ``n_fft // 4``.
    Longer windows keep steady tones cleaner, shorter ones smear transients less. Not differentiable: the phase
    vocoder runs on reused buffers and a bin's phase is singular where its magnitude vanishes; the output carries
    no gradient.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> x = torch.randn(2, 1, 16000)
        >>> out = ma.TimeStretch(rate=(2.0, 2.0), p=1.0)(audio=x, sample_rate=16000)
        >>> out["audio"].shape, out["lengths"].tolist()
        (torch.Size([2, 1, 8000]), [8000, 8000])
    """

    changes_length: ClassVar[bool] = True
    differentiable: ClassVar[bool] = False

    def __init__(
        self,
        rate: float | tuple[float, float] = (0.8, 1.25),
        keep_length: bool = False,
        *,
        n_fft: int | None = None,
        hop_length: int | None = None,
        p: float = 0.5,
        same_on_batch: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, sample_rate=sample_rate)
        self.rate = check_range(rate, "rate", min_value=0.05, max_value=20.0)
        if self.rate[0] <= 0.0:
            raise ConfigError(f"rate must be > 0, got {rate!r}")
        if not isinstance(keep_length, bool):
            raise ConfigError(f"keep_length must be True or False, got {keep_length!r}")
        self.keep_length = keep_length
        self.n_fft, self.hop_length = _check_fft(n_fft, hop_length)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"rate": draws.uniform(*self.rate)}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        rows, rates, lengths = _flat(batch, params["rate"])
        out_lengths = lengths if self.keep_length else None
        n_fft, hop = _fft_sizes(self, batch)
        y, new = time_stretch(rows, rates, lengths, out_lengths=out_lengths, n_fft=n_fft, hop=hop)
        frames = batch.num_frames if self.keep_length else 0
        audio = _unflat(batch, y, frames)
        return batch.replace(audio=audio, lengths=new.reshape(len(batch), batch.channels)[:, 0])


@register("audio.PitchShift")
class PitchShift(AudioAugmenter):
    """Shift the pitch of each clip by a number of semitones drawn uniformly from ``semitones`` (any real
    value; a single number ``v`` means ``(-v, v)``), keeping its duration.

    The clip is stretched by the phase vocoder to ``2 ** (semitones / 12)`` times its length and read back at
    that rate by a fixed-cost windowed-sinc resampler: time and memory do not depend on the ratio. ``n_fft``
    and ``hop_length`` as in :class:`TimeStretch`. Not differentiable, as :class:`TimeStretch` (the phase
    vocoder): the output carries no gradient.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> x = torch.sin(2 * torch.pi * 440 * torch.arange(16000) / 16000)
        >>> y = ma.PitchShift(semitones=(12, 12), p=1.0)(x, sample_rate=16000)
        >>> int(torch.fft.rfft(y[4000:12000]).abs().argmax()) * 2  # Hz
        880
    """

    differentiable: ClassVar[bool] = False

    def __init__(
        self,
        semitones: float | tuple[float, float] = (-4.0, 4.0),
        *,
        n_fft: int | None = None,
        hop_length: int | None = None,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.semitones = check_range(semitones, "semitones", symmetric=True, min_value=-48.0, max_value=48.0)
        self.n_fft, self.hop_length = _check_fft(n_fft, hop_length)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"semitones": draws.uniform(*self.semitones)}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        ratios = 2.0 ** (np.asarray(params["semitones"], dtype=np.float64) / 12.0)
        rows, ratios, lengths = _flat(batch, ratios)
        n_fft, hop = _fft_sizes(self, batch)
        y = pitch_shift(rows, ratios, lengths, n_fft=n_fft, hop=hop)
        return batch.replace(audio=_unflat(batch, y[:, : batch.num_frames], batch.num_frames))


@register("audio.Speed")
class Speed(AudioAugmenter):
    """Play each clip faster or slower by a factor drawn uniformly from ``factor``: tempo and pitch change
    together (resampling), and a clip of ``L`` samples becomes ``round(L / factor)`` samples.

    Clips sped up are low-passed to their new Nyquist first; the resampler has a fixed cost for any factor.
    Differentiable: both are linear in the audio.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> out = ma.Speed(factor=(1.25, 1.25), p=1.0)(audio=torch.randn(1, 16000), sample_rate=16000)
        >>> out["audio"].shape, out["lengths"].tolist()
        (torch.Size([1, 12800]), [12800])
    """

    changes_length: ClassVar[bool] = True

    def __init__(
        self,
        factor: float | tuple[float, float] = (0.9, 1.1),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, sample_rate=sample_rate)
        self.factor = check_range(factor, "factor", min_value=0.05, max_value=20.0)
        if self.factor[0] <= 0.0:
            raise ConfigError(f"factor must be > 0, got {factor!r}")

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"factor": draws.uniform(*self.factor)}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        rows, factors, lengths = _flat(batch, params["factor"])
        y, new = speed_change(rows, factors, lengths)
        audio = _unflat(batch, y, 0)
        return batch.replace(audio=audio, lengths=new.reshape(len(batch), batch.channels)[:, 0])
