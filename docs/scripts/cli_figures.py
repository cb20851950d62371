"""Make the pictures of ``docs/cli.md`` with ``multiaug preview`` on the project's sample files.

    python docs/scripts/cli_figures.py

Writes ``docs/images/cli_preview_image.png`` and ``docs/images/cli_preview_audio.png`` (each under 300 KB).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from multiaug.cli.main import main  # noqa: E402

IMAGES = REPO / "docs" / "images"


def run() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    samples = REPO / "data_samples"
    jobs = [
        (samples / "images" / "still_life.png", IMAGES / "cli_preview_image.png", "8"),
        (samples / "audio" / "speech_en_mono.wav", IMAGES / "cli_preview_audio.png", "3"),
    ]
    for src, out, n in jobs:
        code = main(["preview", str(src), "--n", n, "--seed", "0", "--out", str(out)])
        if code != 0:
            raise SystemExit(code)
        with Image.open(out) as img:  # a 256-colour palette keeps the page light; previews stay readable
            rgb = img.convert("RGB")
            palette = rgb.quantize(256, method=Image.Quantize.MEDIANCUT)
            small = rgb.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG)
        small.save(out, optimize=True)
        size = out.stat().st_size
        print(f"{out.relative_to(REPO)}: {size / 1024:.0f} KB")
        if size > 300 * 1024:
            raise SystemExit(f"{out} is larger than 300 KB")


if __name__ == "__main__":
    run()
