"""Distortion augmenters: hard clipping at a clip's own percentiles, tanh soft clipping (overdrive), bit-depth
reduction, and aliasing from resampling without a low-pass filter."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch

from ..core import Draws, register
from ..core.checks import check_int_range, check_range
from ..core.grad import tracks_grad
from .base import AudioAugmenter, AudioBatch
from .functional.host import slice_views
from .functional.lengths import masked_rms, zero_padding
from .functional.levels import percentiles

__all__ = ["Aliasing", "BitCrush", "ClippingDistortion", "TanhDistortion"]


def _column(values: torch.Tensor, batch: AudioBatch) -> torch.Tensor:
    return values.to(device=batch.device, dtype=batch.audio.dtype).reshape(-1, 1, 1)


def _wide(audio: torch.Tensor) -> torch.Tensor:
    """``audio`` in float32 when it is a 16-bit float: drives and quantisation steps such as 0.5 / 1e-6 or
    2 ** 31 overflow float16 (inf, then NaN from 0 * inf)."""
    return audio.float() if audio.dtype in (torch.float16, torch.bfloat16) else audio


@register("audio.ClippingDistortion")
class ClippingDistortion(AudioAugmenter):
    """Hard-clip each clip so that a share of its samples drawn uniformly from ``percentile`` (in %) is clipped.

    Half of that share is taken from each extreme: the clip is limited to its own ``percentile / 2`` and
    ``100 - percentile / 2`` percentiles over its valid samples (audiomentations' ``ClippingDistortion``, with
    ``percentile`` in place of its ``min/max_percentile_threshold``). ``percentile=0`` leaves a clip unchanged.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> x = torch.linspace(-1.0, 1.0, 101)
        >>> y = ma.ClippingDistortion(percentile=(20.0, 20.0), p=1.0)(x, sample_rate=8000)
        >>> round(float(y.min()), 6), round(float(y.max()), 6), int((y.abs() == y.abs().max()).sum())
        (-0.8, 0.8, 22)
    """

    def __init__(
        self,
        percentile: float | tuple[float, float] = (0.0, 40.0),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.percentile = check_range(percentile, "percentile", min_value=0.0, max_value=100.0)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"percentile": draws.uniform(*self.percentile)}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        half = torch.as_tensor(np.asarray(params["percentile"], dtype=np.float64) / 2.0, device="cpu")
        limits = percentiles(batch.audio, torch.stack([half, 100.0 - half], dim=1), batch.lengths)
        out = torch.clamp(batch.audio, _column(limits[:, 0], batch), _column(limits[:, 1], batch))
        return batch.replace(audio=zero_padding(out, batch.lengths))


@register("audio.TanhDistortion")
class TanhDistortion(AudioAugmenter):
    """Soft-clip each clip through ``tanh`` with an amount drawn uniformly from ``distortion`` (0..1), keeping its RMS.

    The drive is set from the clip itself, as audiomentations' ``TanhDistortion`` does: the gain is
    ``0.5 / q`` with ``q`` the clip's ``100 - 99 * distortion`` percentile of absolute values, so about a share
    ``distortion`` of the samples is driven past ``tanh(0.5)``; the result is scaled back to the clip's RMS over
    its valid part. More distortion: more odd harmonics, a flatter waveform.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> x = torch.sin(torch.arange(8000) * 0.05)
        >>> y = ma.TanhDistortion(distortion=(0.5, 0.5), p=1.0)(x, sample_rate=8000)
        >>> round(float(y.square().mean().sqrt() / x.square().mean().sqrt()), 4), bool(y.abs().max() < x.abs().max() * 1.5)
        (1.0, True)
    """

    def __init__(
        self,
        distortion: float | tuple[float, float] = (0.01, 0.7),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.distortion = check_range(distortion, "distortion", min_value=0.0, max_value=1.0)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"distortion": draws.uniform(*self.distortion)}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        grad = tracks_grad(batch.audio)  # autograd records: no in-place changes (tanh saves its output)
        q = 100.0 - 99.0 * torch.as_tensor(np.asarray(params["distortion"], dtype=np.float64), device="cpu")
        threshold = percentiles(batch.audio.abs(), q[:, None], batch.lengths)[:, 0]
        x = _wide(batch.audio)
        drive = (0.5 / (threshold + 1e-6)).to(device=batch.device, dtype=x.dtype).reshape(-1, 1, 1)
        driven = x * drive
        if grad:
            driven = driven.tanh()
        elif isinstance(view := slice_views(driven)[0], np.ndarray):
            np.tanh(view, out=view)  # NumPy's vectorised tanh: about 13x torch's on the CPU, within 1 ulp
        else:
            driven.tanh_()
        before, after = masked_rms(x, batch.lengths), masked_rms(driven, batch.lengths)
        gain = torch.where(after > 0, before / after.clamp(min=1e-300), torch.zeros_like(after))
        column = gain.to(device=batch.device, dtype=x.dtype).reshape(-1, 1, 1)
        out = driven * column if grad else driven.mul_(column)
        return batch.replace(audio=out.to(batch.audio.dtype))


@register("audio.BitCrush")
class BitCrush(AudioAugmenter):
    """Quantise to a bit depth drawn uniformly (an integer) from ``bit_depth``: ``round(x * 2**(b-1)) / 2**(b-1)``.

    The quantisation noise of a ``b``-bit converter, as audiomentations' ``BitCrush``; samples are not clipped.
    Not differentiable: rounding is piecewise constant (its derivative is 0 almost everywhere), so the output
    carries no gradient.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> ma.BitCrush(bit_depth=(2, 2), p=1.0)(torch.tensor([0.1, 0.3, -0.74, 0.9]), sample_rate=8000).tolist()
        [0.0, 0.5, -0.5, 1.0]
    """

    finite_check = False  # pointwise: a non-finite value stays where it is
    differentiable: ClassVar[bool] = False

    def __init__(
        self,
        bit_depth: int | tuple[int, int] = (5, 10),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.bit_depth = check_int_range(bit_depth, "bit_depth", min_value=1, max_value=32)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"bit_depth": draws.integers(self.bit_depth[0], self.bit_depth[1] + 1)}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        steps = torch.as_tensor(
            2.0 ** (np.asarray(params["bit_depth"], dtype=np.float64) - 1.0), device="cpu"
        )
        x = _wide(batch.audio)
        scale = steps.to(device=batch.device, dtype=x.dtype).reshape(-1, 1, 1)
        return batch.replace(audio=(x * scale).round_().div_(scale).to(batch.audio.dtype))


@register("audio.Aliasing")
class Aliasing(AudioAugmenter):
    """Resample each clip down to a rate drawn uniformly from ``sample_rate_hz`` and back, with no low-pass filter.

    Both steps interpolate linearly, as audiomentations' ``Aliasing`` does, so everything above the lower rate's
    Nyquist folds back into the band as inharmonic artefacts. A drawn rate at or above the clip's own leaves the
    clip unchanged. Length, timing and padding are kept.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> tone = torch.sin(2 * torch.pi * 5000 * torch.arange(16000) / 16000)     # 5 kHz
        >>> y = ma.Aliasing(sample_rate_hz=(8000, 8000), p=1.0)(tone, sample_rate=16000)
        >>> int(torch.fft.rfft(y).abs().argmax())                                    # folds to 8000 - 5000 Hz
        3000
    """

    def __init__(
        self,
        sample_rate_hz: float | tuple[float, float] = (8000.0, 30000.0),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.sample_rate_hz = check_range(sample_rate_hz, "sample_rate_hz", min_value=100.0)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"sample_rate_hz": draws.uniform(*self.sample_rate_hz)}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        ratio = np.asarray(params["sample_rate_hz"], dtype=np.float64) / batch.require_sample_rate(self)
        lengths = batch.host_lengths()
        active = ratio < 1.0
        if not active.any():
            return batch
        # the low-rate samples: positions k / ratio (k < ceil(length * ratio)) in the clip, read linearly
        low_len = np.ceil(lengths * np.minimum(ratio, 1.0)).astype(np.int64)
        t = batch.num_frames
        k = torch.arange(t, device=batch.device, dtype=torch.float64)[None, :]
        step = torch.as_tensor(1.0 / np.minimum(ratio, 1.0), device=batch.device)[:, None]
        last = torch.as_tensor(lengths - 1, device=batch.device, dtype=torch.float64)[:, None]
        # only the low-rate samples that exist (the longest clip's ceil(length * ratio)) are read
        low = _lerp(batch.audio, (k[:, : int(low_len.max())] * step).clamp_(max=last))
        # back at the clip's rate: sample t sits at t * ratio in the low-rate signal
        low_last = torch.as_tensor(low_len - 1, device=batch.device, dtype=torch.float64)[:, None]
        back = _lerp(low, (k / step).clamp_(max=low_last))
        keep = torch.as_tensor(active, device=batch.device)[:, None, None]
        out = torch.where(keep, back, batch.audio)
        return batch.replace(audio=zero_padding(out, batch.lengths))


def _lerp(audio: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    """``audio`` ``(B, C, T)`` read at float64 ``positions`` ``(B, M)`` (at most T - 1) by linear interpolation:
    ``(B, C, M)``."""
    left = positions.floor()
    frac = (positions - left).to(audio.dtype)[:, None, :]
    i = left.to(torch.int64)
    j = (i + 1).clamp_(max=audio.shape[-1] - 1)
    b, c, m = audio.shape[0], audio.shape[1], positions.shape[-1]
    a = audio.gather(2, i[:, None, :].expand(b, c, m))
    return a.add_(audio.gather(2, j[:, None, :].expand(b, c, m)).sub_(a).mul_(frac))
