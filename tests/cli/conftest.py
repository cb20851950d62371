"""Shared helpers of the CLI tests: run the real ``multiaug`` command in a subprocess, build input folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile as sf

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


def cli(*args: str | os.PathLike, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the same command in this process (``multiaug.cli.main.main``): faster for the many small checks."""
    from multiaug.cli.main import main

    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def tree_bytes(root: Path, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every file under ``root`` by relative POSIX path, with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in skip
    }


def _shrink(path: Path, dest: Path) -> None:
    """A half-size copy of a sample image with the same mode and EXIF (keeps the tests fast)."""
    from PIL import Image

    with Image.open(path) as img:
        small = img.resize((img.width // 2, img.height // 2))
        extra = {"exif": img.info["exif"]} if "exif" in img.info else {}
        small.save(dest, **extra)


@pytest.fixture
def mixed_input(tmp_path: Path) -> Path:
    """A small folder with every modality: a few sample images, two clips, the text files, a nested folder."""
    src = tmp_path / "in"
    (src / "img" / "nested").mkdir(parents=True)
    (src / "snd").mkdir()
    for name, dest in (
        ("badge_rgba.png", "img"),
        ("gray_texture.png", "img"),
        ("depth_16bit.png", "img"),
        ("landscape_exif_rotated.jpg", "img"),
        ("street.jpg", "img/nested"),
    ):
        _shrink(SAMPLES / "images" / name, src / dest / name)
    for name in ("music_mono_24bit.flac", "speech_en_stereo.flac"):
        shutil.copy(SAMPLES / "audio" / name, src / "snd" / name)
    # an Ogg Vorbis clip: libsndfile gives each Ogg stream a random serial, which the writer must undo
    clip, rate = sf.read(str(SAMPLES / "audio" / "speech_en_stereo.flac"), dtype="float32", frames=8000)
    sf.write(str(src / "snd" / "speech.ogg"), clip, rate, format="OGG", subtype="VORBIS")
    shutil.copytree(SAMPLES / "text", src / "txt")
    (src / "README.md").write_text("not an input\n")
    return src
