"""Contract cases: colour image augmenters."""

import multiaug.image as mi

from . import Case

CASES = {
    "image.Brightness": Case(mi.Brightness, {"brightness": 0.3}),
    "image.Contrast": Case(mi.Contrast, {"contrast": 0.3}),
    "image.Saturation": Case(mi.Saturation, {"saturation": 0.5}),
    "image.Hue": Case(mi.Hue, {"hue": 0.2}),
    "image.ColorJitter": Case(
        mi.ColorJitter, {"brightness": 0.3, "contrast": 0.3, "saturation": 0.3, "hue": 0.1}
    ),
    "image.RGBShift": Case(mi.RGBShift, {"r_shift": 0.1, "g_shift": 0.1, "b_shift": 0.1}),
    "image.ChannelShuffle": Case(mi.ChannelShuffle),
    "image.ToGray": Case(mi.ToGray, deterministic=True),
    "image.Gamma": Case(mi.Gamma, {"gamma": (0.5, 2.0)}),
    "image.Solarize": Case(mi.Solarize, {"threshold": (0.3, 0.9)}),
    "image.Posterize": Case(mi.Posterize, {"bits": (1, 6)}),
    "image.Equalize": Case(mi.Equalize, deterministic=True),
    "image.AutoContrast": Case(mi.AutoContrast, deterministic=True),
    "image.Invert": Case(mi.Invert, deterministic=True),
    # uint8 input gives float32 output (checked in tests/image/test_color.py), so the table runs float only.
    "image.Normalize": Case(mi.Normalize, dtypes=("float32",), deterministic=True, sets_size=True),
}
