"""Gain and PolarityInversion: exact amplitude changes, per-channel and shared draws."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import multiaug.audio as ma
from multiaug.core.errors import ConfigError


def test_plus_six_db_doubles_the_amplitude():
    x = 0.25 * torch.sin(torch.arange(1000) / 7.0)[None]
    y = ma.Gain(gain_db=(6.0, 6.0), p=1.0)(x, sample_rate=16000)
    assert torch.allclose(y, 2 * x, rtol=3e-3)  # 10^(6/20) = 1.9953
    exact = ma.Gain(gain_db=(20 * np.log10(2), 20 * np.log10(2)), p=1.0)(x, sample_rate=16000)
    assert torch.allclose(exact, 2 * x, rtol=1e-6)


def test_gain_draws_per_clip_per_channel_or_once():
    x = torch.ones(4, 2, 10)
    per_clip = ma.Gain(p=1.0)(x, seed=0)
    assert len(set(per_clip[:, 0, 0].tolist())) == 4 and torch.equal(per_clip[:, 0], per_clip[:, 1])
    per_channel = ma.Gain(p=1.0, per_channel=True)(x, seed=0)
    assert not torch.equal(per_channel[:, 0], per_channel[:, 1])
    shared = ma.Gain(p=1.0, same_on_batch=True)(x, seed=0)
    assert len(set(shared.flatten().tolist())) == 1


def test_polarity_inversion():
    x = torch.randn(2, 2, 100)
    out = ma.PolarityInversion(p=1.0)(audio=x, lengths=torch.tensor([100, 40]))
    assert torch.equal(out["audio"], -x)
    assert torch.equal(ma.PolarityInversion(p=1.0)(ma.PolarityInversion(p=1.0)(x)), x)


def test_bad_arguments():
    with pytest.raises(ConfigError, match="gain_db"):
        ma.Gain(gain_db=(3, -3))
    with pytest.raises(ConfigError, match="per_channel"):
        ma.PolarityInversion(per_channel=1)
