"""Second review of the CLI and the offline job: odd text files, byte-reproducible outputs, preview errors."""

from __future__ import annotations

import json
from pathlib import Path

from multiaug.offline.text_io import read_text


def test_jsonl_strings_may_hold_unicode_line_separators(tmp_path: Path) -> None:
    # JSON allows U+2028, U+2029 and U+0085 raw inside strings (json.dumps(ensure_ascii=False) writes them so);
    # only "\n" ends a JSON Lines record
    p = tmp_path / "x.jsonl"
    items = [{"text": "one\u2028two\u2029three\x85four\x0cfive", "id": 1}, {"text": "six seven", "id": 2}]
    p.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    doc = read_text(p)
    assert doc.samples == [items[0]["text"], "six seven"] and doc.lines == [0, 1]
    back = [json.loads(line) for line in doc.render(["A", "B"]).split("\n") if line]
    assert back == [{"text": "A", "id": 1}, {"text": "B", "id": 2}]


def test_txt_lines_end_only_at_line_breaks(tmp_path: Path) -> None:
    p = tmp_path / "x.txt"
    p.write_bytes("a\u2028b c\r\nd\x0ce\rf\n".encode())
    doc = read_text(p)
    assert doc.samples == ["a\u2028b c", "d\x0ce", "f"]
    assert doc.render(["X", "Y", "Z"]) == "X\r\nY\rZ\n"
