"""Geometric image augmenters: masks follow the image.

Every op here is one per-sample 3x3 matrix (``op.matrix(params, height, width)``, input to output pixel
coordinates, see :mod:`multiaug.image.functional.geometry`): the image is warped by it with the chosen
interpolation, masks with nearest neighbour in their own dtype (no new label values), and boxes or keypoints can
be moved by the same matrix. One warp per batch, computed with direct source coordinates and a gather.
Flips and quarter turns are exact copies; crops and resizes (fixed output size) are in :mod:`.crop`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from ..core import Draws, register
from ..core.checks import check_choice, check_int_range, check_number, check_range
from ..core.errors import ConfigError, InputError
from .base import ImageAugmenter, ImageBatch
from .functional.geometry import affine_matrix, perspective_matrix
from .functional.warp import BORDERS, INTERPOLATIONS, warp

__all__ = [
    "Affine",
    "HorizontalFlip",
    "Perspective",
    "Rotate",
    "Rotate90",
    "Stretch",
    "VerticalFlip",
    "Zoom",
]


def check_fill(value: Any, name: str, *, intensity: bool = True) -> float | tuple[float, ...]:
    """A fill value: one number or one per channel.

    With ``intensity`` (image fills) the values are in units of full intensity, within [0, 1], for uint8 and
    float images alike (see :func:`fill_for`); otherwise any numbers (mask labels).
    """
    if isinstance(value, bool | str):
        raise ConfigError(f"{name} must be a number or a sequence of per-channel numbers, got {value!r}")
    if isinstance(value, Sequence):
        if not value or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            raise ConfigError(f"{name} must be a number or a non-empty sequence of numbers, got {value!r}")
        out: float | tuple[float, ...] = tuple(float(v) for v in value)
    elif isinstance(value, int | float):
        out = float(value)
    else:
        raise ConfigError(f"{name} must be a number or a sequence of per-channel numbers, got {value!r}")
    values = out if isinstance(out, tuple) else (out,)
    if intensity and not all(0.0 <= v <= 1.0 for v in values):
        raise ConfigError(
            f"{name} is in units of full intensity (0 = black, 1 = white, for uint8 images too), "
            f"so it must lie in [0, 1]; got {value!r}"
        )
    return out


def check_fill_channels(fill: Any, batch: ImageBatch, name: str) -> None:
    """Refuse a per-channel fill whose length is not the image's channel count (called before the coin flip, so
    the error never depends on ``p``)."""
    if isinstance(fill, tuple) and len(fill) != 1 and batch.image is not None and len(fill) != batch.channels:
        raise InputError(
            f"{name} has {len(fill)} values (one per channel) but the image has {batch.channels} channels"
        )


def check_label(value: Any, name: str) -> float:
    """A mask fill: one number, a label value."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name} must be one number (a label value), got {value!r}")
    return float(value)


def fill_for(fill: float | tuple[float, ...], image: torch.Tensor) -> float | tuple[float, ...]:
    """An intensity fill (0-1) in the image's own units: times 255 for uint8 images."""
    if image.dtype != torch.uint8:
        return fill
    return tuple(255.0 * v for v in fill) if isinstance(fill, tuple) else 255.0 * fill


def out_size(batch: ImageBatch) -> tuple[int, int]:
    """The batch's ``(height, width)``: the output size of the ops that keep it."""
    return batch.height, batch.width


def _column(params: dict[str, Any], key: str) -> np.ndarray:
    return np.asarray(params[key], dtype=np.float64).reshape(-1)


@register("image.HorizontalFlip")
class HorizontalFlip(ImageAugmenter):
    """Mirror left-right, per sample with probability ``p``; masks are flipped too.

    Example:
        >>> import torch, multiaug.image as mi
        >>> mi.HorizontalFlip(p=1.0)(torch.tensor([[[1, 2, 3]]], dtype=torch.uint8)).tolist()
        [[[3, 2, 1]]]
    """

    def __init__(self, *, p: float = 0.5, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)

    def applies_to_all(self, batch: ImageBatch) -> bool:
        return True  # about a copy per sample

    def matrix(self, params: dict[str, Any], height: int, width: int) -> np.ndarray:
        """``x -> W - 1 - x`` on pixel centres (for boxes and keypoints)."""
        return np.array([[[-1.0, 0.0, width - 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]])

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        out = batch.replace(**{k: v.flip(-1) for k, v in batch._fields().items()})
        return self.with_targets(batch, out, self.matrix(params, batch.height, batch.width), out_size(batch))


@register("image.VerticalFlip")
class VerticalFlip(ImageAugmenter):
    """Mirror top-bottom, per sample with probability ``p``; masks are flipped too.

    Example:
        >>> import torch, multiaug.image as mi
        >>> mi.VerticalFlip(p=1.0)(torch.tensor([[[1], [2]]], dtype=torch.uint8)).tolist()
        [[[2], [1]]]
    """

    def __init__(self, *, p: float = 0.5, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)

    def applies_to_all(self, batch: ImageBatch) -> bool:
        return True  # about a copy per sample

    def matrix(self, params: dict[str, Any], height: int, width: int) -> np.ndarray:
        """``y -> H - 1 - y`` on pixel centres (for boxes and keypoints)."""
        return np.array([[[1.0, 0.0, 0.0], [0.0, -1.0, height - 1.0], [0.0, 0.0, 1.0]]])

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        out = batch.replace(**{k: v.flip(-2) for k, v in batch._fields().items()})
        return self.with_targets(batch, out, self.matrix(params, batch.height, batch.width), out_size(batch))


@register("image.Rotate90")
class Rotate90(ImageAugmenter):
    """Rotate by a random multiple of 90 degrees (``k`` quarter turns counter-clockwise), exactly.

    ``k`` is an inclusive integer range (default ``(0, 3)``: 0, 90, 180 or 270 degrees with equal chance) or one
    integer. A quarter turn of a non-square image would change its shape, and samples of a batch must keep one
    shape, so odd ``k`` needs square images (a clear error otherwise); ``k=2`` works on any image.

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.tensor([[[1, 2], [3, 4]]], dtype=torch.uint8)
        >>> mi.Rotate90(k=1, p=1.0)(x).tolist()
        [[[2, 4], [1, 3]]]
    """

    def __init__(
        self, k: int | tuple[int, int] = (0, 3), *, p: float = 0.5, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.k = check_int_range(k, "k")

    def validate(self, batch: ImageBatch) -> None:
        low, high = self.k
        has_odd = high > low or low % 2 == 1
        if has_odd and batch.height != batch.width:
            raise InputError(
                f"Rotate90 with k={self.k} turns some samples by 90 or 270 degrees, which changes the shape of "
                f"a non-square image ({batch.height}x{batch.width}); use square images or k=2"
            )

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        return {"k": draws.integers(self.k[0], self.k[1] + 1) % 4}

    def matrix(self, params: dict[str, Any], height: int, width: int) -> np.ndarray:
        """Quarter turns about the centre as matrices (for boxes and keypoints)."""
        return affine_matrix(height, width, angle=90.0 * _column(params, "k"))

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        k = np.asarray(params["k"], dtype=np.int64).reshape(-1) % 4
        fields = {}
        for name, value in batch._fields().items():
            out = value.clone()
            for turns in np.unique(k[k != 0]):  # one group per distinct k, at most three
                idx = torch.as_tensor(np.flatnonzero(k == turns), device=value.device)
                out[idx] = torch.rot90(value.index_select(0, idx), int(turns), dims=(-2, -1))
            fields[name] = out
        moved = self.matrix(params, batch.height, batch.width)
        return self.with_targets(batch, batch.replace(**fields), moved, out_size(batch))


class _Warped(ImageAugmenter):
    """Shared apply of the ops described by one per-sample matrix: subclasses write ``sample`` and ``matrix``."""

    def __init__(
        self,
        interpolation: str,
        border: str,
        fill: float | Sequence[float],
        fill_mask: float,
        p: float,
        same_on_batch: bool,
    ) -> None:
        # positional: every op passes these on in one line
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.interpolation = check_choice(interpolation, "interpolation", INTERPOLATIONS)
        self.border = check_choice(border, "border", BORDERS)
        self.fill = check_fill(fill, "fill")
        self.fill_mask = check_label(fill_mask, "fill_mask")

    def validate(self, batch: ImageBatch) -> None:
        if self.border == "constant":
            check_fill_channels(self.fill, batch, "fill")

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        """The output ``(height, width)`` for an input of this size."""
        return height, width

    def matrix(self, params: dict[str, Any], height: int, width: int) -> np.ndarray:
        """Per-sample ``(B,3,3)`` float64 matrices from input to output pixel coordinates."""
        raise TypeError(f"{type(self).__name__} must implement matrix")  # pragma: no cover

    def warp_image(self, image: torch.Tensor, matrix: np.ndarray, size: tuple[int, int]) -> torch.Tensor:
        """The image under per-sample matrices, with this op's interpolation and border."""
        fill = fill_for(self.fill, image)
        return warp(image, matrix, size, interpolation=self.interpolation, border=self.border, fill=fill)

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        height, width = batch.height, batch.width
        m = self.matrix(params, height, width)
        size = self.output_size(height, width)
        fields: dict[str, torch.Tensor] = {}
        if batch.image is not None:
            fields["image"] = self.warp_image(batch.image, m, size)
        if batch.mask is not None:
            fields["mask"] = warp(
                batch.mask, m, size, interpolation="nearest", border=self.border, fill=self.fill_mask
            )
        return self.with_targets(batch, batch.replace(**fields), m, size)


@register("image.Rotate")
class Rotate(_Warped):
    """Rotate about the centre by a random angle in degrees (positive: counter-clockwise), per sample.

    ``degrees`` is ``(low, high)`` or one number ``d`` meaning ``(-d, d)``. The corners revealed are filled by
    ``border``: ``"constant"`` (``fill`` for the image, one number or one per channel in units of full intensity,
    0-1 for uint8 images too, and ``fill_mask``, a label value, for masks), ``"reflect"`` or ``"replicate"``.
    ``interpolation``: nearest, bilinear or bicubic.

    Example:
        >>> import torch, multiaug.image as mi
        >>> out = mi.Rotate(degrees=30, p=1.0)(torch.rand(4, 3, 32, 32), seed=0)
        >>> out.shape
        torch.Size([4, 3, 32, 32])
    """

    def __init__(
        self,
        degrees: float | tuple[float, float] = 30.0,
        *,
        interpolation: str = "bilinear",
        border: str = "constant",
        fill: float | Sequence[float] = 0.0,
        fill_mask: float = 0.0,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(interpolation, border, fill, fill_mask, p, same_on_batch)
        self.degrees = check_range(degrees, "degrees", symmetric=True, min_value=-360.0, max_value=360.0)

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        return {"angle": draws.uniform(*self.degrees)}

    def matrix(self, params: dict[str, Any], height: int, width: int) -> np.ndarray:
        return affine_matrix(height, width, angle=_column(params, "angle"))


def _check_shear(shear: Any) -> tuple[float, float, float, float]:
    if isinstance(shear, Sequence) and not isinstance(shear, str) and len(shear) == 4:
        x = check_range(shear[:2], "shear", min_value=-89.0, max_value=89.0)
        y = check_range(shear[2:], "shear", min_value=-89.0, max_value=89.0)
        return (*x, *y)
    x = check_range(shear, "shear", symmetric=True, min_value=-89.0, max_value=89.0)
    return (*x, 0.0, 0.0)


@register("image.Affine")
class Affine(_Warped):
    """Random rotation, translation, scale and shear about the centre, per sample, in one warp.

    Args:
        degrees: rotation range in degrees (one number ``d`` means ``(-d, d)``).
        translate: the largest shift as a fraction of the width and height, ``(fx, fy)`` or one number for both;
            shifts are drawn in ``(-fx * W, fx * W)`` and ``(-fy * H, fy * H)``.
        scale: isotropic scale range (one number means that fixed scale); > 1 enlarges the content.
        shear: degrees; one number ``s`` means an x-shear in ``(-s, s)``, a pair an x-shear range, four numbers
            an x-shear range then a y-shear range.
        interpolation, border, fill, fill_mask: as in :class:`Rotate`.

    Example:
        >>> import torch, multiaug.image as mi
        >>> aug = mi.Affine(degrees=10, translate=0.1, scale=(0.9, 1.1), shear=5, p=1.0)
        >>> aug(torch.rand(2, 3, 16, 16), seed=1).shape
        torch.Size([2, 3, 16, 16])
    """

    def __init__(
        self,
        degrees: float | tuple[float, float] = 0.0,
        translate: float | tuple[float, float] = 0.0,
        scale: float | tuple[float, float] = 1.0,
        shear: float | Sequence[float] = 0.0,
        *,
        interpolation: str = "bilinear",
        border: str = "constant",
        fill: float | Sequence[float] = 0.0,
        fill_mask: float = 0.0,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(interpolation, border, fill, fill_mask, p, same_on_batch)
        self.degrees = check_range(degrees, "degrees", symmetric=True, min_value=-360.0, max_value=360.0)
        if isinstance(translate, Sequence) and not isinstance(translate, str):
            if len(translate) != 2:
                raise ConfigError(f"translate must be one number or (fx, fy), got {translate!r}")
            tx, ty = (check_number(v, "translate", min_value=0.0, max_value=1.0) for v in translate)
        else:
            tx = ty = check_number(translate, "translate", min_value=0.0, max_value=1.0)
        self.translate = (tx, ty)
        self.scale = check_range(scale, "scale", min_value=1e-3)
        if self.scale[0] <= 0:
            raise ConfigError(f"scale must be > 0, got {scale!r}")
        self.shear = _check_shear(shear)

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        tx, ty = self.translate
        ranges = np.array([self.degrees, (-tx, tx), (-ty, ty), self.scale, self.shear[:2], self.shear[2:]])
        values = ranges[:, 0] + draws.uniform(size=(6,)) * (ranges[:, 1] - ranges[:, 0])  # one draw call
        names = ("angle", "translate_x", "translate_y", "scale", "shear_x", "shear_y")
        return {name: values[:, i] for i, name in enumerate(names)}

    def matrix(self, params: dict[str, Any], height: int, width: int) -> np.ndarray:
        s = _column(params, "scale")
        return affine_matrix(
            height, width, angle=_column(params, "angle"), translate_x=_column(params, "translate_x") * width,
            translate_y=_column(params, "translate_y") * height, scale_x=s, scale_y=s,
            shear_x=_column(params, "shear_x"), shear_y=_column(params, "shear_y"),
        )  # fmt: skip


@register("image.Zoom")
class Zoom(_Warped):
    """Zoom in (scale > 1) or out (scale < 1) about the centre, the same factor along x and y, per sample.

    ``scale`` is ``(low, high)``, > 0, or one number for a fixed factor; factors are drawn log-uniformly, so
    zooming in by 2 is as likely as zooming out by 2 for ``(0.5, 2)``. Zooming out reveals the border (``border``,
    ``fill``, ``fill_mask`` as in :class:`Rotate`).

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.rand(1, 3, 8, 8)
        >>> bool(torch.equal(mi.Zoom(scale=1.0, p=1.0)(x), x))
        True
    """

    def __init__(
        self,
        scale: float | tuple[float, float] = (0.8, 1.25),
        *,
        interpolation: str = "bilinear",
        border: str = "constant",
        fill: float | Sequence[float] = 0.0,
        fill_mask: float = 0.0,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(interpolation, border, fill, fill_mask, p, same_on_batch)
        self.scale = _check_scale(scale, "scale")

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        return {"scale": draws.log_uniform(*self.scale)}

    def matrix(self, params: dict[str, Any], height: int, width: int) -> np.ndarray:
        s = _column(params, "scale")
        return affine_matrix(height, width, scale_x=s, scale_y=s)


def _check_scale(value: Any, name: str) -> tuple[float, float]:
    low, high = check_range(value, name)
    if low <= 0:
        raise ConfigError(f"{name} must be > 0 (a scale factor), got {value!r}")
    return low, high


@register("image.Stretch")
class Stretch(_Warped):
    """Scale x and y by independent factors about the centre (an aspect-ratio change), per sample.

    ``scale_x`` and ``scale_y`` are ``(low, high)`` ranges (> 0) or fixed numbers; each factor is drawn
    log-uniformly. ``Stretch(scale_x=1.0, scale_y=1.0)`` is the identity.

    Example:
        >>> import torch, multiaug.image as mi
        >>> mi.Stretch(scale_x=(1.0, 1.5), scale_y=1.0, p=1.0)(torch.rand(2, 1, 8, 8)).shape
        torch.Size([2, 1, 8, 8])
    """

    def __init__(
        self,
        scale_x: float | tuple[float, float] = (0.8, 1.25),
        scale_y: float | tuple[float, float] = (0.8, 1.25),
        *,
        interpolation: str = "bilinear",
        border: str = "constant",
        fill: float | Sequence[float] = 0.0,
        fill_mask: float = 0.0,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(interpolation, border, fill, fill_mask, p, same_on_batch)
        self.scale_x = _check_scale(scale_x, "scale_x")
        self.scale_y = _check_scale(scale_y, "scale_y")

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        logs = np.log(np.array([self.scale_x, self.scale_y]))
        values = np.exp(logs[:, 0] + draws.uniform(size=(2,)) * (logs[:, 1] - logs[:, 0]))  # log-uniform
        return {"scale_x": values[:, 0], "scale_y": values[:, 1]}

    def matrix(self, params: dict[str, Any], height: int, width: int) -> np.ndarray:
        return affine_matrix(
            height, width, scale_x=_column(params, "scale_x"), scale_y=_column(params, "scale_y")
        )


@register("image.Perspective")
class Perspective(_Warped):
    """A random perspective: each corner moves inwards by up to ``distortion_scale / 2`` of the width and height.

    Semantics of torchvision's ``RandomPerspective`` (corner offsets drawn uniformly, continuous here), per
    sample. ``distortion_scale`` is in [0, 1]; 0 is the identity.

    Example:
        >>> import torch, multiaug.image as mi
        >>> mi.Perspective(distortion_scale=0.5, p=1.0)(torch.rand(2, 3, 16, 16), seed=0).shape
        torch.Size([2, 3, 16, 16])
    """

    def __init__(
        self,
        distortion_scale: float = 0.5,
        *,
        interpolation: str = "bilinear",
        border: str = "constant",
        fill: float | Sequence[float] = 0.0,
        fill_mask: float = 0.0,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(interpolation, border, fill, fill_mask, p, same_on_batch)
        self.distortion_scale = check_number(
            distortion_scale, "distortion_scale", min_value=0.0, max_value=1.0
        )

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        # inward offsets of the corners (top-left, top-right, bottom-right, bottom-left) as fractions of W and H
        return {"offsets": draws.uniform(0.0, self.distortion_scale / 2, size=(4, 2))}

    def matrix(self, params: dict[str, Any], height: int, width: int) -> np.ndarray:
        offsets = np.asarray(params["offsets"], dtype=np.float64).reshape(-1, 4, 2)
        # corners at the edge pixels' centres; a one-pixel side spans one pixel so that they are never collinear
        right, bottom = max(width - 1, 1), max(height - 1, 1)
        corners = np.array([[0.0, 0.0], [right, 0.0], [right, bottom], [0.0, bottom]])
        inward = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
        end = corners + inward * offsets * np.array([right, bottom])
        return perspective_matrix(np.broadcast_to(corners, end.shape), end)
