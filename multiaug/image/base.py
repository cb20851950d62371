"""The image batch and the base class of image augmenters.

Conventions: images are torch tensors ``(C,H,W)`` or ``(B,C,H,W)``, ``uint8`` in [0, 255] or floating point
in [0, 1], any number of channels. Masks are ``(H,W)``/``(K,H,W)`` beside a single image or ``(B,H,W)``/
``(B,K,H,W)`` beside a batch, any dtype. ``aug(x)`` returns a tensor shaped like ``x``;
``aug(image=x, mask=m)`` returns ``{"image": ..., "mask": ...}``; ``aug(mask=m, params=record)`` replays a
recorded call on a mask alone.

Boxes and keypoints ride along: ``aug(image=x, boxes=b, keypoints=k)``. Coordinates are continuous pixels with
pixel ``(row i, column j)`` covering ``[j, j+1) x [i, i+1)`` (so a pixel's centre is ``(j + 0.5, i + 0.5)``).
Boxes are ``(x_min, y_min, x_max, y_max)``: ``(N,4)`` beside one image, ``(B,N,4)`` or a list of ``B`` tensors
``(N_i,4)`` beside a batch; keypoints are ``(x, y)`` the same way with ``2`` for ``4`` (integer coordinates come
back as float32). Geometric augmenters move
them with the same per-sample matrix as the pixels (a box becomes the smallest box around its moved corners,
clipped to the image; keypoints may leave the image and are kept, so labels stay aligned), every other augmenter
leaves them as they are, and augmenters that cannot follow them (mixing) refuse them with a clear error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
import torch

from ..core.base import Op
from ..core.batch import data_argument
from ..core.errors import ConfigError, InputError, InputTypeError
from ..core.record import Record
from ..core.rows import index_tensor, merge_rows, restore_rows
from .functional.geometry import transform_box_bounds, transform_points

__all__ = ["ImageAugmenter", "ImageBatch"]


def _check_tensor(x: Any, name: str) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise InputTypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    return x


def _check_image(x: Any) -> torch.Tensor:
    x = _check_tensor(x, "image")
    if x.ndim not in (3, 4):
        raise InputError(f"image must be (C,H,W) or (B,C,H,W), got a tensor of shape {tuple(x.shape)}")
    if x.dtype != torch.uint8 and not x.dtype.is_floating_point:
        raise InputTypeError(f"image must be uint8 (0-255) or floating point (0-1), got dtype {x.dtype}")
    if x.shape[-3] == 0 or x.shape[-2] == 0 or x.shape[-1] == 0:
        raise InputError(f"image has an empty dimension: shape {tuple(x.shape)}")
    if x.ndim == 4 and x.shape[0] == 0:
        raise InputError("the image batch is empty (B = 0)")
    return x


def _as_target(values: np.ndarray, like: torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(values, dtype=like.dtype, device=like.device)


def _pack_target(
    value: Any, name: str, width: int, n: int, batched: bool, device: torch.device
) -> tuple[torch.Tensor, Callable[[torch.Tensor], Any]]:
    """Boxes (``width`` 4) or keypoints (2) as a ``(n, N, width)`` float tensor, and the function that gives
    them back in the caller's form (a tensor of its rank, or a list of per-sample tensors)."""
    shape = f"(N,{width})" if not batched else f"(B,N,{width}) or a list of B tensors (N_i,{width})"
    if isinstance(value, list | tuple) and batched:
        items = [_check_tensor(v, f"{name}[{i}]") for i, v in enumerate(value)]
        if len(items) != n:
            raise InputError(f"{name}: expected one tensor per image ({n}), got {len(items)}")
        counts = [int(t.shape[0]) if t.ndim == 2 else -1 for t in items]
        if any(t.ndim != 2 or t.shape[-1] != width for t in items):
            raise InputError(f"{name} must be {shape}, got shapes {[tuple(t.shape) for t in items]}")
        for i, t in enumerate(items):
            if t.device != device:
                raise InputError(f"{name}[{i}] are on {t.device} but the image is on {device}")
        dtype = _target_dtype(items[0].dtype if items else torch.float32)
        stacked = torch.full((n, max(counts, default=0), width), float("nan"), dtype=dtype, device=device)
        for row, (t, k) in enumerate(zip(items, counts)):
            stacked[row, :k] = t.to(device=device, dtype=dtype)
        _check_corners(stacked, name, width)
        return stacked, lambda out: [out[i, :k] for i, k in enumerate(counts)]
    tensor = _check_tensor(value, name)
    rank = 3 if batched else 2
    if tensor.ndim != rank or tensor.shape[-1] != width or (batched and tensor.shape[0] != n):
        raise InputError(f"{name} must be {shape} beside this image, got shape {tuple(tensor.shape)}")
    if tensor.device != device:
        raise InputError(f"{name} are on {tensor.device} but the image is on {device}")
    as_float = tensor.to(_target_dtype(tensor.dtype))
    _check_corners(as_float if batched else as_float.unsqueeze(0), name, width)
    if batched:
        return as_float, lambda out: out
    return as_float.unsqueeze(0), lambda out: out[0]


def _check_corners(targets: torch.Tensor, name: str, width: int) -> None:
    """Boxes ``(B,N,4)`` must have ``x_max >= x_min`` and ``y_max >= y_min`` (a swapped pair is refused, not
    silently reordered)."""
    if width != 4 or targets.numel() == 0:
        return
    bad = (targets[..., 2] < targets[..., 0]) | (targets[..., 3] < targets[..., 1])
    if bool(bad.any()):
        i, j = (int(v) for v in bad.nonzero()[0])
        raise InputError(
            f"{name} are (x_min, y_min, x_max, y_max) with x_max >= x_min and y_max >= y_min; box {j} of image "
            f"{i} is {[round(float(v), 3) for v in targets[i, j]]}"
        )


def _target_dtype(dtype: torch.dtype) -> torch.dtype:
    return dtype if dtype.is_floating_point else torch.float32


_PIXELS = ("image", "mask")
_TARGETS = ("boxes", "keypoints")
_IMAGE_FIELDS_ORDER = _PIXELS + _TARGETS
_IMAGE_FIELDS = frozenset(_IMAGE_FIELDS_ORDER)


@dataclasses.dataclass(frozen=True)
class ImageBatch:
    """A batch of images and their masks, boxes and keypoints inside the library.

    Attributes:
        image: ``(B,C,H,W)`` uint8 or float tensor, or None when only a mask is replayed.
        mask: ``(B,K,H,W)`` tensor of any dtype, or None.
        boxes: ``(B,N,4)`` float tensor ``(x_min, y_min, x_max, y_max)`` in pixels, or None (rows past a sample's
            own count are NaN).
        keypoints: ``(B,N,2)`` float tensor ``(x, y)`` in pixels, or None (NaN rows likewise).
    """

    image: torch.Tensor | None
    mask: torch.Tensor | None = None
    boxes: torch.Tensor | None = None
    keypoints: torch.Tensor | None = None

    # -- shape ---------------------------------------------------------------------------------------------
    @property
    def _ref(self) -> torch.Tensor:
        ref = self.image if self.image is not None else self.mask
        assert ref is not None
        return ref

    def __len__(self) -> int:
        return int(self._ref.shape[0])

    @property
    def device(self) -> torch.device:
        return self._ref.device

    @property
    def height(self) -> int:
        return int(self._ref.shape[-2])

    @property
    def width(self) -> int:
        return int(self._ref.shape[-1])

    @property
    def channels(self) -> int:
        return int(self.image.shape[1]) if self.image is not None else 0

    def detached(self, keep_recorded: bool = False) -> ImageBatch:
        """This batch with no autograd graph on its tensors (itself when none has one); with ``keep_recorded``,
        tensors that autograd records on (grad mode on) keep theirs."""
        if keep_recorded and torch.is_grad_enabled():
            return self
        fields = {k: v.detach() for k, v in self._all_fields().items() if v.requires_grad}
        return self.replace(**fields) if fields else self

    def replace(self, **fields: Any) -> ImageBatch:
        """A copy with some fields replaced (``dataclasses.replace`` without its per-call introspection)."""
        if not fields.keys() <= _IMAGE_FIELDS:
            raise TypeError(f"ImageBatch has no field(s) {sorted(fields.keys() - _IMAGE_FIELDS)}")
        get = fields.get
        return ImageBatch(
            get("image", self.image),
            get("mask", self.mask),
            get("boxes", self.boxes),
            get("keypoints", self.keypoints),
        )

    @property
    def has_targets(self) -> bool:
        """Whether boxes or keypoints ride along."""
        return self.boxes is not None or self.keypoints is not None

    def moved(self, matrix: np.ndarray, size: tuple[int, int]) -> dict[str, torch.Tensor]:
        """Boxes and keypoints under per-sample ``matrix`` ``(B,3,3)`` (input to output pixel centres), for an
        output of ``size`` ``(height, width)``: the fields to ``replace``.

        Example:
            >>> b = ImageBatch(torch.zeros(1, 1, 4, 6), boxes=torch.tensor([[[0.0, 1.0, 2.0, 3.0]]]))
            >>> flip = np.array([[[-1.0, 0, 5], [0, 1, 0], [0, 0, 1]]])    # x -> 5 - x on pixel centres
            >>> b.moved(flip, (4, 6))["boxes"].tolist()
            [[[4.0, 1.0, 6.0, 3.0]]]
        """
        out: dict[str, torch.Tensor] = {}
        if self.keypoints is not None:
            points = self.keypoints.detach().to("cpu", torch.float64).numpy()
            out["keypoints"] = _as_target(transform_points(matrix, points - 0.5) + 0.5, self.keypoints)
        if self.boxes is not None:
            b = self.boxes.detach().to("cpu", torch.float64).numpy()
            x0, y0, x1, y1 = b[..., 0], b[..., 1], b[..., 2], b[..., 3]
            corners = np.stack([np.stack(c, -1) for c in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))], axis=-2)
            # box edges map as pixel edges: shift to pixel centres and back around the matrix
            lo, hi = transform_box_bounds(matrix, corners - 0.5)
            lo, hi = np.nan_to_num(lo + 0.5), np.nan_to_num(hi + 0.5)  # beyond a horizon: an empty box at 0
            height, width = size
            clipped = np.stack(
                [
                    np.clip(lo[..., 0], 0, width),
                    np.clip(lo[..., 1], 0, height),
                    np.clip(hi[..., 0], 0, width),
                    np.clip(hi[..., 1], 0, height),
                ],
                axis=-1,
            )
            out["boxes"] = _as_target(clipped, self.boxes)
        return out

    # -- batch protocol ----------------------------------------------------------------------------------------
    def _fields(self) -> dict[str, torch.Tensor]:
        """The pixel fields (image, mask) that are present: what an op warps, flips or filters."""
        return {name: getattr(self, name) for name in _PIXELS if getattr(self, name) is not None}

    def _all_fields(self) -> dict[str, torch.Tensor]:
        return {name: getattr(self, name) for name in _IMAGE_FIELDS_ORDER if getattr(self, name) is not None}

    def select(self, index: np.ndarray) -> ImageBatch:
        idx = index_tensor(index, self.device)
        return self.replace(**{k: v.index_select(0, idx.to(v.device)) for k, v in self._all_fields().items()})

    def merge(self, parts: Sequence[tuple[np.ndarray, ImageBatch]]) -> ImageBatch:
        out = {}
        for name, value in self._all_fields().items():
            news = []
            for index, part in parts:
                new = getattr(part, name)
                if new.shape[1:] != value.shape[1:]:
                    raise InputError(
                        f"cannot merge {name}s of shape {tuple(new.shape[1:])} into a batch of "
                        f"{tuple(value.shape[1:])}: an augmenter that changes the image size must apply to "
                        "every sample (p=1)"
                    )
                if new.dtype != value.dtype:
                    raise InputError(
                        f"cannot merge {new.dtype} {name}s into a {value.dtype} batch: an augmenter that changes "
                        "the dtype must apply to every sample (p=1)"
                    )
                news.append((np.asarray(index, dtype=np.int64).reshape(-1), new))
            out[name] = merge_rows(value, news)
        return self.replace(**out)

    def restore(self, source: ImageBatch, index: np.ndarray) -> ImageBatch:
        """This batch (an op's result for all of ``source``, same sizes) with the samples at ``index`` put back
        from ``source``: fields the op left as they were are kept, the others get those rows back."""
        out = {}
        for name, value in self._all_fields().items():
            original = getattr(source, name)
            if value is original:
                continue
            if original is None or value.shape != original.shape or value.dtype != original.dtype:
                raise InputError(f"cannot put {name} rows back: the op changed their shape or dtype")
            out[name] = restore_rows(value, original, index)
        return self.replace(**out) if out else self

    @classmethod
    def pack(
        cls,
        *args: Any,
        image: Any = None,
        mask: Any = None,
        boxes: Any = None,
        keypoints: Any = None,
        **unknown: Any,
    ) -> tuple[ImageBatch, Callable[[ImageBatch], Any]]:
        """Validate a call and return the batch and the function that shapes the result like the input."""
        image, as_dict = data_argument(
            "an image", "image", args, image, unknown, "image=, mask=, boxes=, keypoints="
        )
        # a positional image with a mask, boxes or keypoints still gets the dict back: never drop them silently
        as_dict = as_dict or mask is not None or boxes is not None or keypoints is not None
        if image is None and mask is None:
            if boxes is not None or keypoints is not None:
                raise InputTypeError(
                    "boxes and keypoints need the image (or mask) they belong to in the same call"
                )
            raise InputTypeError("no data: call aug(image) or aug(image=..., mask=...)")
        batched = True
        if image is not None:
            image = _check_image(image)
            batched = image.ndim == 4
            image4 = image if batched else image.unsqueeze(0)
        else:
            image4 = None
        mask_rank = None
        mask4 = None
        if mask is not None:
            mask = _check_tensor(mask, "mask")
            mask_rank = mask.ndim
            if image is None:
                batched = mask.ndim >= 3
            lead = 1 if batched else 0
            if mask.ndim == 2 + lead:
                mask4 = mask.unsqueeze(lead)
            elif mask.ndim == 3 + lead:
                mask4 = mask
            else:
                expected = "(B,H,W) or (B,K,H,W)" if batched else "(H,W) or (K,H,W)"
                raise InputError(f"mask must be {expected} beside this image, got shape {tuple(mask.shape)}")
            if not batched:
                mask4 = mask4.unsqueeze(0)
            if image4 is not None:
                if mask4.shape[0] != image4.shape[0] or mask4.shape[-2:] != image4.shape[-2:]:
                    raise InputError(
                        f"mask shape {tuple(mask.shape)} does not match image shape {tuple(image.shape)}"
                    )
                if mask4.device != image4.device:
                    raise InputError(f"mask is on {mask4.device} but the image is on {image4.device}")
            if mask4.shape[0] == 0:
                raise InputError("the mask batch is empty (B = 0)")

        def restore(t: torch.Tensor | None, rank: int | None, is_mask: bool) -> torch.Tensor | None:
            if t is None:
                return None
            if not batched:
                t = t[0]
            if is_mask and rank is not None and rank == (2 if not batched else 3):
                t = t.squeeze(-3)
            return t

        targets: dict[str, torch.Tensor] = {}
        give_back: dict[str, Callable[[torch.Tensor], Any]] = {}
        for name, value, width in (("boxes", boxes, 4), ("keypoints", keypoints, 2)):
            if value is None:
                continue
            ref = image4 if image4 is not None else mask4
            if ref is None:
                raise InputTypeError(f"{name} need the image (or mask) they belong to in the same call")
            targets[name], give_back[name] = _pack_target(
                value, name, width, int(ref.shape[0]), batched, ref.device
            )

        def unpack(out: ImageBatch) -> Any:
            if not as_dict:
                return restore(out.image, None, False)
            result = {}
            if image is not None:
                result["image"] = restore(out.image, None, False)
            if mask is not None:
                result["mask"] = restore(out.mask, mask_rank, True)
            for name, back in give_back.items():
                result[name] = back(getattr(out, name))
            return result

        return cls(image4, mask4, **targets), unpack


class ImageAugmenter(Op):
    """Base class of image augmenters: write ``sample`` and ``apply`` on an :class:`ImageBatch`.

    Set ``sets_size = True`` on augmenters whose output size is fixed (crops, resize) and
    ``changes_dtype = True`` on those whose output dtype can differ from the input's (Normalize): the samples of
    a batch must keep one size and dtype, so these apply to every sample and require ``p=1``.

    Boxes and keypoints: geometric augmenters return ``self.with_targets(batch, out, matrix, size)`` from
    ``apply``; the others leave them untouched, except those with ``follows_targets = False`` (mixing), which
    refuse a batch that carries them.
    """

    modality = "image"
    sets_size: ClassVar[bool] = False
    changes_dtype: ClassVar[bool] = False
    follows_targets: ClassVar[bool] = True
    targets_refused: ClassVar[str] = "mixes images"  # why, when ``follows_targets`` is False

    def __init__(self, *, p: float = 0.5, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        if (self.sets_size or self.changes_dtype) and self.p != 1.0:
            what = "sets the output size" if self.sets_size else "can change the dtype"
            raise ConfigError(
                f"{type(self).__name__} {what}, so it must apply to every sample: p must be 1, got {p}"
            )

    def _run(
        self, batch: ImageBatch, keys: np.ndarray, seed: int, path: str, replay: Record | None
    ) -> tuple[ImageBatch, Record]:
        if batch.has_targets and not self.follows_targets:
            raise InputError(
                f"{type(self).__name__} {self.targets_refused}, so boxes and keypoints cannot follow it: call "
                "it on the image (and mask) alone"
            )
        return super()._run(batch, keys, seed, path, replay)

    @staticmethod
    def with_targets(
        batch: ImageBatch, out: ImageBatch, matrix: np.ndarray, size: tuple[int, int]
    ) -> ImageBatch:
        """``out`` with ``batch``'s boxes and keypoints moved by ``matrix`` (input to output pixel centres,
        ``(B,3,3)`` or ``(1,3,3)``) into an image of ``size`` ``(height, width)``."""
        return out.replace(**batch.moved(matrix, size)) if batch.has_targets else out
