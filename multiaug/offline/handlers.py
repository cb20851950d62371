"""Per-modality work of a folder job: decode a file, augment samples in batches, encode and write an output.

``decode`` and ``write`` run in worker threads (Pillow, libsndfile and file I/O release the GIL); ``augment``
runs in the main thread on the chosen device. Batches are cut deterministically from the order of the samples,
never from thread timing, and every sample carries its own key, so outputs do not depend on ``workers``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import atomic_write
from .audio_io import DecodedAudio, read_audio, write_audio
from .image_io import DecodedImage, encode_image, format_for, read_image, write_image
from .keys import sample_key
from .records import split_json
from .text_io import TextDoc, read_text

__all__ = ["HANDLERS", "Sample", "SampleResult"]


@dataclass
class Sample:
    """One output to make: copy ``copy`` of a decoded source file."""

    slot: tuple[int, int]  # (task index, copy index) inside the current chunk
    rel: str
    copy: int
    data: Any  # DecodedImage / DecodedAudio / TextDoc


@dataclass
class SampleResult:
    """The augmented payload and replay parameters of a sample, or its error."""

    payload: Any = None
    params: Any = None
    error: str | None = None


def _error_text(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


#: At most this many values (pixels x channels, or samples x channels) per batch: 32 RGB images of 512x512.
BATCH_ELEMENTS = 32 * 3 * 512 * 512


def _run_one_batch(
    batch: list[Sample], call: Callable[[list[Sample]], list[tuple[Any, Any]]]
) -> list[tuple[tuple[int, int], SampleResult]]:
    """Run ``call`` on a batch; if it fails, retry one sample at a time so only failing samples are reported."""
    try:
        outs = call(batch)
        return [(s.slot, SampleResult(payload, params)) for s, (payload, params) in zip(batch, outs)]
    except Exception as exc:
        if len(batch) == 1:
            return [(batch[0].slot, SampleResult(error=_error_text(exc)))]
    results = []
    for s in batch:
        try:
            (payload, params) = call([s])[0]
            results.append((s.slot, SampleResult(payload, params)))
        except Exception as exc:
            results.append((s.slot, SampleResult(error=_error_text(exc))))
    return results


def _run_batches(
    groups: list[list[Sample]],
    batch_size: int,
    call: Callable[[list[Sample]], list[tuple[Any, Any]]],
    pool: Executor | None = None,
) -> dict[tuple[int, int], SampleResult]:
    """Run ``call`` on batches of at most ``batch_size`` samples (fewer for big images and long clips, see
    :data:`BATCH_ELEMENTS`) of each group, on ``pool``'s threads when given
    (torch releases the GIL inside its kernels, so batches run in parallel). Batches are cut from the order of
    the samples only, so the results do not depend on the pool."""
    batches = []
    for group in groups:
        step = max(1, min(batch_size, BATCH_ELEMENTS // max(1, group[0].data.size)))
        batches += [group[i : i + step] for i in range(0, len(group), step)]
    if pool is None or len(batches) < 2:
        done = [_run_one_batch(b, call) for b in batches]
    else:
        done = [f.result() for f in [pool.submit(_run_one_batch, b, call) for b in batches]]
    return {slot: res for part in done for slot, res in part}


def _grouped(samples: list[Sample], key: Callable[[Sample], Any]) -> list[list[Sample]]:
    groups: dict[Any, list[Sample]] = {}
    for s in samples:
        groups.setdefault(key(s), []).append(s)
    return list(groups.values())


class ImageHandler:
    """Images: batches of equal size, dtype and alpha; alpha travels as a mask."""

    modality = "image"

    def __init__(
        self, pipeline: Any, seed: int, device: str, batch_size: int, pool: Executor | None = None
    ) -> None:
        self.pipeline, self.seed, self.device, self.batch_size = pipeline, seed, device, batch_size
        self.pool = pool  # threads that run batches side by side (CPU); None: one batch after the other

    decode = staticmethod(read_image)

    def _call(self, batch: list[Sample]) -> list[tuple[Any, Any]]:
        import torch

        keys = np.array([sample_key(s.rel, s.copy) for s in batch], dtype=np.int64)
        image = torch.from_numpy(np.stack([s.data.color for s in batch])).to(self.device)
        has_alpha = batch[0].data.alpha is not None
        if has_alpha:
            mask = torch.from_numpy(np.stack([s.data.alpha for s in batch])).to(self.device)
            out, rec = self.pipeline(image=image, mask=mask, seed=self.seed, keys=keys, return_params=True)
            colors, alphas = out["image"].cpu().numpy(), out["mask"].cpu().numpy()
        else:
            out, rec = self.pipeline(image, seed=self.seed, keys=keys, return_params=True)
            colors, alphas = out.cpu().numpy(), [None] * len(batch)
        return list(zip(zip(colors, alphas), split_json(rec)))

    def augment(self, samples: list[Sample]) -> dict[tuple[int, int], SampleResult]:
        groups = _grouped(samples, lambda s: s.data.group_key)
        return _run_batches(groups, self.batch_size, self._call, self.pool)

    @staticmethod
    def write(payload: Any, path: Path, like: DecodedImage) -> None:
        color, alpha = payload
        img = encode_image(color, alpha, like)
        fmt = format_for(path)
        atomic_write(path, lambda tmp: write_image(img, tmp, fmt, like))


def padded_length(n: int) -> int:
    """The canonical padded length of a clip of ``n`` samples: the smallest ``m * 2**k >= n`` with ``m`` in 8..15
    (at most 12.5 % padding). It depends on the clip alone, so a clip is computed the same way in any batch.

    Example:
        >>> padded_length(16000), padded_length(16385), padded_length(5)
        (16384, 18432, 5)
    """
    if n <= 16:
        return n
    k = n.bit_length() - 4
    return -(-n // (1 << k)) * (1 << k)


class AudioHandler:
    """Audio: clips of equal sample rate, channel count and canonical padded length share a zero-padded batch
    with their true ``lengths``.

    Two measures make every clip's result independent of the batch it lands in (so outputs are the same bytes
    for any ``--batch-size``): a clip is always padded to :func:`padded_length` of its own length (FFT-based ops
    then always see the same size), and a clip alone in its batch is run beside a copy of itself (FFT libraries
    take another code path for a single transform, which rounds differently).
    """

    modality = "audio"

    def __init__(
        self, pipeline: Any, seed: int, device: str, batch_size: int, pool: Executor | None = None
    ) -> None:
        self.pipeline, self.seed, self.device, self.batch_size = pipeline, seed, device, batch_size
        self.pool = pool  # threads that run batches side by side (CPU); None: one batch after the other

    decode = staticmethod(read_audio)

    def _call(self, batch: list[Sample]) -> list[tuple[Any, Any]]:
        import torch

        n = len(batch)
        run = batch if n > 1 else batch * 2
        keys = np.array([sample_key(s.rel, s.copy) for s in run], dtype=np.int64)
        lengths = [s.data.audio.shape[1] for s in run]
        channels = run[0].data.audio.shape[0]
        padded = np.zeros((len(run), channels, padded_length(max(lengths))), dtype=np.float32)
        for i, s in enumerate(run):
            padded[i, :, : lengths[i]] = s.data.audio
        audio = torch.from_numpy(padded).to(self.device)
        out, rec = self.pipeline(
            audio=audio,
            sample_rate=run[0].data.sample_rate,
            lengths=torch.tensor(lengths, dtype=torch.int64, device=self.device),
            seed=self.seed,
            keys=keys,
            return_params=True,
        )
        result = out["audio"].cpu().numpy()
        new_lengths = out["lengths"].cpu().numpy()
        params = split_json(rec)
        return [(result[i, :, : int(new_lengths[i])], params[i]) for i in range(n)]

    def augment(self, samples: list[Sample]) -> dict[tuple[int, int], SampleResult]:
        def key(s: Sample) -> tuple:
            return (*s.data.group_key, padded_length(s.data.audio.shape[1]))

        return _run_batches(_grouped(samples, key), self.batch_size, self._call, self.pool)

    @staticmethod
    def write(payload: Any, path: Path, like: DecodedAudio) -> None:
        atomic_write(path, lambda tmp: write_audio(payload, tmp, like))


@dataclass
class _Line:
    slot: tuple[int, int]
    rel: str
    copy: int
    index: int  # position among the file's samples
    line: int  # row number in the file (key material)
    text: str


class TextHandler:
    """Text: every line (or table cell) of every copy is a sample; batches of ``batch_size`` strings."""

    modality = "text"

    def __init__(
        self, pipeline: Any, seed: int, device: str, batch_size: int, text_field: str = "text"
    ) -> None:
        self.pipeline, self.seed, self.batch_size, self.text_field = pipeline, seed, batch_size, text_field

    def decode(self, path: Path) -> TextDoc:
        return read_text(path, self.text_field)

    def _call(self, batch: list[_Line]) -> list[tuple[Any, Any]]:
        keys = np.array([sample_key(s.rel, s.copy, line=s.line) for s in batch], dtype=np.int64)
        out, rec = self.pipeline([s.text for s in batch], seed=self.seed, keys=keys, return_params=True)
        return list(zip(out, split_json(rec)))

    def augment(self, samples: list[Sample]) -> dict[tuple[int, int], SampleResult]:
        lines = [
            _Line(s.slot, s.rel, s.copy, j, line, text)
            for s in samples
            for j, (line, text) in enumerate(zip(s.data.lines, s.data.samples))
        ]
        results: dict[tuple[int, int], SampleResult] = {}
        outs: dict[tuple[int, int], list[Any]] = {s.slot: [None] * len(s.data.samples) for s in samples}
        params: dict[tuple[int, int], list[Any]] = {s.slot: [None] * len(s.data.samples) for s in samples}
        errors: dict[tuple[int, int], str] = {}
        for start in range(0, len(lines), self.batch_size):
            batch = lines[start : start + self.batch_size]
            try:
                done = self._call(batch)
            except Exception:
                done = None
            for k, ln in enumerate(batch):
                if done is not None:
                    text, rec = done[k]
                else:
                    try:
                        text, rec = self._call([ln])[0]
                    except Exception as exc:
                        errors.setdefault(ln.slot, f"line {ln.line + 1}: {_error_text(exc)}")
                        continue
                outs[ln.slot][ln.index] = text
                params[ln.slot][ln.index] = {"line": ln.line, "record": rec}
        for s in samples:
            if s.slot in errors:
                results[s.slot] = SampleResult(error=errors[s.slot])
            else:
                results[s.slot] = SampleResult(s.data.render(outs[s.slot]), params[s.slot])
        return results

    @staticmethod
    def write(payload: Any, path: Path, like: TextDoc) -> None:
        data = payload.encode("utf-8")
        atomic_write(path, lambda tmp: tmp.write_bytes(data))


HANDLERS: dict[str, type] = {"image": ImageHandler, "audio": AudioHandler, "text": TextHandler}
