"""Mp3Compression: a real MP3 round trip that keeps length and timing, and degrades more at lower bitrates."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import multiaug.audio as ma
from multiaug.audio.functional.codec import _delay, mp3_roundtrip
from multiaug.core.errors import ConfigError, InputError


def _signal(sr: int, seconds: float = 2.0, seed: int = 0) -> np.ndarray:
    """A stereo test clip: a chord with vibrato on the left, the chord plus broadband noise on the right."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    chord = sum(0.1 * np.sin(2 * np.pi * f * t + 3 * np.sin(2 * np.pi * 5 * t)) for f in (220, 277, 330, 440))
    return np.stack([chord, chord + 0.05 * rng.standard_normal(t.shape)]).astype(np.float32)


def _snr(y: np.ndarray, x: np.ndarray) -> float:
    return float(10 * np.log10((x**2).sum() / ((y - x) ** 2).sum()))


@pytest.mark.parametrize("sr", [8000, 16000, 22050, 44100, 48000])
def test_round_trip_keeps_length_and_timing_and_lower_bitrates_lose_more(sr):
    x = _signal(sr)
    low, high = {8000: (8, 64), 44100: (32, 320), 48000: (32, 320)}.get(sr, (8, 160))
    rough, fine = mp3_roundtrip(x, sr, low), mp3_roundtrip(x, sr, high)
    for y in (rough, fine):
        assert y.shape == x.shape and y.dtype == np.float32
        assert _delay(y.mean(axis=0), x.mean(axis=0)) == 0  # aligned: no codec delay left
    assert _snr(fine, x) > 10 and _snr(fine, x) > _snr(rough, x) + 3


def test_low_bitrates_band_limit_the_clip():
    sr = 16000
    noise = np.random.default_rng(1).standard_normal((1, 2 * sr)).astype(np.float32) * 0.2
    y = mp3_roundtrip(noise, sr, 8)
    spec_x, spec_y = np.abs(np.fft.rfft(noise[0])) ** 2, np.abs(np.fft.rfft(y[0])) ** 2
    high = np.fft.rfftfreq(2 * sr, 1 / sr) > 4000
    assert 10 * np.log10(spec_y[high].sum() / spec_x[high].sum()) < -20


def test_the_augmenter_codes_each_valid_part_and_keeps_the_padding_silent():
    sr = 16000
    x = torch.from_numpy(np.stack([_signal(sr, seed=i) for i in range(3)]))
    lengths = torch.tensor([32000, 20000, 9000])
    x = x * (torch.arange(32000) < lengths[:, None, None])
    aug = ma.Mp3Compression(bitrate_kbps=(24, 96), p=1.0)
    out, record = aug(audio=x, lengths=lengths, sample_rate=sr, seed=4, return_params=True)
    y = out["audio"]
    assert y.shape == x.shape and torch.equal(out["lengths"], lengths)
    bitrates = np.asarray(record.params["bitrate_kbps"])
    for i, n in enumerate(lengths.tolist()):
        assert bool((y[i, :, n:] == 0).all())
        want = mp3_roundtrip(x[i, :, :n].numpy(), sr, float(bitrates[i]))
        np.testing.assert_array_equal(y[i, :, :n].numpy(), want)
    assert torch.equal(aug(audio=x, lengths=lengths, sample_rate=sr, seed=4)["audio"], y)


def test_bad_arguments_and_rates():
    with pytest.raises(ConfigError, match="bitrate_kbps"):
        ma.Mp3Compression(bitrate_kbps=(4, 64))
    with pytest.raises(InputError, match="MP3's sample rates"):
        ma.Mp3Compression(p=1.0)(torch.zeros(1, 1000), sample_rate=96000)
    with pytest.raises(InputError, match="sample rate"):
        ma.Mp3Compression(p=1.0)(torch.zeros(1, 1000))


def test_clips_of_more_than_two_channels_are_coded_one_channel_at_a_time():
    t = torch.arange(16000) / 16000
    tones = torch.stack([0.3 * torch.sin(2 * torch.pi * f * t) for f in (440.0, 660.0, 880.0)])
    y = ma.Mp3Compression(bitrate_kbps=(64, 64), p=1.0)(tones[None], sample_rate=16000)
    assert y.shape == (1, 3, 16000)
    for c in range(3):
        alone = torch.from_numpy(mp3_roundtrip(tones[c : c + 1].numpy(), 16000, 64.0))
        assert torch.equal(y[0, c : c + 1], alone)
        assert float((y[0, c] - tones[c])[2000:-2000].abs().max()) < 0.05
