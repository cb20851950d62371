"""Filters: attenuation of tones above/below the cutoff, slope in dB/octave, per-clip cutoffs, lengths."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal
import torch

import multiaug.audio as ma
from multiaug.audio.functional.filters import band_pass, band_stop_gain, butterworth_gain, high_pass, low_pass
from multiaug.core.errors import ConfigError, InputError

SR = 16000
MID = slice(4000, 12000)  # away from the clip's edges, where a cut-off sine has transients


def _tone(freq: float) -> torch.Tensor:
    return torch.sin(2 * torch.pi * freq * torch.arange(SR) / SR).reshape(1, 1, -1)


def _db(y: torch.Tensor, x: torch.Tensor) -> float:
    return float(20 * torch.log10(y[..., MID].norm() / x[..., MID].norm()))


def _expected(ratio: float, rolloff: float) -> float:
    return -10 * np.log10(1 + ratio ** (2 * rolloff / 6))


@pytest.mark.parametrize("rolloff", [6.0, 12.0, 24.0, 18.5])
@pytest.mark.parametrize("octaves", [-2, -1, 0, 1, 2])
def test_low_pass_attenuation(rolloff, octaves):
    x = _tone(1000 * 2.0**octaves)
    y = ma.LowPassFilter(cutoff_hz=1000, rolloff_db=rolloff, p=1.0)(x, sample_rate=SR)
    assert abs(_db(y, x) - _expected(2.0**octaves, rolloff)) < 0.05


@pytest.mark.parametrize("rolloff", [12.0, 24.0])
@pytest.mark.parametrize("octaves", [-2, -1, 0, 1, 2])
def test_high_pass_attenuation(rolloff, octaves):
    x = _tone(1000 * 2.0**octaves)
    y = ma.HighPassFilter(cutoff_hz=1000, rolloff_db=rolloff, p=1.0)(x, sample_rate=SR)
    assert abs(_db(y, x) - _expected(2.0**-octaves, rolloff)) < 0.05


def test_band_pass_keeps_the_centre_and_cuts_both_sides():
    aug = ma.BandPassFilter(center_hz=1000, bandwidth=1.0, rolloff_db=24, p=1.0)  # band 500..1500 Hz
    centre = _tone(1000)
    assert _db(aug(centre, sample_rate=SR), centre) > -0.25
    low, high = _tone(125), _tone(6000)  # two octaves below 500 Hz, two above 1500 Hz
    assert abs(_db(aug(low, sample_rate=SR), low) - _expected(4.0, 24)) < 0.1
    assert abs(_db(aug(high, sample_rate=SR), high) - _expected(4.0, 24)) < 0.1


@pytest.mark.parametrize("rolloff", [12.0, 24.0, 30.0])
def test_band_stop_notches_the_centre_and_matches_the_butterworth_band_stop(rolloff):
    aug = ma.BandStopFilter(center_hz=1000, bandwidth=0.8, rolloff_db=rolloff, p=1.0)  # edges 600..1400 Hz
    lo, hi = 600.0, 1400.0
    for freq in (125.0, 400.0, 600.0, 800.0, 1000.0, 1400.0, 2000.0, 6000.0):
        x = _tone(freq)
        want = -10 * np.log10(1 + abs((hi - lo) * freq / (lo * hi - freq**2)) ** (2 * rolloff / 6))
        got = _db(aug(x, sample_rate=SR), x)
        if want < -60:  # the notch: as deep as the measurement allows
            assert got < -60
        else:
            assert abs(got - want) < 0.05, (freq, got, want)
    # -3 dB at both edges whatever the order; a scipy Butterworth band-stop of the same order agrees in magnitude
    order = int(rolloff // 6)
    sos = scipy.signal.butter(order, [2 * np.pi * lo, 2 * np.pi * hi], "bandstop", analog=True, output="ba")
    w, h = scipy.signal.freqs(*sos, worN=2 * np.pi * np.array([300.0, 700.0, 1200.0, 3000.0]))
    mine = band_stop_gain(
        torch.tensor(w / (2 * np.pi)), torch.tensor([lo]), torch.tensor([hi]), torch.tensor([float(order)])
    )
    if rolloff % 6 == 0:
        np.testing.assert_allclose(mine[0].numpy(), np.abs(h), rtol=1e-4)


def test_slope_of_filtered_white_noise():
    x = torch.randn(1, 1, 2**16, generator=torch.Generator().manual_seed(0))
    y = low_pass(x, SR, torch.tensor([500.0]), torch.tensor([18.0]))
    f, psd_x = scipy.signal.welch(x[0, 0].numpy(), fs=SR, nperseg=4096)
    _, psd_y = scipy.signal.welch(y[0, 0].numpy(), fs=SR, nperseg=4096)
    sel = (f >= 2000) & (f <= 6000)
    gain_db = 10 * np.log10(psd_y[sel] / psd_x[sel])
    slope = np.polyfit(np.log2(f[sel]), gain_db, 1)[0]
    assert abs(slope + 18.0) < 0.5


def test_per_clip_cutoffs_match_one_by_one_and_lengths_are_honoured():
    x = torch.randn(3, 2, 3000, generator=torch.Generator().manual_seed(0))
    lengths = torch.tensor([3000, 2000, 100])
    x = x * (torch.arange(3000) < lengths[:, None, None])
    cut, roll = torch.tensor([300.0, 1000.0, 5000.0]), torch.tensor([12.0, 20.0, 30.0])
    y = high_pass(x, SR, cut, roll, lengths)
    for i, n in enumerate(lengths.tolist()):
        alone = high_pass(x[i : i + 1, :, :n], SR, cut[i : i + 1], roll[i : i + 1])
        # FFT sizes differ between the padded batch and the lone clip: float32 rounding only
        torch.testing.assert_close(y[i : i + 1, :, :n], alone, atol=5e-5, rtol=0)
        assert not y[i, :, n:].any()
    b = band_pass(x, SR, cut, cut * 2, roll, lengths)
    assert b.shape == x.shape and torch.isfinite(b).all()


def test_gain_curve_is_finite_for_extreme_orders():
    g = butterworth_gain(torch.tensor([0.0, 1.0, 8000.0]), torch.tensor([20.0]), torch.tensor([20.0]), "high")
    assert torch.isfinite(g).all() and g[0, 0] == 0 and g[0, 2] == 1


def test_cutoffs_are_drawn_log_uniformly_per_clip():
    _, record = ma.LowPassFilter(cutoff_hz=(100, 10000), p=1.0)(
        torch.randn(400, 1, 64), sample_rate=SR, seed=0, return_params=True
    )
    octaves = np.log2(np.asarray(record.params["cutoff_hz"]) / 100)
    assert abs(np.mean(octaves < np.log2(100) / 2) - 0.5) < 0.1


def test_errors():
    with pytest.raises(InputError, match="sample rate"):
        ma.LowPassFilter(p=1.0)(torch.randn(1, 100))
    with pytest.raises(ConfigError, match="cutoff_hz"):
        ma.HighPassFilter(cutoff_hz=(0, 100))
    with pytest.raises(ConfigError, match="bandwidth"):
        ma.BandPassFilter(bandwidth=(0.5, 2.5))
    with pytest.raises(ConfigError, match="rolloff_db"):
        ma.LowPassFilter(rolloff_db=0.0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    x = torch.randn(4, 2, 5000)
    aug = ma.BandPassFilter(p=1.0)
    torch.testing.assert_close(
        aug(x.cuda(), sample_rate=SR, seed=1).cpu(), aug(x, sample_rate=SR, seed=1), atol=1e-5, rtol=0
    )


def test_torch_fft_path_gives_a_lone_row_the_bits_it_gets_in_a_batch() -> None:
    from multiaug.audio.functional import fft

    x = torch.randn(3, 9000)
    full = torch.fft.rfft(x)
    alone = fft._rowwise(torch.fft.rfft, x[:1], 9000)
    assert torch.equal(alone[0], full[0])
    assert torch.equal(fft._rowwise(torch.fft.irfft, full[:1], 9000)[0], torch.fft.irfft(full, n=9000)[0])


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize(
    "make",
    [ma.LowPassFilter, ma.HighPassFilter, ma.BandPassFilter, ma.BandStopFilter, ma.LowShelfFilter,
     ma.HighShelfFilter, ma.PeakingFilter, ma.SevenBandParametricEQ],
)  # fmt: skip
def test_16_bit_clips_are_filtered_in_float32(make, dtype):
    # torch has no 16-bit FFT on CPU: these ops raised NotImplementedError('Unsupported dtype Half')
    x = (0.1 * torch.randn(2, 1, 2000, generator=torch.Generator().manual_seed(0))).to(dtype)
    aug = make(p=1.0)
    y = aug(x, sample_rate=SR, seed=4)
    assert y.dtype == dtype
    assert torch.equal(y, aug(x.float(), sample_rate=SR, seed=4).to(dtype))


@pytest.mark.parametrize(
    "aug",
    [
        ma.LowPassFilter(cutoff_hz=200.0, rolloff_db=12.0, p=1.0),
        ma.HighPassFilter(cutoff_hz=40.0, rolloff_db=6.0, p=1.0),
        ma.BandStopFilter(center_hz=300.0, bandwidth=0.3, rolloff_db=12.0, p=1.0),
        ma.PeakingFilter(center_hz=100.0, gain_db=(18.0, 18.0), q=4.0, p=1.0),
        ma.LowShelfFilter(center_hz=60.0, gain_db=(12.0, 12.0), q=0.1, p=1.0),
    ],
    ids=lambda a: type(a).__name__,
)
def test_a_short_clip_gets_the_same_result_alone_as_in_a_long_batch(aug):
    # the padding that keeps the FFT linear must not depend on the batch (it used to be capped at its length)
    short = torch.randn(1, 1, 100, generator=torch.Generator().manual_seed(0))
    batch = torch.zeros(2, 1, 4000)
    batch[0, :, :100] = short[0]
    batch[1] = torch.randn(1, 4000)
    lengths = torch.tensor([100, 4000])
    alone = aug(short, sample_rate=SR, seed=1, keys=[0])
    together = aug(audio=batch, lengths=lengths, sample_rate=SR, seed=1)["audio"]
    torch.testing.assert_close(together[0, :, :100], alone[0], atol=2e-6, rtol=0)
