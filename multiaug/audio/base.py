"""The audio batch and the base class of audio augmenters.

Conventions: float tensors ``(T,)``, ``(C,T)`` or ``(B,C,T)`` with a ``sample_rate`` (per call, or at an
augmenter's construction). A batch may hold clips of different lengths: pass ``lengths=`` (one valid length per
clip; the rest is padding). What a call returns:

- ``aug(x, sample_rate=sr)`` returns a tensor of ``x``'s rank. Ops that change the length return the new
  length (padded with zeros to the longest clip of the batch).
- ``aug(audio=x, sample_rate=sr, lengths=l)`` returns ``{"audio": tensor, "lengths": int64 tensor (B,)}``:
  use it whenever the valid lengths matter (variable-length batches, time-stretch, speed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
import torch

from ..core.base import Op
from ..core.batch import data_argument
from ..core.errors import ConfigError, InputError, InputTypeError
from ..core.random import mix_keys
from ..core.record import Record
from ..core.rows import index_tensor, merge_rows, restore_rows

__all__ = ["AudioAugmenter", "AudioBatch", "SpectrogramAugmenter", "SpectrogramBatch"]


def _check_rate(sample_rate: Any, where: str) -> int | None:
    if sample_rate is None:
        return None
    whole = isinstance(sample_rate, float | np.floating) and float(sample_rate).is_integer()  # 16000.0
    if (
        isinstance(sample_rate, bool)
        or not (isinstance(sample_rate, int | np.integer) or whole)
        or sample_rate <= 0
    ):
        raise ConfigError(f"{where} sample_rate must be a positive whole number (Hz), got {sample_rate!r}")
    return int(sample_rate)


def _check_lengths(lengths: Any, n: int, frames: int, device: torch.device, item: str) -> torch.Tensor:
    """Valid lengths as an int64 tensor ``(n,)`` on ``device``: integers in ``[1, frames]``, one per ``item``."""
    lens = torch.as_tensor(lengths, device=device)
    if lens.dtype.is_floating_point or lens.dtype == torch.bool:
        raise InputTypeError(f"lengths must be integers, got dtype {lens.dtype}")
    lens = lens.to(torch.int64).reshape(-1)
    if lens.shape[0] != n:
        raise InputError(f"lengths must hold one length per {item}: expected {n}, got {lens.shape[0]}")
    if bool((lens < 1).any()) or bool((lens > frames).any()):
        raise InputError(
            f"lengths: every length must lie in [1, {frames}] (the padded length), got {lens.tolist()}"
        )
    return lens


class AudioBatch:
    """A batch of clips inside the library.

    Attributes:
        audio: ``(B,C,T)`` float tensor; samples past a clip's length are padding (the rows a ``select`` picked
            are gathered on first use).
        lengths: ``(B,)`` int64 tensor of valid lengths (on the audio's device). A batch built without lengths
            has none stored (``unpadded`` is True): every clip fills it, and ``lengths`` makes the tensor on first
            use, so ops that never read lengths never pay for it.
        sample_rate: the call's sample rate in Hz, or None.
        finite: True once the audio was checked to hold no NaN or infinity. No op makes non-finite values
            from finite ones, so ``replace`` carries it and a pipeline checks its input at most once.

    Example:
        >>> import torch
        >>> AudioBatch(torch.zeros(2, 1, 100), sample_rate=8000).lengths.tolist()
        [100, 100]
    """

    __slots__ = ("_audio", "_lengths", "_rows", "finite", "sample_rate")

    def __init__(
        self,
        audio: torch.Tensor,
        lengths: torch.Tensor | None = None,
        sample_rate: int | None = None,
        finite: bool = False,
    ) -> None:
        self._audio = audio
        self._rows: np.ndarray | None = None  # rows of _audio still to gather (a lazy select)
        self._lengths = lengths
        self.sample_rate = sample_rate
        self.finite = finite

    @property
    def audio(self) -> torch.Tensor:
        """``(B,C,T)`` float tensor (the rows of a ``select`` are gathered on first use)."""
        if self._rows is not None:
            self._audio = self._audio.index_select(0, index_tensor(self._rows, self._audio.device))
            self._rows = None
        return self._audio

    def __len__(self) -> int:
        return len(self._rows) if self._rows is not None else int(self._audio.shape[0])

    def __repr__(self) -> str:
        return (
            f"AudioBatch(audio=({len(self)}, {self.channels}, {self.num_frames}) {self._audio.dtype}, "
            f"lengths={self._lengths}, sample_rate={self.sample_rate}, finite={self.finite})"
        )

    @property
    def lengths(self) -> torch.Tensor:
        """``(B,)`` int64 tensor of valid lengths."""
        if self._lengths is None:
            self._lengths = torch.full((len(self),), self.num_frames, dtype=torch.int64, device=self.device)
        return self._lengths

    def host_lengths(self) -> np.ndarray:
        """The valid lengths as an int64 NumPy array ``(B,)`` on the host (no tensor made for a batch built
        without lengths)."""
        if self._lengths is None:
            return np.full(len(self), self.num_frames, dtype=np.int64)
        return self._lengths.cpu().numpy()

    @property
    def unpadded(self) -> bool:
        """True when no lengths are stored: every clip fills the batch (no padding)."""
        return self._lengths is None

    @property
    def device(self) -> torch.device:
        return self._audio.device

    @property
    def dtype(self) -> torch.dtype:
        return self._audio.dtype

    @property
    def channels(self) -> int:
        return int(self._audio.shape[1])

    @property
    def num_frames(self) -> int:
        """The padded length ``T``."""
        return int(self._audio.shape[-1])

    def detached(self, keep_recorded: bool = False) -> AudioBatch:
        """This batch with no autograd graph on its audio (itself when it has none, or with ``keep_recorded``
        when grad mode is on)."""
        if not self._audio.requires_grad or (keep_recorded and torch.is_grad_enabled()):
            return self
        out = self.replace(audio=self._audio.detach())
        out._rows = self._rows
        return out

    def replace(self, **fields: Any) -> AudioBatch:
        """A copy with some fields replaced (``audio``, ``lengths``, ``sample_rate``, ``finite``)."""
        if not fields.keys() <= _AUDIO_FIELDS:
            raise TypeError(f"AudioBatch has no field(s) {sorted(fields.keys() - _AUDIO_FIELDS)}")
        get = fields.get
        out = AudioBatch(
            get("audio", self._audio),
            get("lengths", self._lengths),
            get("sample_rate", self.sample_rate),
            get("finite", self.finite),
        )
        if "audio" not in fields:
            out._rows = self._rows
        return out

    def require_sample_rate(self, op: Any = None) -> int:
        """The sample rate of this call, else the op's own ``sample_rate``; a clear error if neither is set."""
        rate = self.sample_rate if self.sample_rate is not None else getattr(op, "sample_rate", None)
        if rate is None:
            name = type(op).__name__ if op is not None else "this augmenter"
            raise InputError(
                f"{name} needs the sample rate: pass sample_rate= in the call (aug(x, sample_rate=16000)) "
                "or when building it"
            )
        return int(rate)

    def require_finite(self) -> AudioBatch:
        """This batch, checked (once) to hold no NaN or infinite value; a clear error otherwise."""
        if self.finite:
            return self
        # a finite sum proves every value finite (NaN and inf propagate); only a non-finite sum needs the full check
        x = self.audio
        if not bool(torch.isfinite(x.sum())) and not bool(torch.isfinite(x).all()):
            raise InputError("audio contains NaN or infinite values")
        return self.replace(finite=True)

    def valid_mask(self) -> torch.Tensor:
        """``(B,1,T)`` bool tensor, True on each clip's valid samples."""
        t = torch.arange(self.num_frames, device=self.device)
        return (t[None, :] < self.lengths[:, None]).unsqueeze(1)

    # -- batch protocol ----------------------------------------------------------------------------------------
    def select(self, index: np.ndarray) -> AudioBatch:
        """The clips at ``index``. Their audio is gathered on first use of ``audio``: an op's ``sample`` that
        reads only lengths or sizes, or one applied with identity parameters, never copies them."""
        rows = np.asarray(index, dtype=np.int64).reshape(-1)
        lengths = (
            None if self._lengths is None else self._lengths.index_select(0, index_tensor(rows, self.device))
        )
        out = self.replace(lengths=lengths)
        out._rows = rows if self._rows is None else self._rows[rows]
        return out

    def merge(self, parts: Sequence[tuple[np.ndarray, AudioBatch]]) -> AudioBatch:
        for _, part in parts:
            if part.channels != self.channels:
                raise InputError(
                    f"cannot merge {part.channels}-channel clips into a {self.channels}-channel batch"
                )
        if all(part.num_frames == self.num_frames and part.dtype == self.dtype for _, part in parts):
            # the common case (the op kept the padded length): every row written once
            audio = merge_rows(self.audio, [(index, part.audio) for index, part in parts])
            if self.unpadded and all(part.unpadded for _, part in parts):
                return self.replace(audio=audio)
            lengths = merge_rows(self.lengths, [(index, part.lengths) for index, part in parts])
            return self.replace(audio=audio, lengths=lengths)
        frames = max([self.num_frames] + [p.num_frames for _, p in parts])
        audio = torch.zeros((len(self), self.channels, frames), dtype=self.audio.dtype, device=self.device)
        audio[..., : self.num_frames] = self.audio
        lengths = self.lengths.clone()
        for index, part in parts:
            idx = index_tensor(index, self.device)
            rows = torch.zeros((len(idx), self.channels, frames), dtype=self.audio.dtype, device=self.device)
            rows[..., : part.num_frames] = part.audio
            audio[idx] = rows
            lengths[idx] = part.lengths
        keep = max(self.num_frames, int(lengths.max()))
        if frames > keep:
            audio = audio[..., :keep]
        return self.replace(audio=audio, lengths=lengths)

    def restore(self, source: AudioBatch, index: np.ndarray) -> AudioBatch:
        """This batch (an op's result for all of ``source``, same sizes) with the clips at ``index`` put back
        from ``source``."""
        if self.num_frames != source.num_frames or self.dtype != source.dtype:
            raise InputError("cannot put clips back: the op changed their length or dtype")
        audio = self.audio
        if audio is not source.audio:
            audio = restore_rows(audio, source.audio, index)
        lengths = self._lengths
        if lengths is not None and lengths is not source._lengths:
            lengths = restore_rows(lengths, source.lengths, index)
        return self.replace(audio=audio, lengths=lengths)

    @classmethod
    def pack(
        cls,
        *args: Any,
        audio: Any = None,
        sample_rate: int | None = None,
        lengths: Any = None,
        **unknown: Any,
    ) -> tuple[AudioBatch, Callable[[AudioBatch], Any]]:
        """Validate a call and return the batch and the function that shapes the result like the input."""
        audio, as_dict = data_argument(
            "an audio", "audio", args, audio, unknown, "audio=, sample_rate=, lengths="
        )
        as_dict = as_dict or lengths is not None  # lengths in, lengths out
        if audio is None:
            raise InputTypeError(
                "no data: call aug(audio, sample_rate=...) or aug(audio=..., sample_rate=...)"
            )
        if not isinstance(audio, torch.Tensor):
            raise InputTypeError(f"audio must be a torch.Tensor, got {type(audio).__name__}")
        if not audio.dtype.is_floating_point:
            raise InputTypeError(f"audio must be a floating-point tensor, got dtype {audio.dtype}")
        rank = audio.ndim
        if rank not in (1, 2, 3):
            raise InputError(
                f"audio must be (T,), (C,T) or (B,C,T), got a tensor of shape {tuple(audio.shape)}"
            )
        x = audio if rank == 3 else audio.reshape((1,) * (3 - rank) + tuple(audio.shape))
        n, c, frames = x.shape
        if n == 0:
            raise InputError("the audio batch is empty (B = 0)")
        if c == 0 or frames == 0:
            raise InputError(f"audio is empty: shape {tuple(audio.shape)}")
        rate = _check_rate(sample_rate, "the call's")
        lens = None if lengths is None else _check_lengths(lengths, n, frames, x.device, "clip")

        def unpack(out: AudioBatch) -> Any:
            y = out.audio
            if rank < 3:
                y = y.reshape(tuple(y.shape[3 - rank :]))
            if as_dict:
                return {"audio": y, "lengths": out.lengths}
            return y

        return cls(x, lens, rate), unpack


class AudioAugmenter(Op):
    """Base class of audio augmenters: write ``sample`` and ``apply`` on an :class:`AudioBatch`.

    Shared draw modes handled here once: ``same_on_batch=True`` (one draw for the whole batch) and
    ``per_channel=True`` (each channel of each clip draws its own parameters). Set ``changes_length = True``
    on augmenters that change clip lengths (they cannot run per channel).

    Input holding NaN or infinity is refused with a clear error before an augmenter that would spread it over
    the clip (RMS, FFT, resampling): a pass over the data, once per call. Augmenters that set
    ``finite_check = False`` skip that pass: pointwise ones, whose output samples each depend on one input sample
    (Gain, PolarityInversion, Shift, TimeMask), keep a non-finite value where it was, as torch and NumPy do; others
    detect it themselves in a statistic they compute anyway (PeakNormalization's peak).
    """

    modality = "audio"
    changes_length: ClassVar[bool] = False
    finite_check: ClassVar[bool] = True

    def __init__(
        self,
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
        per_channel: bool = False,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        if not isinstance(per_channel, bool):
            raise ConfigError(f"per_channel must be True or False, got {per_channel!r}")
        if per_channel and (self.changes_length or same_on_batch):
            what = "changes clip lengths" if self.changes_length else "uses same_on_batch=True"
            raise ConfigError(
                f"{type(self).__name__} {what}, so it cannot draw per channel (per_channel=True)"
            )
        self.per_channel = per_channel
        self.sample_rate = _check_rate(sample_rate, f"{type(self).__name__}'s")

    @staticmethod
    def exact_arithmetic(batch: AudioBatch) -> bool:
        """Whether multiplying this batch by exactly 1 returns every value bit for bit: on CPU in float16, 32 and
        64 (bfloat16's vectorised product and GPU arithmetic may rewrite a NaN's bits). Ops whose identity
        parameters multiply by 1 give them only then (see ``Op.identity_params``)."""
        return batch.device.type == "cpu" and batch.dtype in (torch.float16, torch.float32, torch.float64)

    def _run(
        self, batch: AudioBatch, keys: np.ndarray, seed: int, path: str, replay: Record | None
    ) -> tuple[AudioBatch, Record]:
        if self.finite_check:
            batch = batch.require_finite()
        if not self.per_channel or batch.channels == 1:
            return super()._run(batch, keys, seed, path, replay)
        n, c = len(batch), batch.channels
        flat = batch.replace(
            audio=batch.audio.reshape(n * c, 1, batch.num_frames),
            lengths=None if batch.unpadded else batch.lengths.repeat_interleave(c),
        )
        channel_keys = np.stack([mix_keys(keys, ch + 1) for ch in range(c)], axis=1).reshape(-1)
        out, record = super()._run(flat, channel_keys, seed, path, replay)
        return batch.replace(audio=out.audio.reshape(n, c, out.num_frames)), record


_AUDIO_FIELDS = frozenset({"audio", "lengths", "sample_rate", "finite"})


@dataclasses.dataclass(frozen=True)
class SpectrogramBatch:
    """A batch of spectrograms ``(B,C,F,T)`` (frequency, then time) inside the library.

    User calls take ``(F,T)``, ``(C,F,T)`` or ``(B,C,F,T)`` float tensors (magnitude, power or log-mel: any real
    values) and return the same rank; ``aug(spec=x)`` returns ``{"spec": ...}``. A batch of utterances padded
    to its longest passes ``aug(spec=x, lengths=l)`` (valid frames per spectrogram) and gets
    ``{"spec": ..., "lengths": ...}`` back: masks then stay inside each spectrogram's valid frames, time-mask
    limits are relative to its own length, and the padding is left as it was.

    Attributes:
        spec: ``(B,C,F,T)`` float tensor.
        lengths: ``(B,)`` int64 tensor of valid frames, or None when every frame is valid.
    """

    spec: torch.Tensor
    lengths: torch.Tensor | None = None

    def __len__(self) -> int:
        return int(self.spec.shape[0])

    @property
    def device(self) -> torch.device:
        return self.spec.device

    def replace(self, **fields: Any) -> SpectrogramBatch:
        """A copy with some fields replaced."""
        return dataclasses.replace(self, **fields)

    def detached(self, keep_recorded: bool = False) -> SpectrogramBatch:
        """This batch with no autograd graph on its spectrograms (itself when they have none, or with
        ``keep_recorded`` when grad mode is on)."""
        if not self.spec.requires_grad or (keep_recorded and torch.is_grad_enabled()):
            return self
        return self.replace(spec=self.spec.detach())

    def select(self, index: np.ndarray) -> SpectrogramBatch:
        idx = index_tensor(index, self.device)
        lengths = None if self.lengths is None else self.lengths.index_select(0, idx)
        return self.replace(spec=self.spec.index_select(0, idx), lengths=lengths)

    def merge(self, parts: Sequence[tuple[np.ndarray, SpectrogramBatch]]) -> SpectrogramBatch:
        return self.replace(spec=merge_rows(self.spec, [(index, part.spec) for index, part in parts]))

    def valid_frames(self) -> torch.Tensor | None:
        """``(B,1,1,T)`` bool tensor, True on each spectrogram's valid frames; None when all are valid."""
        if self.lengths is None:
            return None
        t = torch.arange(self.spec.shape[-1], device=self.device)
        return (t[None, :] < self.lengths[:, None])[:, None, None, :]

    @classmethod
    def pack(
        cls, *args: Any, spec: Any = None, lengths: Any = None, **unknown: Any
    ) -> tuple[SpectrogramBatch, Callable[[SpectrogramBatch], Any]]:
        """Validate a call and return the batch and the function that shapes the result like the input."""
        spec, as_dict = data_argument("a spectrogram", "spec", args, spec, unknown, "spec=, lengths=")
        as_dict = as_dict or lengths is not None  # lengths in, lengths out
        if spec is None:
            raise InputTypeError("no data: call aug(spectrogram) or aug(spec=..., lengths=...)")
        if not isinstance(spec, torch.Tensor):
            raise InputTypeError(f"spectrogram must be a torch.Tensor, got {type(spec).__name__}")
        if not spec.dtype.is_floating_point:
            raise InputTypeError(f"spectrogram must be a floating-point tensor, got dtype {spec.dtype}")
        rank = spec.ndim
        if rank not in (2, 3, 4):
            raise InputError(
                f"spectrogram must be (F,T), (C,F,T) or (B,C,F,T), got a tensor of shape {tuple(spec.shape)}"
            )
        x = spec.reshape((1,) * (4 - rank) + tuple(spec.shape))
        if x.numel() == 0:
            raise InputError(f"spectrogram is empty: shape {tuple(spec.shape)}")
        lens = None
        if lengths is not None:
            lens = _check_lengths(lengths, int(x.shape[0]), int(x.shape[-1]), x.device, "spectrogram")

        def unpack(out: SpectrogramBatch) -> Any:
            y = out.spec.reshape(tuple(out.spec.shape[4 - rank :])) if rank < 4 else out.spec
            if not as_dict:
                return y
            return {"spec": y} if out.lengths is None else {"spec": y, "lengths": out.lengths}

        return cls(x, lens), unpack


class SpectrogramAugmenter(Op):
    """Base class of spectrogram augmenters (SpecAugment-style masks): write ``sample`` and ``apply``."""

    modality = "spectrogram"

    def __init__(self, *, p: float = 0.5, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
