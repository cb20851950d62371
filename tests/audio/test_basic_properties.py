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


def test_a_batch_without_lengths_stores_none_until_asked_and_keeps_that_through_select():
    import numpy as np

    from multiaug.audio.base import AudioBatch

    batch = AudioBatch(torch.zeros(3, 2, 40), sample_rate=8000)
    assert batch.unpadded and batch.host_lengths().tolist() == [40, 40, 40]
    part = batch.select(np.array([0, 2]))
    assert part.unpadded and len(part) == 2
    assert batch.replace(audio=torch.zeros(3, 2, 25)).host_lengths().tolist() == [25, 25, 25]
    lengths = batch.lengths  # made on first use, then kept
    assert lengths.dtype == torch.int64 and lengths.tolist() == [40, 40, 40] and batch.lengths is lengths
    assert not batch.unpadded
    given = AudioBatch(torch.zeros(2, 1, 10), torch.tensor([10, 4]))
    assert not given.unpadded and given.host_lengths().tolist() == [10, 4]
    assert given.select(np.array([1])).lengths.tolist() == [4]
    with pytest.raises(TypeError, match="no field"):
        batch.replace(rate=16000)


@pytest.mark.parametrize("lengths", [None, [40, 12, 40, 33, 5]])
def test_an_op_with_p_below_one_merges_its_rows_back_and_keeps_the_lengths(lengths):
    x = torch.randn(5, 2, 40)
    kw = {} if lengths is None else {"lengths": torch.tensor(lengths)}
    out, record = ma.Gain(gain_db=(6.0, 6.0), p=0.5)(
        audio=x, sample_rate=8000, seed=0, return_params=True, **kw
    )
    applied = torch.as_tensor(record.applied)
    assert 0 < int(applied.sum()) < 5
    assert torch.equal(out["audio"][~applied], x[~applied])
    assert torch.allclose(out["audio"][applied], x[applied] * 10 ** (6 / 20))
    assert out["lengths"].tolist() == (lengths or [40] * 5)


_IDENTITY_OPS = {
    "Gain": lambda: ma.Gain(p=0.5),
    "GainTransition": lambda: ma.GainTransition(duration=(0.1, 0.5), unit="fraction", p=0.5),
    "Shift": lambda: ma.Shift(p=0.5),
    "Shift no rollover": lambda: ma.Shift(shift=(-20, 20), unit="samples", rollover=False, fill=0.5, p=0.5),
    "TimeMask": lambda: ma.TimeMask(duration=(0.1, 0.4), fill=0.25, p=0.5),
}


@pytest.mark.parametrize("name", sorted(_IDENTITY_OPS))
@pytest.mark.parametrize("padded", [False, True])
def test_ops_applied_with_identity_parameters_match_select_and_merge_bit_for_bit(name, padded, monkeypatch):
    x = torch.randn(12, 2, 300)
    x[:, :, :5] = -0.0  # signed zeros must keep their sign in the samples left out
    kw = {"lengths": torch.tensor([300, 120, 300, 7, 300, 299, 1, 300, 50, 300, 300, 200])} if padded else {}
    op = _IDENTITY_OPS[name]()
    out, record = op(audio=x, sample_rate=8000, seed=5, return_params=True, **kw)
    assert 0 < int(record.applied.sum()) < 12
    replayed = op(audio=x, sample_rate=8000, params=record, **kw)
    monkeypatch.setattr(type(op), "identity_params", lambda self, batch: None)
    merged, merged_record = op(audio=x, sample_rate=8000, seed=5, return_params=True, **kw)
    for got in (out, replayed):
        assert torch.equal(got["audio"], merged["audio"]) and torch.equal(got["lengths"], merged["lengths"])
    assert torch.equal(torch.signbit(out["audio"]), torch.signbit(merged["audio"]))
    assert record.to_json() == merged_record.to_json()
