"""Make the pictures of docs/mixing.md: one batch of the sample images through Mixup, CutMix, Mosaic and Blend.

    python docs/scripts/mixing_figures.py

Writes ``docs/images/mixing_batch.png``. Deterministic (fixed seeds).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import multiaug.image as mi  # noqa: E402

NAMES = ["landscape.jpg", "street.jpg", "still_life.png", "gray_texture.png"]
SIZE = (160, 120)  # width, height: a non-square batch
OUT = ROOT / "docs" / "images" / "mixing_batch.png"
LABELS = ["landscape", "street", "still life", "texture"]


def load_batch() -> torch.Tensor:
    images = []
    for name in NAMES:
        with Image.open(ROOT / "data_samples" / "images" / name) as im:
            arr = np.asarray(im.convert("RGB").resize(SIZE, Image.Resampling.BILINEAR))
        images.append(torch.from_numpy(arr.copy()).permute(2, 0, 1))
    return torch.stack(images)  # uint8 (4, 3, 120, 160)


def describe(targets, i: int) -> str:
    lam = float(targets.lam if not targets.per_sample else targets.lam[i])
    other = int(targets.targets_b[i])
    if lam == 1.0:
        return LABELS[i]
    return f"{lam:.2f} {LABELS[i]}\n+ {1 - lam:.2f} {LABELS[other]}"


def main() -> None:
    x = load_batch()
    y = torch.arange(len(x))
    rows: list[tuple[str, torch.Tensor, list[str]]] = [("batch", x, LABELS)]
    out, t = mi.Mixup(alpha=1.0, mode="sample").mix(x, y, seed=3)
    rows.append(("Mixup (lam per sample)", out, [describe(t, i) for i in range(len(x))]))
    out, t = mi.CutMix(alpha=1.0, mode="sample").mix(x, y, seed=5)
    rows.append(("CutMix (lam = pixel share)", out, [describe(t, i) for i in range(len(x))]))
    rows.append(("Mosaic", mi.Mosaic(p=1.0)(x, seed=1), ["", "", "", ""]))
    blend = mi.Blend(alpha=(0.3, 0.3), source=str(ROOT / "data_samples" / "images"), p=1.0)
    rows.append(("Blend (files, alpha 0.3)", blend(x, seed=2), ["", "", "", ""]))
    fig, axes = plt.subplots(len(rows), len(x), figsize=(2.0 * len(x), 1.75 * len(rows)), dpi=80)
    for r, (title, images, captions) in enumerate(rows):
        for c in range(len(x)):
            ax = axes[r, c]
            ax.imshow(images[c].permute(1, 2, 0).numpy())
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel(captions[c], fontsize=7)
            if c == 0:
                ax.set_ylabel(title, fontsize=7)
    fig.tight_layout()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    buffer.seek(0)
    with Image.open(buffer) as rendered:  # 256 colours keep the file small
        rendered.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE).save(OUT, optimize=True)
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
