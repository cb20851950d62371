"""Contract cases: geometric image augmenters."""

import multiaug.image as mi

from . import Case

CASES = {
    "image.HorizontalFlip": Case(mi.HorizontalFlip),
}
