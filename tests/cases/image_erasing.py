"""Contract cases: random erasing image augmenters."""

import torch

import multiaug.image as mi

from . import Case


def _with_mask(n: int, seed: int) -> dict:
    gen = torch.Generator().manual_seed(seed)
    image = torch.rand((n, 3, 24, 32), generator=gen)
    mask = torch.randint(0, 3, (n, 24, 32), generator=gen, dtype=torch.uint8)
    return {"image": image, "mask": mask}


CASES = {
    "image.CoarseDropout": Case(
        mi.CoarseDropout,
        {
            "max_holes": 4,
            "max_height": 8,
            "max_width": 6,
            "min_holes": 1,
            "min_height": 2,
            "mask_fill_value": 7,
        },
        data=_with_mask,
    ),
    "image.Cutout": Case(mi.Cutout, {"size": 10, "num_holes": 2, "fill_value": (0.5, 0.25, 1.0)}),
    "image.RandomErasing": Case(mi.RandomErasing, {"value": "random"}),
}
