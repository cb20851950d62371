"""Equalisers: magnitudes against scipy's analog filters, measured tones, and the seven-band EQ's bands."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal
import torch

import multiaug.audio as ma
from multiaug.audio.equalizer import SEVEN_BANDS
from multiaug.audio.functional.filters import equalizer, equalizer_gain
from multiaug.core.errors import ConfigError

SR = 16000
MID = slice(4000, 12000)


def _tone(freq: float) -> torch.Tensor:
    return torch.sin(2 * torch.pi * freq * torch.arange(SR) / SR).reshape(1, 1, -1)


def _db(y: torch.Tensor, x: torch.Tensor) -> float:
    return float(20 * torch.log10(y[..., MID].norm() / x[..., MID].norm()))


def _cookbook(kind: str, gain_db: float, q: float) -> tuple[list[float], list[float]]:
    """The RBJ cookbook's analog prototypes (centre at 1 rad/s): numerator and denominator of H(s)."""
    a = 10 ** (gain_db / 40)
    if kind == "peaking":
        return [1, a / q, 1], [1, 1 / (a * q), 1]
    r = np.sqrt(a) / q
    if kind == "low_shelf":
        return [a, a * r, a * a], [a, r, 1]
    return [a * a, a * r, a], [1, r, a]


@pytest.mark.parametrize("kind", ["low_shelf", "high_shelf", "peaking"])
@pytest.mark.parametrize("gain_db,q", [(12.0, 0.707), (-18.0, 0.3), (6.0, 4.0)])
def test_magnitudes_are_the_cookbooks_analog_filters(kind, gain_db, q):
    w = np.geomspace(0.01, 100, 41)
    _, h = scipy.signal.freqs(*_cookbook(kind, gain_db, q), worN=w)
    got = equalizer_gain(
        torch.tensor(w * 1000.0), kind, torch.tensor([1000.0]), torch.tensor([gain_db]), torch.tensor([q])
    )
    np.testing.assert_allclose(got[0].numpy(), np.abs(h), rtol=1e-5)


@pytest.mark.parametrize("gain", [-12.0, 9.0])
def test_shelves_and_peaks_on_tones(gain):
    low = ma.LowShelfFilter(center_hz=800, gain_db=(gain, gain), q=0.707, p=1.0)
    high = ma.HighShelfFilter(center_hz=800, gain_db=(gain, gain), q=0.707, p=1.0)
    peak = ma.PeakingFilter(center_hz=800, gain_db=(gain, gain), q=3.0, p=1.0)
    for aug, below, at, above in ((low, gain, None, 0.0), (high, 0.0, None, gain), (peak, 0.0, gain, 0.0)):
        for freq, want in ((50.0, below), (800.0, at), (6400.0, above)):
            if want is not None:
                x = _tone(freq)
                assert abs(_db(aug(x, sample_rate=SR), x) - want) < 0.1, (type(aug).__name__, freq)


def test_seven_band_eq_is_the_product_of_its_bands_and_flat_at_zero_gain():
    x = torch.randn(3, 2, SR, generator=torch.Generator().manual_seed(0))
    flat = ma.SevenBandParametricEQ(gain_db=(0.0, 0.0), p=1.0)(x, sample_rate=SR)
    torch.testing.assert_close(flat, x, atol=1e-5, rtol=0)
    aug = ma.SevenBandParametricEQ(gain_db=(-12.0, 12.0), center_jitter=0.25, p=1.0)
    y, record = aug(x, sample_rate=SR, seed=1, return_params=True)
    gains, octaves = np.asarray(record.params["gain_db"]), np.asarray(record.params["octaves"])
    assert gains.shape == octaves.shape == (3, 7) and np.abs(octaves).max() <= 0.25
    assert len(np.unique(gains)) == 21  # every band of every clip draws its own gain
    bands = [
        (kind, torch.tensor(centre * 2.0 ** octaves[:, k]), torch.tensor(gains[:, k]), torch.full((3,), q))
        for k, (kind, centre, q) in enumerate(SEVEN_BANDS)
    ]
    torch.testing.assert_close(y, equalizer(x, SR, bands))
    # a tone gets the product of the seven curves at its frequency
    one = ma.SevenBandParametricEQ(gain_db=(-12.0, 12.0), center_jitter=0.0, p=1.0)
    tone = _tone(1000.0)
    out, rec = one(tone, sample_rate=SR, seed=5, return_params=True)
    g = np.asarray(rec.params["gain_db"])[0]
    want = sum(
        20 * np.log10(float(equalizer_gain(torch.tensor([1000.0]), kind, torch.tensor([c]), torch.tensor([g[k]]),
                                           torch.tensor([q]))[0, 0]))
        for k, (kind, c, q) in enumerate(SEVEN_BANDS)
    )  # fmt: skip
    assert abs(_db(out, tone) - want) < 0.05


def test_bad_arguments():
    with pytest.raises(ConfigError, match="q"):
        ma.PeakingFilter(q=(0.0, 2.0))
    with pytest.raises(ConfigError, match="center_hz"):
        ma.LowShelfFilter(center_hz=(0.0, 100.0))
    with pytest.raises(ConfigError, match="center_jitter"):
        ma.SevenBandParametricEQ(center_jitter=2.0)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ma.LowShelfFilter(center_hz=100.0, gain_db=(18.0, 18.0), q=0.1, p=1.0),
        lambda: ma.HighShelfFilter(center_hz=300.0, gain_db=(-18.0, -18.0), q=0.1, p=1.0),
        lambda: ma.PeakingFilter(center_hz=100.0, gain_db=(24.0, 24.0), q=5.0, p=1.0),
    ],
)
def test_padding_outlasts_the_slowest_pole_so_a_clip_alone_equals_it_padded(make):
    # a boost rings A times longer than the band's width says and a low-Q shelf has a slow real pole: the
    # padding taken from centre / q let the response wrap around the FFT (-73 dB for the boosted low shelf)
    aug = make()
    x = 0.1 * torch.randn(2, 1, 160000, generator=torch.Generator().manual_seed(0))
    x[1, :, 16000:] = 0.0
    padded = aug(audio=x, lengths=[160000, 16000], sample_rate=SR, seed=0, keys=[0, 1])["audio"][1, :, :16000]
    alone = aug(x[1:, :, :16000], sample_rate=SR, seed=0, keys=[1])[0]
    assert float((padded - alone).abs().max()) < 1e-6
