"""ImageCompression: JPEG or WebP artefacts from a real encoder and decoder (Pillow), per image."""

from __future__ import annotations

import io
from typing import Any, ClassVar

import numpy as np
import torch
from PIL import Image

from ..core import Draws, register
from ..core.checks import check_choice, check_int_range
from ..core.threads import map_threads
from .base import ImageAugmenter, ImageBatch

__all__ = ["ImageCompression"]

_FORMATS = {"jpeg": "JPEG", "webp": "WEBP"}


def _round_trip(pixels: np.ndarray, quality: int, fmt: str) -> np.ndarray:
    """Encode ``pixels`` ``(H, W, C)`` uint8 (C 1 or 3) at ``quality`` and decode them back."""
    image = Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)
    buffer = io.BytesIO()
    image.save(buffer, format=_FORMATS[fmt], quality=int(quality))
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        same = decoded if decoded.mode == image.mode else decoded.convert(image.mode)
        out = np.array(same)  # writable: torch.from_numpy warns on read-only arrays
    return out.reshape(pixels.shape)


def _channel_groups(channels: int) -> list[tuple[int, int]]:
    """The channel slices coded as one image: grey or RGB (alpha, the 2nd or 4th, is kept), else one by one."""
    if channels in (1, 2):
        return [(0, 1)]
    if channels in (3, 4):
        return [(0, 3)]
    return [(k, k + 1) for k in range(channels)]


@register("image.ImageCompression")
class ImageCompression(ImageAugmenter):
    """Compress each image as JPEG (or WebP) at a quality drawn uniformly (an integer) from ``quality`` and decode it.

    Real codec artefacts, as Albumentations' ``ImageCompression``: 8x8 blocks, ringing at edges, colour
    subsampling at low qualities. Images of 1 (grey) or 3 (RGB) channels are coded as they are; for 2 (grey and
    alpha) and 4 (RGBA) the grey or colour is coded and the alpha kept; more channels (multispectral) are coded
    one by one as grey images. Float images go through uint8 (so the result is a multiple of 1/255).
    Masks, boxes and keypoints are unchanged. Pillow codes on the CPU, one image at a time (in threads when torch
    may use several); images on another device make a round trip to the host.
    Not differentiable: the codec runs in Pillow, on uint8 pixels (the output carries no gradient).

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.rand(2, 3, 32, 32)
        >>> y = mi.ImageCompression(quality=(20, 20), p=1.0)(x)
        >>> y.shape, bool(((y * 255).round() == y * 255).all())
        (torch.Size([2, 3, 32, 32]), True)
    """

    differentiable: ClassVar[bool] = False

    def __init__(
        self,
        quality: int | tuple[int, int] = (50, 95),
        format: str = "jpeg",
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.quality = check_int_range(quality, "quality", min_value=1, max_value=100)
        self.format = check_choice(format, "format", list(_FORMATS))

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        return {"quality": draws.integers(self.quality[0], self.quality[1] + 1)}

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        image = batch.image
        if image is None:
            return batch
        as_uint8 = (
            image if image.dtype == torch.uint8 else (image.float() * 255).round_().clamp_(0, 255).byte()
        )
        host = as_uint8.detach().to("cpu")
        groups = _channel_groups(batch.channels)
        qualities = np.asarray(params["quality"], dtype=np.int64).tolist()
        out = host.clone() if batch.channels in (2, 4) else torch.empty_like(host)  # alpha is kept
        # inference mode is per thread: the workers write into ``out`` (an inference tensor when the call runs
        # under torch.inference_mode()) in the caller's mode
        inference = torch.is_inference_mode_enabled()

        def one(i: int) -> None:  # one copy in, one copy out per image and group
            with torch.inference_mode(inference):
                for start, stop in groups:
                    pixels = host[i, start:stop].permute(1, 2, 0).contiguous().numpy()
                    coded = _round_trip(pixels, qualities[i], self.format)
                    out[i, start:stop].copy_(torch.from_numpy(coded).permute(2, 0, 1))

        map_threads(one, len(batch), torch.get_num_threads())  # Pillow codes without the GIL
        result = out.to(image.device)
        if image.dtype != torch.uint8:
            result = result.to(image.dtype).div_(255)
        return batch.replace(image=result)
