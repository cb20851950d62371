"""Edge cases found in review: tiny and degenerate images, batch independence, errors that must not depend on p."""

from __future__ import annotations

import pytest
import torch

import multiaug.image as mi


def _rand(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (6, 1)])
def test_perspective_on_one_pixel_wide_or_high_images(shape: tuple[int, int]) -> None:
    # the corners of a 1-pixel-high image are collinear at pixel centres: the homography was singular
    x = _rand(2, 3, *shape)
    out = mi.Perspective(distortion_scale=0.8, p=1.0)(x, seed=0)
    assert out.shape == x.shape
    assert bool(torch.isfinite(out).all())
    assert torch.equal(mi.Perspective(distortion_scale=0.0, p=1.0)(x, seed=0), x)
