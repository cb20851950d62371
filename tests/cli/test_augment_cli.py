"""End-to-end: the real ``multiaug augment`` in a subprocess on temporary folders."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf
import torch
from PIL import Image

from multiaug.offline.manifest import MANIFEST_KEYS, read_manifest

from .conftest import REPO, SAMPLES, cli, run_cli, tree_bytes


def _manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


def test_readme_first_command_on_data_samples(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = run_cli("augment", SAMPLES, out)
    assert res.returncode == 0, res.stderr
    assert "0 failed" in res.stderr and "files/s" in res.stderr
    recs = _manifest(out)
    handled = [p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix != ".md"]
    with_pipeline = {r["source"] for r in recs}
    assert all(tuple(r) == MANIFEST_KEYS for r in recs)
    assert all(r["status"] == "ok" and r["error"] is None and r["copy"] == 0 for r in recs)
    assert sorted(r["source"] for r in recs) == sorted(p.relative_to(SAMPLES).as_posix() for p in handled)
    for r in recs:
        assert (out / r["output"]).is_file()
        assert isinstance(r["key"], int) and 0 <= r["key"] < 2**63
        if r["modality"] == "text":  # one replay record per augmented line
            assert r["params"] and all(set(p) == {"line", "record"} for p in r["params"])
            assert all(p["record"]["name"] == "OneOf" for p in r["params"])
        else:
            assert r["params"]["name"] == "Pipeline" and r["params"]["applied"] == [True]
    # what the files were is kept: image modes, sizes of size-keeping ops, audio rate/channels/subtype
    for src_rel in with_pipeline:
        src = SAMPLES / src_rel
        dst = out / next(r["output"] for r in recs if r["source"] == src_rel)
        if src.suffix in (".png", ".jpg"):
            assert Image.open(dst).mode == Image.open(src).mode
        elif src.suffix in (".wav", ".flac"):
            a, b = sf.info(src), sf.info(dst)
            assert (a.samplerate, a.channels, a.subtype, a.format) == (
                b.samplerate,
                b.channels,
                b.subtype,
                b.format,
            )
    # the config used is written and is a valid multiaug config
    import multiaug

    router = multiaug.load(out / "config.yaml")
    assert type(router).__name__ == "Router" and "image" in router.fields
    run = json.loads((out / "run.json").read_text())
    assert run["seed"] == 0 and run["origin"] == "recipe medium"


def test_identical_bytes_for_any_workers_and_batch_size(
    mixed_input: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outs = []
    for workers, batch in ((1, 1), (2, 3), (3, 32)):
        out = tmp_path / f"o{workers}_{batch}"
        args = (
            "augment",
            mixed_input,
            out,
            "--copies",
            "2",
            "--seed",
            "5",
            "--workers",
            workers,
            "--batch-size",
            batch,
            "--quiet",
        )
        if batch == 1:  # one run through the real console entry point in a fresh process
            res = run_cli(*args)
            code, err = res.returncode, res.stderr
        else:
            code, _, err = cli(*args, capsys=capsys)
        assert code == 0, err
        assert err == ""
        outs.append(tree_bytes(out))
    assert outs[0].keys() == outs[1].keys() == outs[2].keys()
    for name in outs[0]:
        assert outs[0][name] == outs[1][name] == outs[2][name], name
    other = tmp_path / "seed6"
    assert cli("augment", mixed_input, other, "--copies", "2", "--seed", "6", "-q", capsys=capsys)[0] == 0
    differs = [
        n for n in outs[0] if n.endswith((".flac", ".png", ".jpg")) and tree_bytes(other)[n] != outs[0][n]
    ]
    assert differs, "another seed should change some outputs"


def test_corrupt_files_are_reported_and_skipped(
    mixed_input: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (mixed_input / "img" / "fake.png").write_bytes(b"this is not a png")
    (mixed_input / "snd" / "empty.wav").write_bytes(b"")
    shutil.copy(SAMPLES / "images" / "street.jpg", mixed_input / "img" / "cut.jpg")
    data = (mixed_input / "img" / "cut.jpg").read_bytes()
    (mixed_input / "img" / "cut.jpg").write_bytes(data[: len(data) // 3])
    (mixed_input / "txt" / "latin1.txt").write_bytes("d\xe9j\xe0 vu\n".encode("latin-1"))
    out = tmp_path / "out"
    res = run_cli("augment", mixed_input, out, "--copies", "2")
    assert res.returncode == 1
    recs = read_manifest(out / "manifest.jsonl")
    failed = {r["source"] for r in recs if r["status"] == "failed"}
    expected = {"img/fake.png", "snd/empty.wav", "img/cut.jpg", "txt/latin1.txt"}
    assert failed == expected
    for r in recs:
        if r["status"] == "failed":
            assert r["output"] is None and r["params"] is None and r["error"]
            assert not (
                out / Path(r["source"]).with_name(Path(r["source"]).stem + "_aug0" + Path(r["source"]).suffix)
            ).exists()
        else:
            assert (out / r["output"]).is_file()
    assert "failed: img/fake.png" in res.stderr and f"{len(expected)} failed" in res.stderr
    # --strict stops at the first failing file
    strict = tmp_path / "strict"
    code, _, err = cli("augment", mixed_input, strict, "--strict", "--batch-size", "1", capsys=capsys)
    assert code == 1 and "--strict" in err
    recs = read_manifest(strict / "manifest.jsonl")
    assert sum(r["status"] == "failed" for r in recs) == 1
    assert len(recs) < len(read_manifest(out / "manifest.jsonl")) // 2


def test_usage_errors_exit_2(mixed_input: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    res = run_cli("augment", mixed_input, mixed_input / "out")
    assert res.returncode == 2 and "inside" in res.stderr and not (mixed_input / "out").exists()
    assert "Traceback" not in res.stderr

    def code(*args: object) -> int:
        return cli(*args, capsys=capsys)[0]

    assert code("augment", mixed_input, mixed_input) == 2
    assert code("augment", mixed_input / "img", mixed_input) == 2  # INPUT inside OUTPUT
    assert code("augment", tmp_path / "missing", tmp_path / "o") == 2
    assert code("augment", mixed_input, tmp_path / "o", "--resume", "--overwrite") == 2
    assert code("augment", mixed_input, tmp_path / "o", "--copies", "0") == 2
    assert code("augment", mixed_input, tmp_path / "o", "--recipe", "mediun") == 2
    assert code("augment", mixed_input, tmp_path / "o", "--device", "tpu") == 2
    if not torch.cuda.is_available():
        rc, _, err = cli("augment", mixed_input, tmp_path / "o", "--device", "cuda", capsys=capsys)
        assert rc == 2 and "CUDA is not available" in err
    assert code("frobnicate") == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("multiaug: 1\naugmenter: {name: image.HorizontalFlop, p: 0.5}\n")
    rc, _, err = cli("augment", mixed_input, tmp_path / "o", "--config", bad, capsys=capsys)
    assert rc == 2 and "HorizontalFlip" in err  # did-you-mean hint
    mix = tmp_path / "mix.yaml"
    mix.write_text("multiaug: 1\naugmenter: {name: image.CutMix}\n")
    rc, _, err = cli("augment", mixed_input, tmp_path / "o", "--config", mix, capsys=capsys)
    assert rc == 2 and "mixes the samples" in err
    assert not (tmp_path / "o").exists()
    # a second run into the same OUTPUT needs --resume or --overwrite
    out = tmp_path / "twice"
    assert code("augment", mixed_input, out, "-q", "--modality", "image") == 0
    rc, _, err = cli("augment", mixed_input, out, "-q", "--modality", "image", capsys=capsys)
    assert rc == 2 and "--resume" in err
    before = tree_bytes(out)
    assert code("augment", mixed_input, out, "-q", "--modality", "image", "--overwrite") == 0
    assert tree_bytes(out) == before
    rc, _, err = cli(
        "augment", mixed_input, out, "-q", "--modality", "image", "--resume", "--seed", "9", capsys=capsys
    )
    assert rc == 2 and "seed" in err


def test_resume_after_interrupted_run(
    mixed_input: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full = tmp_path / "full"
    assert cli("augment", mixed_input, full, "--copies", "2", "-q", capsys=capsys)[0] == 0
    # simulate a run killed mid-way: some outputs missing, a half-written manifest line, a stale temp file
    part = tmp_path / "part"
    shutil.copytree(full, part)
    lines = (part / "manifest.jsonl").read_text().splitlines(keepends=True)
    keep = len(lines) // 2
    (part / "manifest.jsonl").write_text("".join(lines[:keep]) + lines[keep][:25])
    for line in lines[keep:]:
        rec = json.loads(line)
        if rec["output"]:
            (part / rec["output"]).unlink()
    (part / "img" / ".x.png.1-2.multiaug-tmp").write_bytes(b"half")
    rc, _, err = cli("augment", mixed_input, part, "--copies", "2", "--resume", capsys=capsys)
    assert rc == 0, err
    assert f"{keep} already done" in err
    assert not (part / "img" / ".x.png.1-2.multiaug-tmp").exists()
    assert {k: v for k, v in tree_bytes(part).items() if k != "manifest.jsonl"} == {
        k: v for k, v in tree_bytes(full).items() if k != "manifest.jsonl"
    }
    done = {(r["source"], r["copy"]) for r in read_manifest(part / "manifest.jsonl") if r["status"] == "ok"}
    assert done == {(r["source"], r["copy"]) for r in read_manifest(full / "manifest.jsonl")}
    # nothing left: a second resume does nothing
    rc, _, err = cli("augment", mixed_input, part, "--copies", "2", "--resume", capsys=capsys)
    assert rc == 0 and " 0 outputs" in err
    # more copies later: the first two are kept as they are, only the third is made
    before = tree_bytes(part)
    rc, _, err = cli("augment", mixed_input, part, "--copies", "3", "--resume", capsys=capsys)
    assert rc == 0 and f"{len(lines)} already done" in err
    after = tree_bytes(part)
    assert all(after[k] == v for k, v in before.items() if k != "manifest.jsonl")
    assert set(after) - set(before) == {k.replace("_aug1", "_aug2") for k in before if "_aug1" in k}


def test_resume_after_a_real_kill(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in"
    src.mkdir()
    tile = Image.open(SAMPLES / "images" / "still_life.png").convert("RGB")
    for i in range(40):
        tile.crop((i * 6, i * 4, i * 6 + 48, i * 4 + 40)).save(src / f"g{i:03d}.png")
    # 40 files x 2 copies = 80 outputs, written in chunks of 8 (batch size 2)
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "multiaug.cli",
            "augment",
            src,
            out,
            "--batch-size",
            "2",
            "--copies",
            "2",
            "-q",
        ],
        cwd=REPO,
        env=env,
    )
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        m = out / "manifest.jsonl"
        if m.exists() and m.stat().st_size > 0:
            break
        time.sleep(0.02)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    if proc.returncode == -signal.SIGKILL:  # (a fast machine may finish first: then only resume is checked)
        assert len(read_manifest(out / "manifest.jsonl")) < 80
    for p in out.rglob("*.png"):  # whatever was written is a complete PNG
        Image.open(p).load()
    rc, _, err = cli("augment", src, out, "--copies", "2", "--resume", "--batch-size", "7", capsys=capsys)
    assert rc == 0, err
    ref = tmp_path / "ref"
    assert cli("augment", src, ref, "--copies", "2", "-q", capsys=capsys)[0] == 0
    strip = ("manifest.jsonl",)
    assert tree_bytes(out, strip) == tree_bytes(ref, strip)
    assert not [p for p in out.rglob("*") if p.name.endswith(".multiaug-tmp")]


def test_hidden_files_symlinks_globs_dry_run(
    mixed_input: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (mixed_input / ".hidden.png").write_bytes((SAMPLES / "images" / "badge_rgba.png").read_bytes())
    (mixed_input / ".cache").mkdir()
    shutil.copy(SAMPLES / "images" / "badge_rgba.png", mixed_input / ".cache" / "c.png")
    outside = tmp_path / "outside.png"
    shutil.copy(SAMPLES / "images" / "badge_rgba.png", outside)
    (mixed_input / "img" / "link_out.png").symlink_to(outside)
    (mixed_input / "img" / "link_in.png").symlink_to(mixed_input / "img" / "gray_texture.png")
    out = tmp_path / "out"
    rc, _, err = cli(
        "augment",
        mixed_input,
        out,
        "--modality",
        "image",
        "--exclude",
        "depth*",
        "--include",
        "img/*",
        capsys=capsys,
    )
    assert rc == 0, err
    sources = sorted(r["source"] for r in read_manifest(out / "manifest.jsonl"))
    assert sources == [
        "img/badge_rgba.png",
        "img/gray_texture.png",
        "img/landscape_exif_rotated.jpg",
        "img/link_in.png",
        "img/nested/street.jpg",
    ]
    assert "1 links outside INPUT skipped" in err
    dry = tmp_path / "dry"
    rc, stdout, _ = cli("augment", mixed_input, dry, "--dry-run", "--copies", "3", capsys=capsys)
    assert rc == 0 and not dry.exists()
    assert "image: 6 files -> 18 outputs" in stdout


def test_single_file_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o"
    rc, _, err = cli(
        "augment",
        SAMPLES / "audio" / "music_stereo.wav",
        out,
        "--copies",
        "3",
        "-q",
        "--device",
        "auto",
        capsys=capsys,
    )
    assert rc == 0, err
    assert sorted(p.name for p in out.glob("*.wav")) == [f"music_stereo_aug{k}.wav" for k in range(3)]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_unreadable_file_fails_cleanly(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read anything")
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "images" / "street.jpg", src / "s.jpg")
    (src / "s.jpg").chmod(0)
    res = run_cli("augment", src, tmp_path / "o")
    assert res.returncode == 1 and "Permission" in res.stderr


def test_text_tables_keep_other_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in"
    src.mkdir()
    rows = [("id", "sentence", "label")] + [
        (str(i), f"the small dog number {i} runs in the park", "pos") for i in range(6)
    ]
    (src / "d.tsv").write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    (src / "q.jsonl").write_text(
        '{"sentence": "where is the old station", "n": 1}\n{"n": 2}\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    rc, _, err = cli(
        "augment", src, out, "--text-field", "sentence", "--recipe", "heavy", "--copies", "2", capsys=capsys
    )
    assert rc == 0, err
    for k in range(2):
        got = [line.split("\t") for line in (out / f"d_aug{k}.tsv").read_text().splitlines()]
        assert got[0] == ["id", "sentence", "label"]
        assert [(r[0], r[2]) for r in got[1:]] == [(r[0], r[2]) for r in rows[1:]]
        lines = [json.loads(line) for line in (out / f"q_aug{k}.jsonl").read_text().splitlines()]
        assert lines[0]["n"] == 1 and lines[1] == {"n": 2}
    assert (out / "d_aug0.tsv").read_text() != (src / "d.tsv").read_text()
    rc, _, err = cli("augment", src, tmp_path / "o2", capsys=capsys)  # default field "text" is missing
    assert rc == 1 and "--text-field" in err


def test_length_changing_audio_is_batch_size_independent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    x, sr = sf.read(SAMPLES / "audio" / "speech_en_mono.wav", dtype="float32")
    src = tmp_path / "in"
    src.mkdir()
    for i, n in enumerate((9000, 11000, 15000, 21000, 26000)):  # different lengths share padded batches
        sf.write(src / f"c{i}.wav", x[3000 * i : 3000 * i + n], sr, subtype="PCM_16")
    last = tmp_path / "last.yaml"
    last.write_text(
        "multiaug: 1\naugmenter: {name: Pipeline, augmenters: [{name: audio.Gain, p: 1.0},\n"
        "  {name: audio.PitchShift, semitones: [-3.0, 3.0], p: 1.0}, {name: audio.TimeStretch, p: 1.0}]}\n"
    )
    outs = []
    for batch in (1, 4):
        out = tmp_path / f"o{batch}"
        rc, _, err = cli(
            "augment", src, out, "--config", last, "--batch-size", batch, "--copies", "2", capsys=capsys
        )
        assert rc == 0 and "warning" not in err, err
        outs.append(tree_bytes(out))
    assert outs[0] == outs[1]
    lengths = {sf.info(tmp_path / "o1" / f"c0_aug{k}.wav").frames for k in range(2)}
    assert lengths != {9000}  # the stretch really changed the lengths
    after = tmp_path / "after.yaml"
    after.write_text(
        "multiaug: 1\naugmenter: {name: Pipeline, augmenters: [{name: audio.TimeStretch, p: 1.0},\n"
        "  {name: audio.LowPassFilter, p: 1.0}]}\n"
    )
    rc, out, _ = cli("validate", after, capsys=capsys)
    assert rc == 0 and "warning: audio: audio.LowPassFilter run after audio.TimeStretch" in out
