"""Contract cases: automatic augmentation policies (RandAugment, TrivialAugmentWide, AutoAugment)."""

import multiaug.image as mi

from . import Case

CASES = {
    "image.RandAugment": Case(mi.RandAugment, {"num_ops": 2, "magnitude": 12}),
    "image.TrivialAugmentWide": Case(mi.TrivialAugmentWide),
    "image.AutoAugment": Case(mi.AutoAugment, {"policy": "svhn"}),
}
