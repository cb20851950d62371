"""Read and write audio files as float tensors ``(C, T)`` (soundfile first, librosa for everything else)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from torch import Tensor

from ..core.errors import InputError, InputTypeError

__all__ = ["load", "save"]

PathLike = str | os.PathLike


def _positive_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool) and int(value) > 0


def _read(path: Path) -> tuple[np.ndarray, int]:
    try:
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
        return data.T, int(sr)
    except (sf.LibsndfileError, RuntimeError) as sf_error:
        import librosa

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # librosa warns about its own audioread fallback
                data, sr = librosa.load(str(path), sr=None, mono=False, dtype=np.float32)
        except Exception as error:
            said = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            raise InputError(
                f"cannot read audio file {str(path)!r}: soundfile said {sf_error}; librosa said {said}"
            ) from error
        return np.atleast_2d(data), int(sr)


def _resample(data: np.ndarray, orig_sr: int, target_sr: int) -> np.ndarray:
    import librosa

    if data.shape[-1] == 0:
        return data
    return librosa.resample(data, orig_sr=orig_sr, target_sr=target_sr, res_type="soxr_hq", axis=-1)


def load(path: PathLike, sample_rate: int | None = None, mono: bool = False) -> tuple[Tensor, int]:
    """Read an audio file into a float32 tensor ``(C, T)`` and its sample rate.

    soundfile reads WAV, FLAC, OGG/Vorbis, MP3 (libsndfile >= 1.1) and more; anything else goes through
    librosa (audioread/ffmpeg where installed). With ``sample_rate`` the audio is resampled (soxr, high
    quality) and that rate is returned; with ``mono=True`` the channels are averaged into one.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "a.wav")
        >>> save(path, torch.zeros(2, 800), 8000)
        >>> x, sr = load(path, sample_rate=16000, mono=True)
        >>> tuple(x.shape), sr
        ((1, 1600), 16000)
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no audio file at {str(path)!r}")
    if sample_rate is not None and not _positive_int(sample_rate):
        raise InputError(f"sample_rate must be a positive int or None, got {sample_rate!r}")
    data, sr = _read(path)
    if mono and data.shape[0] > 1:
        data = data.mean(axis=0, keepdims=True)
    if sample_rate is not None and int(sample_rate) != sr:
        data, sr = _resample(data, sr, int(sample_rate)), int(sample_rate)
    return torch.from_numpy(np.ascontiguousarray(data, dtype=np.float32)), sr


def save(path: PathLike, audio: Tensor, sample_rate: int, *, subtype: str | None = None) -> None:
    """Write ``audio`` ``(T,)`` or ``(C, T)`` (any device, float) to ``path``; the format follows the
    extension.

    ``subtype`` is soundfile's (e.g. ``"PCM_16"``, ``"FLOAT"``); by default soundfile's choice for the format
    (16-bit PCM for WAV, which clips values outside [-1, 1]). Integer audio and NaN or infinite samples are
    refused (PCM would turn them into full-scale samples).

    Example:
        >>> import tempfile, os
        >>> save(os.path.join(tempfile.mkdtemp(), "b.flac"), torch.zeros(16000), 16000)
    """
    if not isinstance(audio, Tensor):
        raise InputError(f"audio must be a torch.Tensor (T,) or (C, T), got {type(audio).__name__}")
    if audio.dim() not in (1, 2):
        raise InputError(f"audio must be (T,) or (C, T), got shape {tuple(audio.shape)}")
    if not audio.dtype.is_floating_point:
        raise InputTypeError(
            f"audio must be a floating-point tensor (samples in [-1, 1]), got dtype {audio.dtype}: "
            "convert integer PCM first (e.g. x.float() / 32768 for int16)"
        )
    if not _positive_int(sample_rate):
        raise InputError(f"sample_rate must be a positive int, got {sample_rate!r}")
    data = audio.detach().to("cpu", torch.float32)
    if not bool(torch.isfinite(data).all()):
        raise InputError(f"audio contains NaN or infinite values: not written to {str(path)!r}")
    data = data[None] if data.dim() == 1 else data
    try:
        sf.write(str(path), data.T.numpy(), int(sample_rate), subtype=subtype)
    except (sf.LibsndfileError, TypeError, ValueError) as error:
        raise InputError(f"cannot write audio file {str(path)!r} ({error})") from error
