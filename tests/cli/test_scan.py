"""Folder scanning: types by extension, hidden files, symlinks, globs, the OUTPUT folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from multiaug.offline.scan import modality_of, output_name, scan_inputs


def _touch(root: Path, *names: str) -> None:
    for n in names:
        (root / n).parent.mkdir(parents=True, exist_ok=True)
        (root / n).write_bytes(b"x")


def test_types_order_and_ignored(tmp_path: Path) -> None:
    _touch(tmp_path, "b.png", "a/c.WAV", "z.txt", "y.csv", "notes.md", "x.jpeg", "m.mp3")
    res = scan_inputs(tmp_path)
    assert [(f.rel, f.modality) for f in res.files] == [
        ("b.png", "image"),
        ("x.jpeg", "image"),
        ("a/c.WAV", "audio"),
        ("m.mp3", "audio"),
        ("y.csv", "text"),
        ("z.txt", "text"),
    ]
    assert res.ignored == ["notes.md"]
    assert [f.rel for f in scan_inputs(tmp_path, modality="audio").files] == ["a/c.WAV", "m.mp3"]


def test_hidden_files_and_folders_skipped(tmp_path: Path) -> None:
    _touch(tmp_path, ".a.png", ".git/b.png", "ok/.c.wav", "ok/d.wav")
    assert [f.rel for f in scan_inputs(tmp_path).files] == ["ok/d.wav"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_outside_input_not_followed(tmp_path: Path) -> None:
    inp, outside = tmp_path / "in", tmp_path / "outside"
    _touch(inp, "real.png", "sub/inner.png")
    _touch(outside, "secret.png", "dir/s2.png")
    (inp / "link_in.png").symlink_to(inp / "real.png")
    (inp / "link_out.png").symlink_to(outside / "secret.png")
    (inp / "dir_out").symlink_to(outside / "dir", target_is_directory=True)
    (inp / "loop").symlink_to(inp, target_is_directory=True)
    (inp / "broken.png").symlink_to(tmp_path / "missing.png")
    res = scan_inputs(inp)
    assert [f.rel for f in res.files] == ["link_in.png", "real.png", "sub/inner.png"]
    assert sorted(res.skipped_links) == ["broken.png", "dir_out", "link_out.png"]


def test_globs_and_skip_folder(tmp_path: Path) -> None:
    _touch(tmp_path, "cats/a.png", "dogs/b.png", "dogs/c.jpg", "out/d.png")
    assert [f.rel for f in scan_inputs(tmp_path, include=["*.png"], skip=[tmp_path / "out"]).files] == [
        "cats/a.png",
        "dogs/b.png",
    ]
    assert [f.rel for f in scan_inputs(tmp_path, include=["dogs/*"], exclude=["*.jpg"]).files] == [
        "dogs/b.png"
    ]


def test_single_file_and_names(tmp_path: Path) -> None:
    _touch(tmp_path, "one.flac")
    assert [f.rel for f in scan_inputs(tmp_path / "one.flac").files] == ["one.flac"]
    assert modality_of("x.TIFF") == "image" and modality_of("x.jsonl") == "text" and modality_of("x") is None
    assert output_name("a/b.c/d.tar.png", 3) == "a/b.c/d.tar_aug3.png"
