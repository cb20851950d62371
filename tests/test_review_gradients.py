"""Second review of gradient support: the inputs the contract test (float64, contiguous leaves, p = 1 and 0.5)
does not feed.

Defects found: audio Mixup's ``mix_by="snr"`` gave NaN gradients (a clip left unmixed, two silent clips mixed);
ImageCompression failed under ``torch.inference_mode()`` once its codec ran in threads. The other tests pin down
what held: apply-to-all-and-restore at p < 1 in every float dtype, views and non-leaf inputs, masks that require
grad, containers at p < 1, replays, and no cache keeping a graph.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import multiaug.audio as ma


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
