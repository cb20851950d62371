"""Make the pictures of docs/image_color.md: each colour / filter augmenter on the sample images.

    python docs/scripts/image_color_figures.py

Writes ``docs/images/color_adjust.png``, ``docs/images/color_tone.png`` and ``docs/images/color_filters.png``:
one row per augmenter, the original first, then four augmented samples (p=1, fixed seed, per-sample draws).
Deterministic. Images are quantised to 128 colours to keep each PNG small.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import multiaug.image as mi  # noqa: E402

SAMPLES = ROOT / "data_samples" / "images"
OUT = ROOT / "docs" / "images"
THUMB = (160, 120)  # width, height
LABEL_W = 150
PAD = 4


def load(name: str, crop: bool) -> torch.Tensor:
    """uint8 (3, 120, 160): the whole image resized, or (crop) its centre at native resolution."""
    with Image.open(SAMPLES / name) as im:
        im = im.convert("RGB")
        if crop:
            w, h = im.size
            left, top = (w - THUMB[0]) // 2, (h - THUMB[1]) // 2
            im = im.crop((left, top, left + THUMB[0], top + THUMB[1]))
        else:
            im = im.resize(THUMB, Image.Resampling.BILINEAR)
        return torch.from_numpy(np.asarray(im).copy()).permute(2, 0, 1)


def to_pil(x: torch.Tensor) -> Image.Image:
    if x.dtype != torch.uint8:
        x = (x.clamp(0, 1) * 255).round().to(torch.uint8)
    return Image.fromarray(x.permute(1, 2, 0).numpy())


def grid(rows: list[tuple[str, torch.Tensor, torch.Tensor]], path: Path) -> None:
    """rows: (label, original (3,H,W), augmented (4,3,H,W)) -> one PNG."""
    w, h = THUMB
    cols = 5
    sheet = Image.new("RGB", (LABEL_W + cols * (w + PAD), len(rows) * (h + PAD) + 18), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((LABEL_W, 2), "original", fill="black")
    draw.text((LABEL_W + w + PAD, 2), "four augmented samples (one draw each) ->", fill="black")
    for r, (label, original, augmented) in enumerate(rows):
        y = 18 + r * (h + PAD)
        draw.multiline_text((4, y + h // 2 - 12), label, fill="black")
        sheet.paste(to_pil(original), (LABEL_W, y))
        for c in range(4):
            sheet.paste(to_pil(augmented[c]), (LABEL_W + (c + 1) * (w + PAD), y))
    sheet = sheet.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path, optimize=True)
    print(f"wrote {path} ({path.stat().st_size // 1024} KB)")


def rows_for(
    augs: list[tuple[str, object]], image: torch.Tensor
) -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    batch = image.expand(4, *image.shape).contiguous()
    out = []
    for label, aug in augs:
        result = aug(batch, seed=2024)
        if result.dtype != torch.uint8:  # Normalize: map its output back to [0, 1] for display
            lo, hi = result.amin(dim=(1, 2, 3), keepdim=True), result.amax(dim=(1, 2, 3), keepdim=True)
            result = (result - lo) / (hi - lo)
        out.append((label, image, result))
    return out


def main() -> None:
    landscape = load("landscape.jpg", crop=False)
    still = load("still_life.png", crop=False)
    street = load("street.jpg", crop=True)
    adjust = [
        ("Brightness(0.4)", mi.Brightness(0.4, p=1.0)),
        ("Contrast(0.5)", mi.Contrast(0.5, p=1.0)),
        ("Saturation(0.8)", mi.Saturation(0.8, p=1.0)),
        ("Hue(0.25)", mi.Hue(0.25, p=1.0)),
        ("ColorJitter(0.3, 0.3,\n 0.3, 0.1)", mi.ColorJitter(0.3, 0.3, 0.3, 0.1, p=1.0)),
        ("RGBShift(0.15)", mi.RGBShift(0.15, 0.15, 0.15, p=1.0)),
        ("ChannelShuffle()", mi.ChannelShuffle(p=1.0)),
        ("ToGray()", mi.ToGray(p=1.0)),
    ]
    tone = [
        ("Gamma((0.5, 2.0))", mi.Gamma((0.5, 2.0), p=1.0)),
        ("Solarize((0.3, 0.9))", mi.Solarize((0.3, 0.9), p=1.0)),
        ("Posterize((1, 4))", mi.Posterize((1, 4), p=1.0)),
        ("Equalize()", mi.Equalize(p=1.0)),
        ("AutoContrast()", mi.AutoContrast(p=1.0)),
        ("Invert()", mi.Invert(p=1.0)),
        ("Normalize()\n(shown rescaled)", mi.Normalize()),
    ]
    filters = [
        ("GaussianBlur((3, 9),\n sigma=(0.5, 3))", mi.GaussianBlur((3, 9), sigma=(0.5, 3.0), p=1.0)),
        ("BoxBlur((3, 9))", mi.BoxBlur((3, 9), p=1.0)),
        ("MotionBlur((7, 15),\n angle=90)", mi.MotionBlur((7, 15), angle=90, p=1.0)),
        ("MedianBlur((3, 7))", mi.MedianBlur((3, 7), p=1.0)),
        ("Sharpen((0.5, 1.0))", mi.Sharpen(alpha=(0.5, 1.0), lightness=(0.5, 1.0), p=1.0)),
        ("Sharpness((0.0, 3.0))", mi.Sharpness((0.0, 3.0), p=1.0)),
        ("GaussianNoise(\n (0.03, 0.15))", mi.GaussianNoise(std=(0.03, 0.15), p=1.0)),
    ]
    grid(rows_for(adjust[:4], landscape) + rows_for(adjust[4:], still), OUT / "color_adjust.png")
    grid(rows_for(tone[:4], still) + rows_for(tone[4:], landscape), OUT / "color_tone.png")
    grid(rows_for(filters, street), OUT / "color_filters.png")


if __name__ == "__main__":
    main()
