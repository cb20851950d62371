"""Second review of gradient support: the inputs the contract test (float64, contiguous leaves, p = 1 and 0.5)
does not feed.

Defects found: audio Mixup's ``mix_by="snr"`` gave NaN gradients (a clip left unmixed, two silent clips mixed);
ImageCompression failed under ``torch.inference_mode()`` once its codec ran in threads. The other tests pin down
what held: apply-to-all-and-restore at p < 1 in every float dtype, views and non-leaf inputs, masks that require
grad, containers at p < 1, replays, and no cache keeping a graph.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch

import multiaug.audio as ma
import multiaug.image as mi
from multiaug.audio.functional.codec import mp3_supported


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
