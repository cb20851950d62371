"""The contract every registered augmenter keeps (design notes, "Tests that mean something").

Runs over the table in ``tests/cases``: shape/dtype/device kept, input not mutated, p=0 is the identity, seeds
reproduce and differ, a sample's result is the same alone and in a batch (with keys), replay is exact (also
through JSON), config round-trip, the applied fraction matches p, and CUDA gives the CPU's result.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import torch

import multiaug
from multiaug.core import registry
from tests.cases import Case, all_cases, make_inputs

CASES = all_cases()
CONTAINERS = {"Pipeline", "OneOf", "SomeOf", "RandomApply", "RandomOrder", "Router"}


def _variants() -> list[Any]:
    out = []
    for name, case in sorted(CASES.items()):
        kinds = case.dtypes if case.data == "image" else ("float32",)
        for dtype in kinds:
            out.append(pytest.param(name, dtype, id=f"{name}-{dtype}"))
    return out


VARIANTS = _variants()


def _clone(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clone(v) for v in value]
    return value


def _to(value: Any, device: str) -> Any:
    if isinstance(value, torch.Tensor):
        return value.to(device)
    if isinstance(value, dict):
        return {k: _to(v, device) for k, v in value.items()}
    return value


def assert_same(a: Any, b: Any, atol: float = 0.0) -> None:
    """Equal outputs: tensors (exactly, or within atol for floats), dicts, lists, strings."""
    if isinstance(a, dict):
        assert set(a) == set(b)
        for k in a:
            assert_same(a[k], b[k], atol)
    elif isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.shape == b.shape and a.dtype == b.dtype
        a, b = a.cpu(), b.cpu()
        if atol and a.dtype.is_floating_point:
            torch.testing.assert_close(a, b, atol=atol, rtol=0)
        elif atol and a.dtype == torch.uint8:
            assert (a.int() - b.int()).abs().max() <= 1
        else:
            assert torch.equal(a, b)
    else:
        assert a == b


def _differs(a: Any, b: Any) -> bool:
    try:
        assert_same(a, b)
    except AssertionError:
        return True
    return False


def _data(case: Case, n: int, dtype: str, seed: int = 0) -> dict[str, Any]:
    return make_inputs(case.data, n, seed=seed, dtype=dtype)


def _row(out: Any, i: int, kind: Any) -> Any:
    """Sample i of a batch output (valid part for audio)."""
    if isinstance(out, dict) and "lengths" in out:
        length = int(out["lengths"][i])
        return {"audio": out["audio"][i : i + 1, :, :length], "lengths": out["lengths"][i : i + 1]}
    if isinstance(out, dict):
        return {k: v[i : i + 1] if isinstance(v, torch.Tensor) else [v[i]] for k, v in out.items()}
    raise TypeError(type(out))


def _single(inputs: dict[str, Any], i: int) -> dict[str, Any]:
    out = {}
    for k, v in inputs.items():
        if k == "lengths":
            continue
        if isinstance(v, torch.Tensor):
            v = v[i : i + 1]
            if k == "audio" and "lengths" in inputs:
                v = v[..., : int(inputs["lengths"][i])]
        elif isinstance(v, list):
            v = [v[i]]
        out[k] = v
    return out


def test_every_registered_augmenter_has_a_case() -> None:
    names = set(registry.names()) - CONTAINERS
    missing = sorted(names - set(CASES))
    assert not missing, f"registered augmenters without a contract case in tests/cases: {missing}"
    unknown = sorted(set(CASES) - names)
    assert not unknown, f"contract cases for unregistered names: {unknown}"


@pytest.mark.parametrize("name,dtype", VARIANTS)
def test_contract(name: str, dtype: str) -> None:
    case = CASES[name]
    aug = case.build(p=1.0)
    assert isinstance(aug, multiaug.Augmenter)
    n = 4
    inputs = _data(case, n, dtype)
    before = _clone(inputs)

    # shape, dtype, device kept; input not mutated
    out = aug(**inputs, seed=7)
    assert_same(inputs, before)
    for key, value in inputs.items():
        if isinstance(value, torch.Tensor) and key in out and key != "lengths":
            got = out[key]
            assert got.dtype == value.dtype and got.device == value.device and got.ndim == value.ndim
            if not case.sets_size and not case.changes_length:
                assert got.shape == value.shape
        elif isinstance(value, list):
            assert isinstance(out[key], list) and len(out[key]) == len(value)
            assert all(isinstance(t, str) for t in out[key])

    # same seed, same output; a different seed, a different output
    assert_same(out, aug(**inputs, seed=7))
    if not case.deterministic:
        half = case.build(p=1.0 if case.sets_size else 0.5)
        many = _data(case, 8, dtype)
        first = half(**many, seed=7)
        assert any(_differs(first, half(**many, seed=s)) for s in (8, 9, 10)), (
            "seeds 7..10 all gave one output"
        )

    # p=0 is the identity
    if not case.sets_size:
        data_fields = {k: v for k, v in inputs.items() if k in out}
        assert_same(case.build(p=0.0)(**inputs, seed=7), data_fields)

    # replay, directly and through JSON
    out, record = aug(**inputs, seed=11, return_params=True)
    assert_same(aug(**inputs, params=record), out)
    assert_same(aug(**inputs, params=json.loads(json.dumps(record.to_json()))), out)

    # config round-trip gives the same output under the same seed
    config = json.loads(json.dumps(aug.to_config()))
    rebuilt = multiaug.from_config(config)
    assert type(rebuilt) is type(aug)
    assert_same(rebuilt(**inputs, seed=11), out)


@pytest.mark.parametrize("name,dtype", VARIANTS)
def test_batch_invariance_with_keys(name: str, dtype: str) -> None:
    case = CASES[name]
    if case.batch_level:
        pytest.skip("batch-level augmenter: a sample's result depends on its batch by design")
    aug = case.build(p=1.0 if case.sets_size else 0.7)
    inputs = _data(case, 5, dtype, seed=1)
    keys = [1000 + 37 * i for i in range(5)]
    out = aug(**inputs, seed=3, keys=keys)
    for i in range(5):
        alone = aug(**_single(inputs, i), seed=3, keys=[keys[i]])
        assert_same(_row(out, i, case.data), alone, case.atol)


@pytest.mark.parametrize("name", sorted(CASES))
def test_applied_fraction_matches_p(name: str) -> None:
    case = CASES[name]
    if case.sets_size:
        pytest.skip("fixed-size output: applies to every sample")
    aug = case.build(p=0.3)
    fractions = []
    for seed in range(4):
        inputs = _data(case, 50, (case.dtypes[0] if case.data == "image" else "float32"), seed=seed)
        _, record = aug(**inputs, seed=seed, return_params=True)
        fractions.append(record.applied.mean())
    if case.batch_level:
        assert set(np.unique(np.round(fractions, 6))) <= {0.0, 1.0}
    else:
        # 200 Bernoulli(0.3) draws: 4.5 standard deviations either side
        assert abs(np.mean(fractions) - 0.3) < 4.5 * np.sqrt(0.3 * 0.7 / 200)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("name,dtype", VARIANTS)
def test_cuda_matches_cpu(name: str, dtype: str) -> None:
    case = CASES[name]
    aug = case.build(p=0.8)
    inputs = _data(case, 4, dtype)
    cpu, rec_cpu = aug(**inputs, seed=5, return_params=True)
    gpu, rec_gpu = aug(**_to(inputs, "cuda"), seed=5, return_params=True)
    assert json.dumps(rec_cpu.to_json()) == json.dumps(rec_gpu.to_json())
    if isinstance(gpu, dict):
        for value in gpu.values():
            if isinstance(value, torch.Tensor) and value.is_floating_point():
                assert value.device.type == "cuda"
    assert_same(cpu, _to(gpu, "cpu"), atol=max(case.atol, 1e-4))
