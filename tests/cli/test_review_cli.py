"""Second review of the CLI and the offline job: odd text files, byte-reproducible outputs, preview errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from multiaug.offline.text_io import read_text

from .conftest import cli


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


def _peak_time_offset(data: bytes) -> int | None:
    """Where the timestamp of a WAV file's PEAK chunk lies (RIFF chunks up to the data chunk)."""
    import struct

    at = 12
    while at + 8 <= len(data):
        cid, size = data[at : at + 4], struct.unpack("<I", data[at + 4 : at + 8])[0]
        if cid == b"PEAK":
            return at + 12  # chunk id, size, version, then the timestamp
        if cid == b"data":
            return None
        at += 8 + size + (size & 1)
    return None


def test_float_wav_outputs_hold_no_clock_time(tmp_path: Path) -> None:
    # libsndfile stamps the PEAK chunk of float WAVs with the time of writing, so the same audio gave other
    # bytes a second later (with other --workers, or on --resume)
    import numpy as np
    import soundfile as sf

    from multiaug.offline.audio_io import read_audio, write_audio

    src = tmp_path / "a.wav"
    sf.write(src, (0.3 * np.sin(np.arange(2000) * 0.05)).astype(np.float32), 16000, subtype="FLOAT")
    dec = read_audio(src)
    write_audio(dec.audio, tmp_path / "b.wav", dec)
    out = (tmp_path / "b.wav").read_bytes()
    direct = sf.SoundFile(src).read(dtype="float32")
    at = _peak_time_offset(out)
    assert at is not None and out[at : at + 4] == b"\0\0\0\0"
    np.testing.assert_array_equal(sf.read(tmp_path / "b.wav", dtype="float32")[0], direct)


def test_preview_of_a_file_that_fails_is_an_error_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.png").write_bytes(b"not an image")
    (tmp_path / "bad.wav").write_bytes(b"not audio")
    (tmp_path / "t.tsv").write_text("id\tsentence\n1\tone two three\n", encoding="utf-8")
    cases = [
        (tmp_path / "bad.png", "cannot identify image"),
        (tmp_path / "bad.wav", "bad.wav"),
        (tmp_path / "t.tsv", "--text-field"),
    ]
    for path, message in cases:
        code, _, err = cli("preview", path, "--n", "1", "--out", tmp_path / "p.png", capsys=capsys)
        assert code == 1 and err.startswith("multiaug: error: ") and message in err, err
        assert "Traceback" not in err


def test_a_cell_with_a_crlf_does_not_change_the_line_endings_of_a_table(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes(b'id,text\n1,"line one\r\nline two"\n2,plain words\n')
    doc = read_text(p)
    assert doc.samples == ["line one\r\nline two", "plain words"]
    assert doc.render(doc.samples).encode() == p.read_bytes()


def test_outputs_differing_only_in_case_are_refused_on_a_case_insensitive_file_system(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from multiaug.offline import job

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("one sentence here.\n", encoding="utf-8")
    (src / "a.TXT").write_text("another sentence here.\n", encoding="utf-8")
    assert not job.case_insensitive(tmp_path)  # this file system tells the two apart: both are augmented
    code, _, _ = cli("augment", src, tmp_path / "out", "--quiet", capsys=capsys)
    assert code == 0 and {p.name for p in (tmp_path / "out").glob("a_aug0.*")} == {"a_aug0.txt", "a_aug0.TXT"}
    monkeypatch.setattr(job, "case_insensitive", lambda folder: True)  # as on macOS or Windows
    code, _, err = cli("augment", src, tmp_path / "out2", "--quiet", capsys=capsys)
    assert code == 2 and "differ only in case" in err
