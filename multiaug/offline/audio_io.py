"""Read and write audio files with soundfile, keeping sample rate, channel count, container and sample format."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from .ogg import fixed_serial

__all__ = ["DecodedAudio", "read_audio", "write_audio"]

_FLOAT_SUBTYPES = {"FLOAT", "DOUBLE", "VORBIS", "OPUS", "MPEG_LAYER_I", "MPEG_LAYER_II", "MPEG_LAYER_III"}


@dataclass
class DecodedAudio:
    """A clip ready for a pipeline: ``audio`` is float32 ``(C, T)``; the rest says how to write it back."""

    audio: np.ndarray
    sample_rate: int
    format: str  # soundfile container: "WAV", "FLAC", "OGG", "MP3"
    subtype: str  # soundfile sample format: "PCM_16", "PCM_24", "FLOAT", "VORBIS", ...

    @property
    def size(self) -> int:
        """Number of values the pipeline sees (C x T)."""
        return int(self.audio.size)

    @property
    def group_key(self) -> tuple:
        """Clips with equal keys can share a (padded) batch."""
        return (self.sample_rate, self.audio.shape[0])


def read_audio(path: str | Path) -> DecodedAudio:
    """Decode an audio file to float32 ``(C, T)``; raises for empty, truncated or unreadable files.

    Example:
        >>> a = read_audio("data_samples/audio/music_stereo.wav")
        >>> a.audio.shape, a.sample_rate, a.subtype
        ((2, 88200), 22050, 'PCM_16')
    """
    with sf.SoundFile(str(path)) as f:
        fmt, subtype, sr = f.format, f.subtype, f.samplerate
        data = f.read(dtype="float32", always_2d=True)
    if data.shape[0] == 0:
        raise ValueError("the audio file holds no samples")
    if not np.isfinite(data).all():
        raise ValueError("the audio holds NaN or infinite samples")
    return DecodedAudio(np.ascontiguousarray(data.T), int(sr), fmt, subtype)


def write_audio(audio: np.ndarray, path: Path, like: DecodedAudio) -> None:
    """Write float ``(C, T)`` audio in the source's container and subtype (integer formats are clipped to [-1, 1]).

    Example:
        >>> import tempfile
        >>> a = read_audio("data_samples/audio/music_mono_24bit.flac")
        >>> p = Path(tempfile.mkdtemp()) / "x.flac"
        >>> write_audio(a.audio, p, a)
        >>> sf.info(str(p)).subtype, sf.info(str(p)).samplerate
        ('PCM_24', 16000)
    """
    data = np.asarray(audio, dtype=np.float32).T
    if like.subtype not in _FLOAT_SUBTYPES:
        data = np.clip(data, -1.0, 1.0)
    # encoded in memory, then written: the same bytes, without the fsync libsndfile does on closing a real file
    # (more than half the time of writing a short clip; the job's atomic rename does not need it)
    buf = io.BytesIO()
    sf.write(buf, data, like.sample_rate, subtype=like.subtype, format=like.format)
    with open(path, "wb") as f:
        if like.format == "OGG":  # libsndfile draws a random stream serial: fix it, so bytes are reproducible
            f.write(fixed_serial(buf.getvalue()))
        else:
            if like.format == "WAV":
                _clear_peak_time(buf.getbuffer())
            f.write(buf.getbuffer())


def _clear_peak_time(data: memoryview) -> None:
    """Zero the timestamp libsndfile writes into the PEAK chunk of a float WAV (the clock time of writing), so
    that the bytes are a function of the audio alone. Walks the RIFF chunks up to the data chunk."""
    at = 12
    while at + 8 <= len(data):
        cid, size = bytes(data[at : at + 4]), struct.unpack_from("<I", data, at + 4)[0]
        if cid == b"data":
            return
        if cid == b"PEAK" and size >= 8:
            data[at + 12 : at + 16] = b"\0\0\0\0"  # after the chunk id, its size and the PEAK version
            return
        at += 8 + size + (size & 1)
