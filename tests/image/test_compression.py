"""ImageCompression: a real JPEG/WebP round trip per image, worse at lower qualities, other fields untouched."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import multiaug.image as mi
from multiaug.core.errors import ConfigError

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "images" / "street.jpg"


def _photo(size: int = 96) -> torch.Tensor:
    with Image.open(SAMPLE) as im:
        pixels = np.asarray(im.convert("RGB").resize((size, size)))
    return torch.from_numpy(pixels.copy()).permute(2, 0, 1)


def _psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    mse = float((a.double() - b.double()).square().mean())
    return 10 * np.log10(255**2 / mse)


def test_each_image_is_pillows_own_round_trip_at_its_drawn_quality():
    x = torch.stack([_photo(), _photo().flip(-1), _photo().flip(-2)])
    y, record = mi.ImageCompression(quality=(5, 95), p=1.0)(x, seed=2, return_params=True)
    for i, q in enumerate(np.asarray(record.params["quality"]).tolist()):
        buffer = io.BytesIO()
        Image.fromarray(x[i].permute(1, 2, 0).numpy()).save(buffer, format="JPEG", quality=q)
        want = np.asarray(Image.open(buffer).convert("RGB"))
        assert np.array_equal(y[i].permute(1, 2, 0).numpy(), want)


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_lower_quality_loses_more(fmt):
    x = _photo()[None]
    rough = mi.ImageCompression(quality=(5, 5), format=fmt, p=1.0)(x)
    fine = mi.ImageCompression(quality=(95, 95), format=fmt, p=1.0)(x)
    assert _psnr(fine, x) > 30 and _psnr(fine, x) > _psnr(rough, x) + 6


def test_grey_rgba_and_float_images_and_untouched_targets():
    grey = _photo()[:1][None]
    assert mi.ImageCompression(p=1.0)(grey).shape == grey.shape
    rgba = torch.cat([_photo(), torch.arange(96, dtype=torch.uint8).expand(1, 96, 96)])[None]
    out = mi.ImageCompression(quality=(10, 10), p=1.0)(rgba)
    assert torch.equal(out[:, 3], rgba[:, 3]) and not torch.equal(out[:, :3], rgba[:, :3])
    x = _photo()[None].float() / 255
    mask = torch.randint(0, 3, (1, 96, 96))
    boxes = torch.tensor([[[1.0, 2.0, 30.0, 40.0]]])
    res = mi.ImageCompression(quality=(30, 30), p=1.0)(image=x, mask=mask, boxes=boxes)
    assert res["image"].dtype == torch.float32 and torch.equal(
        res["image"] * 255, (res["image"] * 255).round()
    )
    assert torch.equal(res["mask"], mask) and torch.equal(res["boxes"], boxes)


def test_bad_arguments():
    with pytest.raises(ConfigError, match="quality"):
        mi.ImageCompression(quality=(0, 50))
    with pytest.raises(ConfigError, match="format"):
        mi.ImageCompression(format="png")


def test_grey_alpha_and_multispectral_images():
    la = torch.stack([_photo()[0], torch.full((96, 96), 7, dtype=torch.uint8)])[None]
    out = mi.ImageCompression(quality=(10, 10), p=1.0)(la)
    assert torch.equal(out[:, 1], la[:, 1]) and not torch.equal(out[:, 0], la[:, 0])
    bands = torch.cat([_photo(), _photo()[:2]])[None]  # 5 channels: each coded as a grey image
    coded = mi.ImageCompression(quality=(20, 20), p=1.0)(bands)
    one = mi.ImageCompression(quality=(20, 20), p=1.0)(bands[:, 3:4])
    assert coded.shape == bands.shape and torch.equal(coded[:, 3:4], one)
