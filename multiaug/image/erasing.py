"""Random erasing: CoarseDropout (Albumentations 1.x), Cutout (DeVries & Taylor), RandomErasing (Zhong et al.).

Each sample's rectangles are drawn in ``sample`` as ``(top, left, bottom, right)`` pixel boxes (``params["holes"]``,
``(B,K,4)``; an empty box erases nothing) and filled in one batched pass. Fill values are one number or one per
channel, in units of full intensity (0-1, for uint8 images too) like every multiaug image parameter, except
``CoarseDropout.fill_value`` which keeps Albumentations' meaning (the image's own units: 0-255 for uint8); or
``"random"``: uniform noise regenerated in ``apply`` from a per-sample seed drawn in ``sample``, so replays are
exact. Masks are left alone unless ``mask_fill_value`` (a label value) is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import torch

from ..core import Draws, register
from ..core.checks import check_range
from ..core.errors import ConfigError
from ..core.noise import rand
from .base import ImageAugmenter, ImageBatch
from .crop import box_tries, first_fit
from .functional.erasing import erase
from .geometric import check_fill, check_fill_channels, check_label, fill_for

__all__ = ["CoarseDropout", "Cutout", "RandomErasing"]

FillValue = float | Sequence[float] | str


def _check_value(value: Any, name: str, intensity: bool = True) -> float | tuple[float, ...] | str:
    if value == "random":
        return "random"
    return check_fill(value, name, intensity=intensity)


class _Erasing(ImageAugmenter):
    """Shared apply: fill ``params["holes"]`` with the fill value (or seeded noise), masks optionally."""

    fill: float | tuple[float, ...] | str
    mask_fill_value: float | None
    #: CoarseDropout keeps Albumentations' fill in the image's own units (0-255 for uint8); the others take
    #: units of full intensity (0-1) like every other multiaug image parameter.
    pixel_units: ClassVar[bool] = False

    def _check_fills(self, fill: Any, name: str, mask_fill_value: Any, *, intensity: bool = True) -> None:
        """Set ``fill`` (the image fill, argument ``name``) and ``mask_fill_value`` (a label, or None)."""
        self.fill = _check_value(fill, name, intensity=intensity)
        self._fill_name = name
        self.mask_fill_value = (
            None if mask_fill_value is None else check_label(mask_fill_value, "mask_fill_value")
        )

    def validate(self, batch: ImageBatch) -> None:
        check_fill_channels(self.fill, batch, self._fill_name)

    def _draw_seeds(self, draws: Draws) -> dict[str, Any]:
        return {"seed": draws.seeds()} if self.fill == "random" else {}

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        holes = np.asarray(params["holes"], dtype=np.int64).reshape(len(batch), -1, 4)
        fields: dict[str, torch.Tensor] = {}
        image = batch.image
        if image is not None:
            value: Any = self.fill
            if value != "random" and not self.pixel_units:
                value = fill_for(value, image)
            if value == "random":
                unit = 255.0 if image.dtype == torch.uint8 else 1.0
                value = rand(params["seed"], image.shape[1:], image.device, torch.float32) * unit
            fields["image"] = erase(image, holes, value)
        if batch.mask is not None and self.mask_fill_value is not None:
            fields["mask"] = erase(batch.mask, holes, self.mask_fill_value)
        return batch.replace(**fields)


def _dimension(value: Any, name: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(
            f"{name} must be an int (pixels) or a float in (0, 1) (fraction of the side), got {value!r}"
        )
    if isinstance(value, float) and not 0.0 < value < 1.0:
        raise ConfigError(
            f"{name} as a float is a fraction of the image side and must be in (0, 1), got {value!r}"
        )
    if isinstance(value, int) and value < 1:
        raise ConfigError(f"{name} in pixels must be >= 1, got {value!r}")
    return value


@register("image.CoarseDropout")
class CoarseDropout(_Erasing):
    """Drop rectangular holes, with exactly the parameters and semantics of Albumentations 1.x ``CoarseDropout``.

    Each sample gets a number of holes drawn uniformly in ``[min_holes, max_holes]``; each hole a height in
    ``[min_height, max_height]`` and a width in ``[min_width, max_width]`` (ints: pixels, inclusive; floats in
    (0, 1): fractions of the image height/width, ``int(side * uniform(min, max))``); a ``min_*`` of None means
    its ``max_*``. Holes lie fully inside the image and may overlap (a hole larger than the image is clipped to
    it, where Albumentations would raise). ``fill_value``: a number or per-channel sequence in the image's units,
    or ``"random"``; ``mask_fill_value=None`` leaves masks untouched, a number fills their holes.

    Example:
        >>> import torch, multiaug.image as mi
        >>> aug = mi.CoarseDropout(max_holes=1, max_height=128, max_width=128, min_holes=None, min_height=None,
        ...                        min_width=None, fill_value=0, mask_fill_value=None, p=0.5)
        >>> out = aug(torch.full((4, 3, 256, 256), 200, dtype=torch.uint8), seed=0)
        >>> sorted({int((o == 0).all(0).sum()) for o in out})  # each erased sample lost one 128x128 hole
        [0, 16384]
    """

    pixel_units = True

    def __init__(
        self,
        max_holes: int = 8,
        max_height: int | float = 8,
        max_width: int | float = 8,
        min_holes: int | None = None,
        min_height: int | float | None = None,
        min_width: int | float | None = None,
        fill_value: FillValue = 0,
        mask_fill_value: float | None = None,
        p: float = 0.5,
        *,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        for name, v in (("max_holes", max_holes), ("min_holes", min_holes)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, int)):
                raise ConfigError(f"{name} must be an integer, got {v!r}")
        self.max_holes = max_holes
        self.min_holes = max_holes if min_holes is None else min_holes
        if not 0 < self.min_holes <= self.max_holes:
            raise ConfigError(
                f"need 0 < min_holes <= max_holes, got min_holes={self.min_holes}, max_holes={self.max_holes}"
            )
        self.max_height = _dimension(max_height, "max_height")
        self.max_width = _dimension(max_width, "max_width")
        self.min_height = self.max_height if min_height is None else _dimension(min_height, "min_height")
        self.min_width = self.max_width if min_width is None else _dimension(min_width, "min_width")
        dims = (self.min_height, self.max_height, self.min_width, self.max_width)
        self.fractions = all(isinstance(d, float) for d in dims)
        if not self.fractions and not all(isinstance(d, int) for d in dims):
            raise ConfigError(
                "min_height, max_height, min_width and max_width must all be ints (pixels) or all floats "
                f"(fractions), got {dims}"
            )
        for side in ("height", "width"):
            low, high = getattr(self, f"min_{side}"), getattr(self, f"max_{side}")
            if low > high:
                raise ConfigError(f"need min_{side} <= max_{side}, got {low} > {high}")
        self._check_fills(fill_value, "fill_value", mask_fill_value, intensity=False)

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        height, width = batch.height, batch.width
        k = self.max_holes
        count = draws.integers(self.min_holes, self.max_holes + 1)
        if self.fractions:
            h = np.floor(height * draws.uniform(self.min_height, self.max_height, size=(k,))).astype(np.int64)
            w = np.floor(width * draws.uniform(self.min_width, self.max_width, size=(k,))).astype(np.int64)
        else:
            h = draws.integers(self.min_height, self.max_height + 1, size=(k,))
            w = draws.integers(self.min_width, self.max_width + 1, size=(k,))
        h, w = np.minimum(h, height), np.minimum(w, width)
        u = draws.uniform(size=(k, 2))
        top = np.floor(u[..., 0] * (height - h + 1)).astype(np.int64)
        left = np.floor(u[..., 1] * (width - w + 1)).astype(np.int64)
        used = np.arange(k) < count[:, None]
        holes = np.stack([top, left, top + h * used, left + w * used], axis=-1)
        return {"holes": holes, **self._draw_seeds(draws)}


@register("image.Cutout")
class Cutout(_Erasing):
    """Cutout (DeVries & Taylor, 2017): ``num_holes`` squares of side ``size`` centred anywhere in the image.

    Each centre is a pixel drawn uniformly over the whole image, so squares near the border are clipped by it
    (they can cover less than ``size**2`` pixels). ``size`` is in pixels (int) or a fraction in (0, 1) of the
    shorter side. ``fill_value``: a number or one per channel in units of full intensity (0-1, for uint8 images
    too), or ``"random"``; ``mask_fill_value`` as in :class:`CoarseDropout`.

    Example:
        >>> import torch, multiaug.image as mi
        >>> out = mi.Cutout(size=4, p=1.0)(torch.ones(1, 1, 8, 8), seed=0)
        >>> 0 < int((out == 0).sum()) <= 16
        True
    """

    def __init__(
        self,
        size: int | float = 16,
        num_holes: int = 1,
        *,
        fill_value: FillValue = 0,
        mask_fill_value: float | None = None,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.size = _dimension(size, "size")
        if isinstance(num_holes, bool) or not isinstance(num_holes, int) or num_holes < 1:
            raise ConfigError(f"num_holes must be an integer >= 1, got {num_holes!r}")
        self.num_holes = num_holes
        self._check_fills(fill_value, "fill_value", mask_fill_value)

    def applies_to_all(self, batch: ImageBatch) -> bool:
        return True  # about a copy per sample

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        height, width = batch.height, batch.width
        side = self.size if isinstance(self.size, int) else max(1, round(self.size * min(height, width)))
        k = self.num_holes
        cy = draws.integers(0, height, size=(k,))
        cx = draws.integers(0, width, size=(k,))
        top, left = cy - side // 2, cx - side // 2
        holes = np.stack([top, left, top + side, left + side], axis=-1)
        holes = np.clip(holes, 0, np.array([height, width, height, width]))
        return {"holes": holes, **self._draw_seeds(draws)}


@register("image.RandomErasing")
class RandomErasing(_Erasing):
    """Random Erasing (Zhong et al., 2020), with torchvision's ``RandomErasing`` semantics, per sample.

    One rectangle covering a fraction of the image area drawn uniformly in ``scale``, with an aspect ratio
    (height / width) drawn log-uniformly in ``ratio``; up to 10 tries per sample to fit it inside the image (a
    try is also rejected when pixel rounding takes its area out of ``scale``, so the erased fraction always lies
    within ``scale``); if none fits, the sample is left unchanged. ``value``: a number or one per channel in
    units of full intensity (0-1, for uint8 images too), or ``"random"`` (uniform noise). ``mask_fill_value`` as
    in :class:`CoarseDropout`.

    Example:
        >>> import torch, multiaug.image as mi
        >>> out = mi.RandomErasing(scale=(0.1, 0.2), p=1.0)(torch.ones(1, 3, 32, 32), seed=0)
        >>> 0.1 <= float((out == 0).all(0).float().mean()) <= 0.2
        True
    """

    def __init__(
        self,
        scale: tuple[float, float] = (0.02, 0.33),
        ratio: tuple[float, float] = (0.3, 3.3),
        value: FillValue = 0,
        *,
        mask_fill_value: float | None = None,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.scale = check_range(scale, "scale", min_value=0.0, max_value=1.0)
        if self.scale[1] <= 0:
            raise ConfigError(f"scale must be an area fraction range within (0, 1], got {scale!r}")
        self.ratio = check_range(ratio, "ratio")
        if self.ratio[0] <= 0:
            raise ConfigError(f"ratio must be > 0 (height / width), got {ratio!r}")
        self._check_fills(value, "value", mask_fill_value)

    def applies_to_all(self, batch: ImageBatch) -> bool:
        return True  # about a copy per sample

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        height, width = batch.height, batch.width
        area = height * width
        h, w, u = box_tries(draws, self.scale, self.ratio, area)  # ratio is height / width
        frac = h * w / area
        ok = (
            (h > 0) & (w > 0) & (h < height) & (w < width) & (frac >= self.scale[0]) & (frac <= self.scale[1])
        )
        _, h, w, top, left = first_fit(ok, h, w, u, height, width)
        holes = np.stack([top, left, top + h, left + w], axis=-1)[:, None, :]
        return {"holes": holes, **self._draw_seeds(draws)}
