"""Contract cases: geometric image augmenters."""

import torch

import multiaug.image as mi

from . import Case


def _square_with_mask(n: int, seed: int) -> dict:
    gen = torch.Generator().manual_seed(seed)
    image = torch.rand((n, 3, 20, 20), generator=gen)
    mask = torch.randint(0, 4, (n, 20, 20), generator=gen, dtype=torch.int64)
    return {"image": image, "mask": mask}


CASES = {
    "image.HorizontalFlip": Case(mi.HorizontalFlip),
    "image.VerticalFlip": Case(mi.VerticalFlip),
    "image.Rotate90": Case(mi.Rotate90, data=_square_with_mask),
    "image.Rotate": Case(mi.Rotate, {"degrees": 40}),
    "image.ElasticTransform": Case(mi.ElasticTransform, {"alpha": (20.0, 40.0), "sigma": (3.0, 5.0)}),
    "image.Affine": Case(
        mi.Affine, {"degrees": 20, "translate": (0.1, 0.2), "scale": (0.8, 1.2), "shear": (-5, 5, -3, 3)}
    ),
    "image.Zoom": Case(mi.Zoom, {"scale": (0.7, 1.4), "border": "reflect"}),
    "image.Stretch": Case(mi.Stretch, {"interpolation": "bicubic", "border": "replicate"}),
    "image.Perspective": Case(mi.Perspective, {"distortion_scale": 0.6, "fill": (0.5, 0.2, 0.1)}),
    "image.RandomCrop": Case(mi.RandomCrop, {"size": (16, 20), "padding": 2}, sets_size=True),
    "image.CenterCrop": Case(mi.CenterCrop, {"size": (16, 20)}, deterministic=True, sets_size=True),
    "image.Resize": Case(mi.Resize, {"size": (12, 40)}, deterministic=True, sets_size=True),
    "image.RandomResizedCrop": Case(mi.RandomResizedCrop, {"size": 16}, sets_size=True),
}
