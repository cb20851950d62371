"""The row helpers that every batch type uses to merge an op's chosen rows back into the batch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from multiaug.core.rows import merge_rows, runs


@pytest.mark.parametrize("seed", range(20))
def test_merge_rows_equals_indexed_assignment(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 12))
    value = torch.randn(n, 3, 5)
    parts, want = [], value.clone()
    for _ in range(int(rng.integers(1, 3))):
        index = np.sort(rng.choice(n, size=int(rng.integers(0, n + 1)), replace=False))
        new = torch.randn(len(index), 3, 5)
        parts.append((index, new))
        want[torch.as_tensor(index, dtype=torch.int64)] = new
    out = merge_rows(value, parts)
    assert torch.equal(out, want) and out.data_ptr() != value.data_ptr()


def test_merge_rows_leaves_its_inputs_alone_and_keeps_dtype():
    value = torch.arange(8, dtype=torch.uint8).reshape(4, 2)
    before = value.clone()
    out = merge_rows(value, [(np.array([2]), torch.full((1, 2), 99, dtype=torch.uint8))])
    assert out.dtype == torch.uint8 and out[:, 0].tolist() == [0, 2, 99, 6] and torch.equal(value, before)


def test_runs_of_consecutive_indices():
    assert runs(np.array([], dtype=np.int64)) == []
    assert runs(np.array([4])) == [(4, 5, 0)]
    assert runs(np.array([0, 1, 3, 4, 5, 9])) == [(0, 2, 0), (3, 6, 2), (9, 10, 5)]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_merge_rows_on_cuda_matches_cpu():
    value = torch.randn(6, 4)
    parts = [(np.array([0, 2, 3]), torch.randn(3, 4)), (np.array([3, 5]), torch.randn(2, 4))]
    cpu = merge_rows(value, parts)
    gpu = merge_rows(value.cuda(), [(i, p.cuda()) for i, p in parts])
    assert torch.equal(gpu.cpu(), cpu)
