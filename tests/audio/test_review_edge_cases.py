"""Edge cases found in review: inputs and settings a user hits that the family tests did not cover."""

from __future__ import annotations

import pytest
import torch

import multiaug.audio as ma

SR = 16000


@pytest.mark.parametrize(
    "make",
    [
        lambda: ma.TimeStretch(rate=(0.8, 1.25), n_fft=256, p=1.0),
        lambda: ma.PitchShift(semitones=(-3.0, 3.0), n_fft=256, p=1.0),
        lambda: ma.Speed(factor=(0.8, 1.6), p=1.0),
    ],
)
def test_time_pitch_accept_audio_that_requires_grad(make) -> None:
    # a waveform from a model (requires_grad=True) is processed like its detached copy; the result has no grad
    x = (torch.randn(2, 2, 3000, generator=torch.Generator().manual_seed(0)) * 0.1).requires_grad_()
    aug = make()
    out = aug(audio=x, sample_rate=SR, seed=1)
    ref = aug(audio=x.detach(), sample_rate=SR, seed=1)
    assert not out["audio"].requires_grad
    assert torch.equal(out["audio"], ref["audio"]) and torch.equal(out["lengths"], ref["lengths"])
