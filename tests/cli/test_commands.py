"""``multiaug list/show/validate/preview``, the manifest's replay records, and a light ``import multiaug.cli``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import multiaug
from multiaug.offline import load_pipelines, read_manifest
from multiaug.offline.image_io import encode_image, read_image
from multiaug.offline.preview import mark_changes

from .conftest import REPO, SAMPLES, cli


def test_import_is_light() -> None:
    code = "import sys, multiaug.cli, multiaug.offline; print('torch' in sys.modules)"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert res.stdout.strip() == "False"


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli("--help", capsys=capsys)
    assert code == 0 and "augment" in out and "exit codes" in out
    code, out, _ = cli("augment", "--help", capsys=capsys)
    for flag in (
        "--config",
        "--recipe",
        "--copies",
        "--seed",
        "--modality",
        "--device",
        "--batch-size",
        "--workers",
        "--include",
        "--exclude",
        "--resume",
        "--overwrite",
        "--dry-run",
        "--strict",
        "--text-field",
        "--quiet",
    ):
        assert flag in out
    assert cli("--version", capsys=capsys)[1].startswith("multiaug ")


def test_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli("list", capsys=capsys)
    assert code == 0
    for name in multiaug.names():
        assert name in out
    code, out, _ = cli("list", "--modality", "audio", capsys=capsys)
    assert code == 0 and "audio.Gain" in out and "image." not in out
    code, out, _ = cli("show", "image.HorizontalFlip", capsys=capsys)
    assert code == 0 and "default 0.5" in out and "name: image.HorizontalFlip" in out
    snippet = out.split("example config (YAML):\n", 1)[1]
    import yaml

    assert multiaug.from_config(yaml.safe_load(snippet)).p == 0.5  # the snippet is a valid config
    code, out, _ = cli("show", "light", capsys=capsys)
    assert code == 0 and "Router" in out
    code, _, err = cli("show", "image.Rotat", capsys=capsys)
    assert code == 2 and "image.Rotate" in err


def test_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from multiaug.offline.pipelines import recipe_path

    for recipe in ("light", "medium", "heavy"):
        code, out, err = cli("validate", recipe_path(recipe), capsys=capsys)
        assert code == 0, err
        assert out.count("ran on a synthetic batch: ok") == 3
    one = tmp_path / "one.yaml"
    multiaug.save(multiaug.Pipeline([multiaug.image.HorizontalFlip()]), one)
    code, out, _ = cli("validate", one, capsys=capsys)
    assert code == 0 and "[audio] no pipeline" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("multiaug: 1\naugmenter: {name: image.Rotate, degreez: 3}\n")
    code, _, err = cli("validate", bad, capsys=capsys)
    assert code == 2 and "degrees" in err
    assert cli("validate", tmp_path / "none.yaml", capsys=capsys)[0] == 2


def test_preview_image_audio_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for src, n in (
        (SAMPLES / "images" / "badge_rgba.png", "3"),
        (SAMPLES / "audio" / "music_stereo.wav", "2"),
    ):
        out = tmp_path / f"{src.stem}.png"
        code, stdout, err = cli("preview", src, "--n", n, "--out", out, capsys=capsys)
        assert code == 0, err
        assert f"wrote {out}" in stdout and Image.open(out).size[0] > 300
    code, stdout, _ = cli("preview", SAMPLES / "text" / "sentences.txt", "--n", "3", capsys=capsys)
    lines = stdout.strip().splitlines()
    assert code == 0 and lines[0].startswith("original: The quick brown fox") and len(lines) == 4
    assert any("{+" in line or "[-" in line for line in lines[1:])
    assert cli("preview", SAMPLES / "README.md", capsys=capsys)[0] == 2
    assert cli("preview", tmp_path / "missing.png", capsys=capsys)[0] == 2


def test_mark_changes() -> None:
    assert mark_changes("a b c", "a b c") == "a b c"
    assert mark_changes("the cat sat.", "the sat.") == "the[- cat-] sat."
    assert mark_changes("hello", "hello world") == "hello{+ world+}"


def test_manifest_records_replay_exactly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, _, err = cli(
        "augment", SAMPLES / "images", out, "--copies", "2", "--seed", "3", "-q", capsys=capsys
    )
    assert code == 0, err
    pipes, _ = load_pipelines(config=out / "config.yaml")
    checked = 0
    for rec in read_manifest(out / "manifest.jsonl"):
        if not rec["source"].endswith(".png"):
            continue
        src = read_image(SAMPLES / "images" / rec["source"])
        x = torch.from_numpy(src.color[None])
        params = multiaug.Record.from_json(json.loads(json.dumps(rec["params"])))
        if src.alpha is not None:
            res = pipes["image"](image=x, mask=torch.from_numpy(src.alpha[None]), params=params)
            img = encode_image(res["image"][0].numpy(), res["mask"][0].numpy(), src)
        else:
            img = encode_image(pipes["image"](x, params=params)[0].numpy(), None, src)
        assert np.array_equal(np.asarray(img), np.asarray(Image.open(out / rec["output"]))), rec["output"]
        checked += 1
    assert checked == 8


def test_progress_bar_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from multiaug.offline import AugmentOptions, augment_folder

    pipes, _ = load_pipelines(recipe="light")
    capsys.readouterr()
    summary = augment_folder(SAMPLES / "text", tmp_path / "o", pipes, AugmentOptions(progress=True))
    err = capsys.readouterr().err
    assert summary.exit_code == 0 and "/3 [" in err and "file" in err
    augment_folder(
        SAMPLES / "text", tmp_path / "o2", pipes, AugmentOptions(progress=None)
    )  # stderr not a TTY
    assert "/3 [" not in capsys.readouterr().err
