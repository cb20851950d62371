"""Ops that, with p < 1, draw and apply for every sample and put the ones left out back (``applies_to_all``):
the result, the record and the input must be exactly what select, apply and merge give."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import multiaug
import multiaug.audio as ma
import multiaug.image as mi

IMAGE_OPS = {
    "HorizontalFlip": lambda: mi.HorizontalFlip(p=0.5),
    "VerticalFlip": lambda: mi.VerticalFlip(p=0.5),
    "Brightness": lambda: mi.Brightness(p=0.5),
    "RGBShift": lambda: mi.RGBShift(p=0.5),
    "ChannelShuffle": lambda: mi.ChannelShuffle(p=0.5),
    "ToGray": lambda: mi.ToGray(p=0.5),
    "Invert": lambda: mi.Invert(p=0.5),
    "Cutout": lambda: mi.Cutout(size=5, p=0.5),
    "RandomErasing": lambda: mi.RandomErasing(p=0.5, mask_fill_value=7),
    "RandomErasing random": lambda: mi.RandomErasing(value="random", p=0.5),
}
AUDIO_OPS = {
    "PolarityInversion": lambda: ma.PolarityInversion(p=0.5),
    "PolarityInversion per channel": lambda: ma.PolarityInversion(p=0.5, per_channel=True),
    "Reverse": lambda: ma.Reverse(p=0.5),
}


def _both_paths(op, monkeypatch, **call):
    out, record = op(seed=4, return_params=True, **call)
    replayed = op(params=record, **call)
    monkeypatch.setattr(type(op), "applies_to_all", lambda self, batch: False)
    merged, merged_record = op(seed=4, return_params=True, **call)
    return out, record, replayed, merged, merged_record


def _clone(fields):
    return {k: v.clone() if isinstance(v, torch.Tensor) else v for k, v in fields.items()}


@pytest.mark.parametrize("name", sorted(IMAGE_OPS))
@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8])
def test_image_ops_applied_to_all_equal_select_and_merge(name, dtype, monkeypatch):
    gen = torch.Generator().manual_seed(0)
    image = torch.rand(13, 3, 17, 23, generator=gen)
    image = (image * 255).round().to(torch.uint8) if dtype == torch.uint8 else image
    fields = {
        "image": image,
        "mask": torch.randint(0, 5, (13, 17, 23), generator=gen),
        "boxes": torch.tensor([[1.0, 2.0, 9.0, 11.0]]).repeat(13, 1, 1),
    }
    before = _clone(fields)
    op = IMAGE_OPS[name]()
    assert op.applies_to_all(multiaug.core.batch.batch_type("image").pack(**fields)[0]) == (
        name not in ("Brightness", "RGBShift", "ToGray") or dtype.is_floating_point
    )
    out, record, replayed, merged, merged_record = _both_paths(op, monkeypatch, **fields)
    assert 0 < int(record.applied.sum()) < 13
    for key in fields:
        assert torch.equal(out[key], merged[key]) and torch.equal(replayed[key], merged[key]), key
        assert torch.equal(fields[key], before[key]), f"{key} was modified"
    assert record.to_json() == merged_record.to_json()


@pytest.mark.parametrize("name", sorted(AUDIO_OPS))
@pytest.mark.parametrize("padded", [False, True])
def test_audio_ops_applied_to_all_equal_select_and_merge(name, padded, monkeypatch):
    x = torch.randn(11, 2, 64)
    x[:, :, :3] = -0.0
    call = {"audio": x, "sample_rate": 8000}
    if padded:
        call["lengths"] = torch.tensor([64, 10, 64, 1, 63, 64, 30, 64, 64, 2, 50])
    before = x.clone()
    out, record, replayed, merged, merged_record = _both_paths(AUDIO_OPS[name](), monkeypatch, **call)
    assert 0 < int(record.applied.sum()) < len(record.applied)
    for got in (out, replayed):
        assert torch.equal(got["audio"], merged["audio"]) and torch.equal(got["lengths"], merged["lengths"])
        assert torch.equal(torch.signbit(got["audio"]), torch.signbit(merged["audio"]))
    assert torch.equal(x, before)
    assert record.to_json() == merged_record.to_json()


def test_an_op_that_returns_a_view_of_its_input_never_has_the_input_written(monkeypatch):
    # applies_to_all on an op whose result for some field is a view of the input: the rows are put back into a
    # new tensor, not into the caller's
    class Flat(mi.HorizontalFlip):
        def apply(self, batch, params):
            return batch.replace(image=batch.image[:, :, :, :])  # a view: same storage

        def applies_to_all(self, batch):
            return True

    x = torch.rand(9, 1, 4, 4)
    before = x.clone()
    out = Flat(p=0.5)(x, seed=1)
    assert torch.equal(out, x) and torch.equal(x, before)


def test_in_a_pipeline_the_records_replay_and_match(monkeypatch):
    pipe = multiaug.Pipeline([mi.HorizontalFlip(p=0.5), mi.Invert(p=0.5), mi.Cutout(size=4, p=0.5)])
    x = torch.rand(10, 3, 12, 12)
    out, record = pipe(x, seed=9, return_params=True)
    assert torch.equal(pipe(x, params=record), out)
    for i in (0, 3, 9):
        assert torch.equal(pipe(x[i], seed=9, keys=i), out[i])
    assert np.asarray(record.children[0][1].applied).sum() not in (0, 10)
