"""Randomness: Philox known answers, per-sample addressing, no global state, fresh streams."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import multiaug.audio as ma
import multiaug.image as mi
from multiaug.core.philox import philox4x32
from multiaug.core.random import Draws, hash64, normalize_keys


@pytest.mark.parametrize(
    "counter,key,expected",
    [
        ((0, 0, 0, 0), (0, 0), ("6627e8d5", "e169c58d", "bc57ac4c", "9b00dbd8")),
        ((0xFFFFFFFF,) * 4, (0xFFFFFFFF, 0xFFFFFFFF), ("408f276d", "41c83b0e", "a20bc7c6", "6d5451fd")),
        (
            (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
            (0xA4093822, 0x299F31D0),
            ("d16cfe09", "94fdcceb", "5001e420", "24126ea1"),
        ),
    ],
)
def test_philox_known_answers(counter, key, expected) -> None:
    out = philox4x32(tuple(np.array([c], dtype=np.uint64) for c in counter), key)
    assert tuple(f"{int(w[0]):08x}" for w in out) == expected


def _draws(keys, seed=0, path="op") -> Draws:
    return Draws.for_call(seed, path, normalize_keys(keys, len(keys)))


def test_uniform_is_uniform_and_independent_of_the_batch() -> None:
    keys = np.arange(20000)
    u = _draws(keys).uniform(size=(2,))
    assert u.shape == (20000, 2) and u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u[:, 0], "uniform").pvalue > 1e-3
    assert abs(np.corrcoef(u[:, 0], u[:, 1])[0, 1]) < 0.03
    alone = _draws([12345]).uniform(size=(2,))
    np.testing.assert_array_equal(alone[0], u[12345])


def test_each_call_uses_a_new_draw_number() -> None:
    d = _draws([1, 2, 3])
    assert not np.array_equal(d.uniform(), d.uniform())


@given(st.lists(st.integers(0, 2**62), min_size=1, max_size=20, unique=True), st.integers(0, 2**63))
@settings(max_examples=40, deadline=None)
def test_any_subset_gets_the_same_rows(keys, seed) -> None:
    full = _draws(keys, seed)
    a, b = full.normal(size=(3,)), full.integers(0, 10)
    for i, k in enumerate(keys):
        one = _draws([k], seed)
        np.testing.assert_array_equal(one.normal(size=(3,))[0], a[i])
        assert one.integers(0, 10)[0] == b[i]


def test_distributions() -> None:
    d = _draws(np.arange(20000), seed=5)
    z = d.normal()
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1) < 0.05
    beta = d.beta(0.4, 0.4)
    assert stats.kstest(beta, stats.beta(0.4, 0.4).cdf).pvalue > 1e-3
    ints = d.integers(3, 7)
    assert set(np.unique(ints)) == {3, 4, 5, 6}
    choice = d.choice([3, 1])
    assert abs(choice.mean() - 0.25) < 0.02
    perm = d.permutation(5)
    assert (np.sort(perm, axis=1) == np.arange(5)).all()
    seeds = d.seeds()
    assert seeds.dtype == np.int64 and (seeds >= 0).all() and len(np.unique(seeds)) == len(seeds)
    assert d.bernoulli(0.3).mean() == pytest.approx(0.3, abs=0.02)


def test_per_sample_bounds() -> None:
    d = _draws(np.arange(4))
    u = d.uniform(np.array([0, 10, 20, 30]), np.array([1, 11, 21, 31]))
    assert ((u >= [0, 10, 20, 30]) & (u < [1, 11, 21, 31])).all()


def test_shared_draws_are_equal_across_the_batch() -> None:
    d = Draws.for_call(0, "op", np.arange(5, dtype=np.uint64), shared=True)
    u = d.uniform()
    assert np.all(u == u[0])


def test_hash64_is_stable() -> None:
    # pinned: configs and manifests rely on the same derivation in every process and version
    assert hash64("a", 1) == hash64("a", 1)
    assert hash64("a", 1) != hash64("a", 2) != hash64("b", 1)
    out = subprocess.run(
        [sys.executable, "-c", "from multiaug.core.random import hash64; print(hash64('x', 7))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(out.stdout) == hash64("x", 7)


def test_no_global_random_state_is_read_or_changed() -> None:
    random.seed(1)
    np.random.seed(1)
    torch.manual_seed(1)
    states = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state().clone())
    x = torch.rand(4, 3, 16, 16)
    a = torch.randn(2, 1, 800)
    torch.manual_seed(1)  # the line above used the global generator: reset
    states = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state().clone())
    mi.HorizontalFlip()(x)
    mi.HorizontalFlip()(x, seed=3)
    ma.Gain()(a, sample_rate=8000)
    assert random.getstate() == states[0]
    assert np.array_equal(np.random.get_state()[1], states[1])
    assert torch.equal(torch.get_rng_state(), states[2])
    # and the global seed has no influence
    torch.manual_seed(0)
    out0 = ma.Gain(p=1.0)(a, sample_rate=8000, seed=9)
    torch.manual_seed(1)
    out1 = ma.Gain(p=1.0)(a, sample_rate=8000, seed=9)
    assert torch.equal(out0, out1)


def test_unseeded_calls_are_fresh() -> None:
    a = torch.ones(1, 1000)
    gain = ma.Gain(p=1.0)
    outs = {float(gain(a, sample_rate=8000)[0, 0]) for _ in range(5)}
    assert len(outs) == 5


def test_two_processes_never_share_a_stream() -> None:
    code = (
        "import torch, multiaug.audio as ma;"
        "print(float(ma.Gain(p=1.0)(torch.ones(1, 4), sample_rate=8000)[0, 0]))"
    )
    outs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        for _ in range(3)
    }
    assert len(outs) == 3


class _Dataset(torch.utils.data.Dataset):
    def __init__(self, aug) -> None:
        self.aug = aug

    def __len__(self) -> int:
        return 4

    def __getitem__(self, i: int) -> torch.Tensor:
        return self.aug(torch.ones(1, 8), sample_rate=8000)


@pytest.mark.parametrize("seed", [None, 5])
def test_dataloader_workers_get_different_streams(seed) -> None:
    aug = ma.Gain(gain_db=(-20, 20), p=1.0, seed=seed)
    loader = torch.utils.data.DataLoader(_Dataset(aug), batch_size=1, num_workers=2)
    values = [float(b[0, 0, 0]) for b in loader]
    assert len(set(values)) == 4  # workers 0 and 1 each made 2 draws; none coincide


def test_constructor_seed_gives_a_reproducible_sequence() -> None:
    x = torch.ones(1, 100)
    first = [ma.Gain(p=1.0, seed=42)(x, sample_rate=8000) for _ in range(1)]
    aug1, aug2 = ma.Gain(p=1.0, seed=42), ma.Gain(p=1.0, seed=42)
    seq1 = [float(aug1(x, sample_rate=8000)[0, 0]) for _ in range(4)]
    seq2 = [float(aug2(x, sample_rate=8000)[0, 0]) for _ in range(4)]
    assert seq1 == seq2 and len(set(seq1)) == 4
    assert float(first[0][0, 0]) == seq1[0]
    assert ma.Gain(p=1.0, seed=42).to_config()["seed"] == 42


def test_a_sample_alone_equals_its_row_in_a_batch_of_64() -> None:
    x = torch.rand(64, 1, 200)
    keys = np.arange(64) * 7 + 3
    gain = ma.Gain(p=0.5)
    batch = gain(x, sample_rate=8000, seed=123, keys=keys)
    for i in (0, 17, 63):
        alone = gain(x[i], sample_rate=8000, seed=123, keys=int(keys[i]))
        assert torch.equal(alone, batch[i])


@pytest.mark.parametrize("n", [1, 5])
def test_every_philox_path_gives_identical_values(monkeypatch, n) -> None:
    import multiaug.core.random as rnd

    keys = np.arange(n, dtype=np.uint64) * 977 + 5
    values = []
    # numpy path, packed-lane path
    for lanes in (0, 10**9):
        monkeypatch.setattr(rnd, "_LANE_BLOCKS", lanes)
        d = Draws.for_call(3, "x", keys)
        values.append(
            [d.uniform(size=(3,)), d.seeds((7,)), d.integers(0, 9), d.normal(size=(2,)), d.uniform(size=(2,)),
             d.normal(), d.bernoulli(0.5), d.seeds(), d.seeds((2,))]
        )  # fmt: skip
    for other in values[1:]:
        for a, b in zip(values[0], other):
            np.testing.assert_array_equal(a, b)


def test_dense_noise_is_a_pure_function_of_the_seed_with_the_prefix_property() -> None:
    from multiaug.core import noise

    a = noise.randn([3, 4], (37, 2))
    b = noise.randn([4], (100, 2))
    assert torch.equal(a[1], b[0, :37])
    assert torch.equal(noise.randn([3], (5,)), noise.randn([3], (5,)))
    u = noise.rand([9], (1000,))
    assert float(u.min()) >= 0.0 and float(u.max()) < 1.0
    assert not torch.equal(noise.randn([1], (16,)), noise.randn([2], (16,)))


def test_signed_integer_keys_draw_like_their_uint64_equivalents_on_every_path() -> None:
    # int64 keys worked on the pure-Python and packed-lane paths but raised a TypeError on the numpy path (> 192
    # blocks), where keys & 0xFFFFFFFF needs uint64 words
    for n in (1, 5, 300):
        signed = np.arange(n, dtype=np.int64) * 7919 - 1000
        d = Draws.for_call(9, "x", signed)
        u = Draws.for_call(9, "x", signed.astype(np.uint64))
        np.testing.assert_array_equal(d.uniform(size=(2,)), u.uniform(size=(2,)))
        np.testing.assert_array_equal(d.seeds(), u.seeds())
