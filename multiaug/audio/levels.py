"""Level augmenters: peak normalisation and loudness (LUFS) normalisation to a target or random level."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.autograd.function import once_differentiable

from ..core import Draws, register
from ..core.checks import check_choice, check_range
from ..core.errors import InputError
from ..core.grad import tracks_grad
from .base import AudioAugmenter, AudioBatch
from .functional.host import per_clip
from .functional.levels import peak
from .functional.loudness import MIN_SAMPLE_RATE, integrated_loudness, loudness_gradient

__all__ = ["LoudnessNormalization", "PeakNormalization"]


@register("audio.PeakNormalization")
class PeakNormalization(AudioAugmenter):
    """Scale each clip so its largest absolute sample sits at a peak level drawn uniformly from ``peak_db`` (dBFS).

    The default ``peak_db=0.0`` scales every clip to a peak of exactly 1.0 (audiomentations' ``Normalize``,
    torch-audiomentations' ``PeakNormalization``); a range such as ``(-12, 0)`` also randomises the loudness.
    ``apply_to="only_too_loud"`` only turns down clips whose peak is above the target. The peak is taken over all
    channels of a clip (``per_channel=True``: each channel on its own) and its valid part; silent clips stay silent.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> y = ma.PeakNormalization(p=1.0)(torch.tensor([[0.1, -0.25, 0.2]]), sample_rate=8000)
        >>> [round(v, 6) for v in y[0].tolist()]
        [0.4, -1.0, 0.8]
    """

    finite_check = False  # the peak is NaN or inf exactly when the clip holds one: checked there

    def __init__(
        self,
        peak_db: float | tuple[float, float] = 0.0,
        apply_to: str = "all",
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.peak_db = check_range(peak_db, "peak_db", min_value=-120.0, max_value=60.0)
        self.apply_to = check_choice(apply_to, "apply_to", ["all", "only_too_loud"])

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"peak_db": draws.uniform(*self.peak_db)}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        target = 10.0 ** (np.asarray(params["peak_db"], dtype=np.float64) / 20.0)
        peaks = peak(batch.audio, None if batch.unpadded else batch.lengths)
        if tracks_grad(batch.audio):  # autograd records: the factor in torch, a function of the peak
            if not bool(torch.isfinite(peaks).all()):
                raise InputError("audio contains NaN or infinite values")
            goal = torch.as_tensor(target, device=peaks.device)
            scale = torch.where(peaks > 0, goal / peaks.clamp(min=1e-300), 1.0)
            if self.apply_to == "only_too_loud":
                scale = scale.clamp(max=1.0)
            return batch.replace(audio=batch.audio * scale.to(batch.audio.dtype).reshape(-1, 1, 1))
        current = peaks.cpu().numpy()
        if not np.isfinite(current).all():
            raise InputError("audio contains NaN or infinite values")
        factor = np.where(current > 0, target / np.maximum(current, 1e-300), 1.0)
        if self.apply_to == "only_too_loud":
            factor = np.minimum(factor, 1.0)
        return batch.replace(audio=batch.audio * per_clip(factor, batch.audio))


@register("audio.LoudnessNormalization")
class LoudnessNormalization(AudioAugmenter):
    """Scale each clip to an integrated loudness drawn uniformly from ``loudness_lufs`` (ITU-R BS.1770-4).

    Loudness is measured over the clip's valid part with the standard's K-weighting and gating (every channel
    weighted 1; a clip shorter than 400 ms as one block); see ``functional/loudness.py``. Silent clips, and clips
    quieter than the standard's absolute gate of -70 LUFS (no block passes it: no loudness to scale from), are
    left as they are. The result is not limited: a quiet clip brought to a high loudness may exceed [-1, 1] (follow with
    ``PeakNormalization(apply_to="only_too_loud")`` where that matters). Measured on the host (scipy); the gain is
    applied on the clip's device. Needs a sample rate of at least 3364 Hz (the K-weighting's shelf lies below
    Nyquist). audiomentations' ``LoudnessNormalization`` without its pyloudnorm dependency. Gradients go through
    the gain and the measured loudness (the gates' choice of blocks, piecewise constant, is held fixed).

    Example:
        >>> import torch, multiaug.audio as ma
        >>> x = 0.1 * torch.sin(2 * torch.pi * 997 * torch.arange(48000) / 48000)
        >>> y = ma.LoudnessNormalization(loudness_lufs=(-23.0, -23.0), p=1.0)(x, sample_rate=48000)
        >>> round(float(20 * torch.log10(y.abs().max())), 2)   # a 997 Hz sine at -23 LUFS peaks at -19.99 dBFS
        -19.99
    """

    def __init__(
        self,
        loudness_lufs: float | tuple[float, float] = (-31.0, -13.0),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.loudness_lufs = check_range(loudness_lufs, "loudness_lufs", min_value=-70.0, max_value=10.0)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"loudness_lufs": draws.uniform(*self.loudness_lufs)}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        rate = batch.require_sample_rate(self)
        if rate < MIN_SAMPLE_RATE:
            raise InputError(
                f"LoudnessNormalization measures BS.1770 loudness, which needs a sample rate of at least "
                f"{MIN_SAMPLE_RATE} Hz, got {rate} Hz"
            )
        if tracks_grad(batch.audio):  # autograd records: the gain in torch, a function of the loudness
            loudness = _Loudness.apply(batch.audio, rate, batch.host_lengths())
            goal = torch.as_tensor(
                np.asarray(params["loudness_lufs"], dtype=np.float64), device=loudness.device
            )
            loudness = torch.where(torch.isfinite(loudness), loudness, goal)  # no loudness: a gain of 1
            scale = 10.0 ** ((goal - loudness) / 20.0)
            return batch.replace(audio=batch.audio * scale.to(batch.audio.dtype).reshape(-1, 1, 1))
        host = batch.audio.detach().to("cpu", torch.float64).numpy()
        measured = integrated_loudness(host, rate, batch.host_lengths())
        target = np.asarray(params["loudness_lufs"], dtype=np.float64)
        gain = np.where(np.isfinite(measured), 10.0 ** ((target - measured) / 20.0), 1.0)
        return batch.replace(audio=batch.audio * per_clip(gain, batch.audio))


class _Loudness(torch.autograd.Function):
    """Integrated loudness ``(B,)`` (float64, on the clips' device) of a batch ``(B, C, T)``, measured on the host,
    with its derivative from :func:`loudness_gradient` (zero for a clip with no loudness)."""

    @staticmethod
    def forward(ctx: Any, audio: torch.Tensor, rate: int, lengths: np.ndarray) -> torch.Tensor:
        host = audio.detach().to("cpu", torch.float64).numpy()
        measured, gradient = loudness_gradient(host, rate, lengths)
        ctx.gradient, ctx.dtype, ctx.device = torch.from_numpy(gradient), audio.dtype, audio.device
        return torch.from_numpy(measured).to(audio.device)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        out = ctx.gradient * grad.to("cpu", torch.float64).reshape(-1, 1, 1)
        return out.to(device=ctx.device, dtype=ctx.dtype), None, None
