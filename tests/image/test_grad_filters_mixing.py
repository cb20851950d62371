"""Gradients through filters, noise, erasing, mixing and the policies: hand-computed derivatives, gradcheck,
dtypes, the accelerator paths run on the CPU, and the work-buffer cache.

The contract test (tests/test_autograd.py) checks every augmenter in float64 along one random direction; these
check the functional kernels element by element, the values of the plain path against the fast one in the dtypes
it does not run (float32, float16, channels-last, tiny images, per-sample sizes), and that no cache keeps a graph.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch

import multiaug.image as mi
from multiaug.image import policies
from multiaug.image.functional import chunks
from multiaug.image.functional import erasing as E
from multiaug.image.functional import filters as F
from multiaug.image.functional import mixing as M

Kernel = Callable[[torch.Tensor], torch.Tensor]

# every differentiable filter kernel, with per-sample parameters (B = 3)
KERNELS: dict[str, Kernel] = {
    "gaussian": lambda x: F.gaussian_blur(x, [3, 5, 7], [0.5, 1.0, 2.0]),
    "gaussian_sigma_small": lambda x: F.gaussian_blur(x, 5, [1e-3, 0.4, 1e-3]),
    "box": lambda x: F.box_blur(x, [1, 3, 5]),
    "separable": lambda x: F.separable_filter(x, [[0.25, 0.5, 0.25]] * 3, [[0.0, 1.0, 0.0]] * 3),
    "motion": lambda x: F.motion_blur(x, [3, 5, 7], [0.0, 35.0, 120.0], [0.0, 0.5, -1.0]),
    "filter2d": lambda x: F.filter2d(x, np.arange(27.0).reshape(3, 3, 3) / 351.0),
    "median": lambda x: F.median_blur(x, [3, 1, 5]),
    "median3": lambda x: F.median_blur(x, 3),
    "sharpen": lambda x: F.sharpen(x, [0.2, 0.5, 0.0], [0.5, 1.0, 0.7]),
    "sharpness": lambda x: F.adjust_sharpness(x, [0.0, 0.5, 2.0]),
}


def _image(
    shape: tuple[int, ...] = (3, 3, 9, 11), dtype: torch.dtype = torch.float64, seed: int = 0
) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return (0.1 + 0.8 * torch.rand(shape, generator=gen, dtype=torch.float64)).to(dtype)


@pytest.mark.parametrize("name", list(KERNELS))
def test_kernels_pass_gradcheck(name: str) -> None:
    x = _image((3, 2, 7, 8)).requires_grad_(True)
    assert torch.autograd.gradcheck(KERNELS[name], (x,), eps=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", list(KERNELS))
@pytest.mark.parametrize(
    "shape, dtype, channels_last",
    [
        ((3, 3, 9, 11), torch.float32, False),
        ((3, 2, 12, 7), torch.float32, True),
        ((3, 3, 2, 3), torch.float32, False),  # smaller than the padding: mirrored repeatedly
        ((3, 1, 1, 1), torch.float64, False),
        ((3, 3, 10, 9), torch.float16, False),
    ],
)
def test_plain_path_gives_the_fast_path_values(
    name: str, shape: tuple[int, ...], dtype: torch.dtype, channels_last: bool
) -> None:
    x = _image(shape, dtype)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    fast = KERNELS[name](x)
    leaf = x.clone().requires_grad_(True)
    out = KERNELS[name](leaf)
    assert out.requires_grad and out.dtype == dtype and out.shape == x.shape
    tol = {torch.float16: 1e-3, torch.float32: 1e-6, torch.float64: 1e-12}[dtype]
    torch.testing.assert_close(out.detach(), fast, atol=tol, rtol=0)
    out.float().sum().backward()
    assert leaf.grad is not None and torch.isfinite(leaf.grad.float()).all()
    assert torch.equal(leaf.detach(), x)


def test_box_blur_gradient_is_the_window_share() -> None:
    # one row: the vertical pass mirrors the single row onto itself, so out[j] = mean of x[j-1 .. j+1]
    x = _image((1, 1, 1, 6)).requires_grad_(True)
    F.box_blur(x, 3)[0, 0, 0, 2].backward()
    assert x.grad is not None
    torch.testing.assert_close(x.grad[0, 0, 0], torch.tensor([0, 1, 1, 1, 0, 0], dtype=torch.float64) / 3)


def test_gaussian_blur_gradient_at_the_border_counts_the_mirrored_taps() -> None:
    x = _image((1, 1, 1, 5)).requires_grad_(True)
    taps = F.gaussian_taps(3, [0.8])[0]
    F.gaussian_blur(x, 3, [0.8])[0, 0, 0, 0].backward()
    assert x.grad is not None
    # out[0] = t0 x[1] + t1 x[0] + t2 x[1] (reflect 101): x[1] gets both outer taps
    expected = torch.tensor([taps[1], taps[0] + taps[2], 0.0, 0.0, 0.0], dtype=torch.float64)
    torch.testing.assert_close(x.grad[0, 0, 0], expected)


def test_median_gradient_goes_to_the_selected_pixel() -> None:
    x = torch.tensor([[[[0.9, 0.1, 0.5], [0.2, 0.8, 0.3], [0.7, 0.4, 0.6]]]], dtype=torch.float64)
    leaf = x.clone().requires_grad_(True)
    out = F.median_blur(leaf, 3)
    assert float(out[0, 0, 1, 1].detach()) == 0.5  # median of all nine
    out[0, 0, 1, 1].backward()
    assert leaf.grad is not None
    expected = torch.zeros_like(x)
    expected[0, 0, 0, 2] = 1.0
    assert torch.equal(leaf.grad, expected)


def test_sharpen_gradient_is_its_kernel() -> None:
    x = _image((1, 1, 5, 5)).requires_grad_(True)
    a, li = 0.4, 0.6
    out = F.sharpen(x, [a], [li])
    out[0, 0, 2, 2].backward()
    assert x.grad is not None
    expected = torch.full((3, 3), -a, dtype=torch.float64)
    expected[1, 1] = 1 - a + a * (8 + li)
    grad = x.grad[0, 0]
    torch.testing.assert_close(grad[1:4, 1:4], expected)
    outside = torch.ones(5, 5, dtype=torch.bool)
    outside[1:4, 1:4] = False
    assert bool((grad[outside] == 0).all())


def test_sharpness_gradient_inside_and_on_the_border() -> None:
    x = _image((1, 1, 4, 4)).requires_grad_(True)
    f = 1.5
    out = F.adjust_sharpness(x, [f])
    (out[0, 0, 1, 1] + out[0, 0, 0, 3]).backward()
    assert x.grad is not None
    # out = s + f (x - s) inside, s the [[1,1,1],[1,5,1],[1,1,1]]/13 smoothing; the border is copied
    expected = torch.zeros(4, 4, dtype=torch.float64)
    expected[0:3, 0:3] = (1 - f) / 13
    expected[1, 1] = f + (1 - f) * 5 / 13
    expected[0, 3] = 1.0
    torch.testing.assert_close(x.grad[0, 0], expected)


def test_clamped_pixels_get_no_gradient() -> None:
    x = torch.tensor([[[[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]]], dtype=torch.float64)
    leaf = x.clone().requires_grad_(True)
    out = F.sharpen(leaf, [1.0], [1.0])  # the centre becomes 9 - 1 = 8 before the clamp to 1
    assert float(out[0, 0, 1, 1].detach()) == 1.0
    out[0, 0, 1, 1].backward()
    assert leaf.grad is not None and float(leaf.grad.abs().sum()) == 0.0


def test_gaussian_noise_gradient_is_one_where_unclamped() -> None:
    x = torch.full((4, 3, 8, 8), 0.5, dtype=torch.float64, requires_grad=True)
    aug = mi.GaussianNoise(std=(0.01, 0.02), mean=0.1, p=1.0)
    out = aug(x, seed=3)
    torch.testing.assert_close(out.detach(), aug(x.detach(), seed=3), atol=1e-12, rtol=0)
    out.sum().backward()
    assert x.grad is not None and bool((x.grad == 1.0).all())


def test_gaussian_noise_same_values_in_float32_and_grey_noise() -> None:
    x = _image((5, 3, 6, 7), torch.float32)
    aug = mi.GaussianNoise(std=(0.05, 0.3), per_channel=False, p=1.0)
    out = aug(x.clone().requires_grad_(True), seed=1)
    assert out.requires_grad
    torch.testing.assert_close(out.detach(), aug(x, seed=1), atol=1e-6, rtol=0)


def _buffers_hold_no_graph() -> bool:
    buffers = getattr(chunks._local, "buffers", {})
    return not any(b.requires_grad for b in buffers.values())


@pytest.mark.parametrize("name", list(KERNELS))
def test_no_work_buffer_keeps_a_graph_and_later_calls_leave_the_graph_alone(name: str) -> None:
    x = _image().requires_grad_(True)
    out = KERNELS[name](x)
    expected = torch.autograd.grad(out.sum(), x, retain_graph=True)[0]
    assert _buffers_hold_no_graph()
    for _ in range(2):  # no-grad calls reuse the buffers (they must not be part of the graph above)
        KERNELS[name](_image(seed=1))
        KERNELS[name](_image(seed=2).float())
    (again,) = torch.autograd.grad(out.sum(), x)
    assert torch.equal(again, expected)
    assert _buffers_hold_no_graph()


def test_uint8_images_keep_their_fast_path() -> None:
    x = (torch.rand(4, 3, 11, 13) * 255).round().to(torch.uint8)
    for kernel in KERNELS.values():
        out = kernel(x[:3])
        assert out.dtype == torch.uint8 and not out.requires_grad
    with torch.no_grad():
        leaf = _image().requires_grad_(True)
        assert not KERNELS["gaussian"](leaf).requires_grad


# -- mixing --------------------------------------------------------------------------------------------------


def test_mix_pairs_gradient_is_lam_and_its_complement() -> None:
    x = _image((4, 2, 3, 3)).requires_grad_(True)
    partner = np.array([1, 2, 3, 0])
    lam = np.array([0.2, 0.5, 0.9, 0.7])
    out = M.mix_pairs(x, partner, lam)
    torch.testing.assert_close(out.detach(), M.mix_pairs(x.detach(), partner, lam), atol=1e-15, rtol=0)
    out.sum().backward()
    assert x.grad is not None
    # d sum / d x_j = lam_j + (1 - lam_i) for the i whose partner is j
    expected = lam + (1 - lam)[np.argsort(partner)]
    torch.testing.assert_close(x.grad[:, 0, 0, 0], torch.as_tensor(expected))


def test_mix_pairs_gradient_flows_to_the_other_batch() -> None:
    x = _image((2, 1, 2, 2))
    other = _image((2, 1, 2, 2), seed=1).requires_grad_(True)
    out = M.mix_pairs(x, np.array([1, 0]), np.array([0.25, 0.75]), other=other)
    out.sum().backward()
    assert other.grad is not None
    torch.testing.assert_close(other.grad[:, 0, 0, 0], torch.tensor([0.25, 0.75], dtype=torch.float64))


def test_mix_pairs_float32_and_float16_values() -> None:
    for dtype, tol in ((torch.float32, 1e-7), (torch.float16, 1e-3)):
        x = _image((5, 3, 4, 4), dtype)
        partner, lam = np.array([4, 0, 1, 2, 3]), np.array([0.3, 0.3, 0.3, 0.3, 0.3])
        out = M.mix_pairs(x.clone().requires_grad_(True), partner, lam)
        assert out.dtype == dtype and out.requires_grad
        torch.testing.assert_close(out.detach(), M.mix_pairs(x, partner, lam), atol=tol, rtol=0)


def test_cutmix_gradient_is_one_hot_per_pixel() -> None:
    x = _image((3, 2, 8, 8)).requires_grad_(True)
    aug = mi.MixupCutMix(switch_prob=0.5, mode="sample")
    out = aug(x, seed=2)
    out.sum().backward()
    assert x.grad is not None
    # each output pixel comes from one input pixel (CutMix) or a convex pair (Mixup): the weights sum to 1
    torch.testing.assert_close(x.grad.sum(), torch.tensor(float(out.numel()), dtype=torch.float64))


# -- erasing -------------------------------------------------------------------------------------------------


def test_erase_blend_path_gives_the_slice_path_with_gradients() -> None:
    # the accelerator path (a 0/1 blend), run on the CPU
    x = _image((2, 3, 6, 7))
    boxes = torch.tensor([[[1, 1, 4, 3], [0, 5, 2, 7]], [[2, 2, 2, 6], [3, 0, 6, 4]]])
    for value in (0.0, (0.1, 0.2, 0.3), torch.rand(2, 3, 6, 7, dtype=torch.float64)):
        fill = E.as_fill(value, 3, x.dtype, x.device)
        leaf = x.clone().requires_grad_(True)
        out = E._erase_by_blend(leaf, boxes, fill)
        assert torch.equal(out.detach(), E.erase(x, boxes.numpy(), value))
        out.sum().backward()
        assert leaf.grad is not None
        kept = 1.0 - E.box_mask(boxes, 6, 7).unsqueeze(1).double().expand_as(x)
        assert torch.equal(leaf.grad, kept)


def test_erase_fast_blend_is_unchanged_without_grad() -> None:
    x = _image((2, 3, 6, 7), torch.float32)
    boxes = torch.tensor([[[1, 1, 4, 3]], [[2, 2, 5, 6]]])
    fill = E.as_fill((0.1, 0.2, 0.3), 3, x.dtype, x.device)
    assert torch.equal(E._erase_by_blend(x, boxes, fill), E.erase(x, boxes.numpy(), (0.1, 0.2, 0.3)))


# -- policies ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", sorted(policies._PIECEWISE_CONSTANT))
def test_piecewise_constant_policy_steps_have_zero_gradient_on_the_graph(op: str) -> None:
    x = _image((2, 3, 8, 8)).requires_grad_(True)
    m = np.array([3.0, 5.0])
    out = policies._color(op, x, m)
    assert out.requires_grad
    assert torch.equal(out.detach(), policies._color(op, x.detach(), m))
    out.sum().backward()
    assert x.grad is not None and float(x.grad.abs().sum()) == 0.0


def test_a_policy_output_carries_a_gradient_even_when_every_step_quantises() -> None:
    posterize = policies.OPS.index("Posterize")
    aug = mi.TrivialAugmentWide()
    x = _image((1, 3, 8, 8))
    seed = next(
        s for s in range(500) if aug(x, seed=s, return_params=True)[1].params["op"][0, 0] == posterize
    )
    leaf = x.clone().requires_grad_(True)
    out = aug(leaf, seed=seed)
    assert out.requires_grad
    assert torch.equal(out.detach(), aug(x, seed=seed))
    out.sum().backward()
    assert leaf.grad is not None and float(leaf.grad.abs().sum()) == 0.0


@pytest.mark.parametrize(
    "aug",
    [mi.RandAugment(num_ops=3, interpolation="bilinear"), mi.TrivialAugmentWide(interpolation="bilinear"),
     mi.AutoAugment("cifar10", interpolation="bilinear"), mi.AugMix(all_ops=True)],
    ids=["RandAugment", "TrivialAugmentWide", "AutoAugment", "AugMix"],
)  # fmt: skip
def test_policies_match_their_no_grad_values_in_float32(aug: mi.ImageAugmenter) -> None:
    x = _image((6, 3, 12, 12), torch.float32)
    leaf = x.clone().requires_grad_(True)
    out = aug(leaf, seed=4)
    assert out.requires_grad and aug.differentiable
    torch.testing.assert_close(out.detach(), aug(x, seed=4), atol=1e-5, rtol=0)
    out.sum().backward()
    assert leaf.grad is not None and torch.isfinite(leaf.grad).all()


def test_image_compression_is_not_differentiable() -> None:
    aug = mi.ImageCompression(p=1.0)
    assert not aug.differentiable
    x = _image((2, 3, 16, 16), torch.float32).requires_grad_(True)
    out = aug(x, seed=0)
    assert not out.requires_grad and torch.equal(out, aug(x.detach(), seed=0))
