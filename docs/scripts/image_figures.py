"""Make the pictures of docs/image.md: each geometric / erasing augmenter on the sample images.

    python docs/scripts/image_figures.py

Writes ``docs/images/image_geometric.png``, ``image_crops.png``, ``image_borders.png``, ``image_masks.png``,
``image_erasing.png`` and ``image_policies.png``: one row per augmenter, the original first, then four augmented
samples (p=1, fixed seed, per-sample draws). Deterministic. The sheet layout is shared with the colour page's script.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from image_color_figures import OUT, THUMB, grid, load  # noqa: E402

import multiaug.image as mi  # noqa: E402

SEED = 7


def rows_for(
    augs: list[tuple[str, object]], image: torch.Tensor
) -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    batch = image.expand(4, *image.shape).contiguous()
    return [(label, image, aug(batch, seed=SEED)) for label, aug in augs]


def blobs_mask(height: int, width: int) -> torch.Tensor:
    """A label mask (0 background, 1-3 shapes) for the mask figure."""
    yy, xx = torch.meshgrid(torch.arange(height), torch.arange(width), indexing="ij")
    mask = torch.zeros(height, width, dtype=torch.int64)
    mask[((yy - 40) ** 2 + (xx - 45) ** 2) < 22**2] = 1
    mask[(yy > 60) & (yy < 105) & (xx > 90) & (xx < 145)] = 2
    mask[(yy - xx // 3 > 80) & (xx < 60)] = 3
    return mask


def overlay(image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """uint8 (3,H,W): the image with the mask's labels tinted."""
    colours = torch.tensor([[0, 0, 0], [255, 60, 60], [60, 200, 255], [255, 220, 0]], dtype=torch.float32)
    tint = colours[mask].permute(2, 0, 1)
    alpha = (mask > 0).float() * 0.55
    return (image.float() * (1 - alpha) + tint * alpha).round().to(torch.uint8)


def main() -> None:
    landscape = load("landscape.jpg", crop=False)
    still = load("still_life.png", crop=False)
    street = load("street.jpg", crop=False)
    geometric = [
        ("HorizontalFlip()", mi.HorizontalFlip(p=0.5)),
        ("VerticalFlip()", mi.VerticalFlip(p=0.5)),
        ("Rotate90(k=2)\n(square only for\n odd k)", mi.Rotate90(k=2, p=0.5)),
        ("Rotate(30)", mi.Rotate(30, p=1.0)),
        ("Affine(15, 0.1,\n (0.8, 1.2), 10)", mi.Affine(15, 0.1, (0.8, 1.2), 10, p=1.0)),
        ("Zoom((0.6, 1.6))", mi.Zoom((0.6, 1.6), p=1.0)),
        ("Stretch((0.7, 1.4),\n (0.7, 1.4))", mi.Stretch((0.7, 1.4), (0.7, 1.4), p=1.0)),
        ("Perspective(0.6)", mi.Perspective(0.6, p=1.0)),
        ("ElasticTransform(\n (40, 80), (4, 6))", mi.ElasticTransform((40, 80), (4, 6), p=1.0)),
    ]
    grid(rows_for(geometric[:4], street) + rows_for(geometric[4:], landscape), OUT / "image_geometric.png")

    crops = [
        ("RandomCrop((80, 120))", mi.RandomCrop((80, 120))),
        (
            "RandomCrop((120, 160),\n padding=20,\n border='reflect')",
            mi.RandomCrop((120, 160), padding=20, border="reflect"),
        ),
        ("CenterCrop((80, 100))", mi.CenterCrop((80, 100))),
        ("Resize((60, 160))", mi.Resize((60, 160))),
        ("RandomResizedCrop(\n (120, 160))", mi.RandomResizedCrop((120, 160))),
    ]
    grid(rows_for(crops, still), OUT / "image_crops.png")

    borders = [
        ("border='constant',\nfill=(0.2, 0.4, 0.8)", mi.Rotate(40, fill=(0.2, 0.4, 0.8), p=1.0)),
        ("border='reflect'", mi.Rotate(40, border="reflect", p=1.0)),
        ("border='replicate'", mi.Rotate(40, border="replicate", p=1.0)),
        ("Zoom(0.5, 'reflect')", mi.Zoom(0.5, border="reflect", p=1.0)),
        ("interpolation=\n'nearest'\n(Zoom(4.0))", mi.Zoom(4.0, interpolation="nearest", p=1.0)),
        ("interpolation=\n'bicubic'\n(Zoom(4.0))", mi.Zoom(4.0, interpolation="bicubic", p=1.0)),
    ]
    grid(rows_for(borders, landscape), OUT / "image_borders.png")

    mask = blobs_mask(THUMB[1], THUMB[0])
    batch = street.expand(4, *street.shape).contiguous()
    masks = mask.expand(4, *mask.shape).contiguous()
    rows = []
    for label, aug in [
        ("Affine(25, 0.1,\n (0.7, 1.3), 10)", mi.Affine(25, 0.1, (0.7, 1.3), 10, p=1.0)),
        ("Perspective(0.6)", mi.Perspective(0.6, p=1.0)),
        ("ElasticTransform(\n (60, 60), (5, 5))", mi.ElasticTransform((60, 60), (5, 5), p=1.0)),
        ("RandomResizedCrop(\n (120, 160))", mi.RandomResizedCrop((120, 160))),
        (
            "CoarseDropout(6, 30,\n 30, mask_fill_value=2)",
            mi.CoarseDropout(6, 30, 30, mask_fill_value=2, p=1.0),
        ),
    ]:
        out = aug(image=batch, mask=masks, seed=SEED)
        shown = torch.stack([overlay(i, m) for i, m in zip(out["image"], out["mask"])])
        rows.append((label, overlay(street, mask), shown))
    grid(rows, OUT / "image_masks.png")

    user_call = mi.CoarseDropout(
        max_holes=1, max_height=64, max_width=64, min_holes=None, min_height=None, min_width=None,
        fill_value=0, mask_fill_value=None, p=1.0,
    )  # fmt: skip
    erasing = [
        ("CoarseDropout(\n max_holes=1,\n max_height=64, ...)", user_call),
        (
            "CoarseDropout(8, 24, 24,\n min_holes=2,\n min_height=8, ...)",
            mi.CoarseDropout(8, 24, 24, 2, 8, 8, p=1.0),
        ),
        (
            "CoarseDropout(4, 0.3,\n 0.3, fill_value=\n 'random')",
            mi.CoarseDropout(4, 0.3, 0.3, fill_value="random", p=1.0),
        ),
        ("Cutout(60)", mi.Cutout(60, p=1.0)),
        ("RandomErasing()", mi.RandomErasing(p=1.0)),
        ("RandomErasing(\n value='random')", mi.RandomErasing(value="random", p=1.0)),
    ]
    grid(rows_for(erasing, still), OUT / "image_erasing.png")
    policies = [
        ("RandAugment(\n num_ops=2,\n magnitude=9)", mi.RandAugment(num_ops=2, magnitude=9)),
        ("RandAugment(\n num_ops=3,\n magnitude=20)", mi.RandAugment(num_ops=3, magnitude=20)),
        ("TrivialAugmentWide()", mi.TrivialAugmentWide()),
        ("AutoAugment(\n 'imagenet')", mi.AutoAugment("imagenet")),
        ("AugMix(severity=3)", mi.AugMix(severity=3)),
    ]
    grid(rows_for(policies[:2], street) + rows_for(policies[2:], landscape), OUT / "image_policies.png")


if __name__ == "__main__":
    main()
