"""PeakNormalization, ClippingDistortion, TanhDistortion, Reverse, ShuffleChannels: what each claims, measured."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import multiaug.audio as ma
from multiaug.audio.functional.levels import peak, percentiles
from multiaug.core.errors import ConfigError

SR = 16000


def _padded(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Four stereo clips of different loudness and lengths, zero-padded to 1000 samples."""
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([1000, 700, 321, 1000])
    x = torch.randn(4, 2, 1000, generator=gen) * torch.tensor([0.01, 0.3, 2.0, 0.0])[:, None, None]
    return x * (torch.arange(1000) < lengths[:, None, None]), lengths


def test_percentiles_match_numpy_over_each_valid_part():
    x, lengths = _padded()
    q = torch.tensor([[0.0, 2.5, 50.0, 97.5, 100.0]] * 4, dtype=torch.float64)
    got = percentiles(x, q, lengths)
    for i, n in enumerate(lengths.tolist()):
        want = np.percentile(x[i, :, :n].double().numpy().ravel(), q[i].numpy())
        np.testing.assert_allclose(got[i].numpy(), want, rtol=0, atol=1e-7)
    # the sorting path (other devices, autograd) gives the same numbers as the partition path (CPU)
    assert torch.equal(percentiles(x.clone().requires_grad_(True), q, lengths), got)
    assert peak(x, lengths).tolist() == [
        float(x[i, :, :n].abs().max()) for i, n in enumerate(lengths.tolist())
    ]


@pytest.mark.parametrize("peak_db", [0.0, -6.0, 3.5])
def test_peak_normalization_puts_each_peak_at_the_target(peak_db):
    x, lengths = _padded()
    out = ma.PeakNormalization(peak_db=peak_db, p=1.0)(audio=x, lengths=lengths, sample_rate=SR)["audio"]
    target = 10 ** (peak_db / 20)
    np.testing.assert_allclose(peak(out, lengths)[:3].numpy(), [target] * 3, rtol=1e-6)
    assert torch.equal(out[3], x[3])  # silent: unchanged, never NaN
    assert bool((out[:, :, 1000:] == 0).all()) and bool((out[2, :, 321:] == 0).all())
    ratio = out[1, :, :700] / x[1, :, :700]  # one gain per clip: the waveform keeps its shape
    torch.testing.assert_close(ratio, ratio.mean().expand_as(ratio))


def test_peak_normalization_only_turns_down_clips_that_are_too_loud():
    x, _ = _padded()
    out = ma.PeakNormalization(peak_db=0.0, apply_to="only_too_loud", p=1.0)(x, sample_rate=SR)
    assert peak(x[:2]).max() < 1.0 < peak(x[2:3]).max()
    assert torch.equal(out[:2], x[:2]) and torch.equal(out[3], x[3])  # quiet and silent clips: unchanged
    assert abs(float(peak(out[2:3])[0]) - 1.0) < 1e-6  # the loud one: turned down to the target
    per_channel = ma.PeakNormalization(per_channel=True, p=1.0)(x[:3], sample_rate=SR)
    np.testing.assert_allclose(per_channel.abs().amax(dim=-1).numpy(), np.ones((3, 2)), rtol=1e-6)


@pytest.mark.parametrize("percentile", [0.0, 10.0, 40.0])
def test_clipping_distortion_clips_the_drawn_share_of_samples(percentile):
    x = torch.randn(3, 1, 20000, generator=torch.Generator().manual_seed(1))
    aug = ma.ClippingDistortion(percentile=(percentile, percentile), p=1.0)
    y = aug(x, sample_rate=SR)
    for i in range(3):
        lo, hi = np.percentile(x[i].double().numpy(), [percentile / 2, 100 - percentile / 2])
        want = np.clip(x[i].numpy(), lo, hi)
        np.testing.assert_allclose(y[i].numpy(), want, atol=1e-6)
        clipped = float(((y[i] - x[i]).abs() > 0).float().mean())
        assert abs(clipped - percentile / 100) < 0.002
    if percentile == 0.0:
        assert torch.equal(y, x)


def test_tanh_distortion_keeps_the_rms_and_adds_odd_harmonics():
    t = torch.arange(SR) / SR
    x = (0.5 * torch.sin(2 * torch.pi * 200 * t)).reshape(1, 1, -1)
    spectra = []
    for amount in (0.05, 0.7):
        y = ma.TanhDistortion(distortion=(amount, amount), p=1.0)(x, sample_rate=SR)
        assert abs(float(y.square().mean().sqrt() / x.square().mean().sqrt()) - 1.0) < 1e-5
        spec = torch.fft.rfft(y[0, 0]).abs()
        spectra.append(float(spec[600] / spec[200]))  # third harmonic against the fundamental
        assert float(spec[400] / spec[200]) < 1e-4  # a symmetric curve makes no even harmonics
    assert spectra[1] > 3 * spectra[0] > 0
    silent = ma.TanhDistortion(p=1.0)(torch.zeros(1, 1, 100), sample_rate=SR)
    assert torch.equal(silent, torch.zeros(1, 1, 100))


def test_reverse_plays_each_valid_part_backwards_and_twice_is_the_identity():
    x, lengths = _padded()
    rev = ma.Reverse(p=1.0)
    out = rev(audio=x, lengths=lengths, sample_rate=SR)["audio"]
    for i, n in enumerate(lengths.tolist()):
        assert torch.equal(out[i, :, :n], x[i, :, :n].flip(-1))
        assert bool((out[i, :, n:] == 0).all())
    assert torch.equal(rev(audio=out, lengths=lengths, sample_rate=SR)["audio"], x)
    assert torch.equal(rev(x[0], sample_rate=SR), x[0].flip(-1))


def test_shuffle_channels_permutes_each_clips_channels():
    x = torch.arange(4.0)[None, :, None].expand(64, 4, 10) + 10 * torch.arange(64.0)[:, None, None]
    out, record = ma.ShuffleChannels(p=1.0)(x, sample_rate=SR, seed=3, return_params=True)
    orders = np.asarray(record.params["order"])
    assert orders.shape == (64, 4) and len({tuple(o) for o in orders}) > 10
    for i in range(64):
        assert sorted(out[i, :, 0].tolist()) == x[i, :, 0].tolist()
        assert torch.equal(out[i], x[i, orders[i]])
    mono = torch.randn(3, 1, 50)
    assert torch.equal(ma.ShuffleChannels(p=1.0)(mono, sample_rate=SR), mono)


def test_bad_arguments():
    with pytest.raises(ConfigError, match="apply_to"):
        ma.PeakNormalization(apply_to="loud")
    with pytest.raises(ConfigError, match="percentile"):
        ma.ClippingDistortion(percentile=(10, 120))
    with pytest.raises(ConfigError, match="distortion"):
        ma.TanhDistortion(distortion=1.5)
    with pytest.raises(ConfigError, match="per_channel"):
        ma.ShuffleChannels(per_channel=True)
