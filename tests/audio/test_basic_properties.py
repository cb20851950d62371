"""Property tests for the basic audio ops: odd shapes, tiny and padded clips, float64, silence; never NaN."""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import multiaug.audio as ma

OPS = {
    "AddGaussianNoise": lambda: ma.AddGaussianNoise(p=1.0),
    "AddGaussianSNR": lambda: ma.AddGaussianSNR(p=1.0),
    "AddColoredNoise": lambda: ma.AddColoredNoise(p=1.0),
    "AddBackgroundNoise": lambda: ma.AddBackgroundNoise([torch.randn(7), torch.randn(2, 40)], p=1.0),
    "Shift": lambda: ma.Shift(p=1.0),
    "ShiftNoRollover": lambda: ma.Shift(shift=(-30, 30), unit="samples", rollover=False, fill=0.5, p=1.0),
    "Gain": lambda: ma.Gain(p=1.0),
    "PolarityInversion": lambda: ma.PolarityInversion(p=1.0),
    "LowPassFilter": lambda: ma.LowPassFilter(p=1.0),
    "HighPassFilter": lambda: ma.HighPassFilter(p=1.0),
    "BandPassFilter": lambda: ma.BandPassFilter(p=1.0),
    "TimeMask": lambda: ma.TimeMask(fade=0.0005, p=1.0),
    "ApplyImpulseResponse": lambda: ma.ApplyImpulseResponse([torch.randn(5), torch.randn(2, 60)], p=1.0),
}


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    b=st.integers(1, 3),
    c=st.integers(1, 3),
    t=st.integers(1, 300),
    data=st.data(),
    dtype=st.sampled_from([torch.float32, torch.float64]),
    silent=st.booleans(),
)
def test_any_shape_gives_finite_output_and_zero_padding(name, b, c, t, data, dtype, silent):
    lengths = torch.tensor(data.draw(st.lists(st.integers(1, t), min_size=b, max_size=b)))
    x = torch.zeros(b, c, t, dtype=dtype) if silent else torch.randn(b, c, t, dtype=dtype)
    x = x * (torch.arange(t) < lengths[:, None, None])
    before = x.clone()
    out = OPS[name]()(audio=x, lengths=lengths, sample_rate=8000, seed=data.draw(st.integers(0, 2**32)))
    y = out["audio"]
    assert y.shape == x.shape and y.dtype == dtype and torch.equal(out["lengths"], lengths)
    assert torch.isfinite(y).all()
    assert torch.equal(x, before)
    for i, n in enumerate(lengths.tolist()):
        assert not y[i, :, n:].any()
    if silent and name not in ("AddGaussianNoise", "ShiftNoRollover", "ApplyImpulseResponse"):
        assert not y.any()
