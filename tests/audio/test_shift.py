"""Shift: equals torch.roll with rollover, fills without it, honours lengths and units."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import multiaug.audio as ma
from multiaug.audio.functional.shift import _shift_copy, _shift_gather, shift
from multiaug.core.errors import ConfigError, InputError


def test_equals_torch_roll_per_clip():
    x = torch.randn(6, 2, 1000)
    y, record = ma.Shift(shift=(-900, 900), unit="samples", p=1.0)(x, seed=0, return_params=True)
    amounts = np.asarray(record.params["shift"])
    assert len(set(amounts.tolist())) == 6
    for i in range(6):
        assert torch.equal(y[i], torch.roll(x[i], int(amounts[i]), dims=-1))


def test_without_rollover_the_vacated_part_is_filled():
    x = torch.arange(1.0, 11.0)[None, None]
    later = ma.Shift(shift=(3, 3), unit="samples", rollover=False, fill=-1.0, p=1.0)(x)
    assert later.flatten().tolist() == [-1.0] * 3 + list(range(1, 8))
    earlier = ma.Shift(shift=(-12, -12), unit="samples", rollover=False, p=1.0)(x)
    assert not earlier.any()


def test_units():
    x = torch.randn(2, 1, 16000)
    lengths = torch.tensor([16000, 8000])
    out = ma.Shift(shift=(0.25, 0.25), unit="fraction", p=1.0)(audio=x, lengths=lengths, sample_rate=16000)
    assert torch.equal(out["audio"][0], torch.roll(x[0], 4000, -1))
    assert torch.equal(out["audio"][1, :, :8000], torch.roll(x[1, :, :8000], 2000, -1))
    secs = ma.Shift(shift=(0.1, 0.1), unit="seconds", p=1.0)(x, sample_rate=16000)
    assert torch.equal(secs, torch.roll(x, 1600, -1))
    with pytest.raises(InputError, match="sample rate"):
        ma.Shift(shift=0.1, unit="seconds", p=1.0)(x)


def test_lengths_are_honoured_and_padding_stays_zero():
    x = torch.randn(3, 2, 50)
    lengths = torch.tensor([50, 30, 7])
    x = x * (torch.arange(50) < lengths[:, None, None])
    for rollover in (True, False):
        out = shift(x, torch.tensor([10, -45, 3]), lengths, rollover=rollover)
        for i, n in enumerate(lengths.tolist()):
            assert not out[i, :, n:].any()
        assert torch.equal(
            out[2, :, :7],
            torch.roll(x[2, :, :7], 3, -1) if rollover else torch.cat([torch.zeros(2, 3), x[2, :, :4]], -1),
        )


@settings(max_examples=60, deadline=None)
@given(
    b=st.integers(1, 4),
    c=st.integers(1, 3),
    t=st.integers(1, 40),
    data=st.data(),
    rollover=st.booleans(),
    fill=st.sampled_from([0.0, 0.5]),
)
def test_copy_and_gather_paths_agree(b, c, t, data, rollover, fill):
    shifts = torch.tensor(data.draw(st.lists(st.integers(-100, 100), min_size=b, max_size=b)))
    lengths = torch.tensor(data.draw(st.lists(st.integers(1, t), min_size=b, max_size=b)))
    x = torch.randn(b, c, t) * (torch.arange(t) < lengths[:, None, None])
    a = _shift_copy(x, shifts.tolist(), lengths.tolist(), rollover, fill)
    g = _shift_gather(x, shifts, lengths, rollover, fill)
    assert torch.equal(a, g)
    if rollover:
        for i, n in enumerate(lengths.tolist()):
            assert torch.equal(a[i, :, :n], torch.roll(x[i, :, :n], int(shifts[i]), -1))


def test_bad_arguments():
    with pytest.raises(ConfigError, match="unit"):
        ma.Shift(unit="minutes")
    with pytest.raises(ConfigError, match="whole number"):
        ma.Shift(shift=(0.2, 0.7), unit="samples")
    with pytest.raises(ConfigError, match="rollover"):
        ma.Shift(rollover="yes")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_gather_path_matches_cpu():
    x = torch.randn(8, 2, 3000)
    lengths = torch.tensor([3000, 2000, 10, 3000, 1, 2999, 1500, 3000])
    shifts = torch.tensor([5, -7, 100, 3000, 1, -2999, 0, -1])
    for rollover in (True, False):
        cpu = shift(x, shifts, lengths, rollover=rollover, fill=0.25)
        gpu = shift(x.cuda(), shifts, lengths, rollover=rollover, fill=0.25)
        assert torch.equal(gpu.cpu(), cpu)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float64, torch.bfloat16])
@pytest.mark.parametrize("rollover", [True, False])
def test_copy_path_on_numpy_views_and_on_tensors_agree(dtype, rollover):
    # float16/64 run on NumPy views; bfloat16 (no NumPy dtype) and tensors that require grad on torch slices
    x = torch.randn(5, 2, 30).to(dtype)
    shifts, lengths = torch.tensor([3, -4, 0, 29, -31]), torch.tensor([30, 20, 7, 30, 12])
    out = _shift_copy(x, shifts.tolist(), lengths.tolist(), rollover, 0.5)
    want = _shift_gather(x, shifts, lengths, rollover, 0.5)
    assert out.dtype == dtype and torch.equal(out, want)
    if dtype == torch.float64:
        grad = _shift_copy(x.clone().requires_grad_(True), shifts.tolist(), lengths.tolist(), rollover, 0.5)
        assert torch.equal(grad.detach(), want)


def test_shift_takes_tensors_arrays_and_lists_and_no_lengths_means_full():
    x = torch.randn(3, 2, 50)
    shifts, lengths = [4, -9, 60], [50, 31, 12]
    want = shift(x, torch.tensor(shifts), torch.tensor(lengths), rollover=False, fill=0.5)
    assert torch.equal(shift(x, np.array(shifts), np.array(lengths), rollover=False, fill=0.5), want)
    assert torch.equal(shift(x, shifts, lengths, rollover=False, fill=0.5), want)
    full = shift(x, shifts, [50, 50, 50])
    assert torch.equal(shift(x, shifts), full) and torch.equal(shift(x, shifts, None), full)
    # lengths past the clip are clipped to it, on both paths
    assert torch.equal(shift(x, shifts, [80, 50, 99]), full)
    assert torch.equal(_shift_gather(x, torch.tensor(shifts), torch.tensor([50, 50, 50]), True, 0.0), full)


def test_shift_op_on_a_batch_without_lengths_matches_explicit_full_lengths():
    x = torch.randn(4, 1, 64)
    aug = ma.Shift(shift=(-0.5, 0.5), p=1.0, rollover=False, fill=0.25)
    plain = aug(x, seed=3)
    given = aug(audio=x, lengths=torch.full((4,), 64), seed=3)
    assert torch.equal(plain, given["audio"]) and given["lengths"].tolist() == [64] * 4
