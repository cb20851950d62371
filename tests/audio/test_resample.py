"""The fixed-cost resampler: tone frequency and level, anti-aliasing, any ratio, batches of variable length."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.signal import resample_poly

from multiaug.audio.functional.resample import farrow_coefficients, read_at, resample, speed_change


def tone(freq: float, sr: int, seconds: float = 1.0, amp: float = 0.5) -> torch.Tensor:
    t = torch.arange(int(sr * seconds), dtype=torch.float64) / sr
    return (amp * torch.sin(2 * torch.pi * freq * t)).float()


def peak_hz(y: torch.Tensor, sr: int) -> float:
    """Frequency of the strongest component (zero-padded FFT with a Hann window, 0.01 Hz grid at 16 kHz)."""
    y = y.double().numpy()
    size = 1 << 21
    spec = np.abs(np.fft.rfft(y * np.hanning(len(y)), size))
    return float(np.argmax(spec) * sr / size)


def rms(y: torch.Tensor) -> float:
    return float(y.double().pow(2).mean().sqrt())


@pytest.mark.parametrize("orig,new", [(44100, 16000), (16000, 44100), (16000, 8000), (22050, 16000)])
def test_resample_keeps_tone_frequency_and_level(orig: int, new: int) -> None:
    x = tone(1000.0, orig)
    y = resample(x[None], orig, new)[0]
    assert y.shape[-1] == (len(x) * new + orig // 2) // orig
    core = y[200:-200]
    assert peak_hz(core, new) == pytest.approx(1000.0, rel=1e-4)
    assert 20 * np.log10(rms(core) / (0.5 / np.sqrt(2))) == pytest.approx(0.0, abs=0.05)


def test_resample_matches_polyphase_reference_in_the_passband() -> None:
    gen = torch.Generator().manual_seed(0)
    noise = torch.randn(44100, generator=gen).double().numpy()
    # band-limit to 6 kHz so both resamplers are in their flat passband
    spec = np.fft.rfft(noise)
    spec[np.fft.rfftfreq(len(noise), 1 / 44100) > 6000] = 0
    x = np.fft.irfft(spec, len(noise))
    ref = resample_poly(x, 160, 441)
    y = resample(torch.tensor(x, dtype=torch.float32)[None], 44100, 16000)[0].double().numpy()
    core = slice(300, -300)
    err = np.sqrt(np.mean((y[core] - ref[core]) ** 2)) / np.sqrt(np.mean(ref[core] ** 2))
    assert err < 3e-3


def test_downsampling_removes_what_would_alias() -> None:
    x = tone(7000.0, 16000)
    y = resample(x[None], 16000, 8000)[0]
    assert rms(y[100:-100]) < 1e-3 * rms(x)
    kept = resample(tone(2000.0, 16000)[None], 16000, 8000)[0]
    assert rms(kept[100:-100]) == pytest.approx(rms(x), rel=0.01)


@pytest.mark.parametrize("ratio", [(16000, 16001), (44100, 16003), (48000, 44099)])
def test_any_ratio_has_a_fixed_size_kernel(ratio: tuple[int, int]) -> None:
    # torchaudio builds a kernel per reduced ratio (16000 -> 16001 would need 16001 phases); this is one
    # 24-tap polynomial filter bank whatever the ratio.
    orig, new = ratio
    x = tone(440.0, orig, 0.5)
    y = resample(x[None], orig, new)[0]
    assert y.shape[-1] == (len(x) * new + orig // 2) // orig
    assert peak_hz(y[200:-200], new) == pytest.approx(440.0, rel=1e-3)
    assert farrow_coefficients().shape == (24, 6)


def test_resample_same_rate_is_a_copy_and_leading_dims_are_kept() -> None:
    x = torch.randn(2, 3, 1000)
    same = resample(x, 16000, 16000)
    assert torch.equal(same, x) and same.data_ptr() != x.data_ptr()
    assert resample(x, 16000, 8000).shape == (2, 3, 500)


def test_speed_change_moves_frequency_and_length() -> None:
    x = tone(440.0, 16000)
    y, n = speed_change(torch.stack([x, x]), np.array([2.0, 0.5]))
    assert n.tolist() == [8000, 32000]
    assert peak_hz(y[0, 100 : 8000 - 100], 16000) == pytest.approx(880.0, rel=1e-3)
    assert peak_hz(y[1, 100:-100], 16000) == pytest.approx(220.0, rel=1e-3)
    assert torch.all(y[0, 8000:] == 0)


def test_speed_change_of_a_padded_batch_equals_each_clip_alone() -> None:
    gen = torch.Generator().manual_seed(1)
    lengths = torch.tensor([16000, 9000, 50, 12345])
    x = torch.randn(4, 16000, generator=gen) * (torch.arange(16000)[None] < lengths[:, None])
    factors = np.array([1.3, 0.7, 2.5, 1.0])
    y, n = speed_change(x, factors, lengths)
    for i in range(4):
        alone, m = speed_change(x[i : i + 1, : lengths[i]], factors[i : i + 1])
        assert int(m) == int(n[i])
        torch.testing.assert_close(y[i, : int(m)], alone[0], atol=0, rtol=0)  # bit-identical
        assert torch.all(y[i, int(m) :] == 0)


def test_read_at_interpolates_a_band_limited_signal() -> None:
    t = torch.arange(400, dtype=torch.float64)
    x = torch.sin(0.3 * t).float()[None]
    start = torch.tensor([50.25], dtype=torch.float64)
    step = torch.tensor([0.731], dtype=torch.float64)
    y = read_at(x, start, step, torch.tensor([300]))[0].double()
    ref = torch.sin(0.3 * (50.25 + 0.731 * torch.arange(300, dtype=torch.float64)))
    assert float((y - ref).abs().max()) < 1e-3


def test_short_and_silent_clips() -> None:
    y, n = speed_change(torch.zeros(3, 100), np.array([1.5, 0.5, 3.0]), torch.tensor([100, 1, 2]))
    assert n.tolist() == [67, 2, 1]
    assert torch.isfinite(y).all() and torch.all(y == 0)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="factors"):
        speed_change(torch.zeros(2, 10), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="2 clips"):
        speed_change(torch.zeros(2, 10), np.array([1.0]))
    with pytest.raises(ValueError, match="sample rates"):
        resample(torch.zeros(10), 0, 16000)
    with pytest.raises(ValueError, match=r"\(N, T\)"):
        speed_change(torch.zeros(10), np.array([1.0]))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu() -> None:
    gen = torch.Generator().manual_seed(2)
    lengths = torch.tensor([16000, 7000])
    x = torch.randn(2, 16000, generator=gen) * (torch.arange(16000)[None] < lengths[:, None])
    factors = np.array([1.37, 0.81])
    cpu, n_cpu = speed_change(x, factors, lengths)
    gpu, n_gpu = speed_change(x.cuda(), factors, lengths.cuda())
    assert gpu.is_cuda and n_gpu.tolist() == n_cpu.tolist()
    torch.testing.assert_close(gpu.cpu(), cpu, atol=1e-4, rtol=0)
    torch.testing.assert_close(
        resample(x.cuda(), 16000, 44100).cpu(), resample(x, 16000, 44100), atol=1e-4, rtol=0
    )
