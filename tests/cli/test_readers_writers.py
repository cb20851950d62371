"""Readers and writers of the offline job: files come back the way they were (mode, depth, rate, columns)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from multiaug.offline.atomic import TEMP_SUFFIX, atomic_write, remove_stale_temps
from multiaug.offline.audio_io import _clear_peak_time, read_audio, write_audio
from multiaug.offline.image_io import encode_image, format_for, read_image, write_image
from multiaug.offline.keys import sample_key
from multiaug.offline.manifest import ManifestWriter, completed, make_record, read_manifest
from multiaug.offline.text_io import read_text

from .conftest import SAMPLES


def _roundtrip(img: Image.Image, path: Path, **save: object) -> tuple[Image.Image, Image.Image]:
    img.save(path, **save)
    dec = read_image(path)
    out = path.with_name("out" + path.suffix)
    write_image(encode_image(dec.color, dec.alpha, dec), out, format_for(out), dec)
    return Image.open(path), Image.open(out)


@pytest.mark.parametrize(
    ("mode", "suffix"),
    [
        ("L", ".png"),
        ("LA", ".png"),
        ("RGB", ".png"),
        ("RGBA", ".png"),
        ("RGB", ".bmp"),
        ("RGB", ".tif"),
        ("RGBA", ".webp"),
        ("1", ".png"),
    ],
)
def test_lossless_image_roundtrip_keeps_mode_and_pixels(tmp_path: Path, mode: str, suffix: str) -> None:
    rng = np.random.default_rng(0)
    base = Image.fromarray(rng.integers(0, 256, (20, 30, 4), dtype=np.uint8), "RGBA").convert(mode)
    save = {"lossless": True} if suffix == ".webp" else {}
    a, b = _roundtrip(base, tmp_path / f"x{suffix}", **save)
    assert b.mode == a.mode and b.size == a.size
    assert np.array_equal(np.asarray(a), np.asarray(b)) or suffix == ".webp"


def test_sixteen_bit_and_palette_images(tmp_path: Path) -> None:
    arr = (np.arange(40 * 50).reshape(40, 50) * 31 % 65536).astype(np.uint16)
    a, b = _roundtrip(Image.fromarray(arr), tmp_path / "d.png")
    assert b.mode == "I;16" and np.array_equal(np.asarray(a), np.asarray(b))
    dec = read_image(tmp_path / "d.png")
    assert dec.color.dtype == np.float32 and dec.color.shape == (3, 40, 50)
    pal = Image.fromarray(np.random.default_rng(1).integers(0, 256, (10, 10, 3), dtype=np.uint8)).quantize(16)
    a, b = _roundtrip(pal, tmp_path / "p.png")
    assert b.mode == "RGB" and np.array_equal(np.asarray(a.convert("RGB")), np.asarray(b))


def test_exif_orientation_applied_and_removed(tmp_path: Path) -> None:
    dec = read_image(SAMPLES / "images" / "landscape_exif_rotated.jpg")
    assert dec.color.shape == (3, 240, 320)  # stored 240 wide x 320 high, shown upright 320 x 240
    img = Image.new("RGB", (30, 20), (200, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise for display
    exif[0x010F] = "multiaug camera"
    img.save(tmp_path / "e.jpg", exif=exif.tobytes())
    dec = read_image(tmp_path / "e.jpg")
    assert dec.color.shape == (3, 30, 20)
    out = tmp_path / "o.jpg"
    write_image(encode_image(dec.color, dec.alpha, dec), out, "JPEG", dec)
    kept = Image.open(out).getexif()
    assert 0x0112 not in kept and kept[0x010F] == "multiaug camera"
    assert Image.open(out).size == (20, 30)


def test_sample_images_keep_their_modes() -> None:
    modes = {p.name: read_image(p).mode for p in (SAMPLES / "images").iterdir() if p.suffix != ".md"}
    assert modes["badge_rgba.png"] == "RGBA" and modes["gray_texture.png"] == "L"
    assert modes["depth_16bit.png"] == "I;16" and modes["street.jpg"] == "RGB"
    assert read_image(SAMPLES / "images" / "badge_rgba.png").alpha is not None


@pytest.mark.parametrize("content", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\x00" * 30])
def test_corrupt_images_raise(tmp_path: Path, content: bytes) -> None:
    p = tmp_path / "bad.png"
    p.write_bytes(content)
    with pytest.raises((OSError, ValueError)):
        read_image(p)


def test_truncated_jpeg_raises(tmp_path: Path) -> None:
    data = (SAMPLES / "images" / "street.jpg").read_bytes()
    p = tmp_path / "cut.jpg"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(OSError):
        read_image(p)


def test_decompression_bomb_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "big.png"
    Image.new("L", (100, 100)).save(p)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="decompression bomb"):
            read_image(p)


@pytest.mark.parametrize(
    ("fmt", "subtype", "suffix"),
    [
        ("WAV", "PCM_16", ".wav"),
        ("WAV", "FLOAT", ".wav"),
        ("FLAC", "PCM_24", ".flac"),
        ("WAV", "PCM_U8", ".wav"),
    ],
)
def test_audio_roundtrip_keeps_rate_channels_subtype(
    tmp_path: Path, fmt: str, subtype: str, suffix: str
) -> None:
    x = (0.5 * np.sin(np.arange(4000)[:, None] * [0.01, 0.02])).astype(np.float32)
    src = tmp_path / f"a{suffix}"
    sf.write(src, x, 11025, subtype=subtype, format=fmt)
    dec = read_audio(src)
    assert dec.audio.shape == (2, 4000) and dec.sample_rate == 11025 and dec.subtype == subtype
    out = tmp_path / f"b{suffix}"
    write_audio(dec.audio * 3.0, out, dec)  # out of range: integer formats are clipped, not wrapped
    info = sf.info(out)
    assert (info.samplerate, info.channels, info.subtype, info.format) == (11025, 2, subtype, fmt)
    back = sf.read(out, dtype="float32")[0]
    if subtype != "FLOAT":
        assert back.max() <= 1.0 and back.min() >= -1.0 and np.all(np.sign(back[x * 3 > 1.01]) > 0)


@pytest.mark.parametrize("content", [b"", b"RIFF\x00\x00\x00\x00WAVEjunk", b"hello world" * 10])
def test_bad_audio_raises(tmp_path: Path, content: bytes) -> None:
    p = tmp_path / "bad.wav"
    p.write_bytes(content)
    with pytest.raises((RuntimeError, ValueError, sf.LibsndfileError)):
        read_audio(p)


def test_text_formats_keep_other_columns(tmp_path: Path) -> None:
    csv_doc = read_text(SAMPLES / "text" / "reviews.csv")
    assert csv_doc.render(csv_doc.samples).encode() == (SAMPLES / "text" / "reviews.csv").read_bytes()
    out = csv_doc.render([s.upper() for s in csv_doc.samples])
    lines = out.splitlines()
    assert lines[0] == "id,text,label" and lines[1].endswith(",positive") and lines[1].startswith("0,THE ")
    tsv = tmp_path / "t.tsv"
    tsv.write_text("label\tsentence\nA\tone two\nB\t\n", encoding="utf-8")
    doc = read_text(tsv, "sentence")
    assert doc.samples == ["one two"] and doc.render(["X"]) == "label\tsentence\nA\tX\nB\t\n"
    with pytest.raises(ValueError, match="--text-field"):
        read_text(tsv, "text")
    jl = read_text(SAMPLES / "text" / "questions.jsonl")
    rendered = [json.loads(line) for line in jl.render(["Q"] * len(jl.samples)).splitlines()]
    assert all(r["text"] == "Q" for r in rendered) and rendered[2]["intent"] == "payment"


def test_text_lines_blank_lines_bom_and_encoding(tmp_path: Path) -> None:
    p = tmp_path / "x.txt"
    p.write_bytes("\ufeffone line\r\n\r\n  indented  \r\n".encode())
    doc = read_text(p)
    assert doc.samples == ["one line", "indented"] and doc.lines == [0, 2]
    assert doc.render(["A", "B"]) == "\ufeffA\r\n\r\n  B  \r\n"
    p.write_bytes("caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8"):
        read_text(p)


def test_atomic_write_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.bin"

    def boom(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        atomic_write(target, boom)
    assert not target.exists() and list(target.parent.iterdir()) == []
    (tmp_path / f".left.123{TEMP_SUFFIX}").write_bytes(b"x")
    assert remove_stale_temps(tmp_path) == 1


def test_manifest_survives_a_broken_last_line(tmp_path: Path) -> None:
    m = tmp_path / "manifest.jsonl"
    (tmp_path / "a_aug0.png").write_bytes(b"x")
    with ManifestWriter(m, append=False) as w:
        w.write([make_record("a.png", "a_aug0.png", 0, "image", 1, params={})])
    with open(m, "a") as f:
        f.write('{"source": "b.png", "outp')  # a kill in the middle of a line
    with ManifestWriter(m, append=True) as w:
        w.write([make_record("c.png", None, 0, "image", 2, error="bad")])
    recs = read_manifest(m)
    assert [r["source"] for r in recs] == ["a.png", "c.png"]
    assert completed(m, tmp_path) == {("a.png", 0)}


def test_sample_keys_are_stable_63_bit() -> None:
    # pinned: changing the key derivation would silently change every output of every existing dataset
    assert sample_key("images/a.png", 0) == 4345523245149440097
    assert sample_key("t.txt", 1, line=2) == 2558462157037039361
    keys = {sample_key(f"f{i}.png", c) for i in range(200) for c in range(5)}
    assert len(keys) == 1000 and all(0 <= k < 2**63 for k in keys)


@pytest.mark.parametrize("mode", ["RGB", "CMYK"])
def test_encode_image_rgb_is_the_plain_interleave(mode: str) -> None:
    rng = np.random.default_rng(0)
    color = rng.integers(0, 256, (3, 17, 23), dtype=np.uint8)
    like = read_image(SAMPLES / "images" / "street.jpg")
    like.mode = mode
    img = encode_image(color, None, like)
    ref = Image.fromarray(np.ascontiguousarray(color.transpose(1, 2, 0)))
    ref = ref.convert("CMYK") if mode == "CMYK" else ref
    assert img.mode == ref.mode and img.tobytes() == ref.tobytes()


@pytest.mark.parametrize(
    ("fmt", "subtype", "suffix"),
    [("WAV", "PCM_16", ".wav"), ("WAV", "FLOAT", ".wav"), ("FLAC", "PCM_24", ".flac")],
)
def test_write_audio_gives_the_bytes_of_a_direct_write(
    tmp_path: Path, fmt: str, subtype: str, suffix: str
) -> None:
    x = (0.4 * np.sin(np.arange(3000)[:, None] * [0.03])).astype(np.float32)
    src = tmp_path / f"a{suffix}"
    sf.write(src, x, 16000, subtype=subtype, format=fmt)
    dec = read_audio(src)
    out = tmp_path / f"b{suffix}"
    write_audio(dec.audio, out, dec)
    direct = tmp_path / f"c{suffix}"
    sf.write(direct, dec.audio.T, 16000, subtype=subtype, format=fmt)
    expected = bytearray(direct.read_bytes())
    _clear_peak_time(memoryview(expected))  # a float WAV's PEAK chunk holds no clock time in our outputs
    assert out.read_bytes() == expected


def test_ogg_outputs_are_the_same_bytes_every_time(tmp_path: Path) -> None:
    x = (0.4 * np.sin(np.arange(8000)[:, None] * [0.03, 0.05])).astype(np.float32)
    src = tmp_path / "a.ogg"
    sf.write(src, x, 16000, format="OGG", subtype="VORBIS")
    dec = read_audio(src)
    outs = []
    for name in ("b.ogg", "c.ogg"):
        write_audio(dec.audio, tmp_path / name, dec)
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1]
    direct = tmp_path / "d.ogg"
    sf.write(direct, dec.audio.T, 16000, format="OGG", subtype="VORBIS")
    assert outs[0] != direct.read_bytes()  # libsndfile alone: a random stream serial
    np.testing.assert_array_equal(sf.read(tmp_path / "b.ogg")[0], sf.read(direct)[0])


def test_ogg_checksum_and_malformed_input() -> None:
    from multiaug.offline.ogg import fixed_serial, ogg_crc

    def slow(data: bytes) -> int:  # the textbook bitwise CRC of the Ogg specification
        crc = 0
        for byte in data:
            crc ^= byte << 24
            for _ in range(8):
                crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else (crc << 1) & 0xFFFFFFFF
        return crc

    rng = np.random.default_rng(0)
    for n in (0, 1, 27, 1000):
        data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert ogg_crc(data) == slow(data)
    for junk in (b"", b"RIFF....", b"OggS" + bytes(10)):
        assert fixed_serial(junk) == junk
