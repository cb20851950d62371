"""Shared helpers of the CLI tests: run the real ``multiaug`` command in a subprocess, build input folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "data_samples"


def run_cli(*args: str | os.PathLike, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run ``python -m multiaug.cli ARGS`` (the same code as the ``multiaug`` console script)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("OMP_NUM_THREADS", "1")
    return subprocess.run(
        [sys.executable, "-m", "multiaug.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=REPO,
    )


def tree_bytes(root: Path, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every file under ``root`` by relative POSIX path, with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in skip
    }


@pytest.fixture
def mixed_input(tmp_path: Path) -> Path:
    """A small folder with every modality: a few sample images, two clips, the text files, a nested folder."""
    src = tmp_path / "in"
    (src / "img" / "nested").mkdir(parents=True)
    (src / "snd").mkdir()
    for name in ("badge_rgba.png", "gray_texture.png", "depth_16bit.png", "landscape_exif_rotated.jpg"):
        shutil.copy(SAMPLES / "images" / name, src / "img" / name)
    shutil.copy(SAMPLES / "images" / "street.jpg", src / "img" / "nested" / "street.jpg")
    for name in ("music_mono_24bit.flac", "speech_en_stereo.flac"):
        shutil.copy(SAMPLES / "audio" / name, src / "snd" / name)
    shutil.copytree(SAMPLES / "text", src / "txt")
    (src / "README.md").write_text("not an input\n")
    return src
