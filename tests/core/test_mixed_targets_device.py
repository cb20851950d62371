"""Mixed targets stay on the targets' device (no GPU needed: "meta" tensors stand in for CUDA ones)."""

from __future__ import annotations

import torch

import multiaug.image as mi
from multiaug.core.mixing import MixedTargets, mixed_targets


def test_per_sample_lam_is_on_the_targets_device() -> None:
    images = torch.rand(6, 3, 8, 8)
    _, record = mi.Mixup(alpha=1.0, mode="sample")(images, seed=0, return_params=True)
    targets = torch.arange(6, device="meta")  # a device other than the CPU, as CUDA targets would be
    mixed = mixed_targets(record, targets)
    assert mixed.per_sample and mixed.lam.device == targets.device  # `lam * loss_a` works on the device
    assert mixed.targets_b.device == targets.device


def test_lam_per_sample_of_a_batch_lam_is_on_the_targets_device() -> None:
    mixed = MixedTargets(torch.arange(4, device="meta"), torch.arange(4, device="meta"), 0.3)
    assert mixed.lam_per_sample().device.type == "meta"
