"""Find the files to augment in an input folder, and plan where their outputs go.

Rules: files are taken by extension (see :data:`EXTENSIONS`); hidden files and folders (name starting with
``.``) are skipped; a symlink is followed only when its target lies inside INPUT; the OUTPUT folder is never
scanned; ``--include``/``--exclude`` globs match the POSIX relative path or the bare file name.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

__all__ = ["EXTENSIONS", "ScanResult", "SourceFile", "modality_of", "output_name", "scan_inputs"]

#: File extensions (lower case) handled per modality.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image": (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"),
    "audio": (".wav", ".flac", ".ogg", ".mp3"),
    "text": (".txt", ".csv", ".tsv", ".jsonl"),
}


def modality_of(path: str | Path) -> str | None:
    """The modality a file is handled as, from its extension, or ``None``.

    Example:
        >>> modality_of("a/b.JPG"), modality_of("x.flac"), modality_of("notes.md")
        ('image', 'audio', None)
    """
    ext = os.path.splitext(str(path))[1].lower()
    for modality, exts in EXTENSIONS.items():
        if ext in exts:
            return modality
    return None


def output_name(rel: str, copy: int) -> str:
    """The output's relative path for copy ``copy`` of ``rel``: ``{stem}_aug{copy}{ext}`` in the same folder.

    Example:
        >>> output_name("images/cat.png", 2)
        'images/cat_aug2.png'
    """
    p = PurePosixPath(rel)
    return str(p.with_name(f"{p.stem}_aug{copy}{p.suffix}"))


@dataclass(frozen=True)
class SourceFile:
    """One input file: its absolute path, POSIX path relative to INPUT, and modality."""

    path: Path
    rel: str
    modality: str


@dataclass
class ScanResult:
    """What a scan found: the files to augment (sorted by modality then path) and what it left out."""

    files: list[SourceFile] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # unsupported type, other modality, filtered by globs
    skipped_links: list[str] = field(default_factory=list)  # symlinks pointing outside INPUT (or broken)

    def by_modality(self) -> dict[str, list[SourceFile]]:
        out: dict[str, list[SourceFile]] = {}
        for f in self.files:
            out.setdefault(f.modality, []).append(f)
        return out


def _matches(rel: str, patterns: Sequence[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def scan_inputs(
    input_path: str | Path,
    *,
    modality: str = "auto",
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    skip: Sequence[str | Path] = (),
) -> ScanResult:
    """Scan ``input_path`` (a folder, or a single file) for files to augment.

    Args:
        input_path: the INPUT folder or file.
        modality: ``"auto"`` takes every supported file; ``"image"``/``"audio"``/``"text"`` only that kind.
        include: if given, keep only files whose relative path or name matches one of these globs.
        exclude: drop files whose relative path or name matches one of these globs.
        skip: folders never to enter (the OUTPUT folder).

    Example:
        >>> import tempfile
        >>> d = Path(tempfile.mkdtemp())
        >>> for n in ["a.png", "sub/b.wav", ".hidden.png", "notes.md"]:
        ...     (d / n).parent.mkdir(exist_ok=True); _ = (d / n).write_bytes(b"")
        >>> [f.rel for f in scan_inputs(d).files]
        ['a.png', 'sub/b.wav']
    """
    root = Path(input_path).resolve()
    skip_dirs = {Path(s).resolve() for s in skip}
    result = ScanResult()
    found: list[SourceFile] = []

    def consider(path: Path, rel: str) -> None:
        kind = modality_of(rel)
        if kind is None or (modality != "auto" and kind != modality):
            result.ignored.append(rel)
            return
        if include and not _matches(rel, include):
            result.ignored.append(rel)
            return
        if exclude and _matches(rel, exclude):
            result.ignored.append(rel)
            return
        found.append(SourceFile(path, rel, kind))

    if root.is_file():
        consider(root, root.name)
        result.files = found
        return result

    seen_dirs: set[Path] = set()

    def walk(folder: Path, rel_prefix: str) -> None:
        real = folder.resolve()
        if real in seen_dirs or real in skip_dirs:
            return
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            result.ignored.append(rel_prefix.rstrip("/") or ".")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = rel_prefix + entry.name
            path = Path(entry.path)
            if entry.is_symlink():
                target = path.resolve()
                if not target.exists() or not _inside(target, root):
                    result.skipped_links.append(rel)
                    continue
            if entry.is_dir(follow_symlinks=True):
                walk(path, rel + "/")
            elif entry.is_file(follow_symlinks=True):
                consider(path, rel)

    walk(root, "")
    order = {m: i for i, m in enumerate(EXTENSIONS)}
    result.files = sorted(found, key=lambda f: (order[f.modality], f.rel))
    return result
