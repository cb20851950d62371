"""Gradients through the warps, crops and resizes (beyond the contract test, tests/test_autograd.py).

Every kernel path (separable, exact gather, grid_sample, strided resize, slice crops, elastic) in every
interpolation and border, over several chunks: the output of a call on an image that requires grad equals the
no-grad call bit for bit and its gradient is the derivative (central differences in float64, or the op applied to
the direction, the warps being linear); masks follow without a gradient; no reused buffer ever keeps a graph, so
calls with grad can follow each other (and a call whose graph was never used) in any order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import multiaug.image as mi
from multiaug.image.functional import chunks
from multiaug.image.functional.elastic import displace
from multiaug.image.functional.geometry import affine_matrix
from multiaug.image.functional.resize import resize_bilinear
from multiaug.image.functional.warp import warp

BORDERS = [("constant", 0.0), ("constant", (0.2, 0.5, 0.9)), ("reflect", 0.0), ("replicate", 0.0)]
WARPS = {
    "Rotate": lambda **kw: mi.Rotate(40, p=1.0, **kw),
    "Affine": lambda **kw: mi.Affine(20, 0.2, (0.7, 1.3), 10, p=1.0, **kw),
    "AffineShift": lambda **kw: mi.Affine(0, 0.2, 1.0, 0, p=1.0, **kw),  # integer shifts: separable
    "QuarterTurn": lambda **kw: mi.Affine((90, 90), p=1.0, **kw),  # integer inverse: the exact gather
    "Zoom": lambda **kw: mi.Zoom((0.6, 1.6), p=1.0, **kw),
    "Stretch": lambda **kw: mi.Stretch(p=1.0, **kw),
    "Perspective": lambda **kw: mi.Perspective(0.6, p=1.0, **kw),
    "Elastic": lambda **kw: mi.ElasticTransform(p=1.0, **kw),
}
SIZED = {
    "Resize-strided": lambda i: mi.Resize((16, 20), interpolation=i),  # short periods: strided blends
    "Resize-warp": lambda i: mi.Resize((22, 28), interpolation=i),  # long periods: the separable warp
    "Resize-up": lambda i: mi.Resize((31, 37), interpolation=i),
    "RandomResizedCrop": lambda i: mi.RandomResizedCrop((17, 19), interpolation=i),
}
CROPS = {
    "RandomCrop": mi.RandomCrop((11, 13)),
    "RandomCrop-same": mi.RandomCrop((11, 13), same_on_batch=True),
    "RandomCrop-padded": mi.RandomCrop((25, 27), padding=3, fill=(0.1, 0.2, 0.3)),
    "RandomCrop-reflect": mi.RandomCrop((25, 27), padding=3, border="reflect"),
    "CenterCrop": mi.CenterCrop((11, 13)),
    "CenterCrop-padded": mi.CenterCrop((30, 33), fill=0.4),
    "HorizontalFlip": mi.HorizontalFlip(p=1.0),
    "VerticalFlip": mi.VerticalFlip(p=1.0),
    "Rotate90": mi.Rotate90(p=1.0),
}


def _image(n: int = 3, h: int = 23, w: int = 29, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    x = torch.rand((n, 3, h, w), generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    return (0.1 + 0.8 * x).to(dtype)


def _check(aug: Any, x: torch.Tensor, **kw: Any) -> torch.Tensor:
    """The output for ``x`` with grad equals the no-grad output bit for bit; its gradient along a random direction
    equals central differences. Returns the gradient."""
    reference = aug(x, seed=5, **kw)
    leaf = x.clone().requires_grad_(True)
    out = aug(leaf, seed=5, **kw)
    assert out.requires_grad
    assert torch.equal(out.detach(), reference)
    gen = torch.Generator().manual_seed(1)
    weights = torch.randn(out.shape, generator=gen, dtype=out.dtype)
    direction = torch.randn(x.shape, generator=gen, dtype=x.dtype)
    (grad,) = torch.autograd.grad((out * weights).sum(), leaf)
    if x.dtype == torch.float64:
        eps = 1e-6
        plus = float((aug(x + eps * direction, seed=5, **kw) * weights).sum())
        minus = float((aug(x - eps * direction, seed=5, **kw) * weights).sum())
        numeric = (plus - minus) / (2 * eps)
        analytic = float((grad * direction).sum())
        assert abs(analytic - numeric) <= 1e-6 * max(1.0, abs(numeric)), (analytic, numeric)
    return grad


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear", "bicubic"])
@pytest.mark.parametrize(("border", "fill"), BORDERS)
@pytest.mark.parametrize("name", list(WARPS))
def test_warps_pass_the_true_gradient(name: str, border: str, fill: Any, interpolation: str) -> None:
    _check(WARPS[name](interpolation=interpolation, border=border, fill=fill), _image())


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear", "bicubic"])
@pytest.mark.parametrize("name", list(SIZED))
def test_resizes_pass_the_true_gradient(name: str, interpolation: str) -> None:
    _check(SIZED[name](interpolation), _image())


@pytest.mark.parametrize("name", list(CROPS))
def test_crops_and_flips_pass_the_true_gradient(name: str) -> None:
    _check(CROPS[name], _image(h=23, w=23))


@pytest.mark.parametrize(
    "aug",
    [
        mi.Rotate(30, p=1.0),
        mi.Rotate(30, interpolation="bicubic", fill=0.3, p=1.0),
        mi.Affine((90, 90), p=1.0),
        mi.Zoom(p=1.0),
        mi.Resize(48),
        mi.Resize((40, 50), interpolation="bicubic"),
        mi.RandomCrop(40),
        mi.ElasticTransform(border="constant", fill=0.2, p=1.0),
    ],
    ids=repr,
)
def test_float32_over_several_chunks(aug: Any) -> None:
    """float32 64x64: a batch of 20 runs in several chunks; the grad call's values are the no-grad call's."""
    grad = _check(aug, _image(n=20, h=64, w=64, dtype=torch.float32))
    assert grad.abs().sum() > 0


def test_warp_is_linear_so_its_gradient_is_the_adjoint() -> None:
    """<d out/dx . w, d> = <w, warp(d)> for a zero fill (a warp is linear in the image): a hand-computed check."""
    x = _image(n=4)
    m = affine_matrix(23, 29, angle=np.array([30.0, 0.0, 90.0, -7.0]), scale_x=np.array([1.0, 1.3, 1.0, 0.8]))
    for interpolation in ("nearest", "bilinear"):
        leaf = x.clone().requires_grad_(True)
        out = warp(leaf, m, interpolation=interpolation)
        w = torch.rand(out.shape, generator=torch.Generator().manual_seed(2), dtype=out.dtype)
        d = _image(n=4).flip(-1)  # in [0.1, 0.9]: no clamp is active on its warp
        (grad,) = torch.autograd.grad((out * w).sum(), leaf)
        torch.testing.assert_close(
            (grad * d).sum(), (w * warp(d, m, interpolation=interpolation)).sum(), rtol=1e-12, atol=0
        )


def test_functional_kernels_pass_gradients() -> None:
    x = _image().requires_grad_(True)
    field = torch.randn((3, 2, 23, 29), generator=torch.Generator().manual_seed(3)) * 3
    for out in (
        resize_bilinear(x, (16, 20)),
        displace(x, field),
        warp(x, affine_matrix(23, 29, angle=np.full(3, 10.0))),
    ):
        (grad,) = torch.autograd.grad(out.sum(), x)
        assert grad.abs().sum() > 0


@pytest.mark.parametrize(
    "aug",
    [
        mi.Rotate(30, p=1.0),
        mi.Zoom(p=1.0),
        mi.Resize(15),
        mi.RandomResizedCrop(15),
        mi.RandomCrop(15),
        mi.RandomCrop(15, padding=4),
        mi.ElasticTransform(p=1.0),
        mi.Rotate90(p=1.0),
    ],
    ids=repr,
)
def test_masks_follow_without_gradient(aug: Any) -> None:
    x = _image(h=23, w=23)
    mask = torch.randint(0, 5, (3, 1, 23, 23), generator=torch.Generator().manual_seed(4))
    reference = aug(image=x, mask=mask, seed=5)
    out = aug(image=x.clone().requires_grad_(True), mask=mask, seed=5)
    assert out["image"].requires_grad and not out["mask"].requires_grad
    assert torch.equal(out["mask"], reference["mask"]) and torch.equal(
        out["image"].detach(), reference["image"]
    )


@pytest.mark.parametrize("aug", [mi.Rotate(30, p=1.0), mi.Resize(15), mi.RandomResizedCrop(15)], ids=repr)
def test_uint8_still_works_with_grad_mode_on(aug: Any) -> None:
    x = (_image(h=23, w=23) * 255).round().to(torch.uint8)
    out = aug(x, seed=5)
    assert out.dtype == torch.uint8 and not out.requires_grad
    with torch.no_grad():
        assert torch.equal(aug(x, seed=5), out)


def _buffers_with_graph() -> list[Any]:
    return [key for key, buf in getattr(chunks._local, "buffers", {}).items() if buf.requires_grad]


def test_no_reused_buffer_keeps_a_graph_across_calls() -> None:
    """Regression: the grid_sample buffer (and the elastic and resize ones) once kept the graph of a grad call,
    so the next grad call's backward raised "Trying to backward through the graph a second time". Calls with
    grad and backward, again and again, alternating ops, including one whose graph is never used."""
    ops = [
        mi.Affine(20, 0.1, (0.8, 1.2), 5, p=1.0),
        mi.Rotate(20, p=1.0),
        mi.Rotate(20, interpolation="bicubic", fill=0.3, p=1.0),
        mi.ElasticTransform(border="constant", fill=0.2, p=1.0),
        mi.Resize(48),
        mi.Zoom(p=1.0),
        mi.RandomCrop(40, padding=2),
    ]
    # the fast paths fill the buffers first, so that a later grad call could find them
    for op in ops:
        op(torch.rand(20, 3, 64, 64), seed=0)
    unused = torch.rand(20, 3, 64, 64, requires_grad=True)
    ops[0](unused, seed=1)  # a grad call whose graph is dropped unused (as after a failure)
    for round_ in range(2):
        for i, op in enumerate(ops):
            x = torch.rand(20, 3, 64, 64, requires_grad=True)
            out = op(x, seed=round_ * 10 + i)
            out.sum().backward()
            assert x.grad is not None and x.grad.abs().sum() > 0
            assert not _buffers_with_graph(), (type(op).__name__, _buffers_with_graph())
    assert unused.grad is None  # no later backward reached an earlier call's input
    # and the fast path is unchanged after the grad calls
    x = torch.rand(20, 3, 64, 64)
    for op in ops:
        first = op(x, seed=3)
        with torch.no_grad():
            assert torch.equal(op(x.clone().requires_grad_(True), seed=3), first)
