"""Device placement without a GPU: every tensor an image augmenter makes names its device
(``tests/device_placement.py`` explains the detector). Geometric ops also carry a mask, boxes and keypoints."""

from __future__ import annotations

import pytest
import torch

from tests.cases import all_cases, make_inputs
from tests.device_placement import check_placement

_CASES = {name: case for name, case in all_cases().items() if case.data == "image"}


@pytest.mark.parametrize("name", sorted(_CASES))
@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_contract_case_names_its_devices(name: str, dtype: torch.dtype) -> None:
    case = _CASES[name]
    inputs = make_inputs("image", 3, seed=0)
    image = inputs["image"]
    if dtype == torch.float32 and image.dtype == torch.uint8:
        inputs["image"] = image.float() / 255
    if dtype == torch.uint8 and image.dtype.is_floating_point:
        inputs["image"] = (image * 255).round().to(torch.uint8)
    aug = case.build(p=1.0)
    if hasattr(aug, "matrix") and getattr(aug, "follows_targets", True):
        h, w = inputs["image"].shape[-2:]
        inputs["mask"] = (torch.arange(h * w).reshape(1, h, w) % 5).expand(3, h, w).contiguous()
        inputs["boxes"] = [
            torch.tensor([[1.0, 1.0, w / 2, h / 2]]),
            torch.zeros(0, 4),
            torch.tensor([[0, 0, w, h]]),
        ]
        inputs["keypoints"] = torch.tensor([[[1.5, 2.5]], [[w - 1.0, 0.5]], [[w / 2, h / 2]]])
    check_placement(lambda: case.build(p=1.0), inputs)
