"""Read and write image files with Pillow, keeping what the file was: mode, bit depth, alpha, EXIF, ICC.

An image is read into :class:`DecodedImage`: ``color`` is a ``(3, H, W)`` array (grayscale is repeated over
three channels so that every colour op works; it is turned back into one channel with ITU-R 601 luma on
writing), ``uint8`` for 8-bit images and ``float32`` in [0, 1] for 16-bit ones; ``alpha`` is ``(1, H, W)`` or
``None`` (it travels as a mask, so geometric ops move it and colour ops leave it alone). EXIF orientation is
applied on reading and removed from the written EXIF. Decompression bombs are refused.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

__all__ = ["DecodedImage", "encode_image", "format_for", "read_image", "write_image"]

_LUMA = np.array([0.299, 0.587, 0.114])
_GRAY_MODES = {"L", "LA", "1", "I;16", "I;16L", "I;16B", "I"}
_SIXTEEN = {"I;16", "I;16L", "I;16B", "I"}


@dataclass
class DecodedImage:
    """An image ready for a pipeline, plus what is needed to write it back the way it came."""

    color: np.ndarray  # (3, H, W) uint8, or float32 in [0, 1] for 16-bit sources
    alpha: np.ndarray | None  # (1, H, W), same integer depth as the source, or None
    mode: str  # Pillow mode of the source after EXIF transposition
    format: str | None  # Pillow format name of the source ("PNG", "JPEG", ...)
    info: dict[str, Any] = field(default_factory=dict)  # exif bytes, icc_profile, dpi, compression

    @property
    def size(self) -> int:
        """Number of values the pipeline sees (3 x H x W)."""
        return int(self.color.size)

    @property
    def group_key(self) -> tuple:
        """Images with equal keys can share a batch."""
        return (self.color.shape, self.color.dtype.str, self.alpha is not None)


def _save_info(img: Image.Image) -> dict[str, Any]:
    info: dict[str, Any] = {}
    exif = img.getexif()
    if 0x0112 in exif:
        del exif[0x0112]
    if len(exif):
        info["exif"] = exif.tobytes()
    for key in ("icc_profile", "dpi", "compression"):
        if img.info.get(key) is not None:
            info[key] = img.info[key]
    return info


def read_image(path: str | Path) -> DecodedImage:
    """Decode an image file; raises ``ValueError``/``OSError`` for corrupt, empty, bomb or odd-mode files.

    Example:
        >>> im = read_image("data_samples/images/gray_texture.png")
        >>> im.color.shape, im.color.dtype.name, im.mode
        ((3, 256, 256), 'uint8', 'L')
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as src:
                src.load()
                fmt = src.format
                img = ImageOps.exif_transpose(src)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise ValueError(f"refused as a possible decompression bomb: {exc}") from exc
    mode = img.mode
    info = _save_info(img)
    if mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        mode = img.mode
    elif mode == "CMYK" or mode == "YCbCr":
        img = img.convert("RGB")
    elif mode == "PA":
        img = img.convert("RGBA")
        mode = "RGBA"
    if mode not in _GRAY_MODES and img.mode not in ("RGB", "RGBA"):
        raise ValueError(
            f"unsupported image mode {mode!r} (expected L, LA, 1, I;16, I, P, RGB, RGBA or CMYK)"
        )
    alpha = None
    if mode in _SIXTEEN:
        arr = np.asarray(img)
        if mode == "I" and (arr.min() < 0 or arr.max() > 65535):
            raise ValueError("a 32-bit integer image with values outside 0..65535 is not supported")
        gray = (arr.astype(np.float32) / np.float32(65535.0))[None]
        color = np.repeat(gray, 3, axis=0)
    elif mode in ("L", "LA", "1"):
        arr = np.asarray(img.convert("LA") if mode == "LA" else img.convert("L"))
        if mode == "LA":
            alpha = np.ascontiguousarray(arr[None, :, :, 1])
            arr = arr[:, :, 0]
        color = np.repeat(arr[None], 3, axis=0)
    else:
        arr = np.asarray(img)
        if img.mode == "RGBA":
            alpha = np.ascontiguousarray(arr[None, :, :, 3])
            arr = arr[:, :, :3]
        color = np.ascontiguousarray(arr.transpose(2, 0, 1))
    if color.shape[1] == 0 or color.shape[2] == 0:
        raise ValueError("the image is empty (0 pixels)")
    return DecodedImage(color=color, alpha=alpha, mode=mode, format=fmt, info=info)


def _to_gray(color: np.ndarray) -> np.ndarray:
    return np.tensordot(_LUMA, color.astype(np.float64), axes=(0, 0))


def encode_image(color: np.ndarray, alpha: np.ndarray | None, like: DecodedImage) -> Image.Image:
    """Build a Pillow image in the source's mode from an augmented ``(3, H, W)`` array and alpha.

    Example:
        >>> im = read_image("data_samples/images/badge_rgba.png")
        >>> encode_image(im.color, im.alpha, im).mode
        'RGBA'
    """
    mode = like.mode
    if mode in _SIXTEEN:
        gray = _to_gray(color) if color.dtype.kind == "f" else _to_gray(color) / 255.0
        arr16 = np.clip(np.rint(gray * 65535.0), 0, 65535)
        if mode == "I":
            return Image.fromarray(arr16.astype(np.int32))
        return Image.fromarray(arr16.astype(np.uint16))
    rgb8 = color if color.dtype == np.uint8 else np.clip(np.rint(color * 255.0), 0, 255).astype(np.uint8)
    if mode in ("L", "LA", "1"):
        gray = np.clip(np.rint(_to_gray(rgb8)), 0, 255).astype(np.uint8)
        if mode == "1":
            return (
                Image.fromarray(gray)
                .point(lambda v: 255 if v >= 128 else 0)
                .convert("1", dither=Image.Dither.NONE)
            )
        if mode == "LA":
            assert alpha is not None
            return Image.fromarray(np.stack([gray, alpha[0].astype(np.uint8)], -1), "LA")
        return Image.fromarray(gray)
    hwc = rgb8.transpose(1, 2, 0)
    if alpha is not None:
        return Image.fromarray(
            np.ascontiguousarray(np.concatenate([hwc, alpha[0][..., None].astype(np.uint8)], -1))
        )
    # three planes interleaved by Pillow: the same image as ``Image.fromarray(hwc)``, 2x faster than a numpy
    # transpose + fromarray
    img = Image.merge("RGB", [Image.fromarray(np.ascontiguousarray(plane)) for plane in rgb8])
    return img.convert("CMYK") if mode == "CMYK" else img


_SAVE_KW = {
    "JPEG": {"quality": 95},
    "WEBP": {"quality": 95},
    "PNG": {"compress_level": 6},
}


def write_image(img: Image.Image, path: Path, fmt: str, like: DecodedImage) -> None:
    """Save ``img`` to ``path`` in format ``fmt`` keeping the source's EXIF (minus orientation), ICC, DPI."""
    kw: dict[str, Any] = dict(_SAVE_KW.get(fmt, {}))
    for key in ("exif", "icc_profile", "dpi"):
        if key in like.info and fmt in ("JPEG", "PNG", "WEBP", "TIFF"):
            kw[key] = like.info[key]
    if fmt == "TIFF" and "compression" in like.info:
        kw["compression"] = like.info["compression"]
    if fmt == "JPEG" and img.mode in ("RGBA", "LA"):
        raise ValueError("JPEG cannot store an alpha channel")
    img.save(path, format=fmt, **kw)


def format_for(path: str | Path) -> str:
    """The Pillow format name for a file name's extension (``"x.jpg"`` -> ``"JPEG"``).

    Example:
        >>> format_for("a/b.tif"), format_for("c.PNG")
        ('TIFF', 'PNG')
    """
    return _format_for_suffix(Path(path).suffix.lower())


@functools.lru_cache(maxsize=64)
def _format_for_suffix(ext: str) -> str:
    Image.init()
    try:
        return Image.registered_extensions()[ext]
    except KeyError:
        raise ValueError(f"Pillow cannot write {ext!r} files") from None
