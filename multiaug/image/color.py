"""Colour augmenters: brightness, contrast, saturation, hue, jitter, channel and tone ops, normalisation.

All of them leave masks untouched. RGB-only ops (Saturation, Hue, ColorJitter, RGBShift, ToGray) raise a clear
error for other channel counts; the others work on any number of channels. Factors and thresholds are in units
of full intensity (1.0 is white, for uint8 as for float images); uint8 results are rounded and saturated,
float results clamped to [0, 1]. Definitions: :mod:`multiaug.image.functional.color`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core import Draws, register
from ..core.checks import check_int_range, check_range
from ..core.errors import ConfigError, InputError
from .base import ImageAugmenter, ImageBatch
from .functional import color as F

__all__ = [
    "AutoContrast",
    "Brightness",
    "ChannelShuffle",
    "ColorJitter",
    "Contrast",
    "Equalize",
    "Gamma",
    "Hue",
    "Invert",
    "Normalize",
    "Posterize",
    "RGBShift",
    "Saturation",
    "Solarize",
    "ToGray",
]


def _factor_range(value: Any, name: str) -> tuple[float, float]:
    """A multiplicative factor range: one number ``v`` means ``(1 - v, 1 + v)``; factors must be >= 0."""
    return check_range(value, name, symmetric=True, center=1.0, min_value=0.0)


def _with_image(batch: ImageBatch, fn: Any) -> ImageBatch:
    """Apply ``fn`` to the image (the mask stays as it is; a mask-only replay is returned unchanged)."""
    if batch.image is None:
        return batch
    return batch.replace(image=fn(batch.image))


class _RGBOnly(ImageAugmenter):
    """Ops that need RGB images: other channel counts are refused before the coin flip, whatever ``p``."""

    def validate(self, batch: ImageBatch) -> None:
        if batch.image is not None:
            F.require_rgb(batch.image, type(self).__name__)


class _ColorOp(ImageAugmenter):
    """An op whose only parameter is one per-sample value drawn uniformly from ``self.range``."""

    param = ""
    range: tuple[float, float]

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        return {self.param: draws.uniform(*self.range)}


@register("image.Brightness")
class Brightness(_ColorOp):
    """Multiply by a random factor per sample (blend with black, as PIL and torchvision): ``x * f``.

    Args:
        brightness: factor range ``(low, high)``, factors >= 0; one number ``v`` means ``(1 - v, 1 + v)``.
            Works on any number of channels.

    Example:
        >>> import torch, multiaug.image as mi
        >>> out = mi.Brightness((1.5, 1.5), p=1.0)(torch.full((3, 2, 2), 0.5))
        >>> out[0, 0, 0].item()
        0.75
    """

    param = "factor"

    def __init__(
        self, brightness: float | tuple[float, float] = 0.2, *, p: float = 0.5, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.range = _factor_range(brightness, "brightness")

    def applies_to_all(self, batch: ImageBatch) -> bool:
        return (
            batch.image is not None and batch.image.dtype.is_floating_point
        )  # about a copy per float sample

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, lambda x: F.adjust_brightness(x, params["factor"]))


@register("image.Contrast")
class Contrast(_ColorOp):
    """Scale the deviation from the image's mean grey level by a random factor: ``f x + (1 - f) mean(Y)``.

    Args:
        contrast: factor range, factors >= 0; one number ``v`` means ``(1 - v, 1 + v)``. RGB or one channel
            (then the mean of that channel).

    Example:
        >>> import torch, multiaug.image as mi
        >>> mi.Contrast((0.5, 0.5), p=1.0)(torch.tensor([[[0.0, 1.0]]])).tolist()
        [[[0.25, 0.75]]]
    """

    param = "factor"

    def __init__(
        self, contrast: float | tuple[float, float] = 0.2, *, p: float = 0.5, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.range = _factor_range(contrast, "contrast")

    def validate(self, batch: ImageBatch) -> None:
        if batch.image is not None:
            F.require_rgb_or_gray(batch.image, "Contrast")

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, lambda x: F.adjust_contrast(x, params["factor"]))


@register("image.Saturation")
class Saturation(_RGBOnly, _ColorOp):
    """Blend each RGB image with its own grey version by a random factor: ``f x + (1 - f) Y`` (RGB only).

    Args:
        saturation: factor range, factors >= 0 (0 is grey); one number ``v`` means ``(1 - v, 1 + v)``.

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.tensor([[[1.0]], [[0.0]], [[0.0]]])
        >>> [round(v, 3) for v in mi.Saturation((0.0, 0.0), p=1.0)(x).flatten().tolist()]
        [0.299, 0.299, 0.299]
    """

    param = "factor"

    def __init__(
        self, saturation: float | tuple[float, float] = 0.2, *, p: float = 0.5, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.range = _factor_range(saturation, "saturation")

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, lambda x: F.adjust_saturation(x, params["factor"]))


def _hue_range(hue: Any) -> tuple[float, float]:
    return check_range(hue, "hue", symmetric=True, min_value=-0.5, max_value=0.5)


@register("image.Hue")
class Hue(_RGBOnly, _ColorOp):
    """Rotate the hue by a random fraction of a full turn, in YIQ space (keeps luma exactly; RGB only).

    YIQ's rotation is linear (one 3x3 matrix, so it fuses with the other colour ops); it approximates the HSV
    hue shift of torchvision and kornia (a positive shift turns red towards yellow in both) but is not equal.

    Args:
        hue: shift range in turns within [-0.5, 0.5]; one number ``v`` means ``(-v, v)``.

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.rand(3, 4, 4)
        >>> y = mi.Hue((0.5, 0.5), p=1.0)(mi.Hue((0.5, 0.5), p=1.0)(x * 0.2 + 0.4))
        >>> bool(torch.allclose(y, x * 0.2 + 0.4, atol=1e-5))
        True
    """

    param = "shift"

    def __init__(
        self, hue: float | tuple[float, float] = 0.05, *, p: float = 0.5, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.range = _hue_range(hue)

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, lambda x: F.adjust_hue(x, params["shift"]))


@register("image.ColorJitter")
class ColorJitter(_RGBOnly):
    """Brightness, contrast, saturation and hue together (RGB only), as one per-sample 3x3 matrix plus bias.

    Each sample draws its four factors and, with ``random_order=True`` (default), its own order of the four
    steps (``random_order=False``: brightness, contrast, saturation, hue). The composed affine map is applied
    with one clamp at the end: intermediate values are not clipped, unlike torchvision which clips after each
    step (the results agree whenever no intermediate value leaves [0, 1]). Contrast blends with the mean grey
    level of the image as transformed by the steps before it. Definitions as in :class:`Brightness`,
    :class:`Contrast`, :class:`Saturation` and :class:`Hue` (YIQ rotation).

    Args:
        brightness, contrast, saturation: factor ranges (one number ``v`` means ``(1 - v, 1 + v)``).
        hue: shift range in turns within [-0.5, 0.5] (one number ``v`` means ``(-v, v)``).
        random_order: a random order of the four steps per sample.

    Example:
        >>> import torch, multiaug.image as mi
        >>> aug = mi.ColorJitter(0.4, 0.4, 0.4, 0.1, p=1.0)
        >>> aug(torch.randint(0, 256, (8, 3, 32, 32), dtype=torch.uint8), seed=0).dtype
        torch.uint8
    """

    def __init__(
        self,
        brightness: float | tuple[float, float] = 0.2,
        contrast: float | tuple[float, float] = 0.2,
        saturation: float | tuple[float, float] = 0.2,
        hue: float | tuple[float, float] = 0.0,
        *,
        random_order: bool = True,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.brightness = _factor_range(brightness, "brightness")
        self.contrast = _factor_range(contrast, "contrast")
        self.saturation = _factor_range(saturation, "saturation")
        self.hue = _hue_range(hue)
        if not isinstance(random_order, bool):
            raise ConfigError(f"random_order must be True or False, got {random_order!r}")
        self.random_order = random_order

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        params = {
            "brightness": draws.uniform(*self.brightness),
            "contrast": draws.uniform(*self.contrast),
            "saturation": draws.uniform(*self.saturation),
            "hue": draws.uniform(*self.hue),
        }
        if self.random_order:
            params["order"] = draws.permutation(4)
        else:
            params["order"] = np.broadcast_to(np.arange(4), (len(batch), 4)).copy()
        return params

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(
            batch,
            lambda x: F.color_jitter(
                x,
                params["brightness"],
                params["contrast"],
                params["saturation"],
                params["hue"],
                params["order"],
            ),
        )


@register("image.RGBShift")
class RGBShift(_RGBOnly):
    """Add a random offset to each of R, G and B, per sample (RGB only).

    Args:
        r_shift, g_shift, b_shift: offset ranges in units of full intensity (0.08 is about 20 of 255); one
            number ``v`` means ``(-v, v)``; within [-1, 1].

    Example:
        >>> import torch, multiaug.image as mi
        >>> aug = mi.RGBShift(r_shift=(0.5, 0.5), g_shift=0, b_shift=0, p=1.0)
        >>> aug(torch.zeros(3, 1, 1, dtype=torch.uint8)).flatten().tolist()
        [128, 0, 0]
    """

    def __init__(
        self,
        r_shift: float | tuple[float, float] = 0.08,
        g_shift: float | tuple[float, float] = 0.08,
        b_shift: float | tuple[float, float] = 0.08,
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.ranges = [
            check_range(v, name, symmetric=True, min_value=-1.0, max_value=1.0)
            for v, name in ((r_shift, "r_shift"), (g_shift, "g_shift"), (b_shift, "b_shift"))
        ]

    def applies_to_all(self, batch: ImageBatch) -> bool:
        return (
            batch.image is not None and batch.image.dtype.is_floating_point
        )  # about a copy per float sample

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        low = np.array([r[0] for r in self.ranges])
        high = np.array([r[1] for r in self.ranges])
        return {"shift": low + (high - low) * draws.uniform(size=(3,))}

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, lambda x: F.rgb_shift(x, params["shift"]))


@register("image.ChannelShuffle")
class ChannelShuffle(ImageAugmenter):
    """Permute the channels randomly, per sample (any number of channels; exact).

    Example:
        >>> import torch, multiaug.image as mi
        >>> out = mi.ChannelShuffle(p=1.0)(torch.arange(3.0).reshape(3, 1, 1), seed=1)
        >>> sorted(out.flatten().tolist())
        [0.0, 1.0, 2.0]
    """

    def __init__(self, *, p: float = 0.5, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)

    def applies_to_all(self, batch: ImageBatch) -> bool:
        return True  # about a copy per sample

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        return {"perm": draws.permutation(max(batch.channels, 1))}

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, lambda x: F.channel_shuffle(x, params["perm"]))


@register("image.ToGray")
class ToGray(_RGBOnly):
    """Replace RGB by its luma ``Y = 0.299 R + 0.587 G + 0.114 B`` in all three channels (RGB only).

    Example:
        >>> import torch, multiaug.image as mi
        >>> mi.ToGray(p=1.0)(torch.tensor([[[0]], [[255]], [[0]]], dtype=torch.uint8)).flatten().tolist()
        [150, 150, 150]
    """

    def __init__(self, *, p: float = 0.5, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)

    def applies_to_all(self, batch: ImageBatch) -> bool:
        return (
            batch.image is not None and batch.image.dtype.is_floating_point
        )  # about a copy per float sample

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, F.to_gray)


@register("image.Gamma")
class Gamma(_ColorOp):
    """Gamma curve ``x ** g`` with a random ``g`` per sample (any number of channels).

    Args:
        gamma: exponent range ``(low, high)``, both > 0 (< 1 brightens, > 1 darkens).

    Example:
        >>> import torch, multiaug.image as mi
        >>> mi.Gamma((2.0, 2.0), p=1.0)(torch.full((1, 1, 1), 0.5)).item()
        0.25
    """

    param = "gamma"

    def __init__(
        self, gamma: float | tuple[float, float] = (0.8, 1.25), *, p: float = 0.5, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.range = check_range(gamma, "gamma", min_value=0.0)
        if self.range[0] <= 0:
            raise ConfigError(f"gamma must be > 0, got {gamma!r}")

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, lambda x: F.adjust_gamma(x, params["gamma"]))


@register("image.Solarize")
class Solarize(_ColorOp):
    """Invert the values at or above a random threshold per sample (any number of channels).

    Args:
        threshold: threshold range within [0, 1] (units of full intensity; one number is a fixed threshold).

    Example:
        >>> import torch, multiaug.image as mi
        >>> mi.Solarize(0.5, p=1.0)(torch.tensor([[[0.25, 0.75]]])).tolist()
        [[[0.25, 0.25]]]
    """

    param = "threshold"

    def __init__(
        self, threshold: float | tuple[float, float] = 0.5, *, p: float = 0.5, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.range = check_range(threshold, "threshold", min_value=0.0, max_value=1.0)

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, lambda x: F.solarize(x, params["threshold"]))


@register("image.Posterize")
class Posterize(ImageAugmenter):
    """Keep a random number of most significant bits per sample (any number of channels).

    uint8: ``x & mask``; float: ``floor(x * 2**bits) / 2**bits`` (as torchvision).

    Not differentiable: the output is piecewise constant in the input (a quantiser).

    Args:
        bits: bits to keep, an integer or an inclusive ``(low, high)`` range within [1, 8].

    Example:
        >>> import torch, multiaug.image as mi
        >>> mi.Posterize(2, p=1.0)(torch.tensor([[[255, 100]]], dtype=torch.uint8)).tolist()
        [[[192, 64]]]
    """

    differentiable = False

    def __init__(
        self, bits: int | tuple[int, int] = 4, *, p: float = 0.5, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.bits = check_int_range(bits, "bits", min_value=1, max_value=8)

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        return {"bits": draws.integers(self.bits[0], self.bits[1] + 1)}

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, lambda x: F.posterize(x, params["bits"]))


@register("image.Equalize")
class Equalize(ImageAugmenter):
    """Histogram equalisation per sample and channel (PIL's algorithm); float images use 256 levels.

    Not differentiable: the output is piecewise constant in the input (a lookup table of 256 levels).

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = (torch.arange(1024) % 64 + 100).to(torch.uint8).reshape(1, 32, 32)   # levels 100..163
        >>> out = mi.Equalize(p=1.0)(x)
        >>> out.min().item(), out.max().item()
        (0, 255)
    """

    differentiable = False

    def __init__(self, *, p: float = 0.5, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, F.equalize)


@register("image.AutoContrast")
class AutoContrast(ImageAugmenter):
    """Stretch each channel linearly to span the full range [0, 1]; constant channels stay as they are.

    Example:
        >>> import torch, multiaug.image as mi
        >>> mi.AutoContrast(p=1.0)(torch.tensor([[[0.25, 0.5, 0.75]]])).tolist()
        [[[0.0, 0.5, 1.0]]]
    """

    def __init__(self, *, p: float = 0.5, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, F.autocontrast)


@register("image.Invert")
class Invert(ImageAugmenter):
    """``1 - x`` (uint8: ``255 - x``), exact, any number of channels.

    Example:
        >>> import torch, multiaug.image as mi
        >>> mi.Invert(p=1.0)(torch.tensor([[[0, 55]]], dtype=torch.uint8)).tolist()
        [[[255, 200]]]
    """

    def __init__(self, *, p: float = 0.5, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)

    def applies_to_all(self, batch: ImageBatch) -> bool:
        return True  # about a copy per sample

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, F.invert)


@register("image.Normalize")
class Normalize(ImageAugmenter):
    """``(x - mean) / std`` per channel with ``x`` in [0, 1]: deterministic, applied to every sample (p=1).

    The output is float and not clamped: float input keeps its dtype, uint8 input (divided by 255 first)
    gives float32. Put it last in a pipeline, after the ops that expect values in [0, 1]. Each channel is one
    fused pass, ``x * (1 / std) - mean / std``: it differs from ``(x - mean) / std`` by at most 2 float epsilons
    times ``max(|result|, 1)`` (less than the two-pass formula's own rounding error).

    Args:
        mean, std: one value per channel, or one value for all (default: ImageNet RGB statistics).

    Example:
        >>> import torch, multiaug.image as mi
        >>> out = mi.Normalize(mean=0.5, std=0.25)(torch.tensor([[[0, 255]]], dtype=torch.uint8))
        >>> out.dtype, [round(v, 6) for v in out.flatten().tolist()]
        (torch.float32, [-2.0, 2.0])
    """

    changes_dtype = True

    def __init__(
        self,
        mean: float | tuple[float, ...] = (0.485, 0.456, 0.406),
        std: float | tuple[float, ...] = (0.229, 0.224, 0.225),
        *,
        p: float = 1.0,
    ) -> None:
        if p != 1.0:
            raise ConfigError(
                f"Normalize turns uint8 images into float ones, so it applies to every sample: p must be 1, got {p!r}"
            )
        super().__init__(p=p)
        self.mean = self._values(mean, "mean")
        self.std = self._values(std, "std")
        if any(s <= 0 for s in self.std):
            raise ConfigError(f"std must be > 0 for every channel, got {std!r}")

    @staticmethod
    def _values(value: Any, name: str) -> list[float]:
        if hasattr(value, "tolist"):  # a numpy array or a tensor of per-channel values
            value = value.tolist()
        items = list(value) if isinstance(value, list | tuple) else [value]
        if not items or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in items
        ):
            raise ConfigError(f"{name} must be a number or one number per channel, got {value!r}")
        return [float(v) for v in items]

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        def run(x: Any) -> Any:
            c = x.shape[1]
            for name, values in (("mean", self.mean), ("std", self.std)):
                if len(values) not in (1, c):
                    raise InputError(
                        f"Normalize has {len(values)} {name} values for an image with {c} channels"
                    )
            return F.normalize(x, self.mean, self.std)

        return _with_image(batch, run)
