"""Noise augmenters: measured SNR and amplitude, spectral slope, lengths, silence, background sounds."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal
import soundfile as sf
import torch

import multiaug
import multiaug.audio as ma
from multiaug.audio.functional.noise import (
    add_noise_at_snr,
    color_noise,
    colored_noise,
    looped_segment,
    noise_gain_for_snr,
)
from multiaug.core.errors import ConfigError, InputError

SR = 16000


def _snr_db(clean: torch.Tensor, noisy: torch.Tensor) -> float:
    return float(20 * torch.log10(clean.double().norm() / (noisy - clean).double().norm()))


def _batch(lengths: list[int], channels: int = 2, frames: int = 8000) -> dict:
    t = torch.arange(frames) / SR
    x = torch.stack([0.4 * torch.sin(2 * torch.pi * (200 + 150 * i) * t) for i in range(len(lengths))])
    x = x[:, None, :].repeat(1, channels, 1) * torch.tensor([1.0, 0.5][:channels])[None, :, None]
    lens = torch.tensor(lengths)
    x = x * (torch.arange(frames)[None, None, :] < lens[:, None, None])
    return {"audio": x, "sample_rate": SR, "lengths": lens}


@pytest.mark.parametrize(
    "aug",
    [ma.AddGaussianSNR(snr_db=(10, 10), p=1.0), ma.AddColoredNoise(snr_db=(10, 10), exponent=(-2, 2), p=1.0)],
)
def test_snr_is_measured_over_the_valid_part(aug):
    inputs = _batch([8000, 5000, 1234])
    out = aug(**inputs, seed=3)
    for i, n in enumerate(inputs["lengths"].tolist()):
        clean, noisy = inputs["audio"][i, :, :n], out["audio"][i, :, :n]
        assert abs(_snr_db(clean, noisy) - 10.0) < 0.2
        assert torch.equal(out["audio"][i, :, n:], torch.zeros_like(out["audio"][i, :, n:]))
    assert torch.equal(out["lengths"], inputs["lengths"])


def test_snr_range_is_drawn_per_clip():
    inputs = _batch([8000] * 6, channels=1)
    out, record = ma.AddGaussianSNR(snr_db=(0, 30), p=1.0)(**inputs, seed=1, return_params=True)
    drawn = np.asarray(record.params["snr_db"])
    assert drawn.std() > 3
    for i in range(6):
        assert abs(_snr_db(inputs["audio"][i], out["audio"][i]) - drawn[i]) < 1e-3


def test_gaussian_amplitude_and_padding():
    x = torch.zeros(3, 1, 20000)
    out = ma.AddGaussianNoise(amplitude=(0.02, 0.02), p=1.0)(
        audio=x, lengths=torch.tensor([20000, 9000, 5]), seed=0
    )
    y, lens = out["audio"], out["lengths"]
    for i, n in enumerate(lens.tolist()):
        if n > 1000:
            assert abs(float(y[i, :, :n].std()) - 0.02) < 0.001
        assert not y[i, :, n:].any()


def test_silent_clips_never_give_nan():
    x = torch.zeros(2, 2, 4000)
    for aug in (
        ma.AddGaussianSNR(p=1.0),
        ma.AddColoredNoise(p=1.0),
        ma.AddBackgroundNoise(torch.randn(2, 500), p=1.0),
    ):
        y = aug(x, sample_rate=SR, seed=0)
        assert torch.isfinite(y).all() and torch.equal(y, x)


def test_silent_background_adds_nothing():
    x = torch.randn(2, 1, 1000)
    assert torch.equal(ma.AddBackgroundNoise(torch.zeros(1, 300), p=1.0)(x, seed=0), x)


def test_kernel_gain_and_snr():
    x = torch.ones(2, 1, 100)
    n = torch.full((2, 1, 100), 0.5)
    gain = noise_gain_for_snr(x, n, torch.tensor([0.0, 20.0]))
    assert torch.allclose(gain, torch.tensor([2.0, 0.2], dtype=torch.float64))
    y = add_noise_at_snr(x, n, torch.tensor([6.0, 6.0]), torch.tensor([100, 40]))
    assert torch.equal(y[1, :, 40:], x[1, :, 40:])


@pytest.mark.parametrize("exponent", [-2.0, -1.0, 0.0, 1.0, 2.0])
def test_colored_noise_spectral_slope_matches_exponent(exponent):
    white = torch.randn(1, 1, 2**16, generator=torch.Generator().manual_seed(0))
    noise = color_noise(white, torch.tensor([exponent]))
    assert abs(float(noise.square().mean()) - 1.0) < 1e-4
    f, psd = scipy.signal.welch(noise[0, 0].numpy(), fs=SR, nperseg=2048)
    sel = (f >= 50) & (f <= 6000)
    slope = np.polyfit(np.log10(f[sel]), np.log10(psd[sel]), 1)[0]
    assert abs(slope + exponent) < 0.1


@pytest.mark.parametrize("exponent", [-2.0, -1.0, 0.0, 1.0, 2.0])
@pytest.mark.parametrize("length", [2**16, 2**16 + 1, 65537 * 2 - 4])  # the last: an FFT size cut to length
def test_noise_drawn_in_the_frequency_domain_has_the_slope_and_unit_rms(exponent, length):
    noise = colored_noise([7, 8], length, 2, torch.tensor([exponent, exponent]))
    assert noise.shape == (2, 2, length) and noise.dtype == torch.float32
    assert torch.allclose(noise.square().mean(dim=(1, 2)), torch.ones(2), atol=1e-4)
    assert abs(float(noise.mean())) < 0.02  # no DC
    for clip in noise.reshape(4, length):
        f, psd = scipy.signal.welch(clip.numpy(), fs=SR, nperseg=2048)
        sel = (f >= 50) & (f <= 6000)
        assert abs(np.polyfit(np.log10(f[sel]), np.log10(psd[sel]), 1)[0] + exponent) < 0.1
    # white noise: Gaussian samples, channels and clips independent
    if exponent == 0.0:
        assert abs(float(scipy.stats.kurtosis(noise.reshape(-1).numpy()))) < 0.1
        assert abs(float(torch.corrcoef(noise.reshape(4, length))[0, 1])) < 0.02


def test_colored_noise_of_a_clip_ignores_its_padding_and_batch():
    aug = ma.AddColoredNoise(snr_db=(10, 10), p=1.0)
    x = torch.randn(2, 1, 1500)
    padded = aug(audio=x, lengths=torch.tensor([1000, 1500]), sample_rate=SR, seed=3)["audio"]
    alone = aug(x[:1, :, :1000], sample_rate=SR, seed=3, keys=[0])
    assert torch.equal(padded[0, :, :1000], alone[0]) and torch.equal(padded[0, :, 1000:], x[0, :, 1000:])
    assert torch.equal(padded[1], aug(x[1:], sample_rate=SR, seed=3, keys=[1])[0])


def test_colored_noise_through_the_augmenter_is_brown():
    x = 0.1 * torch.sin(torch.arange(2**15) * 0.3)[None, None]
    y = ma.AddColoredNoise(snr_db=(-20, -20), exponent=(2, 2), p=1.0)(x, seed=0)
    f, psd = scipy.signal.welch((y - x)[0, 0].numpy(), fs=SR, nperseg=2048)
    sel = (f >= 50) & (f <= 1000)
    assert abs(np.polyfit(np.log10(f[sel]), np.log10(psd[sel]), 1)[0] + 2.0) < 0.15


def test_noise_is_regenerated_from_seeds_on_replay():
    aug = ma.AddGaussianNoise(p=1.0)
    x = torch.zeros(3, 1, 1000)
    y, record = aug(x, seed=5, return_params=True)
    assert torch.equal(aug(torch.zeros(3, 1, 1000), params=record), y)
    assert "seed" in record.params and len(record.params["seed"]) == 3


def test_per_channel_noise_differs_between_channels():
    y = ma.AddGaussianNoise(amplitude=(0.1, 0.1), per_channel=True, p=1.0)(torch.zeros(1, 2, 500), seed=0)
    assert not torch.equal(y[0, 0], y[0, 1])


def test_looped_segment_loops_and_crops():
    sounds = torch.arange(1.0, 11.0).reshape(1, 1, 10)
    out = looped_segment(sounds, torch.tensor([4]), torch.tensor([0]), torch.tensor([1]), 9)
    assert out.flatten().tolist() == [2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0, 1.0, 2.0]


def test_background_crops_a_contiguous_piece_at_a_random_offset():
    ramp = torch.arange(1.0, 5001.0)[None]
    x = torch.ones(4, 1, 1000)
    out = ma.AddBackgroundNoise(ramp, snr_db=(0, 0), p=1.0)(x, seed=2)
    noise = out - x
    starts = set()
    for i in range(4):
        d = noise[i, 0] / noise[i, 0, 0]
        first = float(noise[i, 0, 1] - noise[i, 0, 0])
        start = float(noise[i, 0, 0]) / first
        assert torch.allclose(d, (start + torch.arange(1000.0)) / start, rtol=1e-4)
        starts.add(round(start))
    assert len(starts) == 4 and all(1 <= s <= 4001 for s in starts)


def test_background_loops_a_short_sound():
    tick = torch.zeros(1, 100)
    tick[0, 0] = 1.0
    x = torch.ones(1, 1, 1000)
    y = ma.AddBackgroundNoise(tick, snr_db=(0, 0), p=1.0)(x, seed=0)
    peaks = torch.nonzero((y - x)[0, 0].abs() > 1e-3).flatten()
    assert len(peaks) == 10 and set(torch.diff(peaks).tolist()) == {100}


def test_background_files_are_resampled_cached_and_mixed_down(tmp_path):
    t = np.arange(8000) / 8000
    stereo = np.stack([np.sin(2 * np.pi * 1000 * t), np.sin(2 * np.pi * 1000 * t)], axis=1)
    (tmp_path / "sub").mkdir()
    sf.write(str(tmp_path / "sub" / "hum.flac"), stereo, 8000)
    (tmp_path / "notes.txt").write_text("not audio")
    aug = ma.AddBackgroundNoise(str(tmp_path), snr_db=(0, 0), p=1.0)
    assert len(aug.bank) == 1
    x = 0.001 * torch.ones(1, 1, 16000)
    y = aug(x, sample_rate=SR, seed=0)
    spectrum = torch.fft.rfft((y - x)[0, 0]).abs()
    assert abs(int(spectrum.argmax()) - 1000) <= 1  # 1 kHz at 16 kHz: the file was resampled from 8 kHz
    assert list(aug.bank._cache) == [(0, SR)]
    aug(x, sample_rate=SR, seed=1)
    assert list(aug.bank._cache) == [(0, SR)]
    config = aug.to_config()
    assert config["sources"] == str(tmp_path)
    assert torch.equal(multiaug.from_config(config)(x, sample_rate=SR, seed=0), y)


def test_background_errors(tmp_path):
    with pytest.raises(ConfigError, match="holds no audio files"):
        ma.AddBackgroundNoise(str(tmp_path))
    with pytest.raises(ConfigError, match="neither an audio file nor a folder"):
        ma.AddBackgroundNoise(str(tmp_path / "missing.wav"))
    with pytest.raises(ConfigError, match="only file paths or only tensors"):
        ma.AddBackgroundNoise([str(tmp_path), torch.zeros(10)])
    with pytest.raises(ConfigError, match="sources"):
        ma.AddBackgroundNoise([])
    with pytest.raises(ConfigError, match="sources_sample_rate"):
        ma.AddBackgroundNoise(torch.zeros(1, 10), sources_sample_rate=0)
    with pytest.raises(ConfigError, match="cannot store"):
        ma.AddBackgroundNoise(torch.zeros(1, 10)).to_config()
    sf.write(str(tmp_path / "n.wav"), np.zeros(100, np.float32), 8000)
    with pytest.raises(InputError, match="sample rate"):
        ma.AddBackgroundNoise(str(tmp_path), p=1.0)(torch.ones(1, 100), seed=0)


def test_bad_ranges():
    with pytest.raises(ConfigError, match="amplitude"):
        ma.AddGaussianNoise(amplitude=(-1, 1))
    with pytest.raises(ConfigError, match="snr_db"):
        ma.AddGaussianSNR(snr_db=(20, 10))
    with pytest.raises(ConfigError, match="exponent"):
        ma.AddColoredNoise(exponent=(0, 9))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_noise_matches_cpu():
    inputs = _batch([8000, 5000], channels=2)
    for aug in (ma.AddGaussianSNR(p=1.0), ma.AddColoredNoise(p=1.0), ma.AddGaussianNoise(p=1.0)):
        cpu = aug(**inputs, seed=4)["audio"]
        gpu = aug(**{k: v.cuda() if isinstance(v, torch.Tensor) else v for k, v in inputs.items()}, seed=4)
        torch.testing.assert_close(gpu["audio"].cpu(), cpu, atol=1e-5, rtol=0)


def test_looped_segment_copy_path_equals_gather():
    from multiaug.audio.functional.noise import _looped_copy

    sounds = torch.randn(3, 2, 50)
    sizes = torch.tensor([50, 7, 1])
    rows = torch.tensor([0, 1, 2, 1, 0])
    offsets = torch.tensor([0, 6, 0, 3, 49])
    pos = torch.remainder(offsets[:, None] + torch.arange(120), sizes[rows][:, None])
    want = torch.stack([sounds[r][:, p] for r, p in zip(rows.tolist(), pos)])
    assert torch.equal(_looped_copy(sounds, sizes.tolist(), rows.tolist(), offsets.tolist(), 120), want)


def test_short_noises_are_spaced_by_the_drawn_gaps_and_each_sits_at_its_snr():
    sr = 8000
    beeps = [torch.sin(torch.arange(400) * 0.3)[None], 0.2 * torch.ones(1, 250)]
    x = 0.1 * torch.randn(3, 1, 4 * sr, generator=torch.Generator().manual_seed(0))
    lengths = torch.tensor([4 * sr, 3 * sr, 2 * sr])
    x = x * (torch.arange(4 * sr) < lengths[:, None, None])
    aug = ma.AddShortNoises(beeps, snr_db=(-5.0, 10.0), gap=(0.1, 0.3), fade_in=0.0, fade_out=0.0, p=1.0)
    out, record = aug(audio=x, lengths=lengths, sample_rate=sr, seed=1, return_params=True)
    y = out["audio"]
    for i, n in enumerate(lengths.tolist()):
        events = [list(map(float, e)) for e in record.params["events"][i]]
        assert len(events) > 3 and events[0][0] < 0.3 * sr
        clip_rms = float(x[i, :, :n].square().mean().sqrt())
        for (start, index, snr, _, _), following in zip(events, [*events[1:], None]):
            size = beeps[int(index)].shape[-1]
            if following is not None:
                assert 0.1 * sr <= following[0] - start - size <= 0.3 * sr + 1
            a, b = int(start), min(int(start) + size, n)
            added = (y[i, :, a:b] - x[i, :, a:b]).double()
            if b - a == size:  # a whole event: its level against the clip's is the drawn SNR
                assert abs(20 * np.log10(clip_rms / float(added.square().mean().sqrt())) - snr) < 0.01
        assert bool((y[i, :, n:] == 0).all()) and events[-1][0] < n


def test_short_noises_fade_in_and_out_and_skip_silent_clips():
    sr = 8000
    aug = ma.AddShortNoises(torch.ones(1, 800), snr_db=(0.0, 0.0), gap=(1.0, 1.0), fade_in=(0.01, 0.01),
                            fade_out=(0.02, 0.02), p=1.0)  # fmt: skip
    x = torch.full((1, 1, sr), 0.5)
    y, record = aug(x, sample_rate=sr, seed=2, return_params=True)
    start = int(record.params["events"][0][0][0])
    bump = (y - x)[0, 0, start : start + 800]
    assert bool((torch.diff(bump[:80]) > 0).all()) and bool((torch.diff(bump[-160:]) < 0).all())
    assert torch.allclose(bump[80:640], bump[400].expand(560))
    assert torch.equal(aug(torch.zeros(1, 1, sr), sample_rate=sr, seed=2), torch.zeros(1, 1, sr))
