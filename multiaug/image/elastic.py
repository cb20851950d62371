"""ElasticTransform: a smooth random displacement of every pixel (Simard et al.'s elastic distortion)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core import Draws, register
from ..core.checks import check_range
from .base import ImageBatch
from .functional.elastic import displace, elastic_field
from .geometric import _Warped, fill_for

__all__ = ["ElasticTransform"]


@register("image.ElasticTransform")
class ElasticTransform(_Warped):
    """Displace every pixel by ``alpha`` times uniform noise in [-1, 1] smoothed by a Gaussian of ``sigma`` pixels.

    ``alpha`` (pixels) and ``sigma`` (pixels) are drawn uniformly per sample: a larger ``sigma`` gives smoother,
    larger-scale waves, a larger ``alpha`` stronger ones (torchvision's ``ElasticTransform(alpha=50, sigma=5)``
    is about ``alpha=50, sigma=5`` here: the same smoothed-noise field, in pixels). The noise comes from a
    per-sample seed, so a sample's field depends only on its own draws. Masks follow with nearest sampling
    (``fill_mask`` where a constant border shows); boxes and keypoints cannot follow a non-linear warp, so the
    augmenter refuses them. Borders as in the other geometric ops.

    Example:
        >>> import torch, multiaug.image as mi
        >>> x = torch.rand(2, 3, 64, 64)
        >>> y = mi.ElasticTransform(alpha=(40.0, 40.0), sigma=(6.0, 6.0), p=1.0)(x, seed=0)
        >>> y.shape, bool((y - x).abs().mean() > 0.01)
        (torch.Size([2, 3, 64, 64]), True)
    """

    # shares the warps' interpolation, border and fill arguments, but no matrix describes it
    follows_targets = False
    targets_refused = "warps by a non-linear field"

    def __init__(
        self,
        alpha: float | tuple[float, float] = (30.0, 60.0),
        sigma: float | tuple[float, float] = (4.0, 7.0),
        *,
        interpolation: str = "bilinear",
        border: str = "reflect",
        fill: float | Sequence[float] = 0.0,
        fill_mask: float = 0,
        p: float = 0.5,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(interpolation, border, fill, fill_mask, p, same_on_batch)
        self.alpha = check_range(alpha, "alpha", min_value=0.0, max_value=10000.0)
        self.sigma = check_range(sigma, "sigma", min_value=0.5, max_value=100.0)

    def sample(self, batch: ImageBatch, draws: Draws) -> dict[str, Any]:
        return {
            "alpha": draws.uniform(*self.alpha),
            "sigma": draws.uniform(*self.sigma),
            "seed": draws.seeds(),
        }

    def apply(self, batch: ImageBatch, params: dict[str, Any]) -> ImageBatch:
        pad = math.ceil(
            3.0 * self.sigma[1]
        )  # from the op's range, not the batch: fields stay batch-independent
        field = elastic_field(
            np.asarray(params["seed"], dtype=np.int64),
            batch.height,
            batch.width,
            np.asarray(params["alpha"], dtype=np.float64),
            np.asarray(params["sigma"], dtype=np.float64),
            pad,
            batch.device,
        )
        fields = {}
        if batch.image is not None:
            fields["image"] = displace(
                batch.image,
                field,
                interpolation=self.interpolation,
                border=self.border,
                fill=fill_for(self.fill, batch.image),
            )
        if batch.mask is not None:
            fields["mask"] = displace(
                batch.mask, field, interpolation="nearest", border=self.border, fill=self.fill_mask
            )
        return batch.replace(**fields)
