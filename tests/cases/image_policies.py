"""Contract cases: automatic augmentation policies (RandAugment, TrivialAugmentWide, AutoAugment, AugMix)."""

import multiaug.image as mi

from . import Case

CASES = {
    "image.RandAugment": Case(mi.RandAugment, {"num_ops": 2, "magnitude": 12}),
    "image.TrivialAugmentWide": Case(mi.TrivialAugmentWide),
    "image.AutoAugment": Case(mi.AutoAugment, {"policy": "svhn"}),
    "image.AugMix": Case(mi.AugMix, {"severity": 5}, atol=1e-4),
}
