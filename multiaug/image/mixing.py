"""Mixing image augmenters: Mixup, CutMix (and a switch between them), Blend, Mosaic; the classic functions.

Mixup, CutMix and MixupCutMix are batch-level: ``p`` is the fraction of batches mixed (one coin per batch),
and ``aug.mix(x, labels)`` returns the mixed batch and a :class:`~multiaug.core.mixing.MixedTargets` holding
``(targets_a, targets_b, lam)``, with ``.soft(num_classes, label_smoothing)`` and ``.loss(preds, criterion)``.
``mode`` sets how many weights a batch draws: ``"batch"`` (one, the classic behaviour), ``"pair"`` (one per
pair of partners) or ``"sample"`` (one per sample).

The functions ``mixup``, ``cutmix``, ``rand_bbox``, ``mixup_criterion`` and ``cutmix_criterion`` keep the
names, signatures and return values of the classic Kaggle training code, without its in-place change of the
caller's batch, with height and width taken from the right dimensions, and with an optional ``seed``.

uint8 images: CutMix copies pixels, so it stays uint8 exactly; Mixup and Blend compute in float32 and round to
the nearest integer. A batch of one is returned unchanged (``lam = 1``).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..core import Draws, register
from ..core.checks import check_prob, check_range
from ..core.errors import ConfigError, InputError
from ..core.mixing import MixedTargets, MixesLabels, batch_row, check_alpha, check_mode, mixed_loss, pair_up
from ..core.random import fresh_seed
from .base import ImageAugmenter, ImageBatch
from .functional.mixing import box_lam, cutmix_boxes, mix_pairs, mosaic, mosaic_index, paste_boxes

__all__ = [
    "Blend",
    "CutMix",
    "Mixup",
    "MixupCutMix",
    "Mosaic",
    "cutmix",
    "cutmix_criterion",
    "mixup",
    "mixup_criterion",
    "rand_bbox",
]

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
#: Upper bound of the decoded pictures a Blend with image files keeps, in bytes.
PICTURE_CACHE_BYTES = 256 * 2**20


class _PairMix(MixesLabels, ImageAugmenter):
    """Shared sampling and application of Mixup, CutMix and the switch between them."""

    follows_targets = False  # pixels come from other images: boxes and keypoints cannot follow

    batch_level = True
    _mixup_alpha: float | None = None
    _cutmix_alpha: float | None = None
    _switch_prob: float = 0.0

    def __init__(self, *, mode: str, p: float) -> None:
        super().__init__(p=p)
        self.mode = check_mode(mode)

    def validate(self, batch: ImageBatch) -> None:
        # refused before the coin flip and the Mixup/CutMix switch, not only on the batches that blend (a batch
        # of one never blends: it is returned unchanged)
        blends = self._mixup_alpha is not None and (self._cutmix_alpha is None or self._switch_prob < 1.0)
        if blends and len(batch) > 1:
            self._check_blendable(batch.mask)

    def _check_blendable(self, mask: torch.Tensor | None) -> None:
        if mask is not None and not mask.is_floating_point():
            raise InputError(
                f"{type(self).__name__} blends pixels, which an integer mask (dtype {mask.dtype}) cannot hold: use "
                "CutMix for label masks, or pass soft (float) masks to have them blended with the same weights"
            )

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, np.ndarray]:
        n, height, width = len(batch), batch.height, batch.width
        pairing = pair_up(draws, n, self.mode)
        one, unit, units, mixed = pairing.draws, pairing.unit, pairing.units, pairing.mixed
        switching = self._mixup_alpha is not None and self._cutmix_alpha is not None
        if switching:
            cut = one.bernoulli(self._switch_prob, (units,))[0][unit]
        else:
            cut = np.full(n, self._cutmix_alpha is not None)
        if self._cutmix_alpha is not None:
            cut |= (
                ~mixed
            )  # unmixed samples paste an empty box: an exact no-op for images and masks of any dtype
        lam = np.ones(n)
        params: dict[str, np.ndarray] = {"partner": pairing.partner, "lam": lam}
        if self._mixup_alpha is not None:
            a = self._mixup_alpha
            lam_mix = one.beta(a, a, (units,))[0][unit]
            rows = mixed & ~cut
            lam[rows] = lam_mix[rows]
        if self._cutmix_alpha is not None:
            a = self._cutmix_alpha
            lam_cut = one.beta(a, a, (units,))[0][unit]
            # a uniform pixel as one draw: its row and column are independent and uniform
            centre = one.integers(0, height * width, (units,))[0][unit]
            boxes = cutmix_boxes(height, width, lam_cut, centre // width, centre % width)
            boxes[~(cut & mixed)] = 0
            lam[cut] = box_lam(boxes[cut], height, width)
            params["box"] = boxes
        if switching:
            params["cutmix"] = cut
        return params

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        partner = np.asarray(params["partner"], dtype=np.int64).reshape(-1)
        n = len(partner)
        lam = np.asarray(params["lam"], dtype=np.float64).reshape(n)
        boxes = np.asarray(params["box"], dtype=np.int64).reshape(n, 4) if "box" in params else None
        if "cutmix" in params:
            cut = np.asarray(params["cutmix"], dtype=bool).reshape(n)
        else:
            cut = np.full(n, boxes is not None)
        return batch.replace(
            image=self._mix(batch.image, partner, lam, boxes, cut, "image"),
            mask=self._mix(batch.mask, partner, lam, boxes, cut, "mask"),
        )

    def _mix(
        self,
        t: torch.Tensor | None,
        partner: np.ndarray,
        lam: np.ndarray,
        boxes: np.ndarray | None,
        cut: np.ndarray,
        name: str,
    ) -> torch.Tensor | None:
        if t is None:
            return None
        if cut.all():
            assert boxes is not None
            return paste_boxes(t, partner, boxes)
        if name == "mask" and not t.is_floating_point():
            if np.any(~cut & (lam != 1.0)):
                self._check_blendable(t)
            # an integer mask whose blended rows all keep lam = 1 (a batch of one) is only pasted into
            return t.clone() if boxes is None else paste_boxes(t, partner, np.where(cut[:, None], boxes, 0))
        if not cut.any():
            return mix_pairs(t, partner, lam)
        assert boxes is not None
        out = torch.empty_like(t, memory_format=torch.contiguous_format)
        for rows in (np.flatnonzero(cut), np.flatnonzero(~cut)):
            idx = torch.as_tensor(rows, device=t.device)
            sub = t.index_select(0, idx)
            if cut[rows[0]]:
                done = paste_boxes(sub, partner[rows], boxes[rows], other=t)
            else:
                done = mix_pairs(sub, partner[rows], lam[rows], other=t)
            out.index_copy_(0, idx, done)
        return out


@register("image.Mixup")
class Mixup(_PairMix):
    """Mixup (Zhang et al. 2017): ``lam * x + (1 - lam) * x[partner]`` with ``lam ~ Beta(alpha, alpha)``.

    Batch-level: ``p`` is the fraction of batches mixed. The partner of each sample is the next one in a
    random cyclic order of the batch (nobody mixes with itself). ``mode``: one ``lam`` per ``"batch"``, per
    ``"pair"`` or per ``"sample"``. uint8 images are mixed in float32 and rounded to nearest; float masks are
    blended with the same weights, integer masks raise an error (use CutMix). ``aug.mix(x, labels)`` returns
    the targets.

    Example:
        >>> import torch, multiaug.image as mi
        >>> x, y = torch.rand(8, 3, 32, 32), torch.arange(8)
        >>> mixed, targets = mi.Mixup(alpha=0.4).mix(x, y, seed=0)
        >>> mixed.shape, targets.soft(num_classes=8).sum(1).allclose(torch.ones(8))
        (torch.Size([8, 3, 32, 32]), True)
    """

    def __init__(self, alpha: float = 1.0, *, mode: str = "batch", p: float = 1.0) -> None:
        super().__init__(mode=mode, p=p)
        self.alpha = self._mixup_alpha = check_alpha(alpha)


@register("image.CutMix")
class CutMix(_PairMix):
    """CutMix (Yun et al. 2019): paste a box of the partner's image; label weight = exact pixel share.

    ``lam ~ Beta(alpha, alpha)``; the box is ``sqrt(1 - lam) * H`` high and ``sqrt(1 - lam) * W`` wide,
    centred on a uniform pixel and clipped at the border; the reported ``lam`` is recomputed from the pasted
    area, so it equals the fraction of each image's own pixels exactly, also on non-square images. Masks get
    the same patch; any dtype stays exact (uint8 images too). Batch-level, with ``mode`` as in :class:`Mixup`
    (in ``"pair"`` mode the two partners swap the same box).

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.stack([torch.zeros(1, 32, 64), torch.ones(1, 32, 64)])
        >>> mixed, targets = mi.CutMix(alpha=1.0).mix(x, torch.tensor([0, 1]), seed=3)
        >>> bool(torch.isclose(mixed[0].mean(), torch.tensor(1 - targets.lam, dtype=torch.float32)))
        True
    """

    def __init__(self, alpha: float = 1.0, *, mode: str = "batch", p: float = 1.0) -> None:
        super().__init__(mode=mode, p=p)
        self.alpha = self._cutmix_alpha = check_alpha(alpha)


@register("image.MixupCutMix")
class MixupCutMix(_PairMix):
    """Either Mixup or CutMix: CutMix with probability ``switch_prob``, per batch, pair or sample (``mode``).

    The label weight is right whichever was chosen (the pasted pixel share for CutMix). The classic training
    loop ``if rand < p_mixup: mixup, or cutmix with probability 0.5`` is ``MixupCutMix(switch_prob=0.5,
    p=p_mixup)``.

    Example:
        >>> import torch, multiaug.image as mi
        >>> aug = mi.MixupCutMix(mixup_alpha=0.8, cutmix_alpha=1.0, switch_prob=0.5, mode="sample")
        >>> _, targets = aug.mix(torch.rand(6, 3, 16, 16), torch.arange(6), seed=0)
        >>> targets.lam.shape
        torch.Size([6])
    """

    def __init__(
        self,
        mixup_alpha: float = 1.0,
        cutmix_alpha: float = 1.0,
        *,
        switch_prob: float = 0.5,
        mode: str = "batch",
        p: float = 1.0,
    ) -> None:
        super().__init__(mode=mode, p=p)
        self.mixup_alpha = self._mixup_alpha = check_alpha(mixup_alpha, "mixup_alpha")
        self.cutmix_alpha = self._cutmix_alpha = check_alpha(cutmix_alpha, "cutmix_alpha")
        self.switch_prob = self._switch_prob = check_prob(switch_prob, "switch_prob")


# -- Blend ---------------------------------------------------------------------------------------------------


def _image_files(source: str | os.PathLike | Sequence[str | os.PathLike]) -> list[Path]:
    items = [source] if isinstance(source, str | os.PathLike) else list(source)
    files: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            files.extend(sorted(f for f in path.rglob("*") if f.suffix.lower() in IMAGE_EXTENSIONS))
        elif path.is_file():
            files.append(path)
        else:
            raise ConfigError(f"Blend source: {str(path)!r} is neither an image file nor a folder")
    if not files:
        raise ConfigError(f"Blend source {source!r} holds no image files {list(IMAGE_EXTENSIONS)}")
    return files


def _fit(picture: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """A decoded ``(3, h, w)`` picture (uint8, or float in [0, 1]) with ``like``'s channels, size and dtype."""
    channels, height, width = like.shape[-3:]
    x = picture.to(like.device)[None].float()
    if picture.dtype == torch.uint8:
        x = x / 255.0
    if x.shape[-2:] != (height, width):
        x = torch.nn.functional.interpolate(x, size=(height, width), mode="bilinear", antialias=True)
    if channels == 1:
        x = (x * torch.tensor([0.299, 0.587, 0.114], device=x.device).view(1, 3, 1, 1)).sum(1, keepdim=True)
    elif channels != 3:
        raise InputError(f"Blend with image files needs 1- or 3-channel images, got {channels} channels")
    x = x.clamp(0.0, 1.0)[0]
    if like.dtype == torch.uint8:
        return x.mul(255.0).round_().to(torch.uint8)
    return x.to(like.dtype)


@register("image.Blend")
class Blend(ImageAugmenter):
    """Alpha-blend each image with another: ``(1 - alpha) * x + alpha * other``, ``alpha`` drawn per sample.

    ``source=None`` blends with another image of the batch (a random one of the other selected samples, each
    with its own coin ``p``; a sample selected alone is left unchanged). ``source`` may also be an image file,
    a folder (searched recursively) or a list of them: each sample then picks one picture, resized to the
    batch's size (bilinear, antialiased; converted to one channel for grayscale batches). Not label-aware:
    an overlay for robustness; masks are left unchanged. uint8 results are rounded to nearest.

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.stack([torch.zeros(3, 16, 16), torch.ones(3, 16, 16)])
        >>> mi.Blend(alpha=(0.3, 0.3), p=1.0)(x, seed=0)[:, 0, 0, 0].tolist()  # each blended with the other
        [0.30000001192092896, 0.699999988079071]
    """

    follows_targets = False  # pixels come from other images: boxes and keypoints cannot follow

    def __init__(
        self,
        alpha: float | tuple[float, float] = (0.1, 0.4),
        source: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
        *,
        p: float = 0.5,
    ) -> None:
        super().__init__(p=p)
        self.alpha = check_range(alpha, "alpha", min_value=0.0, max_value=1.0)
        self.source = source
        self._files = None if source is None else _image_files(source)
        self._pictures: OrderedDict[int, torch.Tensor] = OrderedDict()

    def validate(self, batch: ImageBatch) -> None:
        # before the coin flip, so that the error never depends on p
        if self._files is not None and batch.image is not None and batch.channels not in (1, 3):
            raise InputError(
                f"Blend with image files needs 1- or 3-channel images, got {batch.channels} channels"
            )

    def _picture(self, index: int) -> torch.Tensor:
        """Picture ``index`` of the source, decoded as ``(3, h, w)`` (uint8, or float32 for 16-bit files).

        Decoded pictures are kept in a cache of at most ``PICTURE_CACHE_BYTES``, least recently used out first.
        """
        picture = self._pictures.pop(index, None)
        if picture is None:
            from ..offline.image_io import read_image

            assert self._files is not None
            picture = torch.from_numpy(read_image(self._files[index]).color)
        self._pictures[index] = picture
        total = sum(p.numel() * p.element_size() for p in self._pictures.values())
        while total > PICTURE_CACHE_BYTES and len(self._pictures) > 1:
            _, dropped = self._pictures.popitem(last=False)
            total -= dropped.numel() * dropped.element_size()
        return picture

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, np.ndarray]:
        n = len(batch)
        alpha = draws.uniform(*self.alpha)
        if self._files is not None:
            return {"index": draws.integers(0, len(self._files)), "alpha": alpha}
        j = draws.integers(0, max(n - 1, 1))
        partner = j + (j >= np.arange(n))
        if n == 1:
            partner, alpha = np.zeros(1, dtype=np.int64), np.zeros(1)
        return {"partner": partner, "alpha": alpha}

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        if batch.image is None:
            return batch
        x = batch.image
        keep = 1.0 - np.asarray(params["alpha"], dtype=np.float64).reshape(-1)
        if "index" not in params:
            return batch.replace(image=mix_pairs(x, np.asarray(params["partner"]), keep))
        if self._files is None:
            raise InputError("this replay record blends image files, but this Blend has no source")
        index = np.asarray(params["index"], dtype=np.int64).reshape(-1)
        other = torch.empty_like(x, memory_format=torch.contiguous_format)
        for k in np.unique(index):
            rows = torch.as_tensor(np.flatnonzero(index == k), device=x.device)
            other.index_copy_(0, rows, _fit(self._picture(int(k)), x).expand(len(rows), *x.shape[1:]))
        return batch.replace(image=mix_pairs(x, np.arange(len(x)), keep, other=other))


# -- Mosaic --------------------------------------------------------------------------------------------------


@register("image.Mosaic")
class Mosaic(ImageAugmenter):
    """Four images tiled into one around a random centre (the YOLO-style mosaic), masks moved the same way.

    Each output sample is split at a centre drawn uniformly within ``center`` (fractions of the height and
    width) into four tiles holding the sample itself and three other images of the batch (distinct when the
    batch has at least four), in a random arrangement. Each tile shows the corner of its image that touches
    the centre, at full resolution (no scaling). Batch-level: ``p`` is the fraction of batches; a batch of
    one is returned unchanged. Not label-aware for classification (use Mixup/CutMix there).

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.arange(4.0).view(4, 1, 1, 1).expand(4, 3, 32, 32)
        >>> out = mi.Mosaic(p=1.0)(x, seed=0)
        >>> sorted(out[0].unique().tolist())
        [0.0, 1.0, 2.0, 3.0]
    """

    follows_targets = False  # pixels come from other images: boxes and keypoints cannot follow

    batch_level = True

    def __init__(self, center: float | tuple[float, float] = (0.25, 0.75), *, p: float = 1.0) -> None:
        super().__init__(p=p)
        self.center = check_range(center, "center", min_value=0.0, max_value=1.0)

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, np.ndarray]:
        n, height, width = len(batch), batch.height, batch.width
        one = batch_row(draws)
        own = np.arange(n)[:, None]
        if n >= 4:
            others = np.argsort(one.uniform(size=(n, n - 1))[0], axis=1)[:, :3]
        else:
            others = one.integers(0, max(n - 1, 1), size=(n, 3))[0]
        others = others + (others >= own)
        slots = np.argsort(one.uniform(size=(n, 4))[0], axis=1)
        sources = np.empty((n, 4), dtype=np.int64)
        np.put_along_axis(sources, slots, np.concatenate([own, others], axis=1), axis=1)
        low, high = self.center
        cy = np.floor(one.uniform(low, high, (n,))[0] * height).astype(np.int64)
        cx = np.floor(one.uniform(low, high, (n,))[0] * width).astype(np.int64)
        if n == 1:
            sources[:], cy[:], cx[:] = 0, 0, 0
        return {"sources": sources, "center": np.stack([cy, cx], axis=1)}

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        sources = np.asarray(params["sources"], dtype=np.int64).reshape(-1, 4)
        center = np.asarray(params["center"], dtype=np.int64).reshape(-1, 2)
        index = mosaic_index(batch.height, batch.width, sources, center[:, 0], center[:, 1])
        return batch.replace(
            image=None if batch.image is None else mosaic(batch.image, index),
            mask=None if batch.mask is None else mosaic(batch.mask, index),
        )


# -- the classic functions -----------------------------------------------------------------------------------


def _classic(aug: _PairMix, data: torch.Tensor, targets: Any, seed: int | None) -> tuple[torch.Tensor, list]:
    mixed, t = aug.mix(data, targets, seed=seed)
    return mixed, [t.targets_a, t.targets_b, t.lam]


def mixup(
    data: torch.Tensor, targets: Any, alpha: float, *, seed: int | None = None
) -> tuple[torch.Tensor, list[Any]]:
    """The classic ``mixup(data, targets, alpha)``: returns ``data, [targets, shuffled_targets, lam]``.

    Same as ``Mixup(alpha, p=1.0).mix(data, targets, seed=seed)``; ``data`` is not modified.

    Example:
        >>> import torch
        >>> data, new_targets = mixup(torch.rand(4, 3, 8, 8), torch.arange(4), 1.0, seed=0)
        >>> targets, shuffled_targets, lam = new_targets
        >>> 0.0 <= lam <= 1.0
        True
    """
    return _classic(Mixup(alpha, p=1.0), data, targets, seed)


def cutmix(
    data: torch.Tensor, targets: Any, alpha: float, *, seed: int | None = None
) -> tuple[torch.Tensor, list[Any]]:
    """The classic ``cutmix(data, targets, alpha)``: returns ``data, [targets, shuffled_targets, lam]``.

    ``lam`` is the exact share of each image's own pixels. Same as ``CutMix(alpha, p=1.0).mix(data, targets,
    seed=seed)``; ``data`` is not modified (the classic code pasted into the caller's tensor).

    Example:
        >>> import torch
        >>> data, (targets, shuffled_targets, lam) = cutmix(torch.rand(4, 3, 8, 8), torch.arange(4), 1.0, seed=0)
        >>> data.shape
        torch.Size([4, 3, 8, 8])
    """
    return _classic(CutMix(alpha, p=1.0), data, targets, seed)


def rand_bbox(size: Sequence[int], lam: float, *, seed: int | None = None) -> tuple[int, int, int, int]:
    """The classic ``rand_bbox(size, lam)``: a box of area ``1 - lam`` centred on a uniform pixel, clipped.

    ``size`` ends with ``(H, W)`` (e.g. ``data.size()``). Returns ``bbx1, bby1, bbx2, bby2`` where
    ``bbx1:bbx2`` spans rows (dimension -2) and ``bby1:bby2`` columns (dimension -1), so the classic slicing
    ``data[:, :, bbx1:bbx2, bby1:bby2]`` is right on non-square images too: the box is ``sqrt(1 - lam) * H``
    high and ``sqrt(1 - lam) * W`` wide.

    Example:
        >>> bbx1, bby1, bbx2, bby2 = rand_bbox((8, 3, 32, 64), 0.75, seed=0)
        >>> (bbx2 - bbx1) <= 16 and (bby2 - bby1) <= 32
        True
    """
    height, width = int(size[-2]), int(size[-1])
    draws = Draws.for_call(fresh_seed() if seed is None else seed, "image.rand_bbox", np.zeros(1, np.uint64))
    cy, cx = draws.integers(0, height), draws.integers(0, width)
    y1, x1, y2, x2 = cutmix_boxes(height, width, np.array([lam]), cy, cx)[0].tolist()
    return y1, x1, y2, x2


def mixup_criterion(preds: torch.Tensor, targets: Sequence[Any] | MixedTargets) -> torch.Tensor:
    """The classic ``mixup_criterion``: ``lam * CE(preds, targets1) + (1 - lam) * CE(preds, targets2)``.

    ``targets`` is ``[targets1, targets2, lam]`` (as returned by :func:`mixup`) or a ``MixedTargets``.

    Example:
        >>> import torch
        >>> round(float(mixup_criterion(torch.zeros(2, 2), [torch.tensor([0, 1]), torch.tensor([1, 0]), 0.5])), 4)
        0.6931
    """
    return mixed_loss(preds, targets)


def cutmix_criterion(preds: torch.Tensor, targets: Sequence[Any] | MixedTargets) -> torch.Tensor:
    """The classic ``cutmix_criterion`` (the same mixed cross-entropy as :func:`mixup_criterion`).

    Example:
        >>> import torch
        >>> round(float(cutmix_criterion(torch.zeros(1, 2), [torch.tensor([0]), torch.tensor([1]), 0.25])), 4)
        0.6931
    """
    return mixed_loss(preds, targets)
