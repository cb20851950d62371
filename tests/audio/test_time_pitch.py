"""TimeStretch, PitchShift, Speed and their kernels: measured pitch and duration, batches, odd clips, errors."""

from __future__ import annotations

import librosa
import numpy as np
import pytest
import torch

import multiaug.audio as ma
from multiaug.audio.functional.stft import frame_count, istft, stft
from multiaug.audio.functional.vocoder import pitch_shift, time_stretch
from multiaug.core.errors import ConfigError, InputError

SR = 16000


def tone(freq: float, seconds: float = 1.0, amp: float = 0.5, sr: int = SR) -> torch.Tensor:
    t = torch.arange(int(sr * seconds), dtype=torch.float64) / sr
    return (amp * torch.sin(2 * torch.pi * freq * t)).float()


def peak_hz(y: torch.Tensor, sr: int = SR) -> float:
    """Frequency of the strongest component (Hann window, zero-padded FFT on a 0.008 Hz grid)."""
    y = y.double().cpu().numpy()
    size = 1 << 21
    spec = np.abs(np.fft.rfft(y * np.hanning(len(y)), size))
    return float(np.argmax(spec) * sr / size)


def middle(y: torch.Tensor) -> torch.Tensor:
    n = y.shape[-1]
    return y[..., n // 8 : n - n // 8]


# -- STFT kernels ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_fft,hop", [(2048, 512), (512, 128), (256, 128), (64, 16)])
@pytest.mark.parametrize("centered", [False, True])
def test_stft_round_trip_and_batch_invariance(n_fft: int, hop: int, centered: bool) -> None:
    gen = torch.Generator().manual_seed(0)
    lengths = torch.tensor([4000, 1000, 37, 1, 2500])
    x = torch.randn(5, 4000, generator=gen) * (torch.arange(4000)[None] < lengths[:, None])
    re, im = stft(x, n_fft, hop, centered_phase=centered)
    assert re.is_contiguous() and im.is_contiguous() and re.shape == (5, 1 + 4000 // hop, n_fft // 2 + 1)
    y = istft(re, im, n_fft, hop, frame_count(lengths, hop), lengths, centered_phase=centered)
    torch.testing.assert_close(y, x, atol=1e-5, rtol=0)
    for i in range(5):
        r1, i1 = stft(x[i : i + 1, : lengths[i]], n_fft, hop, centered_phase=centered)
        alone = istft(r1, i1, n_fft, hop, frame_count(lengths[i : i + 1], hop), lengths[i : i + 1])
        if not centered:
            torch.testing.assert_close(alone[0], y[i, : lengths[i]], atol=1e-6, rtol=0)


def test_stft_matches_torch_stft() -> None:
    x = torch.randn(2, 3000, generator=torch.Generator().manual_seed(3))
    re, im = stft(x, 512, 128)
    window = torch.hann_window(512)
    ref = torch.stft(x, 512, 128, window=window, center=True, pad_mode="constant", return_complex=True)
    ref = ref.transpose(1, 2)
    torch.testing.assert_close(re, ref.real, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(im, ref.imag, atol=1e-4, rtol=1e-4)


def test_centred_phase_is_a_half_frame_shift() -> None:
    x = torch.randn(1, 2000, generator=torch.Generator().manual_seed(4))
    re, im = stft(x, 256, 64)
    rc, ic = stft(x, 256, 64, centered_phase=True)
    sign = (-1.0) ** torch.arange(129)
    torch.testing.assert_close(rc, re * sign, atol=1e-4, rtol=0)
    torch.testing.assert_close(ic, im * sign, atol=1e-4, rtol=0)


# -- physical checks --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("semitones,expected", [(12.0, 880.0), (-12.0, 220.0), (7.0, 440 * 2 ** (7 / 12))])
def test_pitch_shift_moves_a_tone_and_keeps_duration(semitones: float, expected: float) -> None:
    x = tone(440.0, 1.0)
    aug = ma.PitchShift(semitones=(semitones, semitones), p=1.0)
    out = aug(audio=x[None], sample_rate=SR)
    y = out["audio"][0]
    assert y.shape == (SR,) and out["lengths"].tolist() == [SR]
    assert peak_hz(middle(y)) == pytest.approx(expected, rel=0.01)
    assert peak_hz(middle(y)) == pytest.approx(expected, rel=1e-3)  # measured: within 0.01 %
    # the level of a steady tone is kept (phase-vocoder ripple only)
    level = float(middle(y).pow(2).mean().sqrt()) / (0.5 / np.sqrt(2))
    assert 0.8 < level < 1.05


def test_pitch_shift_any_real_value() -> None:
    x = tone(500.0, 0.5)
    for st in (0.37, -3.1415, 2.5):
        y = pitch_shift(x[None], np.array([2 ** (st / 12)]))[0]
        assert peak_hz(middle(y)) == pytest.approx(500 * 2 ** (st / 12), rel=2e-3)


@pytest.mark.parametrize("rate", [0.5, 0.8, 1.25, 2.0])
def test_time_stretch_changes_duration_and_keeps_pitch(rate: float) -> None:
    x = tone(440.0, 1.0)
    out = ma.TimeStretch(rate=(rate, rate), p=1.0)(audio=x[None], sample_rate=SR)
    y, n = out["audio"][0], int(out["lengths"][0])
    assert n == round(SR / rate) and y.shape[-1] == n
    assert peak_hz(middle(y)) == pytest.approx(440.0, rel=1e-3)


def test_time_stretch_half_rate_doubles_duration() -> None:
    x = tone(440.0, 1.0)
    y, n = time_stretch(x[None], np.array([0.5]))
    assert n.tolist() == [2 * SR]
    assert peak_hz(middle(y[0])) == pytest.approx(440.0, rel=0.01)


def test_time_stretch_keep_length() -> None:
    x = torch.stack([tone(440.0, 1.0), tone(300.0, 1.0)])[:, None]
    for rate in (0.5, 2.0):
        aug = ma.TimeStretch(rate=(rate, rate), keep_length=True, p=1.0)
        out = aug(audio=x, sample_rate=SR)
        assert out["audio"].shape == x.shape and out["lengths"].tolist() == [SR, SR]
        valid = out["audio"][0, 0, 1000 : round(SR / rate) - 1000]
        assert peak_hz(valid) == pytest.approx(440.0, rel=1e-3)
    # rate 2 keeps the first half's worth of output, then zeros
    y = ma.TimeStretch(rate=(2.0, 2.0), keep_length=True, p=1.0)(x, sample_rate=SR)
    assert torch.all(y[..., SR // 2 :] == 0) and float(y[..., : SR // 2].abs().max()) > 0.3


def test_time_stretch_matches_librosa() -> None:
    gen = np.random.default_rng(0)
    t = np.arange(2 * SR) / SR
    sig = np.sin(2 * np.pi * 300 * t) + 0.5 * np.sin(2 * np.pi * 1234 * t) * (t % 0.5 < 0.25)
    sig = (sig + 0.1 * gen.standard_normal(len(t))).astype(np.float32)
    for rate in (0.8, 1.25):
        ref = librosa.effects.time_stretch(sig, rate=rate)
        y, _ = time_stretch(torch.from_numpy(sig)[None], np.array([rate]))
        assert y.shape[-1] == len(ref)
        assert np.corrcoef(ref, y[0].numpy())[0, 1] > 0.998


def test_speed_changes_pitch_and_duration_together() -> None:
    x = tone(440.0, 1.0)
    out = ma.Speed(factor=(2.0, 2.0), p=1.0)(audio=x[None], sample_rate=SR)
    y, n = out["audio"][0], int(out["lengths"][0])
    assert n == SR // 2
    assert peak_hz(middle(y[:n])) == pytest.approx(880.0, rel=1e-3)
    out = ma.Speed(factor=(0.5, 0.5), p=1.0)(audio=x[None], sample_rate=SR)
    assert int(out["lengths"][0]) == 2 * SR
    assert peak_hz(middle(out["audio"][0])) == pytest.approx(220.0, rel=1e-3)


# -- batches, channels, odd clips -----------------------------------------------------------------------------


def _ragged(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([12000, 5000, 300, 9000])
    t = torch.arange(12000) / SR
    x = torch.sin(2 * torch.pi * (200 + 150 * torch.arange(4))[:, None] * t) * 0.4
    x = x + 0.05 * torch.randn(4, 12000, generator=gen)
    return (x * (torch.arange(12000)[None] < lengths[:, None])).float(), lengths


@pytest.mark.parametrize("kind", ["stretch", "stretch_keep", "pitch"])
def test_kernels_give_each_clip_of_a_padded_batch_its_result_alone(kind: str) -> None:
    x, lengths = _ragged()
    params = np.array([0.83, 1.21, 0.5, 1.0]) if kind != "pitch" else np.array([1.3, 0.79, 1.5, 1.0])

    def run(xs: torch.Tensor, p: np.ndarray, ls: torch.Tensor | None) -> torch.Tensor:
        if kind == "pitch":
            return pitch_shift(xs, p, ls, n_fft=1024)
        keep = ls if kind == "stretch_keep" else None
        if keep is None and ls is None and kind == "stretch_keep":
            keep = torch.tensor([xs.shape[-1]])
        return time_stretch(xs, p, ls, out_lengths=keep, n_fft=1024)[0]

    batch = run(x, params, lengths)
    for i in range(4):
        alone = run(x[i : i + 1, : lengths[i]], params[i : i + 1], None)[0]
        torch.testing.assert_close(batch[i, : alone.shape[0]], alone, atol=0, rtol=0)  # bit-identical
        assert torch.all(batch[i, alone.shape[0] :] == 0)


def test_class_returns_new_lengths_for_a_ragged_batch() -> None:
    x, lengths = _ragged()
    out = ma.TimeStretch(rate=(0.5, 0.5), p=1.0)(audio=x[:, None], sample_rate=SR, lengths=lengths)
    assert out["lengths"].tolist() == [24000, 10000, 600, 18000]
    assert out["audio"].shape == (4, 1, 24000)
    out = ma.Speed(factor=(2.0, 2.0), p=1.0)(audio=x[:, None], sample_rate=SR, lengths=lengths)
    assert out["lengths"].tolist() == [6000, 2500, 150, 4500]
    out = ma.PitchShift(semitones=(3.0, 3.0), p=1.0)(audio=x[:, None], sample_rate=SR, lengths=lengths)
    assert out["lengths"].tolist() == lengths.tolist() and out["audio"].shape == (4, 1, 12000)
    assert torch.all(out["audio"][1, 0, 5000:] == 0)


def test_a_positional_call_with_lengths_returns_the_new_lengths() -> None:
    x, lengths = _ragged()
    out = ma.TimeStretch(rate=(0.5, 0.5), p=1.0)(x[:, None], sample_rate=SR, lengths=lengths)
    assert out["lengths"].tolist() == [24000, 10000, 600, 18000]  # lengths in, lengths out
    assert isinstance(ma.TimeStretch(p=1.0)(x[:, None], sample_rate=SR), torch.Tensor)


def test_channels_of_a_clip_share_the_parameter() -> None:
    x = tone(440.0, 0.5)
    stereo = torch.stack([x, x])[None]
    for aug in (ma.PitchShift(p=1.0), ma.TimeStretch(p=1.0), ma.Speed(p=1.0)):
        y = aug(stereo, sample_rate=SR, seed=5)
        torch.testing.assert_close(y[0, 0], y[0, 1], atol=0, rtol=0)


@pytest.mark.parametrize("length", [1, 2, 10, 100, 511, 2047])
def test_clips_shorter_than_the_window_and_silent_clips_stay_finite(length: int) -> None:
    loud = 0.3 * torch.randn(1, length, generator=torch.Generator().manual_seed(length))
    for x in (loud, torch.zeros(1, length)):
        for aug in (ma.PitchShift(p=1.0), ma.TimeStretch(p=1.0), ma.Speed(p=1.0)):
            out = aug(audio=x, sample_rate=SR, seed=1)
            assert torch.isfinite(out["audio"]).all()
            assert int(out["lengths"][0]) >= 1
            if not bool(x.any()):
                assert torch.all(out["audio"] == 0)


def test_dtype_is_kept() -> None:
    x = tone(300.0, 0.25)[None].double()
    for aug in (ma.PitchShift(p=1.0), ma.TimeStretch(p=1.0), ma.Speed(p=1.0)):
        assert aug(x, sample_rate=SR).dtype == torch.float64


def test_bounded_cost_for_awkward_ratios() -> None:
    # 0.0137 semitones is a ratio with no small rational form; the work is that of any other ratio
    x = tone(440.0, 0.5)[None]
    y = ma.PitchShift(semitones=(0.0137, 0.0137), p=1.0)(x, sample_rate=SR)
    assert y.shape == x.shape and torch.isfinite(y).all()


def test_default_window_follows_the_sample_rate() -> None:
    assert [ma.default_n_fft(sr) for sr in (8000, 16000, 22050, 44100, 48000)] == [
        512,
        1024,
        1024,
        2048,
        2048,
    ]
    x = tone(440.0, 0.25)[None]
    with pytest.raises(InputError, match="sample rate"):
        ma.TimeStretch(p=1.0)(x, seed=0)
    # an explicit n_fft needs no sample rate
    assert ma.PitchShift(n_fft=512, p=1.0)(x, seed=0).shape == x.shape
    # the default is the explicit size of the same value
    default = ma.PitchShift(semitones=(3.0, 3.0), p=1.0)(x, sample_rate=SR)
    explicit = ma.PitchShift(semitones=(3.0, 3.0), n_fft=1024, p=1.0)(x, sample_rate=SR)
    torch.testing.assert_close(default, explicit, atol=0, rtol=0)


# -- errors -------------------------------------------------------------------------------------------------------


def test_bad_arguments() -> None:
    with pytest.raises(ConfigError, match="rate"):
        ma.TimeStretch(rate=(0.0, 1.0))
    with pytest.raises(ConfigError, match="rate"):
        ma.TimeStretch(rate=(1.2, 0.8))
    with pytest.raises(ConfigError, match="keep_length"):
        ma.TimeStretch(keep_length="yes")
    with pytest.raises(ConfigError, match="semitones"):
        ma.PitchShift(semitones=(-60, 0))
    with pytest.raises(ConfigError, match="n_fft"):
        ma.PitchShift(n_fft=1001)
    with pytest.raises(ConfigError, match="hop_length"):
        ma.TimeStretch(n_fft=1024, hop_length=300)
    with pytest.raises(ConfigError, match="hop_length"):
        ma.TimeStretch(hop_length=256)
    with pytest.raises(ConfigError, match="factor"):
        ma.Speed(factor=-1.0)
    with pytest.raises(ConfigError, match="per_channel"):
        ma.TimeStretch(per_channel=True)
    with pytest.raises(ValueError, match="rates"):
        time_stretch(torch.zeros(1, 100), np.array([0.0]))
    with pytest.raises(ValueError, match=r"\(N, T\)"):
        pitch_shift(torch.zeros(100), np.array([1.0]))


# -- CUDA -----------------------------------------------------------------------------------------------------


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("make", [ma.PitchShift, ma.TimeStretch, ma.Speed])
def test_cuda_matches_cpu(make: type) -> None:
    x, lengths = _ragged(1)
    aug = make(p=1.0)
    cpu = aug(audio=x[:, None], sample_rate=SR, lengths=lengths, seed=3)
    gpu = aug(audio=x[:, None].cuda(), sample_rate=SR, lengths=lengths.cuda(), seed=3)
    assert gpu["audio"].is_cuda
    assert gpu["lengths"].tolist() == cpu["lengths"].tolist()
    torch.testing.assert_close(gpu["audio"].cpu(), cpu["audio"], atol=2e-4, rtol=0)
