"""The image batch and the base class of image augmenters.

Conventions: images are torch tensors ``(C,H,W)`` or ``(B,C,H,W)``, ``uint8`` in [0, 255] or floating point
in [0, 1], any number of channels. Masks are ``(H,W)``/``(K,H,W)`` beside a single image or ``(B,H,W)``/
``(B,K,H,W)`` beside a batch, any dtype. ``aug(x)`` returns a tensor shaped like ``x``;
``aug(image=x, mask=m)`` returns ``{"image": ..., "mask": ...}``; ``aug(mask=m, params=record)`` replays a
recorded call on a mask alone.
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


def _idx(index: np.ndarray, device: torch.device) -> torch.Tensor:
    return torch.as_tensor(np.asarray(index, dtype=np.int64), device=device)


def _runs(index: np.ndarray) -> list[tuple[int, int, int]]:
    """``(start, stop, offset)`` runs of consecutive values in ``index``: ``index[offset:offset + stop - start]``
    equals ``range(start, stop)``."""
    if len(index) == 0:
        return []
    breaks = np.flatnonzero(np.diff(index) != 1) + 1
    firsts = np.concatenate(([0], breaks))
    lasts = np.concatenate((breaks, [len(index)]))
    return [(int(index[a]), int(index[b - 1]) + 1, int(a)) for a, b in zip(firsts, lasts)]


def _merge_rows(value: torch.Tensor, parts: list[tuple[np.ndarray, torch.Tensor]], n: int) -> torch.Tensor:
    """A new tensor holding ``value``'s rows where no part writes and each part's rows at its index (later
    parts win). On CPU every row is written once: no clone of the whole batch that is then overwritten."""
    if value.device.type != "cpu":
        # on accelerators a clone plus one indexed copy per part is cheaper than many small copies
        merged = value.clone()
        for index, new in parts:
            merged.index_copy_(0, _idx(index, value.device), new)
        return merged
    merged = torch.empty_like(value)
    written = np.zeros(n, dtype=bool)
    for index, _ in parts:
        written[index] = True
    # copies of runs of consecutive rows: several times faster than index_copy_ on CPU
    for start, stop, _ in _runs(np.flatnonzero(~written)):
        merged[start:stop].copy_(value[start:stop])
    for index, new in parts:
        for start, stop, at in _runs(index):
            merged[start:stop].copy_(new[at : at + stop - start])
    return merged


@dataclasses.dataclass(frozen=True)
class ImageBatch:
    """A batch of images and their masks inside the library.

    Attributes:
        image: ``(B,C,H,W)`` uint8 or float tensor, or None when only a mask is replayed.
        mask: ``(B,K,H,W)`` tensor of any dtype, or None.
    """

    image: torch.Tensor | None
    mask: torch.Tensor | None = None

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

    def replace(self, **fields: Any) -> ImageBatch:
        """A copy with some fields replaced."""
        return dataclasses.replace(self, **fields)

    # -- batch protocol ----------------------------------------------------------------------------------------
    def _fields(self) -> dict[str, torch.Tensor]:
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is not None
        }

    def select(self, index: np.ndarray) -> ImageBatch:
        idx = _idx(index, self.device)
        return self.replace(**{k: v.index_select(0, idx) for k, v in self._fields().items()})

    def merge(self, parts: Sequence[tuple[np.ndarray, ImageBatch]]) -> ImageBatch:
        out = {}
        n = len(self)
        for name, value in self._fields().items():
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
            out[name] = _merge_rows(value, news, n)
        return self.replace(**out)

    @classmethod
    def pack(
        cls, *args: Any, image: Any = None, mask: Any = None, **unknown: Any
    ) -> tuple[ImageBatch, Callable[[ImageBatch], Any]]:
        """Validate a call and return the batch and the function that shapes the result like the input."""
        image, as_dict = data_argument("an image", "image", args, image, unknown, "image=, mask=")
        if image is None and mask is None:
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

        def unpack(out: ImageBatch) -> Any:
            if not as_dict:
                return restore(out.image, None, False)
            result = {}
            if image is not None:
                result["image"] = restore(out.image, None, False)
            if mask is not None:
                result["mask"] = restore(out.mask, mask_rank, True)
            return result

        return cls(image4, mask4), unpack


class ImageAugmenter(Op):
    """Base class of image augmenters: write ``sample`` and ``apply`` on an :class:`ImageBatch`.

    Set ``sets_size = True`` on augmenters whose output size is fixed (crops, resize) and
    ``changes_dtype = True`` on those whose output dtype can differ from the input's (Normalize): the samples of
    a batch must keep one size and dtype, so these apply to every sample and require ``p=1``.
    """

    modality = "image"
    sets_size: ClassVar[bool] = False
    changes_dtype: ClassVar[bool] = False

    def __init__(self, *, p: float = 0.5, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        if (self.sets_size or self.changes_dtype) and self.p != 1.0:
            what = "sets the output size" if self.sets_size else "can change the dtype"
            raise ConfigError(
                f"{type(self).__name__} {what}, so it must apply to every sample: p must be 1, got {p}"
            )
