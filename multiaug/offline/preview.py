"""``multiaug preview``: look at a recipe's effect before augmenting a dataset.

- image: a PNG grid of the original and N augmentations, each labelled with the ops that were applied;
- audio: a PNG with the waveform and spectrogram of the original and of each augmentation;
- text: the original and N variants with word changes marked ``[-removed-]`` and ``{+added+}``.

Augmentation ``k`` is exactly what ``multiaug augment --seed S`` writes as copy ``k`` of a file with the same
name at the top of INPUT.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import numpy as np

from .job import UsageError
from .keys import sample_key
from .scan import modality_of

__all__ = ["applied_ops", "mark_changes", "preview"]


def applied_ops(record: dict[str, Any]) -> list[str]:
    """Names of the leaf ops a one-sample replay record (``Record.to_json()``) says were applied.

    Example:
        >>> applied_ops({"name": "Pipeline", "applied": [True], "children": [
        ...     {"index": [0], "record": {"name": "image.HorizontalFlip", "applied": [True]}},
        ...     {"index": [0], "record": {"name": "image.VerticalFlip", "applied": [False]}}]})
        ['HorizontalFlip']
    """
    if not record.get("applied") or not all(record["applied"]):
        return []
    children = record.get("children") or []
    if not children:
        return [record["name"].split(".", 1)[-1]] if "." in record["name"] else []
    out: list[str] = []
    for child in children:
        out.extend(applied_ops(child["record"]))
    return out


_TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")


def mark_changes(before: str, after: str) -> str:
    """``after`` with word-level changes against ``before`` marked ``[-removed-]`` and ``{+added+}``.

    Example:
        >>> mark_changes("the cat sat", "the dog sat")
        'the [-cat-]{+dog+} sat'
    """
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append("".join(a[i1:i2]))
            continue
        if i2 > i1:
            out.append("[-" + "".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + "".join(b[j1:j2]) + "+}")
    return "".join(out)


def _records(rec: Any, n: int) -> list[dict[str, Any]]:
    return [rec.sample(i).to_json() for i in range(n)]


def _preview_image(path: Path, pipeline: Any, n: int, seed: int, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    from .image_io import encode_image, read_image

    src = read_image(path)
    keys = np.array([sample_key(path.name, k) for k in range(n)], dtype=np.int64)
    image = torch.from_numpy(np.repeat(src.color[None], n, axis=0))
    if src.alpha is not None:
        mask = torch.from_numpy(np.repeat(src.alpha[None], n, axis=0))
        res, rec = pipeline(image=image, mask=mask, seed=seed, keys=keys, return_params=True)
        colors, alphas = res["image"].numpy(), res["mask"].numpy()
    else:
        res, rec = pipeline(image, seed=seed, keys=keys, return_params=True)
        colors, alphas = res.numpy(), [None] * n
    tiles = [(encode_image(src.color, src.alpha, src), "original")]
    for k, r in enumerate(_records(rec, n)):
        ops = applied_ops(r)
        tiles.append(
            (encode_image(colors[k], alphas[k], src), f"copy {k}: " + (", ".join(ops) or "unchanged"))
        )
    cols = min(3, len(tiles))
    rows = -(-len(tiles) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.0 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (img, title) in zip(axes.flat, tiles):
        arr = np.asarray(img)
        if img.mode.startswith("I"):
            ax.imshow(arr, cmap="gray", vmin=0, vmax=65535)
        elif arr.ndim == 2:
            ax.imshow(arr, cmap="gray", vmin=0, vmax=255)
        else:
            ax.imshow(arr)
        ax.set_title(title, fontsize=7, wrap=True)
    fig.suptitle(f"{path.name}: original and {n} augmentations (seed {seed})", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    plt.close(fig)


def _spectrogram(x: np.ndarray, n_fft: int = 512) -> np.ndarray:
    hop = n_fft // 4
    if len(x) < n_fft:
        x = np.pad(x, (0, n_fft - len(x)))
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop] * np.hanning(n_fft)
    mag = np.abs(np.fft.rfft(frames, axis=1)).T
    return 20 * np.log10(mag + 1e-6)


def _preview_audio(path: Path, pipeline: Any, n: int, seed: int, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    from .audio_io import read_audio

    src = read_audio(path)
    c, t = src.audio.shape
    keys = np.array([sample_key(path.name, k) for k in range(n)], dtype=np.int64)
    audio = torch.from_numpy(np.repeat(src.audio[None], n, axis=0))
    lengths = torch.full((n,), t, dtype=torch.int64, device=audio.device)
    res, rec = pipeline(
        audio=audio, sample_rate=src.sample_rate, lengths=lengths, seed=seed, keys=keys, return_params=True
    )
    clips = [(src.audio, "original")]
    for k, r in enumerate(_records(rec, n)):
        ops = ", ".join(applied_ops(r)) or "unchanged"
        clips.append((res["audio"][k, :, : int(res["lengths"][k])].numpy(), f"copy {k}: {ops}"))
    sr = src.sample_rate
    fig, axes = plt.subplots(
        len(clips), 2, figsize=(11, 1.6 * len(clips)), squeeze=False, gridspec_kw={"width_ratios": [1, 1.3]}
    )
    tmax = max(x.shape[1] for x, _ in clips) / sr
    for (x, title), (ax_w, ax_s) in zip(clips, axes):
        mono = x.mean(0)
        ax_w.plot(np.arange(len(mono)) / sr, mono, lw=0.4, color="tab:blue")
        ax_w.set_xlim(0, tmax)
        ax_w.set_ylim(-1.05, 1.05)
        ax_w.set_title(title, fontsize=8, loc="left")
        ax_w.tick_params(labelsize=6)
        spec = _spectrogram(mono)
        ax_s.imshow(
            spec,
            origin="lower",
            aspect="auto",
            cmap="magma",
            vmin=spec.max() - 80,
            vmax=spec.max(),
            extent=(0, len(mono) / sr, 0, sr / 2000),
        )
        ax_s.set_xlim(0, tmax)
        ax_s.set_ylabel("kHz", fontsize=6)
        ax_s.tick_params(labelsize=6)
    axes[-1][0].set_xlabel("seconds", fontsize=7)
    axes[-1][1].set_xlabel("seconds", fontsize=7)
    fig.suptitle(
        f"{path.name} ({sr} Hz, {c} ch): waveform and spectrogram, original and {n} augmentations",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    plt.close(fig)


def _preview_text(path: Path, pipeline: Any, n: int, seed: int, text_field: str) -> str:
    from .text_io import read_text

    doc = read_text(path, text_field)
    if not doc.samples:
        raise UsageError(f"{path} holds no text to augment")
    text, line = doc.samples[0], doc.lines[0]
    keys = np.array([sample_key(path.name, k, line=line) for k in range(n)], dtype=np.int64)
    outs, rec = pipeline([text] * n, seed=seed, keys=keys, return_params=True)
    lines = [f"original: {text}"]
    for k, (variant, r) in enumerate(zip(outs, _records(rec, n))):
        ops = ", ".join(applied_ops(r)) or "unchanged"
        lines.append(f"copy {k} ({ops}): {mark_changes(text, variant)}")
    return "\n".join(lines)


def preview(
    input_path: str | Path,
    pipelines: dict[str, Any],
    *,
    n: int = 8,
    seed: int = 0,
    out: str | Path | None = None,
    text_field: str = "text",
) -> str:
    """Make a preview of ``input_path``; returns what to print (the text listing, or where the PNG went).

    Example:
        >>> from multiaug.offline import load_pipelines
        >>> pipes, _ = load_pipelines(recipe="light")
        >>> print(preview("data_samples/text/sentences.txt", pipes, n=2).splitlines()[0][:29])
        original: The quick brown fox
    """
    path = Path(input_path)
    if not path.is_file():
        raise UsageError(f"preview needs a file, got {input_path!r}")
    modality = modality_of(path)
    if modality is None:
        raise UsageError(f"{path.name}: not an image, audio or text file multiaug reads")
    if modality not in pipelines:
        raise UsageError(f"the config has no {modality} pipeline")
    pipeline = pipelines[modality]
    if modality == "text":
        listing = _preview_text(path, pipeline, n, seed, text_field)
        if out is None:
            return listing
        Path(out).write_text(listing + "\n", encoding="utf-8")
        return f"wrote {out}"
    target = Path(out) if out is not None else Path("preview.png")
    if modality == "image":
        _preview_image(path, pipeline, n, seed, target)
    else:
        _preview_audio(path, pipeline, n, seed, target)
    return f"wrote {target}"
