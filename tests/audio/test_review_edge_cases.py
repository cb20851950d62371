"""Edge cases found in review: inputs and settings a user hits that the family tests did not cover."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import multiaug.audio as ma
from multiaug.core.errors import ConfigError, InputError, InputTypeError

SR = 16000


@pytest.mark.parametrize(
    "make",
    [
        lambda: ma.TimeStretch(rate=(0.8, 1.25), n_fft=256, p=1.0),
        lambda: ma.PitchShift(semitones=(-3.0, 3.0), n_fft=256, p=1.0),
        lambda: ma.Speed(factor=(0.8, 1.6), p=1.0),
    ],
)
def test_time_pitch_accept_audio_that_requires_grad(make) -> None:
    # a waveform from a model (requires_grad=True) gives the values of its detached copy, with a gradient only
    # from the ops that are differentiable (Speed; not the phase vocoder's TimeStretch and PitchShift)
    x = (torch.randn(2, 2, 3000, generator=torch.Generator().manual_seed(0)) * 0.1).requires_grad_()
    aug = make()
    out = aug(audio=x, sample_rate=SR, seed=1)
    ref = aug(audio=x.detach(), sample_rate=SR, seed=1)
    assert out["audio"].requires_grad == aug.differentiable
    assert torch.equal(out["audio"].detach(), ref["audio"]) and torch.equal(out["lengths"], ref["lengths"])


@pytest.mark.parametrize(
    "audio", [torch.full((100,), 1000, dtype=torch.int16), torch.ones(2, 100, dtype=torch.bool)]
)
def test_save_refuses_integer_audio(tmp_path, audio) -> None:
    # int16 PCM values were written as floats: every sample clipped to full scale
    with pytest.raises(InputTypeError, match="floating-point"):
        ma.save(tmp_path / "a.wav", audio, 16000)
    assert not (tmp_path / "a.wav").exists()


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_save_refuses_non_finite_audio(tmp_path, bad) -> None:
    # NaN was written as -1.0 (a full-scale click) to 16-bit PCM
    x = torch.zeros(2, 100)
    x[1, 50] = bad
    with pytest.raises(InputError, match="NaN or infinite"):
        ma.save(tmp_path / "a.wav", x, 16000)


def test_load_error_says_what_librosa_said(tmp_path) -> None:
    # librosa's EOFError has no message: the error ended in "librosa said " and nothing
    path = tmp_path / "junk.wav"
    path.write_text("hello")
    with pytest.raises(InputError, match=r"librosa said EOFError"):
        ma.load(path)


SYMMETRIC = [
    (ma.Gain, "gain_db"),
    (ma.GainTransition, "gain_db"),
    (ma.PeakingFilter, "gain_db"),
    (ma.LowShelfFilter, "gain_db"),
    (ma.HighShelfFilter, "gain_db"),
    (ma.SevenBandParametricEQ, "gain_db"),
    (ma.Shift, "shift"),
    (ma.PitchShift, "semitones"),
]


@pytest.mark.parametrize("cls,arg", SYMMETRIC, ids=[f"{c.__name__}.{a}" for c, a in SYMMETRIC])
def test_docs_name_every_argument_whose_single_number_is_symmetric(cls, arg) -> None:
    # docs/audio.md said a single number means that exact value except for gain_db and shift, but
    # PitchShift(semitones=2) draws from (-2, 2)
    assert getattr(cls(**{arg: 2.0}), arg) == (-2.0, 2.0)
    text = (Path(__file__).resolve().parents[2] / "docs" / "audio.md").read_text(encoding="utf-8")
    rule = " ".join(text.split("a single number means that exact value", 1)[1].split(")")[0].split())
    assert f"`{arg}`" in rule


def test_mp3_aligns_stereo_whose_channels_cancel_in_the_mean() -> None:
    # the codec delay was found on the mean of the channels: an anti-phase stereo clip (R = -L) has a silent
    # mean, so low bitrates came back shifted by a random lag (error 1.5x the signal)
    t = torch.arange(SR) / SR
    s = 0.3 * torch.sin(2 * torch.pi * 300 * t) * (1 + torch.sin(2 * torch.pi * 3 * t))
    x = torch.stack([s, -s])
    y = ma.Mp3Compression(bitrate_kbps=(16.0, 16.0), p=1.0)(x, sample_rate=SR)
    middle = slice(2000, -2000)
    assert float((y - x)[:, middle].norm() / x[:, middle].norm()) < 0.2


@pytest.mark.parametrize("sr,low,high", [(8000, 0.15, 0.3), (16000, 0.08, 0.16), (48000, 0.02, 0.06)])
def test_loudness_normalization_against_pyloudnorm_as_documented(sr, low, high) -> None:
    # docs/audio.md said pyloudnorm reads 0.05-0.12 LU differently; it reads 0.04 (48 kHz) to 0.25 LU (8 kHz) lower
    pyln = pytest.importorskip("pyloudnorm")
    x = torch.randn(1, 2, 3 * sr, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * 0.1
    y = ma.LoudnessNormalization(loudness_lufs=(-20.0, -20.0), p=1.0)(x, sample_rate=sr)
    difference = -20.0 - pyln.Meter(sr).integrated_loudness(y[0].T.numpy())
    assert low < difference < high
    text = " ".join(
        (Path(__file__).resolve().parents[2] / "docs" / "audio.md").read_text(encoding="utf-8").split()
    )
    assert "reads 0.04 LU (44.1-48 kHz) to 0.25 LU (8 kHz) lower" in text


def test_a_whole_number_float_sample_rate_is_accepted() -> None:
    x = torch.randn(1, 800)
    lowpass = ma.LowPassFilter(p=1.0)
    assert torch.equal(lowpass(x, sample_rate=8000.0, seed=0), lowpass(x, sample_rate=8000, seed=0))
    with pytest.raises(ConfigError, match="whole number"):
        lowpass(x, sample_rate=8000.5)
