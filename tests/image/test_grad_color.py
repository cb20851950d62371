"""Gradients through the colour kernels: hand-computed derivatives, gradcheck, dtypes and the work-buffer cache.

The contract test (tests/test_autograd.py) checks every augmenter in float64 along one random direction; these
check the functional kernels element by element, the dtypes it does not run, and that no cache keeps a graph.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch

import multiaug.image as mi
from multiaug.image.functional import chunks
from multiaug.image.functional import color as F

Kernel = Callable[[torch.Tensor], torch.Tensor]

B = 3
PERM = np.array([[2, 0, 1], [0, 1, 2], [1, 2, 0]])
ORDER = np.array([[3, 1, 0, 2], [1, 2, 3, 0], [0, 1, 2, 3]])

# every differentiable colour kernel, with parameters that keep most values inside [0, 1]
KERNELS: dict[str, Kernel] = {
    "brightness": lambda x: F.adjust_brightness(x, [0.7, 1.2, 0.9]),
    "contrast_rgb": lambda x: F.adjust_contrast(x, [0.6, 1.3, 0.8]),
    "contrast_gray": lambda x: F.adjust_contrast(x[:, :1], [0.6, 1.3, 0.8]),
    "saturation": lambda x: F.adjust_saturation(x, [0.3, 1.4, 0.0]),
    "hue": lambda x: F.adjust_hue(x, [0.1, -0.3, 0.5]),
    "color_jitter": lambda x: F.color_jitter(
        x, [0.9, 1.1, 1.0], [0.7, 1.2, 0.9], [1.3, 0.6, 1.0], 0.05, ORDER
    ),
    "rgb_shift": lambda x: F.rgb_shift(x, [[0.05, -0.05, 0.02], [0.0, 0.03, -0.04], [0.01, 0.0, 0.0]]),
    "channel_affine": lambda x: F.channel_affine(
        x, [[0.5, 1.0, -0.3], [1.1, 0.2, 0.9], [0.7, 0.7, 0.7]], 0.1, mean_gain=np.full((B, 3, 3), 0.05)
    ),
    "color_affine": lambda x: F.color_affine(
        x, np.eye(3) * 0.6 + 0.1, [0.05, -0.02, 0.0], mean_gain=np.full((B, 3, 3), 0.03)
    ),
    "to_gray": F.to_gray,
    "gamma": lambda x: F.adjust_gamma(x, [0.5, 1.0, 2.2]),
    "solarize": lambda x: F.solarize(x, [0.3, 0.5, 1.0]),
    "autocontrast": F.autocontrast,
    "invert": F.invert,
    "channel_shuffle": lambda x: F.channel_shuffle(x, PERM),
    "normalize": lambda x: F.normalize(x, [0.4, 0.5, 0.6], [0.2, 0.3, 0.25]),
}


def _image(
    dtype: torch.dtype = torch.float64, shape: tuple[int, ...] = (B, 3, 5, 4), seed: int = 0
) -> torch.Tensor:
    """Values in [0.1, 0.9], away from the clamps and from solarize's thresholds."""
    gen = torch.Generator().manual_seed(seed)
    x = 0.1 + 0.8 * torch.rand(shape, generator=gen, dtype=torch.float64)
    x[(x - 0.3).abs() < 1e-3] += 2e-3
    x[(x - 0.5).abs() < 1e-3] += 2e-3
    return x.to(dtype)


@pytest.mark.parametrize("name", list(KERNELS))
def test_gradcheck(name: str) -> None:
    x = _image().requires_grad_(True)
    assert torch.autograd.gradcheck(KERNELS[name], (x,), eps=1e-6, atol=1e-7, rtol=1e-5)


@pytest.mark.parametrize("name", list(KERNELS))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_other_float_dtypes(name: str, dtype: torch.dtype) -> None:
    x = _image(dtype, shape=(B, 3, 9, 11))
    reference = KERNELS[name](x)
    leaf = x.clone().requires_grad_(True)
    out = KERNELS[name](leaf)
    assert out.requires_grad and out.dtype == reference.dtype and out.shape == reference.shape
    assert out.is_contiguous()
    tol = {torch.float32: 1e-6, torch.float16: 1e-3, torch.bfloat16: 8e-3}[dtype]
    torch.testing.assert_close(out.detach().float(), reference.float(), atol=tol, rtol=tol)
    out.float().sum().backward()
    assert leaf.grad is not None and leaf.grad.dtype == dtype and torch.isfinite(leaf.grad.float()).all()


@pytest.mark.parametrize("name", list(KERNELS))
def test_uint8_and_detached_input_unchanged_in_grad_mode(name: str) -> None:
    """Grad mode on, nothing requires grad: the fast paths run (uint8 included) and nothing is recorded."""
    x8 = (_image(torch.float32) * 255).round().to(torch.uint8)
    for x in (x8, _image(torch.float32)):
        out = KERNELS[name](x)
        assert not out.requires_grad
        with torch.no_grad():
            assert torch.equal(out, KERNELS[name](x))


@pytest.mark.parametrize("name", list(KERNELS))
def test_strided_input(name: str) -> None:
    x = _image(shape=(B, 3, 6, 7)).transpose(2, 3)
    leaf = x.detach().clone().transpose(2, 3).contiguous().transpose(2, 3).requires_grad_(True)
    assert not leaf.is_contiguous()
    out = KERNELS[name](leaf)
    torch.testing.assert_close(out.detach(), KERNELS[name](x), atol=1e-12, rtol=1e-12)
    out.sum().backward()
    assert leaf.grad is not None and leaf.grad.shape == x.shape


def _grad(fn: Kernel, x: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
    leaf = x.clone().requires_grad_(True)
    out = fn(leaf)
    (grad,) = torch.autograd.grad(out if weights is None else out * weights, leaf, torch.ones_like(out))
    return grad


def test_brightness_gradient_is_the_factor_and_zero_where_clamped() -> None:
    x = torch.tensor([[[[0.2, 0.5, 0.8]]], [[[0.2, 0.5, 0.8]]]], dtype=torch.float64)
    grad = _grad(lambda v: F.adjust_brightness(v, [0.5, 1.5]), x)
    assert grad.flatten().tolist() == [0.5, 0.5, 0.5, 1.5, 1.5, 0.0]  # 0.8 * 1.5 = 1.2 is clamped


def test_contrast_gradient_includes_the_mean() -> None:
    """``y = f x + (1 - f) mean(x)``: ``dL/dx_i = f w_i + (1 - f) mean(w)`` for ``L = sum(w y)``."""
    x = _image(shape=(1, 1, 4, 4))
    w = torch.randn(x.shape, generator=torch.Generator().manual_seed(3), dtype=x.dtype)
    f = 0.7
    grad = _grad(lambda v: F.adjust_contrast(v, [f]), x, w)
    torch.testing.assert_close(grad, f * w + (1 - f) * w.mean(), atol=1e-15, rtol=0)


def test_contrast_rgb_gradient_includes_the_mean_grey() -> None:
    x = _image(shape=(1, 3, 4, 4))
    w = torch.randn(x.shape, generator=torch.Generator().manual_seed(4), dtype=x.dtype)
    f = 1.3
    grad = _grad(lambda v: F.adjust_contrast(v, [f]), x, w)
    gray = torch.as_tensor(F.GRAY_WEIGHTS)[None, :, None, None]
    expected = f * w + (1 - f) * gray * w.sum(dim=1, keepdim=True).mean()
    torch.testing.assert_close(grad, expected, atol=1e-14, rtol=0)


def test_autocontrast_gradient_through_min_and_max() -> None:
    """``y = (x - lo) / (hi - lo)`` on one channel [lo, m, hi]; L = y_m, the only output that moves."""
    x = torch.tensor([[[[0.2, 0.5, 0.6]]]], dtype=torch.float64)
    w = torch.tensor([[[[0.0, 1.0, 0.0]]]], dtype=torch.float64)
    grad = _grad(F.autocontrast, x, w).flatten().tolist()
    lo, m, hi = 0.2, 0.5, 0.6
    span = hi - lo
    expected = [-(1 / span) + (m - lo) / span**2, 1 / span, -(m - lo) / span**2]
    np.testing.assert_allclose(grad, expected, rtol=1e-12)


def test_autocontrast_flat_channel_has_identity_gradient() -> None:
    x = torch.full((1, 1, 2, 2), 0.4, dtype=torch.float64)
    assert _grad(F.autocontrast, x).flatten().tolist() == [1.0] * 4


def test_to_gray_gradient_is_three_times_the_weights() -> None:
    grad = _grad(F.to_gray, _image(shape=(2, 3, 2, 2)))
    expected = 3 * torch.as_tensor(F.GRAY_WEIGHTS)[None, :, None, None].expand(2, 3, 2, 2)
    torch.testing.assert_close(grad, expected, atol=1e-15, rtol=0)


def test_hue_gradient_is_the_transposed_matrix() -> None:
    x = _image(shape=(1, 3, 3, 3)) * 0.2 + 0.4  # a small hue turn keeps these inside [0, 1]
    w = torch.randn(x.shape, generator=torch.Generator().manual_seed(5), dtype=x.dtype)
    grad = _grad(lambda v: F.adjust_hue(v, [0.05]), x, w)
    m = torch.as_tensor(F.hue_matrix([0.05])[0])
    torch.testing.assert_close(grad, torch.einsum("ji,bjhw->bihw", m, w), atol=1e-14, rtol=0)


def test_solarize_gradient_is_minus_one_above_the_threshold() -> None:
    x = torch.tensor([[[[0.2, 0.49, 0.5, 0.9]]]], dtype=torch.float64)
    assert _grad(lambda v: F.solarize(v, [0.5]), x).flatten().tolist() == [1.0, 1.0, -1.0, -1.0]


def test_gamma_gradient() -> None:
    x = torch.tensor([[[[0.25, 0.5, 0.81]]]], dtype=torch.float64)
    grad = _grad(lambda v: F.adjust_gamma(v, [0.5]), x)
    torch.testing.assert_close(grad, 0.5 * x**-0.5, atol=1e-15, rtol=1e-14)


def test_channel_shuffle_gradient_is_the_inverse_permutation() -> None:
    x = _image(shape=(B, 3, 2, 2))
    w = torch.randn(x.shape, generator=torch.Generator().manual_seed(6), dtype=x.dtype)
    grad = _grad(lambda v: F.channel_shuffle(v, PERM), x, w)
    for b in range(B):
        for j in range(3):
            assert torch.equal(grad[b, PERM[b, j]], w[b, j])


def test_normalize_gradient_is_one_over_std() -> None:
    grad = _grad(lambda v: F.normalize(v, [0.1, 0.2, 0.3], [0.5, 0.25, 2.0]), _image(shape=(1, 3, 2, 2)))
    assert grad[0, :, 0, 0].tolist() == [2.0, 4.0, 0.5]


def test_a_scale_tensor_with_a_graph_gets_its_gradient() -> None:
    """channel_affine keeps the graph of tensor parameters (autocontrast passes its min/max through them)."""
    x = _image(shape=(2, 3, 2, 2)).requires_grad_(True)
    scale = torch.full((2, 3), 0.5, dtype=torch.float64, requires_grad=True)
    F.channel_affine(x, scale, 0.0).sum().backward()
    assert scale.grad is not None
    torch.testing.assert_close(scale.grad, x.detach().sum(dim=(2, 3)), atol=1e-14, rtol=0)


@pytest.mark.parametrize(
    "aug",
    [
        mi.Brightness(0.3, p=1.0),
        mi.Contrast(0.3, p=1.0),
        mi.ColorJitter(0.3, 0.3, 0.3, 0.1, p=1.0),
        mi.ToGray(p=1.0),
        mi.Solarize(0.5, p=1.0),
        mi.Gamma((0.5, 2.0), p=1.0),
        mi.AutoContrast(p=1.0),
        mi.ChannelShuffle(p=1.0),
    ],
    ids=lambda a: type(a).__name__,
)
@pytest.mark.parametrize("p", [0.5, 1.0])
def test_repeated_calls_and_backwards_share_no_graph(aug: mi.ImageAugmenter, p: float) -> None:
    """Two grad calls, each with its own backward (no 'backward through the graph a second time'), a no-grad
    call in between gives the bit-identical fast result, and no work buffer keeps a graph."""
    aug.p = p
    x = _image(torch.float32, shape=(9, 3, 8, 8))
    with torch.no_grad():
        fast = aug(x, seed=2)
    for _ in range(2):
        leaf = x.clone().requires_grad_(True)
        aug(leaf, seed=2).sum().backward()
        assert leaf.grad is not None
        assert torch.equal(aug(x, seed=2), fast)
    cache = getattr(chunks._local, "buffers", {})
    assert not any(buf.requires_grad for buf in cache.values())


def test_work_buffer_drops_a_buffer_written_with_a_graph() -> None:
    """A kernel that copies an input that requires grad into a work buffer gives the buffer a graph: the next
    request gets a fresh buffer instead of the one holding that graph."""
    buf = chunks.work_buffer("test_grad_color", (2, 3), torch.float32, torch.device("cpu"))
    buf.copy_(torch.ones(2, 3, requires_grad=True))
    assert buf.requires_grad
    again = chunks.work_buffer("test_grad_color", (2, 3), torch.float32, torch.device("cpu"))
    assert not again.requires_grad
    assert chunks.work_buffer("test_grad_color", (2, 3), torch.float32, torch.device("cpu")).data_ptr() == (
        again.data_ptr()
    )


def test_map_chunks_without_plain_keeps_its_path_and_map_plain_needs_float() -> None:
    x = torch.rand(2, 1, 3, 3)
    out = chunks.map_chunks(x, lambda s, d, sl, u: torch.mul(s, 2.0, out=d), plain=lambda v: v * 3.0)
    torch.testing.assert_close(out, (x * 2.0).clamp(0, 1))  # no grad: the chunk function
    leaf = x.clone().requires_grad_(True)
    out = chunks.map_chunks(leaf, lambda s, d, sl, u: torch.mul(s, 2.0, out=d), plain=lambda v: v * 3.0)
    torch.testing.assert_close(out.detach(), (x * 3.0).clamp(0, 1))  # grad: the plain formula
    with pytest.raises(TypeError, match="float"):
        chunks.map_plain(torch.zeros(1, dtype=torch.uint8), lambda v: v)


@pytest.mark.parametrize(
    "aug", [mi.Posterize((1, 6), p=1.0), mi.Equalize(p=1.0)], ids=lambda a: type(a).__name__
)
def test_quantisers_are_not_differentiable(aug: mi.ImageAugmenter) -> None:
    assert not aug.differentiable
    x = _image(torch.float32, shape=(2, 3, 8, 8))
    out = aug(x.clone().requires_grad_(True), seed=1)
    assert not out.requires_grad
    assert torch.equal(out, aug(x, seed=1))


def test_float_conversions_keep_the_graph() -> None:
    from multiaug.image.functional.convert import from_float, to_float

    leaf = torch.tensor([0.25, 0.5, 1.5], dtype=torch.float64, requires_grad=True)
    out = from_float(to_float(leaf), torch.float64)
    out.sum().backward()
    assert out.tolist() == [0.25, 0.5, 1.0]
    assert leaf.grad is not None and leaf.grad.tolist() == [1.0, 1.0, 0.0]


def test_gamma_gives_finite_gradients_at_black_pixels() -> None:
    # x ** g for g < 1 has an infinite derivative at 0; a zero incoming gradient (erased or clamped pixels
    # downstream) would make it NaN and poison a model's weights: there the gradient is 0, the value 0
    x = torch.tensor([[[[0.0, 0.25, 0.0, 1.0]]]], dtype=torch.float64, requires_grad=True)
    out = mi.Gamma(gamma=(0.5, 0.5), p=1.0)(x, seed=0)
    assert out.detach().flatten().tolist() == [0.0, 0.5, 0.0, 1.0]
    (out * torch.tensor([[[[0.0, 1.0, 1.0, 1.0]]]], dtype=torch.float64)).sum().backward()
    assert torch.isfinite(x.grad).all()
    torch.testing.assert_close(x.grad.flatten(), torch.tensor([0.0, 1.0, 0.0, 0.5], dtype=torch.float64))
