"""Codec augmenters: lossy compression artefacts from a real encoder and decoder (MP3 through libsndfile)."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch

from ..core import Draws, register
from ..core.checks import check_range
from ..core.errors import ConfigError, InputError
from ..core.threads import map_threads
from .base import AudioAugmenter, AudioBatch
from .functional.codec import MP3_RATES, mp3_roundtrip, mp3_supported

__all__ = ["Mp3Compression"]


@register("audio.Mp3Compression")
class Mp3Compression(AudioAugmenter):
    """Encode each clip as MP3 at a bitrate drawn uniformly from ``bitrate_kbps`` and decode it back.

    A real LAME encoder and mpg123 decoder (libsndfile >= 1.1, through soundfile) make the artefacts: band
    limiting, pre-echo and "swirling" at low bitrates. The bitrate is clamped to what the clip's MPEG version
    offers (8-64 kbps at 8-12 kHz, 8-160 at 16-24 kHz, 32-320 at 32-48 kHz) and LAME uses the nearest one its
    table allows. The decoded clip is aligned with the original and keeps its length; samples are clipped to
    [-1, 1] first, as any MP3 file would. Mono and stereo clips are coded as they are, clips of more channels
    one channel at a time (MP3 holds two at most). The codec runs on the CPU, one clip at a time (in threads
    when torch may use several); clips on another device make a round trip to the host. Needs one of MP3's
    sample rates: 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100 or 48000 Hz.
    Not differentiable: the codec is host code (LAME/mpg123) that autograd cannot follow; the output carries no
    gradient.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> x = 0.3 * torch.sin(2 * torch.pi * 440 * torch.arange(16000) / 16000)
        >>> y = ma.Mp3Compression(bitrate_kbps=(64, 64), p=1.0)(x, sample_rate=16000)
        >>> y.shape, bool((y - x)[2000:-2000].abs().max() < 0.05)
        (torch.Size([16000]), True)
    """

    differentiable: ClassVar[bool] = False

    def __init__(
        self,
        bitrate_kbps: float | tuple[float, float] = (8.0, 64.0),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, per_channel=per_channel, sample_rate=sample_rate)
        self.bitrate_kbps = check_range(bitrate_kbps, "bitrate_kbps", min_value=8.0, max_value=320.0)
        if not mp3_supported():
            raise ConfigError(
                "Mp3Compression needs soundfile >= 0.12 on libsndfile >= 1.1 built with MP3 support "
                "(pip install -U soundfile)"
            )

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, Any]:
        return {"bitrate_kbps": draws.uniform(*self.bitrate_kbps)}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        rate = batch.require_sample_rate(self)
        if rate not in MP3_RATES:
            raise InputError(
                f"Mp3Compression needs one of MP3's sample rates {list(MP3_RATES)}, got {rate} Hz: resample first"
            )
        host = batch.audio.detach().to("cpu", torch.float32).numpy()
        lengths = batch.host_lengths().tolist()
        bitrates = np.asarray(params["bitrate_kbps"], dtype=np.float64).tolist()

        def one(i: int) -> np.ndarray:
            return mp3_roundtrip(host[i, :, : lengths[i]], rate, bitrates[i])

        clips = map_threads(one, len(batch), torch.get_num_threads())  # libsndfile runs without the GIL
        out = np.zeros(host.shape, dtype=np.float32)
        for i, clip in enumerate(clips):
            out[i, :, : lengths[i]] = clip
        result = torch.from_numpy(out).to(device=batch.device, dtype=batch.audio.dtype)
        return batch.replace(audio=result)
