"""Kernel filters and noise: Gaussian, box, motion and median blur, sharpening, Gaussian noise.

Each sample draws its own kernel; all ops work on any number of channels and leave masks untouched. Borders
are reflected (OpenCV's BORDER_REFLECT_101). Kernel sizes are odd; a ``(low, high)`` size range draws an odd
size per sample. Kernels: :mod:`multiaug.image.functional.filters`.

All are differentiable in the image for the drawn kernels and noise (MedianBlur's gradient goes to the pixel each
window selects); input that autograd records takes the kernels' plain torch path.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..core import Draws, register
from ..core.checks import check_int_range, check_number, check_range
from ..core.errors import ConfigError
from ..core.noise import randn
from .base import ImageAugmenter, ImageBatch
from .color import _with_image
from .functional import filters as F
from .functional.chunks import map_chunks, work_dtype

__all__ = ["BoxBlur", "GaussianBlur", "GaussianNoise", "MedianBlur", "MotionBlur", "Sharpen", "Sharpness"]


def _odd_range(value: Any, name: str, min_value: int = 1) -> tuple[int, int]:
    """An odd kernel size or an inclusive ``(low, high)`` range of odd sizes."""
    low, high = check_int_range(value, name, min_value=min_value)
    if low % 2 == 0 or high % 2 == 0:
        raise ConfigError(f"{name} must be odd (a kernel has a centre), got {value!r}")
    return low, high


def _draw_odd(draws: Draws, size: tuple[int, int]) -> np.ndarray:
    """One odd size per sample, uniform over the odd sizes in ``size``."""
    return size[0] + 2 * draws.integers(0, (size[1] - size[0]) // 2 + 1)


class _WindowFilter(ImageAugmenter):
    """A filter over a ``k x k`` window, ``k`` an odd size drawn per sample: subclasses set ``window_filter``."""

    window_filter: Any  # (images, per-sample kernel sizes) -> images

    def __init__(self, kernel_size: int | tuple[int, int], *, p: float, same_on_batch: bool) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.kernel_size = _odd_range(kernel_size, "kernel_size")

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        return {"kernel_size": _draw_odd(draws, self.kernel_size)}

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, lambda x: self.window_filter(x, params["kernel_size"]))


@register("image.GaussianBlur")
class GaussianBlur(ImageAugmenter):
    """Gaussian blur with a random ``sigma`` (and optionally kernel size) per sample; separable.

    Args:
        kernel_size: odd size ``k`` of the ``k x k`` kernel, or an inclusive ``(low, high)`` range of odd sizes
            drawn per sample.
        sigma: standard deviation range in pixels, > 0; one number is a fixed sigma.

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.full((3, 16, 16), 0.5)
        >>> bool(torch.allclose(mi.GaussianBlur(5, sigma=(0.5, 2.0), p=1.0)(x), x))
        True
    """

    def __init__(
        self,
        kernel_size: int | tuple[int, int] = 5,
        sigma: float | tuple[float, float] = (0.1, 2.0),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.kernel_size = _odd_range(kernel_size, "kernel_size")
        self.sigma = check_range(sigma, "sigma", min_value=0.0)
        if self.sigma[0] <= 0:
            raise ConfigError(f"sigma must be > 0, got {sigma!r}")

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        return {"kernel_size": _draw_odd(draws, self.kernel_size), "sigma": draws.uniform(*self.sigma)}

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, lambda x: F.gaussian_blur(x, params["kernel_size"], params["sigma"]))


@register("image.BoxBlur")
class BoxBlur(_WindowFilter):
    """Mean over a ``k x k`` window, ``k`` drawn per sample (Albumentations' ``Blur``).

    Args:
        kernel_size: odd size, or an inclusive ``(low, high)`` range of odd sizes.

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.zeros(1, 1, 3); x[..., 1] = 0.9
        >>> [round(v, 4) for v in mi.BoxBlur(3, p=1.0)(x).flatten().tolist()]
        [0.6, 0.3, 0.6]
    """

    window_filter = staticmethod(F.box_blur)

    def __init__(
        self, kernel_size: int | tuple[int, int] = (3, 7), *, p: float = 0.5, same_on_batch: bool = False
    ) -> None:
        super().__init__(kernel_size, p=p, same_on_batch=same_on_batch)


@register("image.MotionBlur")
class MotionBlur(ImageAugmenter):
    """Blur along a line of random angle (and length) per sample, as a camera or subject moving.

    Args:
        kernel_size: odd line length in pixels, or an inclusive ``(low, high)`` range of odd lengths (>= 3).
        angle: angle range in degrees, counter-clockwise from the x axis; one number ``v`` means ``(-v, v)``.
        direction: range within [-1, 1] weighting the line: 0 uniform, 1 all weight towards the end the
            angle points to, -1 towards the other end; one number is fixed.

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.full((3, 16, 16), 0.5)
        >>> bool(torch.allclose(mi.MotionBlur(p=1.0)(x), x, atol=1e-6))
        True
    """

    def __init__(
        self,
        kernel_size: int | tuple[int, int] = (3, 7),
        angle: float | tuple[float, float] = 90.0,
        direction: float | tuple[float, float] = 0.0,
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.kernel_size = _odd_range(kernel_size, "kernel_size", min_value=3)
        self.angle = check_range(angle, "angle", symmetric=True)
        self.direction = check_range(direction, "direction", min_value=-1.0, max_value=1.0)

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        return {
            "kernel_size": _draw_odd(draws, self.kernel_size),
            "angle": draws.uniform(*self.angle),
            "direction": draws.uniform(*self.direction),
        }

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        kernels = F.motion_kernels(params["kernel_size"], params["angle"], params["direction"])
        return _with_image(batch, lambda x: F.filter2d(x, kernels))


@register("image.MedianBlur")
class MedianBlur(_WindowFilter):
    """Median over a ``k x k`` window, ``k`` drawn per sample; exact, uint8 stays uint8.

    Args:
        kernel_size: odd size, or an inclusive ``(low, high)`` range of odd sizes (cost grows as ``k**2``).

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.zeros(1, 3, 3, dtype=torch.uint8); x[0, 1, 1] = 255
        >>> int(mi.MedianBlur(3, p=1.0)(x).max())
        0
    """

    window_filter = staticmethod(F.median_blur)

    def __init__(
        self, kernel_size: int | tuple[int, int] = (3, 5), *, p: float = 0.5, same_on_batch: bool = False
    ) -> None:
        super().__init__(kernel_size, p=p, same_on_batch=same_on_batch)


@register("image.Sharpen")
class Sharpen(ImageAugmenter):
    """Sharpen with Albumentations' (imgaug's) kernel ``(1 - alpha) I + alpha E``, per sample.

    ``E`` is -1 on the 8 neighbours and ``8 + lightness`` at the centre (3x3), so ``alpha`` blends the
    original with the sharpened image and ``lightness`` brightens it.

    Args:
        alpha: blend range within [0, 1].
        lightness: lightness range, >= 0.

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.full((1, 4, 4), 0.5)
        >>> bool(torch.allclose(mi.Sharpen(alpha=(1.0, 1.0), lightness=(1.0, 1.0), p=1.0)(x), x))
        True
    """

    def __init__(
        self,
        alpha: float | tuple[float, float] = (0.2, 0.5),
        lightness: float | tuple[float, float] = (0.5, 1.0),
        *,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.alpha = check_range(alpha, "alpha", min_value=0.0, max_value=1.0)
        self.lightness = check_range(lightness, "lightness", min_value=0.0)

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        return {"alpha": draws.uniform(*self.alpha), "lightness": draws.uniform(*self.lightness)}

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, lambda x: F.sharpen(x, params["alpha"], params["lightness"]))


@register("image.Sharpness")
class Sharpness(ImageAugmenter):
    """PIL's sharpness (torchvision's ``adjust_sharpness``, kornia's ``RandomSharpness``), a factor per sample.

    Blends the image with a 3x3-smoothed copy: ``factor`` 0 gives the smoothed image, 1 the image itself, 2 an
    image twice as sharp (see :func:`multiaug.image.functional.filters.adjust_sharpness`).

    Args:
        factor: range of the sharpness factor, >= 0 (one number means that fixed factor).

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.rand(2, 3, 8, 8)
        >>> bool(torch.equal(mi.Sharpness(factor=1.0, p=1.0)(x), x))
        True
    """

    def __init__(
        self, factor: float | tuple[float, float] = (0.5, 2.0), *, p: float = 0.5, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.factor = check_range(factor, "factor", min_value=0.0)

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        return {"factor": draws.uniform(*self.factor)}

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        return _with_image(batch, lambda x: F.adjust_sharpness(x, params["factor"]))


@register("image.GaussianNoise")
class GaussianNoise(ImageAugmenter):
    """Add Gaussian noise with a random standard deviation per sample (any number of channels).

    The noise field is regenerated in ``apply`` from a per-sample seed (:func:`multiaug.core.noise.randn`):
    replay is exact and a sample's noise is the same on CPU and CUDA, alone or in any batch.

    Args:
        std: standard deviation range in units of full intensity (0.1 is about 25 of 255), >= 0.
        mean: mean of the noise, in units of full intensity.
        per_channel: independent noise per channel; False adds the same noise to every channel.

    Example:
        >>> import torch, multiaug.image as mi
        >>> out = mi.GaussianNoise(std=0.1, p=1.0)(torch.full((3, 64, 64), 0.5), seed=0)
        >>> round(float(out.std()), 1)
        0.1
    """

    def __init__(
        self,
        std: float | tuple[float, float] = (0.02, 0.1),
        *,
        mean: float = 0.0,
        per_channel: bool = True,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.std = check_range(std, "std", min_value=0.0)
        self.mean = check_number(mean, "mean", min_value=-1.0, max_value=1.0)
        if not isinstance(per_channel, bool):
            raise ConfigError(f"per_channel must be True or False, got {per_channel!r}")
        self.per_channel = per_channel

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        return {"std": draws.uniform(*self.std), "seed": draws.seeds()}

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        def run(x: torch.Tensor) -> torch.Tensor:
            _, c, h, w = x.shape
            wdt = work_dtype(x.dtype)
            std = torch.as_tensor(np.asarray(params["std"], dtype=np.float64), device=x.device).to(wdt)
            seeds = np.asarray(params["seed"], dtype=np.int64)
            shape = (c if self.per_channel else 1, h, w)

            def fn(src: torch.Tensor, dst: torch.Tensor, sl: slice, unit: float) -> None:
                noise = randn(seeds[sl], shape, device=x.device, dtype=wdt)
                torch.addcmul(src, noise, std[sl][:, None, None, None] * unit, out=dst)
                if self.mean:
                    dst.add_(self.mean * unit)

            def plain(src: torch.Tensor) -> torch.Tensor:
                noise = randn(seeds, shape, device=x.device, dtype=wdt)
                return src + noise * std[:, None, None, None] + self.mean

            return map_chunks(x, fn, plain=plain)

        return _with_image(batch, run)
