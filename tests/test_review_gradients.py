"""Second review of gradient support: the inputs the contract test (float64, contiguous leaves, p = 1 and 0.5)
does not feed.

Defects found: audio Mixup's ``mix_by="snr"`` gave NaN gradients (a clip left unmixed, two silent clips mixed);
ImageCompression failed under ``torch.inference_mode()`` once its codec ran in threads. The other tests pin down
what held: apply-to-all-and-restore at p < 1 in every float dtype, views and non-leaf inputs, masks that require
grad, containers at p < 1, replays, and no cache keeping a graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch

import multiaug as mg
import multiaug.audio as ma
import multiaug.image as mi
from multiaug.audio.functional import stft
from multiaug.audio.functional.codec import mp3_supported
from multiaug.image.functional import chunks


@pytest.fixture
def two_threads() -> Iterator[None]:
    """torch may use two threads (the codecs then run in a thread pool), whatever the machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _clips(n: int, frames: int = 2000, silent: tuple[int, ...] = ()) -> torch.Tensor:
    gen = torch.Generator().manual_seed(0)
    x = 0.1 * torch.randn((n, 2, frames), generator=gen)
    for i in silent:
        x[i] = 0.0
    return x


# -- defect: audio Mixup by SNR ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mode, n, silent",
    [
        ("pair", 3, ()),  # the odd clip out keeps lam = 1: its partner's weight sqrt(1 - lam) is 0
        ("batch", 4, (2,)),  # a silent clip mixed with a sounding partner
        ("sample", 4, (1, 2)),  # silent clips, some paired with each other
    ],
)
def test_audio_mixup_by_snr_has_finite_gradients(mode: str, n: int, silent: tuple[int, ...]) -> None:
    aug = ma.Mixup(mix_by="snr", mode=mode, p=1.0)
    x = _clips(n, silent=silent)
    for seed in range(6):
        reference = aug(x, sample_rate=16000, seed=seed)
        leaf = x.clone().requires_grad_(True)
        out = aug(leaf, sample_rate=16000, seed=seed)
        assert torch.equal(out.detach(), reference)
        weights = torch.randn(out.shape, generator=torch.Generator().manual_seed(seed))
        (grad,) = torch.autograd.grad((out * weights).sum(), leaf)
        assert torch.isfinite(grad).all(), (mode, seed)


def test_audio_mixup_by_snr_gradient_of_an_unmixed_clip_is_the_identity() -> None:
    x = _clips(3).double()
    aug = ma.Mixup(mix_by="snr", mode="pair", p=1.0)
    lam = aug(x, sample_rate=16000, seed=0, return_params=True)[1].params["lam"]
    alone = int(np.flatnonzero(lam == 1.0)[0])  # three clips in pairs: one is left alone
    leaf = x.clone().requires_grad_(True)
    out = aug(leaf, sample_rate=16000, seed=0)
    weights = torch.randn(out.shape, dtype=out.dtype, generator=torch.Generator().manual_seed(1))
    (grad,) = torch.autograd.grad((out * weights).sum(), leaf)
    torch.testing.assert_close(grad[alone], weights[alone])


# -- defect: a codec in threads under inference mode ------------------------------------------------------------


@pytest.mark.parametrize("p", [1.0, 0.5])
def test_image_compression_runs_in_inference_mode(two_threads: None, p: float) -> None:
    aug = mi.ImageCompression(quality=(40, 90), p=p)
    x = torch.rand(4, 3, 24, 32, generator=torch.Generator().manual_seed(0))
    reference = aug(x, seed=3)
    with torch.inference_mode():
        inside = aug(x.clone(), seed=3)
    assert torch.equal(inside, reference)
    assert torch.equal(aug(x, seed=3), reference)  # and the same afterwards


def test_mp3_compression_runs_in_inference_mode(two_threads: None) -> None:
    if not mp3_supported():
        pytest.skip("this libsndfile cannot encode MP3")
    aug = ma.Mp3Compression(bitrate_kbps=(32, 64), p=1.0)
    x = _clips(3, frames=4000)
    reference = aug(x, sample_rate=16000, seed=1)
    with torch.inference_mode():
        inside = aug(x.clone(), sample_rate=16000, seed=1)
    assert torch.equal(inside, reference)


# -- what held: apply to all and restore, identity parameters, at p < 1 -----------------------------------------

# ops whose p < 1 path applies to every sample and puts the left-out ones back in place (restore_rows), or
# applies identity parameters to them
RESTORING: dict[str, Any] = {
    "Brightness": lambda: mi.Brightness(0.3, p=0.5),
    "RGBShift": lambda: mi.RGBShift(0.1, 0.1, 0.1, p=0.5),
    "ChannelShuffle": lambda: mi.ChannelShuffle(p=0.5),
    "ToGray": lambda: mi.ToGray(p=0.5),
    "Invert": lambda: mi.Invert(p=0.5),
    "HorizontalFlip": lambda: mi.HorizontalFlip(p=0.5),
    "VerticalFlip": lambda: mi.VerticalFlip(p=0.5),
    "Cutout": lambda: mi.Cutout(5, p=0.5),
    "RandomErasing": lambda: mi.RandomErasing(p=0.5),
    "PolarityInversion": lambda: ma.PolarityInversion(p=0.5),
    "Reverse": lambda: ma.Reverse(p=0.5),
    "Gain": lambda: ma.Gain(p=0.5),
    "Shift": lambda: ma.Shift(p=0.5),
    "TimeMask": lambda: ma.TimeMask(p=0.5),
}
LAYOUTS = {
    "float32": (torch.float32, False),
    "float16": (torch.float16, False),
    "bfloat16": (torch.bfloat16, False),
    "float64": (torch.float64, False),
    "channels_last": (torch.float32, True),  # images only
}
_AUDIO_OPS = ("PolarityInversion", "Reverse", "Gain", "Shift", "TimeMask")
_LENGTHS = torch.tensor([2000, 1500, 2000, 900, 2000, 1700])


def _call(aug: Any, x: torch.Tensor, rows: Any = None, **kw: Any) -> Any:
    """``aug`` on images, or on clips of ``_LENGTHS`` (of ``rows``); the data, or (data, record)."""
    if aug.modality == "image":
        return aug(x, **kw)
    lengths = _LENGTHS[: len(x)] if rows is None else _LENGTHS[rows]
    out = aug(audio=x, sample_rate=16000, lengths=lengths, **kw)
    return (out[0]["audio"], out[1]) if kw.get("return_params") else out["audio"]


@pytest.mark.parametrize(
    "name, layout",
    [(n, k) for n in RESTORING for k in LAYOUTS if not (n in _AUDIO_OPS and k == "channels_last")],
)
def test_rows_left_out_at_p_below_one_keep_the_identity_gradient(name: str, layout: str) -> None:
    aug = RESTORING[name]()
    dtype, channels_last = LAYOUTS[layout]
    if aug.modality == "image":
        x = torch.rand(6, 3, 12, 14, generator=torch.Generator().manual_seed(0)).to(dtype)
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
    else:  # clips of several lengths, zero past each
        x = _clips(6).to(dtype) * (torch.arange(2000) < _LENGTHS[:, None, None])
    seed = next(s for s in range(100) if 0 < _call(aug, x, seed=s, return_params=True)[1].applied.sum() < 6)
    applied = _call(aug, x, seed=seed, return_params=True)[1].applied.astype(bool)
    leaf = x.clone().requires_grad_(True)
    out = _call(aug, leaf, seed=seed)
    torch.testing.assert_close(out.detach(), _call(aug, x, seed=seed), atol=0, rtol=0)
    weights = torch.randn(out.shape, generator=torch.Generator().manual_seed(1)).to(dtype)
    (grad,) = torch.autograd.grad((out * weights).sum(), leaf)
    left_out = torch.as_tensor(np.flatnonzero(~applied))
    assert torch.equal(grad[left_out], weights[left_out])
    # the applied rows get the gradient of the op on them alone (same keys, so the same draws)
    rows = np.flatnonzero(applied)
    part = x[rows].clone().requires_grad_(True)
    alone = _call(aug, part, rows, seed=seed, keys=rows)
    (expected,) = torch.autograd.grad((alone * weights[rows]).sum(), part)
    torch.testing.assert_close(grad[rows], expected, atol=0, rtol=0)


# -- what held: views, non-leaf inputs and masks that require grad ---------------------------------------------

SAMPLED: dict[str, Any] = {
    "Rotate": lambda: mi.Rotate(25, p=1.0),
    "Perspective": lambda: mi.Perspective(p=1.0),
    "RandomResizedCrop": lambda: mi.RandomResizedCrop(9, p=1.0),
    "ElasticTransform": lambda: mi.ElasticTransform(p=1.0),
    "GaussianBlur": lambda: mi.GaussianBlur(p=1.0),
    "MedianBlur": lambda: mi.MedianBlur(p=1.0),
    "Sharpness": lambda: mi.Sharpness(p=1.0),
    "ColorJitter": lambda: mi.ColorJitter(0.3, 0.3, 0.3, 0.1, p=1.0),
    "AutoContrast": lambda: mi.AutoContrast(p=1.0),
    "Normalize": lambda: mi.Normalize(),
    "RandAugment": lambda: mi.RandAugment(),
}


def _view(kind: str, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(leaf, input): the input a view of, or a result computed from, the leaf."""
    if kind == "strided":
        leaf = torch.cat([x, x], dim=-1).requires_grad_(True)
        return leaf, leaf[..., ::2]
    if kind == "expanded":  # one image repeated without a copy (stride 0)
        leaf = x[:1].clone().requires_grad_(True)
        return leaf, leaf.expand_as(x)
    leaf = x.clone().requires_grad_(True)
    return leaf, (leaf * 1.0).contiguous(memory_format=torch.channels_last)


@pytest.mark.parametrize("kind", ["strided", "expanded", "channels_last"])
@pytest.mark.parametrize("name", list(SAMPLED))
def test_views_and_non_leaf_inputs_take_the_gradient_path(name: str, kind: str) -> None:
    aug = SAMPLED[name]()
    x = 0.1 + 0.8 * torch.rand(4, 3, 14, 17, generator=torch.Generator().manual_seed(2))
    leaf, view = _view(kind, x)
    before = leaf.detach().clone()
    out = aug(view, seed=4)
    torch.testing.assert_close(out.detach(), aug(view.detach().clone(), seed=4), atol=1e-6, rtol=1e-5)
    assert out.requires_grad
    out.sum().backward()
    assert leaf.grad is not None and torch.isfinite(leaf.grad).all()
    assert torch.equal(leaf.detach(), before)


def _graph_in_caches() -> list[Any]:
    """Keys of reused buffers (image work buffers, this thread's audio workspace) that carry a graph."""
    held = [k for k, t in getattr(chunks._local, "buffers", {}).items() if t.requires_grad]
    return held + [k for k, t in stft.workspace()._buffers.items() if t.requires_grad]


@pytest.mark.parametrize(
    "name", ["Rotate", "RandomResizedCrop", "ElasticTransform", "GaussianBlur", "Sharpness"]
)
def test_a_mask_that_requires_grad_beside_an_image_that_does_not(name: str) -> None:
    aug = SAMPLED[name]()
    gen = torch.Generator().manual_seed(3)
    image = torch.rand(3, 3, 14, 17, generator=gen)
    mask = torch.rand(3, 1, 14, 17, generator=gen)
    reference = aug(image=image, mask=mask, seed=1)
    out = aug(image=image, mask=mask.clone().requires_grad_(True), seed=1)
    assert not out["image"].requires_grad and torch.equal(out["image"], reference["image"])
    torch.testing.assert_close(out["mask"].detach(), reference["mask"], atol=0, rtol=0)
    assert not _graph_in_caches()
    assert torch.equal(aug(image=image, mask=mask, seed=1)["image"], reference["image"])


def test_no_cache_keeps_a_graph_after_calls_with_grad() -> None:
    x = _clips(3, frames=3000)
    image = torch.rand(3, 3, 20, 24, generator=torch.Generator().manual_seed(0))
    for aug in (*(make() for make in SAMPLED.values()), mi.AugMix(), mi.Mixup(p=1.0), mi.Hue(0.2, p=1.0)):
        aug(image.clone().requires_grad_(True), seed=0).sum().backward()
    for aug in (
        ma.Speed(p=1.0),
        ma.HighPassFilter(p=1.0),
        ma.TanhDistortion(p=1.0),
        ma.AddGaussianNoise(p=1.0),
    ):
        aug(x.clone().requires_grad_(True), sample_rate=16000, seed=0).sum().backward()
    assert not _graph_in_caches()


# -- what held: containers at p < 1, replays, grad and no-grad calls interleaved --------------------------------


def _children() -> list[Any]:
    return [
        mi.Brightness(0.3, p=0.5),
        mi.Rotate(20, p=0.5),
        mi.ChannelShuffle(p=0.5),
        mi.GaussianBlur(p=0.5),
        mi.Contrast(0.3, p=0.5),
        mi.Cutout(4, p=0.5),
    ]


CONTAINERS: dict[str, Any] = {
    "Pipeline": lambda sob: mg.Pipeline(_children(), p=0.7, same_on_batch=sob),
    "OneOf": lambda sob: mg.OneOf(_children(), p=0.7, same_on_batch=sob),
    "SomeOf": lambda sob: mg.SomeOf(_children(), n=(1, 3), p=0.7, same_on_batch=sob),
    "RandomOrder": lambda sob: mg.RandomOrder(_children()[:4], p=0.7, same_on_batch=sob),
}


def _directional_check(f: Any, x: torch.Tensor) -> None:
    """The gradient of ``f`` at ``x`` along a random direction against central differences (float64)."""
    gen = torch.Generator().manual_seed(7)
    leaf = x.clone().requires_grad_(True)
    out = f(leaf)
    torch.testing.assert_close(out.detach(), f(x), atol=1e-12, rtol=0)
    weights = torch.randn(out.shape, generator=gen, dtype=x.dtype)
    direction = torch.randn(x.shape, generator=gen, dtype=x.dtype)
    (grad,) = torch.autograd.grad((out * weights).sum(), leaf)
    eps = 1e-6
    numeric = float(((f(x + eps * direction) - f(x - eps * direction)) * weights).sum()) / (2 * eps)
    assert abs(float((grad * direction).sum()) - numeric) <= 1e-5 * max(1.0, abs(numeric))


@pytest.mark.parametrize("same_on_batch", [False, True])
@pytest.mark.parametrize("name", list(CONTAINERS))
def test_containers_at_p_below_one_pass_the_true_gradient(name: str, same_on_batch: bool) -> None:
    aug = CONTAINERS[name](same_on_batch)
    x = 0.1 + 0.8 * torch.rand(6, 3, 12, 15, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    for seed in range(3):
        _directional_check(lambda t, s=seed: aug(t, seed=s), x)


def test_a_replayed_record_passes_the_same_gradient() -> None:
    aug = mg.SomeOf(_children(), n=3, p=0.8)
    x = 0.1 + 0.8 * torch.rand(5, 3, 12, 15, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    leaf = x.clone().requires_grad_(True)
    out, record = aug(leaf, seed=9, return_params=True)
    (grad,) = torch.autograd.grad(out.square().sum(), leaf)
    again = x.clone().requires_grad_(True)
    (replayed,) = torch.autograd.grad(aug(again, params=record).square().sum(), again)
    assert torch.equal(replayed, grad)
    _directional_check(lambda t: aug(t, params=record), x)


def test_calls_with_and_without_grad_interleave() -> None:
    aug = mg.Pipeline([*_children(), mi.Sharpness(p=0.5), mi.RandomResizedCrop(10, p=1.0)])
    x = torch.rand(4, 3, 16, 20, generator=torch.Generator().manual_seed(2))
    plain = [aug(x, seed=s) for s in range(4)]
    for s in range(4):
        out = aug(x.clone().requires_grad_(True), seed=s)
        torch.testing.assert_close(out.detach(), plain[s], atol=1e-6, rtol=1e-5)  # plain torch: rounding
        out.sum().backward()
        with torch.no_grad():
            assert torch.equal(aug(x.clone().requires_grad_(True), seed=s), plain[s])
        with torch.inference_mode():
            assert torch.equal(aug(x.clone(), seed=s), plain[s])
        assert torch.equal(aug(x, seed=s), plain[s])


def test_an_inference_tensor_outside_inference_mode_takes_the_fast_path() -> None:
    with torch.inference_mode():
        x = torch.rand(3, 3, 16, 20, generator=torch.Generator().manual_seed(3))
    assert not x.requires_grad
    for make in SAMPLED.values():
        aug = make()
        out = aug(x, seed=2)
        assert not out.requires_grad and torch.equal(out, aug(x.clone(), seed=2))
