"""The speed machinery of ``multiaug augment`` gives exactly what the plain way gives: batch-wise replay records,
forked worker processes."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

import multiaug
import multiaug.audio as ma
import multiaug.image as mi
import multiaug.text as mt
from multiaug.offline.pipelines import load_pipelines
from multiaug.offline.records import split_json
from multiaug.offline.workers import ForkPool, can_fork


def _slow(rec: multiaug.Record) -> list[dict]:
    return [rec.sample(i).to_json() for i in range(len(rec))]


@pytest.mark.parametrize("recipe", ["light", "medium", "heavy"])
def test_split_json_equals_per_sample_records(recipe: str) -> None:
    pipes, _ = load_pipelines(recipe=recipe)
    keys = np.arange(12, dtype=np.int64) * 7919
    image = torch.randint(0, 256, (12, 3, 24, 32), dtype=torch.uint8)
    _, rec = pipes["image"](image, seed=3, keys=keys, return_params=True)
    assert split_json(rec) == _slow(rec)
    audio = torch.randn(12, 1, 4000) * 0.1
    _, rec = pipes["audio"](audio=audio, sample_rate=16000, seed=3, keys=keys, return_params=True)
    assert split_json(rec) == _slow(rec)
    texts = ["the quick brown fox jumps over the lazy dog", "a small test sentence, with a comma."] * 6
    _, rec = pipes["text"](texts, seed=3, keys=keys, return_params=True)
    assert split_json(rec) == _slow(rec)


def test_split_json_nested_containers() -> None:
    pipe = multiaug.Pipeline(
        [
            multiaug.OneOf([mi.HorizontalFlip(p=1.0), mi.Rotate(degrees=20, p=0.5)], weights=[1, 2]),
            multiaug.SomeOf([mi.ColorJitter(brightness=0.3), mi.GaussianBlur(kernel_size=3)], n=1, p=0.7),
            multiaug.RandomApply([mi.VerticalFlip(p=1.0)], p=0.4),
        ]
    )
    x = torch.rand(16, 3, 20, 20)
    _, rec = pipe(x, seed=1, keys=np.arange(16), return_params=True)
    assert split_json(rec) == _slow(rec)
    _, rec = ma.Gain(p=0.0)(torch.randn(3, 1, 100), sample_rate=8000, seed=0, return_params=True)
    assert split_json(rec) == _slow(rec)
    _, rec = mt.RandomSwap(p=1.0)(["one two three"], seed=0, return_params=True)
    assert split_json(rec) == _slow(rec)


@pytest.mark.skipif(not can_fork(), reason="fork start method only")
def test_fork_pool_keeps_order_and_reports_errors() -> None:
    with ForkPool(lambda i: (i, os.getpid()), list(range(7)), workers=2) as pool:
        got = list(pool.results())
    assert [g[0] for g in got] == list(range(7))
    assert os.getpid() not in {g[1] for g in got}
    with (
        pytest.raises(ZeroDivisionError),
        ForkPool(lambda i: 1 // (i - 3), list(range(6)), workers=2) as pool,
    ):
        list(pool.results())


def test_in_process_main_leaves_the_collector_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import gc

    from .conftest import SAMPLES, cli

    assert gc.get_freeze_count() == 0 and gc.isenabled()
    code, _, err = cli("augment", SAMPLES / "text", tmp_path / "o", "-q", capsys=capsys)
    assert code == 0, err
    assert gc.get_freeze_count() == 0 and gc.isenabled()
