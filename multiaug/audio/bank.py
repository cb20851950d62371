"""Sound banks: the background noises and impulse responses some augmenters draw from.

A bank is built from a folder (searched recursively for audio files), one file, a list of files, or tensors
already in memory (one ``(N, T)`` / ``(N, C, T)`` tensor, or a list of ``(T,)`` / ``(C, T)`` tensors). Files are
read with :func:`multiaug.audio.load` when first needed and resampled to the clip's rate; the results are kept in
a bounded cache (by bytes, least recently used out first).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ..core.errors import ConfigError, InputError
from .io import _resample, load

__all__ = ["AUDIO_EXTENSIONS", "SoundBank"]

#: File name endings a folder source is searched for (lower case).
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".mp3", ".aiff", ".aif", ".au", ".w64", ".opus", ".caf")
#: Upper bound of the decoded-and-resampled cache of one bank, in bytes.
CACHE_BYTES = 256 * 2**20


def _scan(source: str | os.PathLike, name: str) -> list[Path]:
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS)
        if not files:
            raise ConfigError(
                f"{name}: the folder {str(path)!r} holds no audio files {list(AUDIO_EXTENSIONS)}"
            )
        return files
    if path.is_file():
        return [path]
    raise ConfigError(f"{name}: {str(path)!r} is neither an audio file nor a folder")


def _as_clip(t: Any, name: str, i: int) -> Tensor:
    if not isinstance(t, Tensor) or not t.dtype.is_floating_point:
        raise ConfigError(f"{name}[{i}] must be a float tensor (T,) or (C, T), got {type(t).__name__}")
    t = t.detach().to("cpu", torch.float32)
    t = t[None] if t.dim() == 1 else t
    if t.dim() != 2 or t.shape[-1] == 0:
        raise ConfigError(
            f"{name}[{i}] must be a non-empty tensor (T,) or (C, T), got shape {tuple(t.shape)}"
        )
    return t.contiguous()


def check_sources_rate(value: Any) -> int | None:
    """``sources_sample_rate`` of an augmenter that reads a :class:`SoundBank`: a positive integer or None.

    Example:
        >>> check_sources_rate(16000), check_sources_rate(None)
        (16000, None)
    """
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
        raise ConfigError(f"sources_sample_rate must be a positive integer or None, got {value!r}")
    return value


class SoundBank:
    """An indexed collection of sounds, each returned as a float32 CPU tensor ``(C, L)`` at a requested rate.

    Args:
        sources: a folder, a file, a list of files, a tensor ``(N, T)`` / ``(N, C, T)``, or a list of tensors.
        sample_rate: the rate of in-memory tensors (None: they are taken to be at the clip's rate already).
        name: the argument name used in error messages.

    Example:
        >>> bank = SoundBank(torch.ones(3, 100))
        >>> len(bank), tuple(bank.get(2, 16000).shape)
        (3, (1, 100))
    """

    def __init__(self, sources: Any, sample_rate: int | None = None, name: str = "sources") -> None:
        self.name = name
        self.sample_rate = check_sources_rate(sample_rate)
        self._files: list[Path] | None = None
        self._tensors: list[Tensor] | None = None
        if isinstance(sources, Tensor):
            if sources.dim() not in (2, 3) or sources.shape[0] == 0:
                raise ConfigError(
                    f"{name} as a tensor must be (N, T) or (N, C, T), got {tuple(sources.shape)}"
                )
            self._tensors = [_as_clip(t, name, i) for i, t in enumerate(sources)]
        elif isinstance(sources, str | os.PathLike):
            self._files = _scan(sources, name)
        elif isinstance(sources, Sequence) and len(sources) > 0:
            if all(isinstance(s, Tensor) for s in sources):
                self._tensors = [_as_clip(t, name, i) for i, t in enumerate(sources)]
            elif all(isinstance(s, str | os.PathLike) for s in sources):
                self._files = [f for s in sources for f in _scan(s, name)]
            else:
                raise ConfigError(f"{name} must hold only file paths or only tensors, got a mix")
        else:
            raise ConfigError(
                f"{name} must be a folder, a file, a non-empty list of files or tensors, or a tensor bank; "
                f"got {sources!r}"
            )
        self._cache: OrderedDict[tuple[int, int | None], Tensor] = OrderedDict()
        self._cached_bytes = 0

    @property
    def needs_rate(self) -> bool:
        """Whether reading a sound needs the clip's sample rate (files, or tensors with a known rate)."""
        return self._files is not None or self.sample_rate is not None

    def __len__(self) -> int:
        return len(self._files) if self._files is not None else len(self._tensors or [])

    def _load(self, index: int, sample_rate: int | None) -> Tensor:
        if self._tensors is not None:
            clip = self._tensors[index]
            if sample_rate is None or self.sample_rate is None or sample_rate == self.sample_rate:
                return clip
            return torch.from_numpy(_resample(clip.numpy(), self.sample_rate, sample_rate)).contiguous()
        assert self._files is not None
        clip, _ = load(self._files[index], sample_rate=sample_rate)
        if clip.shape[-1] == 0:
            raise InputError(f"{self.name}: the file {str(self._files[index])!r} holds no audio")
        return clip

    def get(self, index: int, sample_rate: int | None) -> Tensor:
        """Sound ``index`` as ``(C, L)`` float32 at ``sample_rate`` (None: as stored), cached."""
        key = (int(index), sample_rate)
        clip = self._cache.get(key)
        if clip is not None:
            self._cache.move_to_end(key)
            return clip
        clip = self._load(int(index), sample_rate)
        size = clip.numel() * clip.element_size()
        while self._cache and self._cached_bytes + size > CACHE_BYTES:
            _, old = self._cache.popitem(last=False)
            self._cached_bytes -= old.numel() * old.element_size()
        if size <= CACHE_BYTES:
            self._cache[key] = clip
            self._cached_bytes += size
        return clip

    def stack(
        self, indices: np.ndarray, sample_rate: int | None, channels: int, device: Any, dtype: torch.dtype
    ) -> tuple[Tensor, Tensor, Tensor]:
        """The distinct sounds among ``indices`` as one zero-padded tensor, and which row each index uses.

        Returns ``(sounds (U, channels, L), lengths (U,), rows (B,))`` on ``device``: ``sounds[rows[b]]`` is
        sound ``indices[b]``. A sound with ``channels`` channels is kept; a mono sound is repeated on every
        channel; any other channel count is mixed down to mono first.

        Example:
            >>> sounds, lengths, rows = SoundBank([torch.ones(5), torch.ones(2, 3)]).stack(
            ...     np.array([1, 1, 0]), None, 2, "cpu", torch.float32)
            >>> tuple(sounds.shape), lengths.tolist(), rows.tolist()
            ((2, 2, 5), [5, 3], [1, 1, 0])
        """
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        unique, inverse = np.unique(idx, return_inverse=True)
        clips = []
        for i in unique.tolist():
            clip = self.get(i, sample_rate)
            if clip.shape[0] != channels:
                clip = clip.mean(dim=0, keepdim=True).expand(channels, -1)
            clips.append(clip)
        longest = max(c.shape[-1] for c in clips)
        sounds = torch.zeros((len(clips), channels, longest), dtype=dtype, device="cpu")
        for row, clip in zip(sounds, clips):
            row[:, : clip.shape[-1]] = clip
        lengths = torch.tensor([c.shape[-1] for c in clips], dtype=torch.int64, device="cpu")
        rows = torch.as_tensor(inverse.reshape(-1), dtype=torch.int64, device="cpu")
        return sounds.to(device), lengths.to(device), rows.to(device)

    def stack_for(self, indices: np.ndarray, batch: Any, op: Any) -> tuple[Tensor, Tensor, Tensor]:
        """:meth:`stack` for an :class:`~multiaug.audio.AudioBatch` that ``op`` (an audio augmenter) processes.

        The sounds come at the batch's sample rate, else the op's ``sample_rate``; a rate is required (an
        error naming the op) only when the bank needs one (:attr:`needs_rate`). Channels, device and dtype are
        the batch's.
        """
        rate = batch.sample_rate if batch.sample_rate is not None else op.sample_rate
        if rate is None and self.needs_rate:
            rate = batch.require_sample_rate(op)
        return self.stack(indices, rate, batch.channels, batch.device, batch.audio.dtype)
