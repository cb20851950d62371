"""PeakNormalization, ClippingDistortion, TanhDistortion, Reverse, ShuffleChannels: what each claims, measured."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import multiaug.audio as ma
from multiaug.audio.functional.levels import order_statistics, peak, percentiles
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


def test_bit_crush_puts_every_sample_on_the_drawn_grid():
    x = torch.rand(16, 1, 500, generator=torch.Generator().manual_seed(2)) * 2 - 1
    y, record = ma.BitCrush(bit_depth=(3, 8), p=1.0)(x, sample_rate=SR, seed=1, return_params=True)
    bits = np.asarray(record.params["bit_depth"])
    assert set(bits.tolist()) <= set(range(3, 9)) and len(set(bits.tolist())) > 2
    for i, b in enumerate(bits.tolist()):
        step = 2.0 ** -(b - 1)
        grid = y[i] / step
        assert torch.equal(grid, grid.round())
        assert float((y[i] - x[i]).abs().max()) <= step / 2 + 1e-7


def test_gain_transition_holds_the_start_gain_before_and_the_end_gain_after_its_span():
    x = torch.ones(8, 2, 4000)
    lengths = torch.tensor([4000, 3000, 2000, 1000] * 2)
    x = x * (torch.arange(4000) < lengths[:, None, None])
    aug = ma.GainTransition(gain_db=(-40.0, 6.0), duration=(0.05, 0.1), unit="seconds", p=1.0)
    out, record = aug(audio=x, lengths=lengths, sample_rate=SR, seed=3, return_params=True)
    y = out["audio"]
    start, end = np.asarray(record.params["start_db"]), np.asarray(record.params["end_db"])
    for i, n in enumerate(lengths.tolist()):
        db = 20 * torch.log10(y[i, 0, :n].double())
        assert abs(float(db[0]) - start[i]) < 1e-4 and abs(float(db[n - 1]) - end[i]) < 1e-4
        ramp = torch.nonzero(((db - start[i]).abs() > 1e-4) & ((db - end[i]).abs() > 1e-4)).reshape(-1)
        span = int(ramp[-1] - ramp[0]) + 1 if len(ramp) else 0
        assert span <= round(0.1 * SR)  # the change happens within the drawn duration
        steps = torch.diff(db)
        assert bool((steps * np.sign(end[i] - start[i]) >= -1e-5).all())  # monotonic (float32 ramp)
        assert torch.equal(y[i, :, :n][0], y[i, :, :n][1]) and bool((y[i, :, n:] == 0).all())
    # the batched envelope (other devices, autograd) gives the same gains as the CPU slices
    grad = aug(audio=x.clone().requires_grad_(True), lengths=lengths, sample_rate=SR, seed=3)["audio"]
    torch.testing.assert_close(grad.detach(), y, rtol=1e-5, atol=1e-7)


def test_aliasing_folds_tones_above_the_drawn_nyquist_and_leaves_higher_rates_alone():
    t = torch.arange(SR) / SR
    x = torch.stack([torch.sin(2 * torch.pi * f * t) for f in (1000.0, 5000.0, 7000.0)])[:, None]
    y = ma.Aliasing(sample_rate_hz=(8000, 8000), p=1.0)(x, sample_rate=SR)
    peaks = torch.fft.rfft(y[:, 0]).abs().argmax(dim=-1).tolist()
    assert peaks == [1000, 3000, 1000]  # 5 kHz -> 8 - 5 = 3 kHz, 7 kHz -> 1 kHz
    same = ma.Aliasing(sample_rate_hz=(16000, 20000), p=1.0)(x, sample_rate=SR)
    assert torch.equal(same, x)
    lengths = torch.tensor([SR, SR // 2, 100])
    padded = x * (torch.arange(SR) < lengths[:, None, None])
    out = ma.Aliasing(p=1.0)(audio=padded, lengths=lengths, sample_rate=SR)["audio"]
    assert bool((out[1, :, SR // 2 :] == 0).all()) and bool((out[2, :, 100:] == 0).all())


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_mostly_silent_clips_stay_finite(dtype):
    # a drive of 0.5 / (0 + 1e-6) and a 17-bit step (65536) overflow float16 to inf, then 0 * inf is NaN
    x = torch.zeros(2, 1, 100)
    x[:, 0, 3] = 0.5
    x[1] = 0.0
    tanh = ma.TanhDistortion(distortion=(0.5, 0.5), p=1.0)(x.to(dtype), sample_rate=SR)
    assert tanh.dtype == dtype and bool(torch.isfinite(tanh).all())
    assert torch.equal(tanh[1], torch.zeros_like(tanh[1]))
    y = (torch.rand(2, 1, 100, generator=torch.Generator().manual_seed(0)) - 0.5).to(dtype)
    for bits in (17, 32):
        crushed = ma.BitCrush(bit_depth=(bits, bits), p=1.0)(y, sample_rate=SR)
        assert crushed.dtype == dtype and bool(torch.isfinite(crushed).all())
        assert float((crushed.float() - y.float()).abs().max()) <= 2.0**-bits


def test_gain_transition_of_float64_clips_is_float64_accurate_on_cpu():
    # the CPU slices built the ramp in float32 whatever the clip: 2e-7 relative error on float64 clips
    x = torch.randn(3, 2, 5000, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    aug = ma.GainTransition(gain_db=(-24.0, 6.0), duration=(0.1, 0.2), p=1.0)
    cpu = aug(x, sample_rate=SR, seed=0)
    batched = aug(x.clone().requires_grad_(True), sample_rate=SR, seed=0).detach()
    torch.testing.assert_close(cpu, batched, rtol=1e-12, atol=0.0)


def test_order_statistics_match_a_full_sort_with_ties_and_adjacent_ranks() -> None:
    rng = np.random.default_rng(0)
    for trial in range(200):
        n = int(rng.integers(1, 300))
        values = rng.standard_normal(n).astype(np.float32)
        if trial % 2:
            values = np.round(values, 1)  # many ties
        ranks = np.unique(rng.integers(0, n, size=int(rng.integers(1, 7))))
        if trial % 3 == 0 and ranks[-1] + 1 < n:
            ranks = np.union1d(ranks, ranks + 1)  # adjacent ranks, as percentiles interpolate between
        before = values.copy()
        assert np.array_equal(order_statistics(values, ranks), np.sort(values)[ranks].astype(np.float64))
        assert np.array_equal(values, before)  # the input is not reordered


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
def test_peak_without_lengths_equals_the_largest_magnitude_and_the_masked_path(dtype):
    from multiaug.audio.functional.levels import peak

    x = (torch.randn(6, 2, 333) * torch.tensor([1, 0.1, 5, 0, 2, 1]).reshape(6, 1, 1)).to(dtype)
    x[4, 1, 7] = -9.0  # a negative peak
    want = x.abs().to(torch.float64).amax(dim=(1, 2))
    assert torch.equal(peak(x), want) and torch.equal(peak(x, torch.full((6,), 333)), want)
    x[2, 0, 5] = float("nan")
    assert torch.isnan(peak(x)[2]) and torch.isfinite(peak(x)[[0, 1, 3, 4, 5]]).all()
