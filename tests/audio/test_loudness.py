"""Loudness (BS.1770-4 / EBU Tech 3341 checks) and LoudnessNormalization."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import multiaug.audio as ma
from multiaug.audio.functional.loudness import integrated_loudness, k_weighting
from multiaug.core.errors import InputError


def _sine(sr: int, seconds: float, dbfs: float, freq: float = 997.0) -> np.ndarray:
    t = np.arange(int(sr * seconds)) / sr
    return 10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t)


def test_k_weighting_at_48k_is_the_standards_table():
    sos = k_weighting(48000)
    shelf = [1.53512485958697, -2.69169618940638, 1.19839281085285, 1.0, -1.69065929318241, 0.73248077421585]
    high_pass = [1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621]
    np.testing.assert_allclose(sos, [shelf, high_pass], atol=1e-8)


@pytest.mark.parametrize("sr", [16000, 44100, 48000])
def test_a_full_scale_997_hz_sine_measures_minus_3_01_lufs(sr):
    assert abs(integrated_loudness(_sine(sr, 3, 0.0)[None, None], sr)[0] + 3.01) < 0.05


@pytest.mark.parametrize("dbfs", [-23.0, -33.0])
def test_ebu_3341_stereo_sine_at_the_target_level(dbfs):
    # EBU Tech 3341 cases 1 and 2: 1 kHz stereo sine at -23 (-33) dBFS per channel reads -23 (-33) LUFS
    left = _sine(48000, 20, dbfs, 1000.0)
    assert abs(integrated_loudness(np.stack([left, left])[None], 48000)[0] - dbfs) < 0.1


def test_gates_drop_quiet_and_silent_blocks():
    sr = 8000
    quiet, loud = _sine(sr, 10, -36.0, 1000.0), _sine(sr, 60, -23.0, 1000.0)
    # EBU Tech 3341 case 3 (mono here, so 3.01 LU lower): the -36 dBFS parts fall under the relative gate
    clip = np.concatenate([quiet, loud, quiet])
    assert abs(integrated_loudness(clip[None, None], sr)[0] - (-23.0 - 3.01)) < 0.1
    # silence falls under the absolute gate (ungated, 10 s of silence around 5 s of tone would read 4.77 LU
    # lower); only the few blocks that straddle the edges pull the reading down a little
    padded = np.concatenate([np.zeros(5 * sr), loud[: 5 * sr], np.zeros(5 * sr)])
    alone = integrated_loudness(loud[None, None, : 5 * sr], sr)[0]
    assert -0.3 < integrated_loudness(padded[None, None], sr)[0] - alone < 0
    assert integrated_loudness(np.zeros((1, 1, sr)), sr)[0] == -np.inf
    # shorter than one 400 ms block: measured as one block
    assert abs(integrated_loudness(_sine(sr, 0.2, 0.0, 1000.0)[None, None], sr)[0] + 3.0) < 0.2


def test_loudness_normalization_reaches_each_drawn_target():
    sr = 16000
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(5, 2, 3 * sr, generator=gen) * torch.tensor([0.01, 0.1, 0.5, 0.2, 0.0])[:, None, None]
    lengths = torch.tensor([3 * sr, 2 * sr, sr, 3 * sr, 3 * sr])
    x = x * (torch.arange(3 * sr) < lengths[:, None, None])
    aug = ma.LoudnessNormalization(loudness_lufs=(-30.0, -14.0), p=1.0)
    out, record = aug(audio=x, lengths=lengths, sample_rate=sr, seed=2, return_params=True)
    y = out["audio"]
    targets = np.asarray(record.params["loudness_lufs"])
    measured = integrated_loudness(y.double().numpy(), sr, lengths.numpy())
    np.testing.assert_allclose(measured[:4], targets[:4], atol=0.02)
    assert torch.equal(y[4], x[4])  # silent: unchanged
    assert bool((y[1, :, 2 * sr :] == 0).all()) and bool((y[2, :, sr:] == 0).all())


def test_rates_too_low_for_the_k_weighting_shelf_are_refused():
    # below twice the shelf's 1682 Hz the pre-warped shelf has a pole outside the unit circle: the weighted
    # signal overflowed, the loudness came out -inf or NaN and the clip was silently left as it was
    assert np.abs(np.roots(k_weighting(3364)[0, 3:])).max() < 1.0
    with pytest.raises(ValueError, match="3364 Hz"):
        k_weighting(3000)
    x = 0.1 * torch.sin(2 * torch.pi * 440 * torch.arange(4000) / 2000)
    with pytest.raises(InputError, match="3364 Hz"):
        ma.LoudnessNormalization(loudness_lufs=-23.0, p=1.0)(x, sample_rate=2000)
