"""Noise augmenters: Gaussian noise by amplitude or SNR, coloured (1/f^exponent) noise, background sounds.

SNR (dB) is ``20 log10(RMS(signal) / RMS(noise))`` with both RMS taken over each clip's valid part (all
channels together); the added noise is scaled so the measured SNR is exactly the drawn one. A silent clip
(RMS 0) gets no noise from the SNR-based augmenters (there is no level to be relative to) and never NaN.
Dense noise is regenerated in ``apply`` from per-sample seeds (:mod:`multiaug.core.noise`): the same on CPU and
CUDA and on replay. Padding past each clip's length stays zero.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ..core import Draws, register
from ..core.checks import check_range
from ..core.errors import ConfigError
from ..core.grad import tracks_grad
from ..core.noise import randn
from .bank import SoundBank
from .base import AudioAugmenter, AudioBatch
from .functional.lengths import masked_rms
from .functional.noise import add_noise, add_noise_at_snr, colored_noise, looped_segment

__all__ = ["AddBackgroundNoise", "AddColoredNoise", "AddGaussianNoise", "AddGaussianSNR", "AddShortNoises"]


def _white(batch: AudioBatch, seeds: Any) -> Tensor:
    """White noise ``(B, C, T)`` whose sample ``(c, t)`` does not depend on the padded length ``T``.

    The field is generated time-major over a length rounded up to a multiple of 16: torch's seeded CPU normal
    generator then yields the same leading values for any such length, so a clip gets the same noise alone or
    padded in a batch (checked by the contract tests).
    """
    frames = -(-batch.num_frames // 16) * 16
    noise = randn(seeds, (frames, batch.channels), batch.device, batch.audio.dtype)
    noise = noise[:, : batch.num_frames, :].transpose(1, 2)
    return noise if batch.channels == 1 else noise.contiguous()


def _colored(batch: AudioBatch, seeds: Any, exponent: Tensor) -> Tensor:
    """Coloured noise over each clip's own valid length (clips of equal length are made together), zero after."""
    full = batch.host_lengths()
    seeds = np.asarray(seeds, dtype=np.int64)
    shape = (batch.channels, batch.device, batch.audio.dtype)
    if (full == batch.num_frames).all():
        return colored_noise(seeds, batch.num_frames, shape[0], exponent, *shape[1:], normalize=False)
    out = torch.zeros_like(batch.audio)
    for length in np.unique(full).tolist():
        rows = np.flatnonzero(full == length)
        noise = colored_noise(
            seeds[rows],
            length,
            shape[0],
            exponent[torch.as_tensor(rows, device=exponent.device)],
            *shape[1:],
            normalize=False,
        )
        out[torch.as_tensor(rows, device=batch.device), :, :length] = noise
    return out


def _snr_range(snr_db: Any) -> tuple[float, float]:
    return check_range(snr_db, "snr_db", min_value=-100.0, max_value=200.0)


def _tensor(params: dict[str, Any], key: str, batch: AudioBatch) -> Tensor:
    """A per-clip parameter as a float64 tensor on the batch's device."""
    return torch.as_tensor(np.asarray(params[key], dtype=np.float64), device=batch.device)


def _add_at_snr(batch: AudioBatch, noise: Tensor, params: dict[str, Any]) -> AudioBatch:
    """The batch with ``noise`` added at each clip's drawn ``params["snr_db"]``."""
    snr = _tensor(params, "snr_db", batch)
    return batch.replace(audio=add_noise_at_snr(batch.audio, noise, snr, batch.lengths, reuse_noise=True))


@register("audio.AddGaussianNoise")
class AddGaussianNoise(AudioAugmenter):
    """Add white Gaussian noise whose standard deviation is drawn uniformly from ``amplitude=(low, high)``.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> y = ma.AddGaussianNoise(amplitude=(0.01, 0.01), p=1.0)(torch.zeros(1, 16000), seed=0)
        >>> round(float(y.std()), 2)
        0.01
    """

    finite_check = False  # pointwise: a non-finite value stays where it is

    def __init__(
        self,
        amplitude: float | tuple[float, float] = (0.001, 0.015),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.amplitude = check_range(amplitude, "amplitude", min_value=0.0)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"amplitude": draws.uniform(*self.amplitude), "seed": draws.seeds()}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        amplitude = _tensor(params, "amplitude", batch)
        return batch.replace(
            audio=add_noise(
                batch.audio, _white(batch, params["seed"]), amplitude, batch.lengths, reuse_noise=True
            )
        )


@register("audio.AddGaussianSNR")
class AddGaussianSNR(AudioAugmenter):
    """Add white Gaussian noise at a signal-to-noise ratio drawn uniformly (in dB) from ``snr_db``.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> x = torch.sin(torch.arange(16000) / 5.0)[None]
        >>> y = ma.AddGaussianSNR(snr_db=(10.0, 10.0), p=1.0)(x, seed=0)
        >>> round(float(20 * torch.log10(x.norm() / (y - x).norm())), 2)
        10.0
    """

    def __init__(
        self,
        snr_db: float | tuple[float, float] = (5.0, 40.0),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.snr_db = _snr_range(snr_db)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"snr_db": draws.uniform(*self.snr_db), "seed": draws.seeds()}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        return _add_at_snr(batch, _white(batch, params["seed"]), params)


@register("audio.AddColoredNoise")
class AddColoredNoise(AudioAugmenter):
    """Add noise whose power spectral density falls as ``1 / f**exponent``, at an SNR drawn from ``snr_db``.

    ``exponent`` is drawn uniformly per clip: 0 white, 1 pink (-3 dB/octave), 2 brown (-6 dB/octave), -1 blue,
    -2 violet. The shaping is exact down to the lowest frequency the clip's length carries (each clip's noise is
    drawn in the frequency domain over its own valid length, so it is the same alone as in a padded batch).

    Example:
        >>> import torch, multiaug.audio as ma
        >>> pink = ma.AddColoredNoise(snr_db=(20.0, 20.0), exponent=(1.0, 1.0), p=1.0)
        >>> pink(torch.randn(2, 8000), seed=0).shape
        torch.Size([2, 8000])
    """

    def __init__(
        self,
        snr_db: float | tuple[float, float] = (3.0, 30.0),
        exponent: float | tuple[float, float] = (-2.0, 2.0),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.snr_db = _snr_range(snr_db)
        self.exponent = check_range(exponent, "exponent", min_value=-6.0, max_value=6.0)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {
            "snr_db": draws.uniform(*self.snr_db),
            "exponent": draws.uniform(*self.exponent),
            "seed": draws.seeds(),
        }

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        noise = _colored(batch, params["seed"], _tensor(params, "exponent", batch).cpu())
        return _add_at_snr(batch, noise, params)


@register("audio.AddBackgroundNoise")
class AddBackgroundNoise(AudioAugmenter):
    """Mix in a background sound drawn from ``sources`` at an SNR drawn uniformly (in dB) from ``snr_db``.

    ``sources`` is a folder (searched recursively for audio files), a file, a list of files, or sounds in
    memory (a tensor ``(N, T)`` / ``(N, C, T)`` or a list of ``(T,)`` / ``(C, T)`` tensors at
    ``sources_sample_rate``, default: the clip's rate; an augmenter built from tensors has no config). Files
    are read with soundfile, resampled to the clip's rate and cached. Each clip takes one sound at a random
    offset: cropped when the sound is longer than the clip's valid part, looped when shorter. A mono sound is
    used on every channel; one with another channel count is mixed down first (so with ``per_channel=True``
    each channel draws its own sound, in mono). A silent background adds nothing.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> hum = torch.sin(torch.arange(4000) / 3.0)[None]          # one sound, (N, T)
        >>> aug = ma.AddBackgroundNoise(hum, snr_db=(10.0, 10.0), p=1.0)
        >>> aug(torch.randn(3, 1, 16000), sample_rate=16000, seed=0).shape
        torch.Size([3, 1, 16000])
    """

    def __init__(
        self,
        sources: str | os.PathLike | Sequence[Any] | Tensor,
        snr_db: float | tuple[float, float] = (3.0, 30.0),
        *,
        sources_sample_rate: int | None = None,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.bank = SoundBank(sources, sample_rate=sources_sample_rate, name="sources")
        self.snr_db = _snr_range(snr_db)

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {
            "index": draws.integers(0, len(self.bank)),
            "offset": draws.uniform(),
            "snr_db": draws.uniform(*self.snr_db),
        }

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        sounds, sound_lengths, rows = self.bank.stack_for(params["index"], batch, self)
        # Offsets on the host in float64: crop inside the sound when it is longer than the clip, else loop.
        have = sound_lengths.cpu().numpy()[rows.cpu().numpy()]
        need = batch.host_lengths()
        room = np.where(have >= need, have - need + 1, have)
        offsets = np.floor(np.asarray(params["offset"], dtype=np.float64) * room).astype(np.int64)
        noise = looped_segment(
            sounds, sound_lengths, rows, torch.as_tensor(offsets, device="cpu"), batch.num_frames
        )
        return _add_at_snr(batch, noise, params)


@register("audio.AddShortNoises")
class AddShortNoises(AudioAugmenter):
    """Add short sounds from ``sources`` (a door, a cough, a beep) at random moments, each at its own SNR.

    Events follow one another through each clip: the first starts within one gap of the start, and each next
    one a gap (drawn uniformly from ``gap`` seconds) after the previous one ends, as long as it starts inside
    the clip's valid part. Each event draws a sound (used whole, cut at the clip's end), an SNR uniformly from
    ``snr_db`` (the sound's RMS against the clip's RMS over its valid part) and linear fade-in and fade-out
    times from ``fade_in`` and ``fade_out`` seconds. ``sources`` takes the same forms as in
    :class:`AddBackgroundNoise`. A silent clip gets nothing added. audiomentations' ``AddShortNoises`` with
    fewer knobs.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> beep = torch.sin(torch.arange(800) * 0.5)[None]                       # one short sound, (N, T)
        >>> aug = ma.AddShortNoises(beep, snr_db=(0.0, 0.0), gap=(0.1, 0.2), p=1.0)
        >>> y, record = aug(torch.randn(1, 8000), sample_rate=8000, seed=0, return_params=True)
        >>> len(record.params["events"][0]) > 1
        True
    """

    def __init__(
        self,
        sources: str | os.PathLike | Sequence[Any] | Tensor,
        snr_db: float | tuple[float, float] = (-6.0, 18.0),
        gap: float | tuple[float, float] = (2.0, 8.0),
        fade_in: float | tuple[float, float] = (0.005, 0.08),
        fade_out: float | tuple[float, float] = (0.01, 0.1),
        *,
        sources_sample_rate: int | None = None,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.bank = SoundBank(sources, sample_rate=sources_sample_rate, name="sources")
        self.snr_db = _snr_range(snr_db)
        self.gap = check_range(gap, "gap", min_value=0.0)
        self.fade_in = check_range(fade_in, "fade_in", min_value=0.0)
        self.fade_out = check_range(fade_out, "fade_out", min_value=0.0)
        if self.gap[1] <= 0.0:
            raise ConfigError(f"gap must allow a positive time between sounds, got {gap!r}")

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        rate = batch.require_sample_rate(self)
        lengths = batch.host_lengths().tolist()
        events = []
        for rng, n in zip(draws.python_random(), lengths):  # a data-dependent number of events per clip
            clip_events: list[list[float]] = []
            start = int(rng.uniform(0.0, self.gap[1]) * rate)
            while start < n:
                index = rng.randrange(len(self.bank))
                size = self.bank.get(index, rate).shape[-1]
                clip_events.append([
                    start, index, rng.uniform(*self.snr_db), round(rng.uniform(*self.fade_in) * rate),
                    round(rng.uniform(*self.fade_out) * rate),
                ])  # fmt: skip
                start += size + max(1, round(rng.uniform(*self.gap) * rate))
            events.append(clip_events)
        return {"events": events}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        # autograd records: the noise is made for a clip RMS of 1 and scaled by the clip's RMS in torch at the
        # end, so the gradient also goes through the level the SNR is measured against
        grad = tracks_grad(batch.audio)
        rate = batch.require_sample_rate(self)
        host = batch.audio.detach().to("cpu", torch.float64)
        lengths = batch.host_lengths().tolist()
        clip_rms = masked_rms(host, batch.lengths.cpu()).tolist()
        noise = torch.zeros_like(host)
        events = [
            (i, [float(v) for v in e]) for i, clip_events in enumerate(params["events"]) for e in clip_events
        ]
        if events:
            # the distinct sounds once, with the bank's channel rule, and each one's RMS once
            indices = np.array([int(e[1]) for _, e in events], dtype=np.int64)
            sounds, sizes, rows = self.bank.stack(indices, rate, batch.channels, "cpu", torch.float64)
            sound_rms = masked_rms(sounds, sizes).tolist()
            for (i, (start, _, snr, fade_in, fade_out)), row in zip(events, rows.tolist()):
                a, size = int(start), int(sizes[row])
                span = min(size, lengths[i] - a)
                if span <= 0 or sound_rms[row] == 0.0 or clip_rms[i] == 0.0:
                    continue
                envelope = _fades(size, int(fade_in), int(fade_out))[:span]
                gain = (1.0 if grad else clip_rms[i]) / 10.0 ** (snr / 20.0) / sound_rms[row]
                noise[i, :, a : a + span] += sounds[row, :, :span] * (gain * envelope)
        if grad:
            level = masked_rms(batch.audio.to(torch.float64), batch.lengths)
            noise = noise.to(batch.device) * level.reshape(-1, 1, 1)
        out = batch.audio + noise.to(device=batch.device, dtype=batch.audio.dtype)
        return batch.replace(audio=out)


def _fades(size: int, fade_in: int, fade_out: int) -> Tensor:
    """A ``(size,)`` float64 envelope: linear ramps up over ``fade_in`` and down over ``fade_out`` samples."""
    pos = torch.arange(size, dtype=torch.float64, device="cpu")
    up = ((pos + 1) / fade_in).clamp(max=1.0) if fade_in > 0 else torch.ones_like(pos)
    down = ((size - pos) / fade_out).clamp(max=1.0) if fade_out > 0 else torch.ones_like(pos)
    return torch.minimum(up, down)
