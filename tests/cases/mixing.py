"""Contract cases: mixing augmenters (batch-level Mixup/CutMix/Mosaic, Blend, audio Mixup)."""

from pathlib import Path

import multiaug.audio as ma
import multiaug.image as mi

from . import Case

PICTURES = str(Path(__file__).resolve().parents[2] / "data_samples" / "images")

CASES = {
    "image.Mixup": Case(mi.Mixup, {"alpha": 0.4}, batch_level=True),
    "image.CutMix": Case(mi.CutMix, {"alpha": 1.0, "mode": "pair"}, batch_level=True),
    "image.MixupCutMix": Case(mi.MixupCutMix, {"mode": "sample"}, batch_level=True),
    "image.Mosaic": Case(mi.Mosaic, batch_level=True),
    "image.Blend": Case(mi.Blend, {"alpha": (0.2, 0.5), "source": PICTURES}),
    "audio.Mixup": Case(ma.Mixup, {"mix_by": "snr", "mode": "sample"}, data="audio", batch_level=True),
}
