"""Contract cases: kernel filters and noise."""

import multiaug.image as mi

from . import Case

CASES = {
    "image.ImageCompression": Case(mi.ImageCompression, {"quality": (10, 90)}),
    "image.GaussianBlur": Case(mi.GaussianBlur, {"kernel_size": (3, 7), "sigma": (0.3, 2.0)}),
    "image.BoxBlur": Case(mi.BoxBlur, {"kernel_size": (3, 7)}),
    "image.MotionBlur": Case(mi.MotionBlur, {"kernel_size": (3, 7), "angle": 90, "direction": (-1.0, 1.0)}),
    "image.MedianBlur": Case(mi.MedianBlur, {"kernel_size": (3, 5)}),
    "image.Sharpen": Case(mi.Sharpen),
    "image.Sharpness": Case(mi.Sharpness, {"factor": (0.0, 2.0)}),
    "image.GaussianNoise": Case(mi.GaussianNoise, {"std": (0.05, 0.2)}),
}
