"""``manifest.jsonl``: one JSON object per (source file, copy), appended as outputs are written.

Schema of a record (keys always present):

- ``source``: POSIX path of the input file, relative to INPUT.
- ``output``: POSIX path of the output file, relative to OUTPUT (``null`` when nothing was written).
- ``copy``: copy index (0-based).
- ``modality``: ``"image"``, ``"audio"`` or ``"text"``.
- ``key``: the 63-bit sample key (text: the key of the file's copy; each line ``i`` uses
  ``sample_key(source, copy, line=i)``).
- ``status``: ``"ok"`` or ``"failed"``.
- ``error``: ``null`` or the error message.
- ``params``: the replay record of the sample (``Record.to_json()``); for text a list of
  ``{"line": i, "record": ...}`` per augmented line; ``null`` on failure.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["MANIFEST_KEYS", "MANIFEST_NAME", "ManifestWriter", "completed", "make_record", "read_manifest"]

MANIFEST_NAME = "manifest.jsonl"
MANIFEST_KEYS = ("source", "output", "copy", "modality", "key", "status", "error", "params")


def make_record(
    source: str,
    output: str | None,
    copy: int,
    modality: str,
    key: int,
    *,
    error: str | None = None,
    params: Any = None,
) -> dict[str, Any]:
    """One manifest record (see the module docstring for the schema).

    Example:
        >>> make_record("a.png", "a_aug0.png", 0, "image", 7)["status"]
        'ok'
    """
    return {
        "source": source,
        "output": output if error is None else None,
        "copy": copy,
        "modality": modality,
        "key": key,
        "status": "ok" if error is None else "failed",
        "error": error,
        "params": params if error is None else None,
    }


class ManifestWriter:
    """Append records to ``manifest.jsonl``, one ``write`` + flush per record so a kill loses at most one line."""

    def __init__(self, path: Path, *, append: bool) -> None:
        self.path = path
        if append and path.exists() and path.stat().st_size:
            with open(path, "rb") as f:
                f.seek(-1, os.SEEK_END)
                last = f.read(1)
            self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115
            if last != b"\n":  # a run killed mid-line: end the broken line, readers skip it
                self._file.write("\n")
        else:
            self._file = open(path, "w" if not append else "a", encoding="utf-8")  # noqa: SIM115

    def write(self, records: Iterable[dict[str, Any]]) -> None:
        for rec in records:
            self._file.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> ManifestWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_manifest(path: Path) -> list[dict[str, Any]]:
    """All well-formed records of a manifest (a line broken by a killed run is skipped).

    Example:
        >>> import tempfile
        >>> m = Path(tempfile.mkdtemp()) / MANIFEST_NAME
        >>> with ManifestWriter(m, append=False) as w:
        ...     w.write([make_record("a.png", "a_aug0.png", 0, "image", 1)])
        >>> _ = open(m, "a").write('{"source": "b.p')  # a run killed mid-line
        >>> [r["source"] for r in read_manifest(m)]
        ['a.png']
    """
    out: list[dict[str, Any]] = []
    if not path.exists():
        return out
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict) and all(k in rec for k in MANIFEST_KEYS):
                out.append(rec)
    return out


def completed(path: Path, output_root: Path) -> set[tuple[str, int]]:
    """``(source, copy)`` pairs a previous run finished: marked ``ok`` and whose output file exists."""
    last: dict[tuple[str, int], dict[str, Any]] = {}
    for rec in read_manifest(path):  # a later record of the same output wins
        last[(rec["source"], int(rec["copy"]))] = rec
    return {
        pair
        for pair, rec in last.items()
        if rec["status"] == "ok" and rec["output"] and (output_root / rec["output"]).is_file()
    }
