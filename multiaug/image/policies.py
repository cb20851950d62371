"""Automatic augmentation policies: RandAugment and TrivialAugmentWide, with a policy drawn per sample.

Both pick operations from the same 14-entry space as torchvision (``OPS``): each sample of a batch draws its own
operations, signs and magnitudes, and the batch is processed one group of samples per operation and step. The
geometric operations move masks (nearest), boxes and keypoints; the colour operations leave them alone.

The policies are differentiable in the image: gradients flow through every operation's kernel, except Posterize
and Equalize, whose outputs are piecewise constant in the input: a sample's gradient through such a step is zero
(the result stays on the graph, as ``torch.round``'s does, so a policy's output always carries a gradient).

Example:
    >>> import torch, multiaug.image as mi
    >>> aug = mi.RandAugment(num_ops=2, magnitude=9)
    >>> aug(torch.rand(8, 3, 32, 32), seed=0).shape
    torch.Size([8, 3, 32, 32])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from ..core import Draws, register
from ..core.checks import check_choice, check_int, check_number
from ..core.errors import ConfigError, InputError
from ..core.grad import clamp_through, tracks_grad
from .base import ImageAugmenter, ImageBatch
from .functional import color as C
from .functional import filters as F
from .functional.chunks import work_dtype
from .functional.geometry import affine_matrix
from .functional.warp import INTERPOLATIONS, warp
from .geometric import check_fill, check_fill_channels, check_label, fill_for, out_size

__all__ = [
    "OPS",
    "AugMix",
    "AutoAugment",
    "RandAugment",
    "TrivialAugmentWide",
    "auto_policy",
    "magnitude_table",
]

#: The operation space, in the order of the ``op`` indices that a call's record holds.
OPS = (
    "Identity",
    "ShearX",
    "ShearY",
    "TranslateX",
    "TranslateY",
    "Rotate",
    "Brightness",
    "Color",
    "Contrast",
    "Sharpness",
    "Posterize",
    "Solarize",
    "AutoContrast",
    "Equalize",
    "Invert",  # AutoAugment's policies only: RandAugment and TrivialAugmentWide draw from the 14 before it
)
_SEARCH_SPACE = 14  # RandAugment's and TrivialAugmentWide's operations: OPS[:14]
_SIGNED = frozenset({"ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color", "Contrast",
                     "Sharpness"})  # fmt: skip
_GEOMETRIC = frozenset({"ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate"})
_PIECEWISE_CONSTANT = frozenset({"Posterize", "Equalize"})  # quantisers: derivative zero almost everywhere


def magnitude_table(op: str, bins: int, height: int, width: int, *, wide: bool = False) -> np.ndarray:
    """The ``bins`` magnitudes of an operation, as torchvision defines them for RandAugment (``wide=False``)
    and TrivialAugmentWide (``wide=True``); operations without a magnitude give zeros.

    Shears are factors (``x -= s * y`` about the top-left corner, as torchvision), translations pixels, rotations
    degrees, Brightness/Color/Contrast/Sharpness the offset of the factor from 1, Posterize bits, Solarize the
    threshold as a fraction of white.

    Example:
        >>> float(magnitude_table("Rotate", 31, 224, 224)[9]), float(magnitude_table("Posterize", 31, 224, 224)[9])
        (9.0, 7.0)
    """
    if op in ("ShearX", "ShearY"):
        return _linspace(0.0, 0.99 if wide else 0.3, bins)
    if op in ("TranslateX", "TranslateY"):
        side = width if op == "TranslateX" else height
        return _linspace(0.0, 32.0 if wide else 150.0 / 331.0 * side, bins)
    if op == "Rotate":
        return _linspace(0.0, 135.0 if wide else 30.0, bins)
    if op in ("Brightness", "Color", "Contrast", "Sharpness"):
        return _linspace(0.0, 0.99 if wide else 0.9, bins)
    if op == "Posterize":
        return _posterize_bits(8, 6.0 if wide else 4.0, bins)
    if op == "Solarize":
        return _linspace(1.0, 0.0, bins)
    return np.zeros(bins)


def _posterize_bits(top: int, spread: float, bins: int) -> np.ndarray:
    """torchvision's Posterize table: ``top - round(k / ((bins - 1) / spread))`` bits at bin ``k``."""
    return (top - torch.arange(bins, device="cpu") / ((bins - 1) / spread)).round().numpy().astype(np.float64)


def _linspace(start: float, stop: float, bins: int) -> np.ndarray:
    """torchvision's float32 ``torch.linspace``, bit for bit: its values decide the truncated translations (the
    wide table's bin 15 is 15.999999 pixels, so 15 pixels, not 16)."""
    return torch.linspace(start, stop, bins, dtype=torch.float32, device="cpu").numpy().astype(np.float64)


def _geometry(op: str, m: np.ndarray, height: int, width: int) -> np.ndarray:
    """``(n,3,3)`` forward matrices of a geometric operation with signed magnitudes ``m``."""
    out = np.tile(np.eye(3), (len(m), 1, 1))
    # Shears as torchvision's: ``x -= s y`` (ShearX) about the top-left corner of the image, the pixel edge half a
    # pixel before the first pixel centre; on pixel centres that is ``x -= s (y + 1/2)``.
    if op == "ShearX":
        out[:, 0, 1] = -m
        out[:, 0, 2] = -0.5 * m
    elif op == "ShearY":
        out[:, 1, 0] = -m
        out[:, 1, 2] = -0.5 * m
    elif op == "TranslateX":  # whole pixels, as torchvision
        out[:, 0, 2] = np.trunc(m)
    elif op == "TranslateY":
        out[:, 1, 2] = np.trunc(m)
    else:  # Rotate, about the centre, counter-clockwise for positive degrees
        out = affine_matrix(height, width, angle=m)
    return out


class _Policy(ImageAugmenter):
    """Shared machinery: subclasses draw ``op`` and signed ``magnitude`` arrays of shape ``(B, steps)``."""

    wide = False

    def __init__(
        self,
        num_magnitude_bins: int,
        interpolation: str,
        fill: float | Sequence[float],
        fill_mask: float,
        p: float,
        same_on_batch: bool,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.num_magnitude_bins = check_int(num_magnitude_bins, "num_magnitude_bins", min_value=2)
        self.interpolation = check_choice(interpolation, "interpolation", INTERPOLATIONS)
        self.fill = check_fill(fill, "fill")
        self.fill_mask = check_label(fill_mask, "fill_mask")

    def validate(self, batch: ImageBatch) -> None:
        if batch.image is not None and batch.image.shape[1] not in (1, 3):
            raise InputError(
                f"{type(self).__name__} needs RGB or grey images (3 or 1 channels), "
                f"got {batch.image.shape[1]} channels"
            )
        check_fill_channels(self.fill, batch, "fill")

    def _table(self, op: str, height: int, width: int) -> np.ndarray:
        """This policy's magnitudes of ``op``, one per bin."""
        return magnitude_table(op, self.num_magnitude_bins, height, width, wide=self.wide)

    def _signed(self, draws: Draws, ops: np.ndarray, bins: np.ndarray, height: int, width: int) -> np.ndarray:
        """Signed magnitudes for drawn ``ops`` and magnitude ``bins`` (both ``(B, ...)``): one sign draw."""
        negative = draws.bernoulli(0.5, size=ops.shape[1:])
        mags = np.zeros(ops.shape)
        for k in np.unique(ops).tolist():
            hit = ops == k
            sign = np.where(negative[hit] & (OPS[k] in _SIGNED), -1.0, 1.0)
            mags[hit] = self._table(OPS[k], height, width)[bins[hit]] * sign
        return mags

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        ops = np.asarray(params["op"], dtype=np.int64).reshape(len(batch), -1)
        mags = np.asarray(params["magnitude"], dtype=np.float64).reshape(ops.shape)
        out, matrix = self._steps(batch, ops, mags)
        return self.with_targets(batch, out, matrix, out_size(batch))

    def _steps(self, batch: ImageBatch, ops: np.ndarray, mags: np.ndarray) -> tuple[ImageBatch, np.ndarray]:
        """The batch after the ``(B, steps)`` operations, and the composed per-sample geometry ``(B,3,3)``."""
        height, width = batch.height, batch.width
        matrix = np.tile(np.eye(3), (len(batch), 1, 1))  # composed geometry, for boxes and keypoints
        out = batch
        for step in range(ops.shape[1]):
            parts = []
            for k in np.unique(ops[:, step]).tolist():
                op = OPS[k]
                rows = np.flatnonzero(ops[:, step] == k)
                if op == "Identity" or (
                    op == "Color" and batch.image is not None and batch.image.shape[1] == 1
                ):
                    continue
                part = out if len(rows) == len(batch) else out.select(rows)
                m = mags[rows, step]
                if op in _GEOMETRIC:
                    geo = _geometry(op, m, height, width)
                    matrix[rows] = geo @ matrix[rows]
                    parts.append((rows, self._warp(part, geo)))
                elif part.image is not None:
                    parts.append((rows, part.replace(image=_color(op, part.image, m))))
            if len(parts) == 1 and len(parts[0][0]) == len(batch):
                out = parts[0][1]
            elif parts:
                out = out.merge(parts)
        return out, matrix

    def _warp(self, part: ImageBatch, matrix: np.ndarray) -> ImageBatch:
        fields: dict[str, torch.Tensor] = {}
        if part.image is not None:
            fill = fill_for(self.fill, part.image)
            fields["image"] = warp(part.image, matrix, interpolation=self.interpolation, fill=fill)
        if part.mask is not None:
            fields["mask"] = warp(part.mask, matrix, interpolation="nearest", fill=self.fill_mask)
        return part.replace(**fields)


def _color(op: str, image: torch.Tensor, m: np.ndarray) -> torch.Tensor:
    """A colour operation with per-sample magnitudes ``m``.

    A piecewise-constant one (Posterize, Equalize) runs on the detached image; when autograd records, its result
    is tied back to the graph with a zero gradient (``+ 0 * image``, exact for finite pixels)."""
    if op in _PIECEWISE_CONSTANT and tracks_grad(image):
        return _color(op, image.detach(), m).add(image, alpha=0.0)
    if op == "Brightness":
        return C.adjust_brightness(image, 1.0 + m)
    if op == "Color":
        return C.adjust_saturation(image, 1.0 + m)
    if op == "Contrast":
        return C.adjust_contrast(image, 1.0 + m)
    if op == "Sharpness":
        return F.adjust_sharpness(image, 1.0 + m)
    if op == "Posterize":
        return C.posterize(image, m.astype(np.int64))
    if op == "Solarize":
        if image.dtype == torch.uint8:
            # torchvision compares the pixels with 255 m in float32: 255 x 0.93333334 (bin 2 of 31) is 238.000001
            # but inverts 238; pass the threshold half a level below the first inverted level
            m = (np.ceil((255.0 * m).astype(np.float32)) - 0.5) / 255.0
        return C.solarize(image, m)
    if op == "AutoContrast":
        return C.autocontrast(image)
    if op == "Invert":
        return C.invert(image)
    return C.equalize(image)


@register("image.RandAugment")
class RandAugment(_Policy):
    """RandAugment (Cubuk et al., 2020): ``num_ops`` operations per sample at one ``magnitude``.

    Each sample draws ``num_ops`` operations from the first 14 of :data:`OPS` (uniformly, with replacement) and
    a sign for each signed one, and applies them in order at bin ``magnitude`` of ``num_magnitude_bins``: torchvision's
    ``RandAugment`` semantics and magnitude table (:func:`magnitude_table`), but with a draw per sample instead
    of one per call. Images are uint8 or float, RGB or grey (``Color`` leaves grey images alone).

    Args:
        num_ops: operations per sample (0 makes the policy the identity).
        magnitude: the magnitude bin, ``0 .. num_magnitude_bins - 1``.
        num_magnitude_bins: how many bins span each operation's range.
        interpolation: of the geometric operations (torchvision's default, nearest; or bilinear, bicubic).
        fill, fill_mask: what the geometric operations reveal, as in :class:`Rotate`.

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.randint(0, 256, (4, 3, 24, 24), dtype=torch.uint8)
        >>> out, record = mi.RandAugment(num_ops=2, magnitude=9)(x, seed=1, return_params=True)
        >>> out.dtype, record.params["op"].shape
        (torch.uint8, (4, 2))
    """

    def __init__(
        self,
        num_ops: int = 2,
        magnitude: int = 9,
        num_magnitude_bins: int = 31,
        *,
        interpolation: str = "nearest",
        fill: float | Sequence[float] = 0.0,
        fill_mask: float = 0.0,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(num_magnitude_bins, interpolation, fill, fill_mask, p, same_on_batch)
        self.num_ops = check_int(num_ops, "num_ops", min_value=0)
        self.magnitude = check_int(magnitude, "magnitude", min_value=0)
        if self.magnitude >= self.num_magnitude_bins:
            raise ConfigError(
                f"magnitude must be a bin in 0..{self.num_magnitude_bins - 1} (num_magnitude_bins="
                f"{self.num_magnitude_bins}), got {magnitude!r}"
            )

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        ops = draws.integers(0, _SEARCH_SPACE, size=(self.num_ops,))
        bins = np.full(ops.shape, self.magnitude, dtype=np.int64)
        return {"op": ops, "magnitude": self._signed(draws, ops, bins, batch.height, batch.width)}


@register("image.TrivialAugmentWide")
class TrivialAugmentWide(_Policy):
    """TrivialAugment (Müller and Hutter, 2021), wide ranges: one operation per sample at a random magnitude.

    Each sample draws one operation from the first 14 of :data:`OPS`, a magnitude bin uniformly in ``0 .. num_magnitude_bins - 1``
    and a sign: torchvision's ``TrivialAugmentWide`` semantics and ranges (:func:`magnitude_table` with
    ``wide=True``), with a draw per sample instead of one per call.

    Args:
        num_magnitude_bins: how many bins span each operation's range.
        interpolation, fill, fill_mask: as in :class:`RandAugment`.

    Example:
        >>> import torch, multiaug.image as mi
        >>> out = mi.TrivialAugmentWide()(torch.rand(4, 3, 24, 24), seed=0)
        >>> out.shape
        torch.Size([4, 3, 24, 24])
    """

    wide = True

    def __init__(
        self,
        num_magnitude_bins: int = 31,
        *,
        interpolation: str = "nearest",
        fill: float | Sequence[float] = 0.0,
        fill_mask: float = 0.0,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(num_magnitude_bins, interpolation, fill, fill_mask, p, same_on_batch)

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        ops = draws.integers(0, _SEARCH_SPACE, size=(1,))
        bins = draws.integers(0, self.num_magnitude_bins, size=(1,))
        return {"op": ops, "magnitude": self._signed(draws, ops, bins, batch.height, batch.width)}


# AutoAugment's learned policies (Cubuk et al., 2019), as torchvision lists them: 25 sub-policies of two
# (operation, probability, magnitude bin of 10) steps; None where the operation has no magnitude.
_AUTO_POLICIES: dict[str, tuple[tuple[tuple[str, float, int | None], ...], ...]] = {
    "imagenet": (
        (("Posterize", 0.4, 8), ("Rotate", 0.6, 9)),
        (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)),
        (("Posterize", 0.6, 7), ("Posterize", 0.6, 6)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)),
        (("Equalize", 0.4, None), ("Rotate", 0.8, 8)),
        (("Solarize", 0.6, 3), ("Equalize", 0.6, None)),
        (("Posterize", 0.8, 5), ("Equalize", 1.0, None)),
        (("Rotate", 0.2, 3), ("Solarize", 0.6, 8)),
        (("Equalize", 0.6, None), ("Posterize", 0.4, 6)),
        (("Rotate", 0.8, 8), ("Color", 0.4, 0)),
        (("Rotate", 0.4, 9), ("Equalize", 0.6, None)),
        (("Equalize", 0.0, None), ("Equalize", 0.8, None)),
        (("Invert", 0.6, None), ("Equalize", 1.0, None)),
        (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
        (("Rotate", 0.8, 8), ("Color", 1.0, 2)),
        (("Color", 0.8, 8), ("Solarize", 0.8, 7)),
        (("Sharpness", 0.4, 7), ("Invert", 0.6, None)),
        (("ShearX", 0.6, 5), ("Equalize", 1.0, None)),
        (("Color", 0.4, 0), ("Equalize", 0.6, None)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)),
        (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Invert", 0.6, None), ("Equalize", 1.0, None)),
        (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)),
    ),
    "cifar10": (
        (("Invert", 0.1, None), ("Contrast", 0.2, 6)),
        (("Rotate", 0.7, 2), ("TranslateX", 0.3, 9)),
        (("Sharpness", 0.8, 1), ("Sharpness", 0.9, 3)),
        (("ShearY", 0.5, 8), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.5, None), ("Equalize", 0.9, None)),
        (("ShearY", 0.2, 7), ("Posterize", 0.3, 7)),
        (("Color", 0.4, 3), ("Brightness", 0.6, 7)),
        (("Sharpness", 0.3, 9), ("Brightness", 0.7, 9)),
        (("Equalize", 0.6, None), ("Equalize", 0.5, None)),
        (("Contrast", 0.6, 7), ("Sharpness", 0.6, 5)),
        (("Color", 0.7, 7), ("TranslateX", 0.5, 8)),
        (("Equalize", 0.3, None), ("AutoContrast", 0.4, None)),
        (("TranslateY", 0.4, 3), ("Sharpness", 0.2, 6)),
        (("Brightness", 0.9, 6), ("Color", 0.2, 8)),
        (("Solarize", 0.5, 2), ("Invert", 0.0, None)),
        (("Equalize", 0.2, None), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.2, None), ("Equalize", 0.6, None)),
        (("Color", 0.9, 9), ("Equalize", 0.6, None)),
        (("AutoContrast", 0.8, None), ("Solarize", 0.2, 8)),
        (("Brightness", 0.1, 3), ("Color", 0.7, 0)),
        (("Solarize", 0.4, 5), ("AutoContrast", 0.9, None)),
        (("TranslateY", 0.9, 9), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.9, None), ("Solarize", 0.8, 3)),
        (("Equalize", 0.8, None), ("Invert", 0.1, None)),
        (("TranslateY", 0.7, 9), ("AutoContrast", 0.9, None)),
    ),
    "svhn": (
        (("ShearX", 0.9, 4), ("Invert", 0.2, None)),
        (("ShearY", 0.9, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.6, None), ("Solarize", 0.6, 6)),
        (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Equalize", 0.6, None), ("Rotate", 0.9, 3)),
        (("ShearX", 0.9, 4), ("AutoContrast", 0.8, None)),
        (("ShearY", 0.9, 8), ("Invert", 0.4, None)),
        (("ShearY", 0.9, 5), ("Solarize", 0.2, 6)),
        (("Invert", 0.9, None), ("AutoContrast", 0.8, None)),
        (("Equalize", 0.6, None), ("Rotate", 0.9, 3)),
        (("ShearX", 0.9, 4), ("Solarize", 0.3, 3)),
        (("ShearY", 0.8, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.9, None), ("TranslateY", 0.6, 6)),
        (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Contrast", 0.3, 3), ("Rotate", 0.8, 4)),
        (("Invert", 0.8, None), ("TranslateY", 0.0, 2)),
        (("ShearY", 0.7, 6), ("Solarize", 0.4, 8)),
        (("Invert", 0.6, None), ("Rotate", 0.8, 4)),
        (("ShearY", 0.3, 7), ("TranslateX", 0.9, 3)),
        (("ShearX", 0.1, 6), ("Invert", 0.6, None)),
        (("Solarize", 0.7, 2), ("TranslateY", 0.6, 7)),
        (("ShearY", 0.8, 4), ("Invert", 0.8, None)),
        (("ShearX", 0.7, 9), ("TranslateY", 0.8, 3)),
        (("ShearY", 0.8, 5), ("AutoContrast", 0.7, None)),
        (("ShearX", 0.7, 2), ("Invert", 0.1, None)),
    ),
}


def auto_policy(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """AutoAugment's sub-policies as arrays ``(op index, probability, magnitude bin)``, each ``(25, 2)``.

    Example:
        >>> ops, probs, bins = auto_policy("imagenet")
        >>> [OPS[k] for k in ops[0]], probs[0].tolist(), bins[0].tolist()
        (['Posterize', 'Rotate'], [0.4, 0.6], [8, 9])
    """
    table = _AUTO_POLICIES[name]
    ops = np.array([[OPS.index(op) for op, _, _ in sub] for sub in table], dtype=np.int64)
    probs = np.array([[prob for _, prob, _ in sub] for sub in table], dtype=np.float64)
    bins = np.array([[b or 0 for _, _, b in sub] for sub in table], dtype=np.int64)
    return ops, probs, bins


@register("image.AutoAugment")
class AutoAugment(_Policy):
    """AutoAugment (Cubuk et al., 2019): a learned sub-policy of two operations per sample.

    Each sample draws one of the 25 sub-policies of ``policy`` (``"imagenet"``, ``"cifar10"`` or ``"svhn"``, as
    torchvision lists them) and applies each of its two operations with that step's probability, at that step's
    magnitude bin of 10 (:func:`magnitude_table`), each signed operation with a random sign: torchvision's
    ``AutoAugment`` semantics, with a draw per sample instead of one per call. The record holds the sub-policy
    (``subpolicy``) and the operations applied (``op``, Identity for a step skipped by its probability).

    Args:
        policy: which learned policy.
        interpolation, fill, fill_mask: as in :class:`RandAugment`.

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.randint(0, 256, (4, 3, 24, 24), dtype=torch.uint8)
        >>> out, record = mi.AutoAugment("cifar10")(x, seed=0, return_params=True)
        >>> record.params["subpolicy"].shape, record.params["op"].shape
        ((4,), (4, 2))
    """

    def __init__(
        self,
        policy: str = "imagenet",
        *,
        interpolation: str = "nearest",
        fill: float | Sequence[float] = 0.0,
        fill_mask: float = 0.0,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(10, interpolation, fill, fill_mask, p, same_on_batch)
        self.policy = check_choice(policy, "policy", tuple(_AUTO_POLICIES))

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        table_ops, table_probs, table_bins = auto_policy(self.policy)
        sub = draws.integers(0, len(table_ops))
        applied = draws.uniform(size=(table_ops.shape[1],)) < table_probs[sub]
        ops = np.where(applied, table_ops[sub], 0)  # a skipped step is the identity
        mags = self._signed(draws, ops, table_bins[sub], batch.height, batch.width)
        return {"subpolicy": sub, "op": ops, "magnitude": mags}


#: AugMix's operations (torchvision's order): the geometric and tone operations, then the four colour ones that
#: ``all_ops=True`` adds (the AugMix paper leaves them out because they overlap ImageNet-C's corruptions).
_AUGMIX_OPS = ("ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Posterize", "Solarize", "AutoContrast",
               "Equalize", "Brightness", "Color", "Contrast", "Sharpness")  # fmt: skip
_AUGMIX_BINS = 10


def augmix_table(op: str, height: int, width: int) -> np.ndarray:
    """AugMix's 10 magnitudes of an operation (torchvision's): RandAugment's, except translations up to a third of
    the side and Posterize from 4 bits down to 0 (a black image).

    Example:
        >>> augmix_table("Posterize", 32, 32).tolist()
        [4.0, 4.0, 3.0, 3.0, 2.0, 2.0, 1.0, 1.0, 0.0, 0.0]
    """
    if op in ("TranslateX", "TranslateY"):
        return _linspace(0.0, (width if op == "TranslateX" else height) / 3.0, _AUGMIX_BINS)
    if op == "Posterize":
        return _posterize_bits(4, 4.0, _AUGMIX_BINS)
    return magnitude_table(op, _AUGMIX_BINS, height, width)


@register("image.AugMix")
class AugMix(_Policy):
    """AugMix (Hendrycks et al., 2020): a convex mix of the image and ``mixture_width`` augmented chains.

    Each sample draws, for each of its ``mixture_width`` chains, a depth (``chain_depth``, or 1-3 when it is -1)
    and that many operations (uniformly from AugMix's 9, or 13 with ``all_ops``), each at a magnitude bin drawn
    below ``severity`` (of 10) with a random sign; then Dirichlet(``alpha``) chain weights and a Beta(``alpha``,
    ``alpha``) share kept by the original image: ``out = m x + (1 - m) sum_c w_c chain_c(x)``. torchvision's
    ``AugMix`` semantics and tables (:func:`augmix_table`), with every draw per sample (torchvision draws the chains'
    operations once per call). Masks, boxes and keypoints cannot follow a mix of differently warped copies, so
    they are refused. uint8 results are rounded (torchvision truncates).

    Args:
        severity: magnitude bins ``0 .. severity - 1`` of 10 are drawn (1-10).
        mixture_width: chains per sample.
        chain_depth: operations per chain, or -1 for a depth drawn in 1-3 per chain and sample.
        alpha: the Dirichlet and Beta concentration (> 0).
        all_ops: add Brightness, Color, Contrast and Sharpness to the operations.
        interpolation, fill: of the geometric operations (torchvision's AugMix default: bilinear).

    Example:
        >>> import torch, multiaug.image as mi
        >>> out, record = mi.AugMix()(torch.rand(4, 3, 24, 24), seed=0, return_params=True)
        >>> record.params["op"].shape, record.params["weights"].shape
        ((4, 3, 3), (4, 3))
    """

    def __init__(
        self,
        severity: int = 3,
        mixture_width: int = 3,
        chain_depth: int = -1,
        alpha: float = 1.0,
        all_ops: bool = True,
        *,
        interpolation: str = "bilinear",
        fill: float | Sequence[float] = 0.0,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(_AUGMIX_BINS, interpolation, fill, 0.0, p, same_on_batch)
        self.severity = check_int(severity, "severity", min_value=1, max_value=_AUGMIX_BINS)
        self.mixture_width = check_int(mixture_width, "mixture_width", min_value=1)
        if (
            isinstance(chain_depth, bool)
            or not isinstance(chain_depth, int)
            or chain_depth == 0
            or chain_depth < -1
        ):
            raise ConfigError(
                f"chain_depth must be a positive integer or -1 (1-3 at random), got {chain_depth!r}"
            )
        self.chain_depth = chain_depth
        self.alpha = check_number(alpha, "alpha", min_value=0.0)
        if self.alpha <= 0.0:
            raise ConfigError(f"alpha must be > 0, got {alpha!r}")
        if not isinstance(all_ops, bool):
            raise ConfigError(f"all_ops must be True or False, got {all_ops!r}")
        self.all_ops = all_ops

    def _table(self, op: str, height: int, width: int) -> np.ndarray:
        return augmix_table(op, height, width)

    def validate(self, batch: ImageBatch) -> None:
        super().validate(batch)
        if batch.mask is not None or batch.has_targets:
            raise InputError(
                "AugMix mixes differently warped copies of each image: masks, boxes and keypoints cannot follow "
                "it (use RandAugment or TrivialAugmentWide for them)"
            )

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        names = _AUGMIX_OPS if self.all_ops else _AUGMIX_OPS[:9]
        space = np.array([OPS.index(name) for name in names])
        steps = 3 if self.chain_depth == -1 else self.chain_depth
        shape = (self.mixture_width, steps)
        ops = space[draws.integers(0, len(space), size=shape)]
        if self.chain_depth == -1:  # a depth of 1-3 per chain: the steps past it are the identity
            depth = draws.integers(1, 4, size=(self.mixture_width,))
            ops = np.where(np.arange(steps) < depth[..., None], ops, 0)
        bins = draws.integers(0, self.severity, size=shape)
        mags = self._signed(draws, ops, bins, batch.height, batch.width)
        keep = draws.beta(self.alpha, self.alpha)
        # Dirichlet(alpha, ..., alpha) weights by stick breaking: w_k = v_k prod_{j<k} (1 - v_j), v_k ~ Beta(alpha, rest)
        weights = np.empty((len(keep), self.mixture_width))
        left = np.ones(len(keep))
        for c in range(self.mixture_width - 1):
            v = draws.beta(self.alpha, (self.mixture_width - 1 - c) * self.alpha)
            weights[:, c] = left * v
            left = left * (1.0 - v)
        weights[:, -1] = left
        return {"op": ops, "magnitude": mags, "keep": keep, "weights": weights * (1.0 - keep)[:, None]}

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        image = batch.image
        if image is None:
            return batch
        n = len(batch)
        ops = np.asarray(params["op"], dtype=np.int64).reshape(n, self.mixture_width, -1)
        mags = np.asarray(params["magnitude"], dtype=np.float64).reshape(ops.shape)
        wdt = work_dtype(image.dtype)
        keep = torch.as_tensor(np.asarray(params["keep"], dtype=np.float64), device=image.device).to(wdt)
        weights = torch.as_tensor(np.asarray(params["weights"], dtype=np.float64), device=image.device).to(
            wdt
        )
        # the products promote uint8 and float16 to the work dtype themselves: no converted copy of each image
        mix = torch.mul(image, keep.view(n, 1, 1, 1))
        # a work tensor for the products, unless autograd records (it takes no out= arguments)
        term = None if tracks_grad(image) else torch.empty_like(mix)
        for c in range(self.mixture_width):
            chain, _ = self._steps(batch, ops[:, c], mags[:, c])
            assert chain.image is not None
            mix.add_(torch.mul(chain.image, weights[:, c].view(n, 1, 1, 1), out=term))
        if image.dtype == torch.uint8:
            return batch.replace(image=mix.round_().clamp_(0.0, 255.0).to(torch.uint8))
        mix = clamp_through(mix, 0.0, 1.0) if tracks_grad(mix) else mix.clamp_(0.0, 1.0)
        return batch.replace(image=mix.to(image.dtype))
