"""ApplyImpulseResponse: matches direct convolution, unit-energy responses, delay compensation, files."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch

import multiaug.audio as ma
from multiaug.audio.functional.convolve import fft_convolve
from multiaug.core.errors import ConfigError


def test_matches_numpy_convolution_per_clip_with_lengths():
    rng = np.random.default_rng(0)
    irs = [rng.standard_normal(n).astype(np.float32) for n in (50, 120, 7)]
    x = torch.randn(6, 2, 900)
    lengths = torch.tensor([900, 600, 30, 900, 1, 450])
    x = x * (torch.arange(900) < lengths[:, None, None])
    aug = ma.ApplyImpulseResponse([torch.from_numpy(i) for i in irs], p=1.0)
    out, record = aug(audio=x, lengths=lengths, seed=0, return_params=True)
    for i, n in enumerate(lengths.tolist()):
        ir = irs[int(record.params["index"][i])]
        ir = ir / np.linalg.norm(ir)
        for c in range(2):
            want = np.convolve(x[i, c, :n].numpy(), ir)[:n]
            np.testing.assert_allclose(out["audio"][i, c, :n].numpy(), want, atol=1e-5)
        assert not out["audio"][i, :, n:].any()
    assert torch.equal(out["lengths"], lengths)


def test_delta_and_silent_responses_are_identity():
    x = torch.randn(2, 1, 300)
    delta = torch.zeros(1, 64)
    delta[0, 0] = 3.0
    torch.testing.assert_close(ma.ApplyImpulseResponse(delta, p=1.0)(x), x, atol=1e-5, rtol=0)
    torch.testing.assert_close(ma.ApplyImpulseResponse(torch.zeros(1, 64), p=1.0)(x), x, atol=1e-5, rtol=0)


def test_compensate_delay_moves_the_direct_sound_back():
    x = torch.randn(1, 1, 500)
    late = torch.zeros(1, 300)
    late[0, 100] = 1.0
    delayed = ma.ApplyImpulseResponse(late, p=1.0)(x)
    torch.testing.assert_close(delayed[..., 100:], x[..., :400], atol=1e-5, rtol=0)
    aligned = ma.ApplyImpulseResponse(late, compensate_delay=True, p=1.0)(x)
    torch.testing.assert_close(aligned, x, atol=1e-5, rtol=0)


def test_stereo_response_per_channel_and_file_resampled(tmp_path):
    ir = np.zeros((80, 2), np.float32)
    ir[0, 0] = 1.0
    ir[40, 1] = 1.0  # right channel: 5 ms later at 8 kHz
    sf.write(str(tmp_path / "room.wav"), ir, 8000, subtype="FLOAT")
    aug = ma.ApplyImpulseResponse(str(tmp_path / "room.wav"), p=1.0)
    click = torch.zeros(1, 2, 1000)
    click[..., 100] = 1.0
    y = aug(click, sample_rate=16000)
    assert int(y[0, 0].abs().argmax()) == 100
    assert int(y[0, 1].abs().argmax()) == 180  # 5 ms at 16 kHz
    mono = aug(click[:, :1], sample_rate=16000)
    assert mono.shape == (1, 1, 1000)


def test_fft_convolve_rows_and_lengths():
    x = torch.randn(3, 1, 20)
    k = torch.randn(2, 1, 5)
    rows = torch.tensor([1, 0, 1])
    full = fft_convolve(x, k, rows=rows)
    assert full.shape == (3, 1, 24)
    torch.testing.assert_close(full, fft_convolve(x, k[rows]), atol=1e-5, rtol=0)
    assert fft_convolve(x, k[rows], out_length=40).shape == (3, 1, 40)


def test_errors():
    with pytest.raises(ConfigError, match="compensate_delay"):
        ma.ApplyImpulseResponse(torch.zeros(1, 4), compensate_delay="yes")
    with pytest.raises(ConfigError, match="sources"):
        ma.ApplyImpulseResponse(torch.zeros(4))
