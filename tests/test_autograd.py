"""Gradients: every image, audio and spectrogram augmenter either lets them flow or says it does not.

For input that requires grad (grad mode on), an augmenter with ``differentiable`` True returns an output whose
gradient is the derivative of the op for the drawn parameters, checked against central finite differences in
float64 along a random direction; one with ``differentiable`` False returns an output with no gradient. Either
way the values are those of the same call on a detached input, the input is not modified, and with grad mode off
nothing is recorded.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import torch

import multiaug.audio as ma
import multiaug.image as mi
from multiaug import Pipeline
from multiaug.core import registry
from tests.cases import Case, all_cases, make_inputs

DATA_FIELDS = ("image", "audio", "spec")
CASES = {name: case for name, case in sorted(all_cases().items()) if case.cls.modality != "text"}


def _inputs(case: Case, seed: int = 0) -> tuple[dict[str, Any], str]:
    """float64 call arguments with values away from 0 and 1, and the name of the data field."""
    inputs = make_inputs(case.data, 3, seed=seed, dtype="float32")
    field = next(k for k in DATA_FIELDS if isinstance(inputs.get(k), torch.Tensor))
    x = inputs[field]
    x = x.double()
    if field == "image":
        x = 0.1 + 0.8 * x
    else:
        # float64 jitter on the valid samples: order statistics (a clipping percentile) have kinks at ties, and
        # float32 data holds near-ties one float32 step apart that a finite-difference step would cross
        noise = torch.randn(x.shape, generator=torch.Generator().manual_seed(seed + 1), dtype=x.dtype)
        x = x + 1e-4 * noise * (x != 0)
    inputs[field] = x
    return inputs, field


def _output(out: Any, field: str) -> torch.Tensor:
    return out[field] if isinstance(out, dict) else out


def _gradient_variants() -> list[Any]:
    # p < 1 takes other paths (select and merge, identity parameters, apply to all and restore)
    return [
        pytest.param(name, p, id=f"{name}-p{p}")
        for name, case in CASES.items()
        for p in ((1.0,) if case.sets_size else (1.0, 0.5))
    ]


@pytest.mark.parametrize("name,p", _gradient_variants())
def test_gradient_or_detached(name: str, p: float) -> None:
    case = CASES[name]
    aug = case.build(p=p)
    inputs, field = _inputs(case)
    x = inputs[field]
    reference = _output(aug(**inputs, seed=5), field)

    leaf = x.clone().requires_grad_(True)
    before = leaf.detach().clone()
    result, record = aug(**{**inputs, field: leaf}, seed=5, return_params=True)
    out = _output(result, field)
    torch.testing.assert_close(out.detach(), reference, atol=1e-9, rtol=1e-7)
    assert torch.equal(leaf.detach(), before), "the input was modified"
    if not aug.differentiable:
        applied = torch.tensor(record.applied)  # a copy: the record's flags are read-only
        if applied.all():
            assert not out.requires_grad, f"{name} is not differentiable but its output carries a gradient"
            return
        # the samples it leaves out keep their graph (the identity); the ones it changes get none
        (grad,) = torch.autograd.grad(out.sum(), leaf)
        assert torch.equal(grad[~applied], torch.ones_like(grad[~applied]))
        assert torch.equal(grad[applied], torch.zeros_like(grad[applied]))
        return
    assert out.requires_grad, f"{name} is differentiable but its output carries no gradient"

    gen = torch.Generator().manual_seed(1)
    weights = torch.randn(out.shape, generator=gen, dtype=out.dtype)
    direction = torch.randn(x.shape, generator=gen, dtype=x.dtype)
    (grad,) = torch.autograd.grad((out * weights).sum(), leaf)
    assert grad.shape == x.shape and torch.isfinite(grad).all()
    analytic = float((grad * direction).sum())
    eps = 1e-6

    def value(t: torch.Tensor) -> float:
        return float((_output(aug(**{**inputs, field: t}, seed=5), field) * weights).sum())

    numeric = (value(x + eps * direction) - value(x - eps * direction)) / (2 * eps)
    assert abs(analytic - numeric) <= 1e-4 * max(1.0, abs(numeric)), (analytic, numeric)


@pytest.mark.parametrize("name", list(CASES))
def test_no_graph_without_grad_mode(name: str) -> None:
    case = CASES[name]
    inputs, field = _inputs(case)
    leaf = inputs[field].clone().requires_grad_(True)
    with torch.no_grad():
        out = _output(case.build(p=1.0)(**{**inputs, field: leaf}, seed=5), field)
    assert not out.requires_grad


def test_containers_are_differentiable_when_their_children_are() -> None:
    assert Pipeline([mi.HorizontalFlip(), mi.Brightness(0.2)]).differentiable
    assert not Pipeline([mi.HorizontalFlip(), mi.Posterize(bits=(2, 6))]).differentiable
    assert not Pipeline([ma.Gain(), ma.Mp3Compression()]).differentiable


def test_a_pipeline_passes_gradients_through_every_op() -> None:
    aug = Pipeline(
        [mi.Rotate(degrees=20, p=1.0), mi.ColorJitter(0.2, 0.2, 0.2, 0.05, p=1.0), mi.Cutout(4, p=1.0)]
    )
    x = torch.rand(2, 3, 16, 16, requires_grad=True)
    aug(x, seed=0).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_the_architecture_page_lists_the_ops_that_are_not_differentiable() -> None:
    page = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
    section = page.read_text().split("## Gradients", 1)[1].split("\n## ", 1)[0]
    bullet = section.split("**not differentiable**", 1)[1].split("One mechanism", 1)[0]
    listed = set(re.findall(r"`((?:image|audio|spectrogram)\.\w+)`", bullet))
    registry.load_all()
    actual = {name for name in registry.names() if not getattr(registry.get(name), "differentiable", True)}
    assert listed == actual


def _to_device(inputs: dict[str, Any], device: str) -> dict[str, Any]:
    return {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in inputs.items()}


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("name", list(CASES))
def test_cuda_gradient_matches_cpu(name: str) -> None:
    case = CASES[name]
    aug = case.build(p=1.0)
    inputs, field = _inputs(case)
    results = []
    for device in ("cpu", "cuda"):
        data = _to_device(inputs, device)
        leaf = data[field].clone().requires_grad_(True)
        out = _output(aug(**{**data, field: leaf}, seed=5), field)
        assert out.device.type == device and out.requires_grad == aug.differentiable
        grad = None
        if out.requires_grad:
            weights = torch.randn(out.shape, generator=torch.Generator().manual_seed(1), dtype=out.dtype)
            (grad,) = torch.autograd.grad((out * weights.to(device)).sum(), leaf)
        results.append((out.detach().cpu(), None if grad is None else grad.cpu()))
    (cpu_out, cpu_grad), (cuda_out, cuda_grad) = results
    torch.testing.assert_close(cuda_out, cpu_out, atol=1e-9, rtol=1e-7)
    if cpu_grad is not None:
        torch.testing.assert_close(cuda_grad, cpu_grad, atol=1e-8, rtol=1e-6)


@pytest.mark.parametrize(
    "aug,slope",
    [
        (mi.Gamma(gamma=(0.5, 0.5), p=1.0), 0.5),
        (mi.Rotate(degrees=(0.0, 0.0), p=1.0), 1.0),
        (mi.Rotate(degrees=(0.0, 0.0), interpolation="bicubic", p=1.0), 1.0),
        (mi.ElasticTransform(alpha=(0.0, 0.0), p=1.0), 1.0),
        (mi.Brightness(brightness=(1.0, 1.0), p=1.0), 1.0),
        (mi.AugMix(severity=1, mixture_width=1, chain_depth=1, alpha=1.0, p=1.0), None),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, float | None) else str(v),
)
def test_white_pixels_that_stay_white_keep_their_gradient(aug: Any, slope: float | None) -> None:
    # torch's clamp gives a value exactly on a bound a zero gradient: a white background would learn nothing
    x = torch.ones(2, 3, 12, 12, dtype=torch.float64, requires_grad=True)
    out = aug(x, seed=3)
    out.sum().backward()
    assert x.grad is not None
    if slope is not None:
        assert torch.equal(out.detach(), torch.ones_like(out))
        torch.testing.assert_close(x.grad, torch.full_like(x, slope))
    else:
        assert (x.grad != 0).any()
