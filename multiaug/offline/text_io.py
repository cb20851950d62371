"""Read and write text files: ``.txt`` (one sample per line), ``.csv``/``.tsv`` and ``.jsonl`` (one column/field is
augmented, every other column is copied unchanged).

A file becomes a :class:`TextDoc`: ``samples`` are the strings to augment, ``lines`` their row numbers (used in the
sample keys), and :meth:`TextDoc.render` puts augmented strings back where they came from. Files must be UTF-8
(a BOM is kept); blank lines and empty cells are copied unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["TextDoc", "read_text"]

_BOM = "\ufeff"


@dataclass
class TextDoc:
    """A text file split into the strings to augment and the frame that holds them."""

    kind: str  # "lines", "table" or "jsonl"
    samples: list[str]
    lines: list[int]  # row/line number of each sample (0-based, counting a header)
    newline: str = "\n"
    bom: bool = False
    rows: list[Any] = field(default_factory=list)  # lines (str), csv rows (list[str]) or jsonl items
    column: int | str | None = None
    delimiter: str = ","

    def render(self, new_samples: list[str]) -> str:
        """The file's text with the samples replaced by ``new_samples`` (same order).

        Example:
            >>> doc = read_text_str("a\\n\\nb\\n", "x.txt")
            >>> doc.render([s.upper() for s in doc.samples])
            'A\\n\\nB\\n'
        """
        if len(new_samples) != len(self.samples):
            raise ValueError(f"expected {len(self.samples)} augmented samples, got {len(new_samples)}")
        by_line = dict(zip(self.lines, new_samples))
        if self.kind == "lines":
            parts = []
            for i, (prefix, core, suffix) in enumerate(self.rows):
                parts.append(prefix + by_line.get(i, core) + suffix)
            body = "".join(parts)
        elif self.kind == "table":
            buf = io.StringIO()
            writer = csv.writer(buf, delimiter=self.delimiter, lineterminator=self.newline)
            for i, row in enumerate(self.rows):
                if i in by_line:
                    row = list(row)
                    row[self.column] = by_line[i]  # type: ignore[index]
                writer.writerow(row)
            body = buf.getvalue()
        else:
            out = []
            for i, (raw, obj) in enumerate(self.rows):
                if i in by_line:
                    obj = dict(obj)
                    obj[self.column] = by_line[i]
                    out.append(json.dumps(obj, ensure_ascii=False) + self.newline)
                else:
                    out.append(raw)
            body = "".join(out)
        return (_BOM if self.bom else "") + body


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _physical_lines(text: str) -> list[str]:
    """The lines of ``text`` with their endings, split at ``\\n``, ``\\r\\n`` and ``\\r`` only: unlike
    ``str.splitlines``, not at U+2028, U+0085, form feeds and the like, which JSON strings and sentences may
    hold."""
    return _LINE.findall(text)


def _split_lines(text: str) -> list[tuple[str, str, str]]:
    """Each line as (leading whitespace, content, trailing whitespace + line ending)."""
    out = []
    for line in _physical_lines(text):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        core = body.strip()
        if not core:
            out.append(("", "", line))
            continue
        lead = body[: len(body) - len(body.lstrip())]
        trail = body[len(body.rstrip()) :]
        out.append((lead, core, trail + ending))
    return out


def read_text_str(text: str, name: str, text_field: str = "text") -> TextDoc:
    """Parse text content for a file called ``name`` (the extension decides the format).

    Example:
        >>> doc = read_text_str("id,text,label\\n1,hello there,pos\\n", "r.csv")
        >>> doc.samples, doc.lines
        (['hello there'], [1])
    """
    bom = text.startswith(_BOM)
    if bom:
        text = text[1:]
    first_break = re.search(r"\r\n|\r|\n", text)  # the header's (a cell may hold other line breaks)
    newline = "\r\n" if first_break is not None and first_break.group() == "\r\n" else "\n"
    ext = Path(name).suffix.lower()
    if ext in (".csv", ".tsv"):
        delimiter = "\t" if ext == ".tsv" else ","
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        if not rows:
            raise ValueError("the table is empty (no header row)")
        header = rows[0]
        if text_field not in header:
            raise ValueError(
                f"no column {text_field!r} in the header {header}; choose one with --text-field NAME"
            )
        col = header.index(text_field)
        samples, lines = [], []
        for i, row in enumerate(rows[1:], start=1):
            if col < len(row) and row[col].strip():
                samples.append(row[col])
                lines.append(i)
        return TextDoc("table", samples, lines, newline, bom, rows, col, delimiter)
    if ext == ".jsonl":
        items: list[tuple[str, Any]] = []
        samples, lines = [], []
        has_field = False
        for i, raw in enumerate(_physical_lines(text)):
            if not raw.strip():
                items.append((raw, None))
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {i + 1} is not valid JSON: {exc.msg}") from None
            if not isinstance(obj, dict):
                raise ValueError(f"line {i + 1} is not a JSON object")
            items.append((raw if raw.endswith("\n") else raw + newline, obj))
            value = obj.get(text_field)
            has_field = has_field or text_field in obj
            if isinstance(value, str) and value.strip():
                samples.append(value)
                lines.append(i)
        if items and not has_field:
            raise ValueError(f"no record has a field {text_field!r}; choose one with --text-field NAME")
        return TextDoc("jsonl", samples, lines, newline, bom, items, text_field)
    parts = _split_lines(text)
    samples = [core for _, core, _ in parts if core]
    lines = [i for i, (_, core, _) in enumerate(parts) if core]
    return TextDoc("lines", samples, lines, newline, bom, parts)


def read_text(path: str | Path, text_field: str = "text") -> TextDoc:
    """Read a ``.txt``, ``.csv``, ``.tsv`` or ``.jsonl`` file (UTF-8) into a :class:`TextDoc`.

    Example:
        >>> doc = read_text("data_samples/text/reviews.csv")
        >>> len(doc.samples), doc.rows[0]
        (12, ['id', 'text', 'label'])
    """
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start}: {raw[exc.start : exc.start + 1]!r})") from None
    if "\x00" in text:
        raise ValueError("the file holds NUL bytes: it looks binary, not text")
    return read_text_str(text, str(path), text_field)
