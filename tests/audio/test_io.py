"""multiaug.audio.load / save: round trips, resampling, mono, formats and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch

from multiaug.audio.io import load, save
from multiaug.core.errors import InputError


def _tone(freq: float, sr: int, seconds: float, channels: int = 1) -> torch.Tensor:
    t = torch.arange(int(sr * seconds)) / sr
    return torch.stack([0.5 * torch.sin(2 * torch.pi * freq * (c + 1) * t) for c in range(channels)])


@pytest.mark.parametrize("ext", ["wav", "flac", "ogg"])
def test_round_trip_shape_and_rate(tmp_path, ext):
    x = _tone(440, 16000, 0.5, channels=2)
    path = tmp_path / f"a.{ext}"
    save(path, x, 16000)
    y, sr = load(path)
    assert sr == 16000 and y.shape == x.shape and y.dtype == torch.float32
    tol = 1e-3 if ext != "ogg" else 0.1  # 16-bit PCM for wav/flac, lossy Vorbis
    assert (y - x).abs().max() < tol


def test_float_subtype_is_exact(tmp_path):
    x = torch.randn(1, 1000) * 2.0
    save(tmp_path / "f.wav", x, 8000, subtype="FLOAT")
    y, _ = load(tmp_path / "f.wav")
    assert torch.equal(x, y)


def test_one_dim_input_and_mono(tmp_path):
    save(tmp_path / "m.wav", torch.zeros(500), 8000)
    y, _ = load(tmp_path / "m.wav")
    assert y.shape == (1, 500)
    stereo = torch.stack([torch.ones(100) * 0.5, torch.zeros(100)])
    save(tmp_path / "s.wav", stereo, 8000, subtype="FLOAT")
    y, _ = load(tmp_path / "s.wav", mono=True)
    assert y.shape == (1, 100) and torch.allclose(y, torch.full((1, 100), 0.25))


def test_resample_keeps_frequency(tmp_path):
    save(tmp_path / "t.wav", _tone(1000, 44100, 1.0), 44100, subtype="FLOAT")
    y, sr = load(tmp_path / "t.wav", sample_rate=16000)
    assert sr == 16000 and y.shape == (1, 16000)
    spectrum = np.abs(np.fft.rfft(y[0].numpy()))
    assert abs(np.argmax(spectrum) * sr / 16000 - 1000) <= 1


def test_device_tensor_is_saved(tmp_path):
    x = torch.zeros(2, 10, dtype=torch.float64)
    save(tmp_path / "d.flac", x, 8000)
    info = sf.info(str(tmp_path / "d.flac"))
    assert info.channels == 2 and info.frames == 10


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no audio file"):
        load(tmp_path / "missing.wav")
    (tmp_path / "bad.wav").write_bytes(b"not audio at all")
    with pytest.raises(InputError, match="cannot read audio file"):
        load(tmp_path / "bad.wav")
    with pytest.raises(InputError, match=r"\(T,\) or \(C, T\)"):
        save(tmp_path / "x.wav", torch.zeros(1, 1, 4), 8000)
    with pytest.raises(InputError, match="sample_rate"):
        save(tmp_path / "x.wav", torch.zeros(4), 0)
    with pytest.raises(InputError, match="cannot write"):
        save(tmp_path / "x.unknownext", torch.zeros(4), 8000)
    save(tmp_path / "ok.wav", torch.zeros(4), 8000)
    with pytest.raises(InputError, match="sample_rate"):
        load(tmp_path / "ok.wav", sample_rate=-5)
    with pytest.raises(InputError, match="sample_rate"):
        save(tmp_path / "ok.wav", torch.zeros(4), True)
