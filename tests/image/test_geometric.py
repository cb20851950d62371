"""Physical truths of the geometric image ops: exact identities, agreement with torch references, masks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import multiaug.image as mi
from multiaug.core.errors import ConfigError, InputError
from multiaug.image.functional.geometry import (
    affine_matrix,
    crop_resize_matrix,
    perspective_matrix,
    transform_points,
)
from multiaug.image.functional.warp import warp

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def _images(
    n: int = 4, c: int = 3, h: int = 20, w: int = 28, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    x = torch.rand((n, c, h, w), generator=torch.Generator().manual_seed(0))
    return (x * 255).round().to(torch.uint8) if dtype == torch.uint8 else x


def _grid_sample_reference(
    x: torch.Tensor, matrix: np.ndarray, mode: str, padding: str, clamp: bool = True
) -> torch.Tensor:
    """torch's grid_sample on the same pixel-centre coordinates (align_corners=True maps -1..1 to 0..W-1)."""
    n, _, h, w = x.shape
    ys, xs = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    pts = np.stack([xs, ys], -1).reshape(1, -1, 2).repeat(n, 0).astype(np.float64)
    src = transform_points(np.linalg.inv(matrix), pts)
    if mode == "nearest":  # multiaug rounds ties up (like nearest-exact), grid_sample to even: pre-round
        src = np.floor(src + 0.5)
    grid = np.stack([src[..., 0] / (w - 1) * 2 - 1, src[..., 1] / (h - 1) * 2 - 1], -1).reshape(n, h, w, 2)
    out = F.grid_sample(
        x, torch.tensor(grid, dtype=x.dtype), mode=mode, padding_mode=padding, align_corners=True
    )
    return out.clamp(0, 1) if mode == "bicubic" and clamp else out


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear", "bicubic"])
@pytest.mark.parametrize(("border", "padding"), [("constant", "zeros"), ("replicate", "border")])
@pytest.mark.parametrize("rotated", [True, False])  # the general gather, or the separable axis-aligned path
def test_warp_matches_grid_sample(interpolation: str, border: str, padding: str, rotated: bool) -> None:
    x = _images()
    angle = np.array([30.0, -12.0, 5.0, 170.0]) if rotated else 0.0
    m = affine_matrix(
        20, 28, angle=angle, scale_x=np.array([1.0, 0.83, 1.27, 0.55]), scale_y=np.array([1, 1.13, 0.71, 1.9])
    )
    m[:, :2, 2] += np.array([[0.3, -0.2], [2.3, 1.1], [0.1, 0.05], [-3.2, 0.7]])  # no ties for nearest
    out = warp(x, m, interpolation=interpolation, border=border)
    ref = _grid_sample_reference(x, m, interpolation, padding)
    torch.testing.assert_close(out, ref, atol=2e-5, rtol=0)


@pytest.mark.parametrize("interpolation", ["bilinear", "bicubic"])
@pytest.mark.parametrize("angle", [np.array([25.0, -40.0]), 0.0])
def test_warp_reflect_matches_reflection_padding(angle, interpolation: str) -> None:
    x = _images(n=2)
    m = affine_matrix(20, 28, angle=angle, scale_x=np.array([0.8, 0.7]), scale_y=0.8)
    out = warp(x, m, interpolation=interpolation, border="reflect")
    pad = 19
    padded = F.pad(x, (pad, pad, pad, pad), mode="reflect")
    shift = np.array([[1.0, 0, pad], [0, 1, pad], [0, 0, 1]])
    inner = shift @ m @ np.linalg.inv(shift)  # the same map in padded coordinates
    ref = _grid_sample_reference(padded, inner, interpolation, "zeros")[..., pad:-pad, pad:-pad]
    torch.testing.assert_close(out, ref, atol=2e-5, rtol=0)


@pytest.mark.parametrize("interpolation", ["bilinear", "bicubic"])
def test_warp_constant_fill_is_the_value_outside(interpolation: str) -> None:
    x = _images()
    m = affine_matrix(20, 28, angle=np.array([30.0, -12.0, 5.0, 170.0]), scale_x=0.8)
    out = warp(x, m, interpolation=interpolation, fill=0.5)
    ref = (_grid_sample_reference(x - 0.5, m, interpolation, "zeros", clamp=False) + 0.5).clamp(0, 1)
    torch.testing.assert_close(out, ref, atol=2e-5, rtol=0)


@pytest.mark.parametrize("border", ["constant", "reflect", "replicate"])
@pytest.mark.parametrize("interpolation", ["nearest", "bilinear", "bicubic"])
def test_warp_tiny_images(border: str, interpolation: str) -> None:
    for h, w in ((1, 1), (1, 5), (4, 1), (2, 2)):
        x = torch.rand(2, 1, h, w)
        m = affine_matrix(h, w, angle=np.array([30.0, 0.0]), scale_x=np.array([0.7, 1.3]), scale_y=1.1)
        out = warp(x, m, interpolation=interpolation, border=border)
        assert out.shape == x.shape and torch.isfinite(out).all()
        if border == "replicate" and h == w == 1:
            assert torch.allclose(out, x)


def test_warp_uint8_is_rounded_float() -> None:
    x = _images(dtype=torch.uint8)
    m = affine_matrix(20, 28, angle=np.array([10.0, 20.0, 30.0, 40.0]))
    for interpolation in ("bilinear", "bicubic"):
        out = warp(x, m, interpolation=interpolation)
        ref = (warp(x.float() / 255, m, interpolation=interpolation) * 255).round()
        assert out.dtype == torch.uint8
        assert (out.float() - ref).abs().max() <= 1  # float32 summation order only


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_flip_twice_is_identity(dtype: torch.dtype) -> None:
    x = _images(dtype=dtype)
    mask = torch.randint(0, 5, (4, 20, 28))
    for op in (mi.HorizontalFlip(p=1.0), mi.VerticalFlip(p=1.0)):
        once = op(image=x, mask=mask)
        twice = op(**once)
        assert not torch.equal(once["image"], x)
        assert torch.equal(twice["image"], x) and torch.equal(twice["mask"], mask)


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_rotate90_equals_torch_rot90(dtype: torch.dtype) -> None:
    x = _images(h=16, w=16, dtype=dtype)
    mask = torch.randint(0, 5, (4, 16, 16), dtype=torch.int32)
    for k in range(4):
        out = mi.Rotate90(k=k, p=1.0)(image=x, mask=mask)
        assert torch.equal(out["image"], torch.rot90(x, k, dims=(-2, -1)))
        assert torch.equal(out["mask"], torch.rot90(mask, k, dims=(-2, -1)))
    # mixed k within a batch: each sample turned by its own k
    out, record = mi.Rotate90(p=1.0)(x, seed=3, return_params=True)
    for i, k in enumerate(record.params["k"]):
        assert torch.equal(out[i], torch.rot90(x[i], int(k), dims=(-2, -1)))
    assert len(set(record.params["k"].tolist())) > 1


def test_rotate90_non_square() -> None:
    x = _images(h=10, w=14)
    assert torch.equal(mi.Rotate90(k=2, p=1.0)(x), torch.rot90(x, 2, dims=(-2, -1)))
    with pytest.raises(InputError, match="non-square"):
        mi.Rotate90(p=1.0)(x)
    with pytest.raises(InputError, match="non-square"):  # whatever the coin flips
        mi.Rotate90(p=0.0)(x)


def test_rotate90_matrix_moves_points_like_the_pixels() -> None:
    x = torch.zeros(1, 1, 9, 9)
    x[0, 0, 2, 6] = 1.0  # (x=6, y=2)
    aug = mi.Rotate90(k=1, p=1.0)
    out, record = aug(x, return_params=True)
    (px, py) = transform_points(aug.matrix(record.params, 9, 9), np.array([[[6.0, 2.0]]]))[0, 0]
    assert out[0, 0, round(py), round(px)] == 1.0


@pytest.mark.parametrize(
    "op",
    [
        mi.Affine(degrees=30, translate=0.1, scale=(0.8, 1.2), shear=10, p=1.0),
        mi.Perspective(distortion_scale=0.5, p=1.0),
        mi.Stretch(p=1.0),
        mi.RandomResizedCrop((24, 20), scale=(0.5, 1.0)),
        mi.RandomCrop((30, 36), padding=3),
    ],
    ids=lambda op: type(op).__name__,
)
def test_matrix_moves_points_like_the_pixels(op) -> None:
    # boxes and keypoints will follow op.matrix: a lone pixel must land where the matrix sends it
    n, h, w = 6, 33, 41
    x = torch.zeros(n, 1, h, w)
    x[:, 0, 20, 13] = 1.0  # (x=13, y=20)
    out, record = op(x, seed=4, return_params=True)
    moved = transform_points(op.matrix(record.params, h, w), np.array([[[13.0, 20.0]]] * n))
    for i in range(n):
        flat = int(out[i, 0].argmax())
        found = np.array([flat % out.shape[-1], flat // out.shape[-1]], dtype=np.float64)
        assert np.abs(found - moved[i, 0]).max() <= 1.0, (i, found, moved[i, 0])


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_rotate_90_degrees_matches_rot90_inside_the_image(dtype: torch.dtype) -> None:
    square = _images(h=17, w=17, dtype=dtype)
    for interpolation in ("nearest", "bilinear", "bicubic"):
        out = mi.Rotate(degrees=(90, 90), interpolation=interpolation, p=1.0)(square)
        assert torch.equal(out, torch.rot90(square, 1, dims=(-2, -1)))
    # non-square: the central square rotates like torch.rot90
    x = _images(h=20, w=30, dtype=dtype)
    out = mi.Rotate(degrees=(-90, -90), p=1.0)(x)
    assert torch.equal(out[..., 5:25], torch.rot90(x[..., 5:25], -1, dims=(-2, -1)))


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_identity_settings(dtype: torch.dtype) -> None:
    x = _images(dtype=dtype)
    for op in (
        mi.Zoom(scale=1.0, p=1.0),
        mi.Rotate(degrees=0, p=1.0),
        mi.Stretch(scale_x=1.0, scale_y=1.0, p=1.0),
        mi.Affine(p=1.0),
        mi.Perspective(distortion_scale=0.0, p=1.0),
        mi.Resize((20, 28), p=1.0),
        mi.RandomResizedCrop((20, 28), scale=(1.0, 1.0), ratio=(1.4, 1.4)),
        mi.CenterCrop((20, 28)),
    ):
        assert torch.equal(op(x, seed=1), x), op


def test_affine_rotation_equals_rotate() -> None:
    x = _images()
    a = mi.Affine(degrees=(33, 33), p=1.0)(x)
    b = mi.Rotate(degrees=(33, 33), p=1.0)(x)
    assert torch.equal(a, b)


def test_zoom_in_enlarges_about_the_centre() -> None:
    x = torch.zeros(1, 1, 21, 21)
    x[0, 0, 8:13, 8:13] = 1.0  # a 5x5 square at the centre
    out = mi.Zoom(scale=2.0, interpolation="nearest", p=1.0)(x)
    rows = out[0, 0].sum(1).nonzero().flatten()
    assert rows.min() == 5 and rows.max() == 14  # 10 pixels tall, still centred
    assert out[0, 0, 10, 10] == 1.0


def test_stretch_scales_x_only() -> None:
    x = torch.zeros(1, 1, 21, 21)
    x[0, 0, 8:13, 8:13] = 1.0
    out = mi.Stretch(scale_x=2.0, scale_y=1.0, interpolation="nearest", p=1.0)(x)
    assert out[0, 0].sum(0).count_nonzero() >= 9 and out[0, 0].sum(1).count_nonzero() == 5


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
def test_resize_matches_interpolate(mode: str) -> None:
    x = _images()
    for size in ((13, 17), (40, 50)):
        out = mi.Resize(size, interpolation=mode)(x)
        torch_mode = "nearest-exact" if mode == "nearest" else mode
        ref = F.interpolate(
            x, size=size, mode=torch_mode, **({} if mode == "nearest" else {"align_corners": False})
        )
        if mode == "bicubic":
            ref = ref.clamp(0, 1)
        torch.testing.assert_close(out, ref, atol=2e-5, rtol=0)


def test_random_resized_crop_params_and_output() -> None:
    x = _images(n=64, h=30, w=40)
    aug = mi.RandomResizedCrop((16, 16), scale=(0.2, 0.6), ratio=(0.5, 2.0))
    out, record = aug(x, seed=0, return_params=True)
    assert out.shape == (64, 3, 16, 16)
    p = record.params
    area = p["height"] * p["width"] / (30 * 40)
    assert (p["top"] >= 0).all() and (p["top"] + p["height"] <= 30).all()
    assert (p["left"] >= 0).all() and (p["left"] + p["width"] <= 40).all()
    assert (area > 0.18).all() and (area < 0.62).all()  # within scale up to pixel rounding
    i = 0  # a box resized to its own size is a plain crop
    t, l, h, w = (int(p[k][i]) for k in ("top", "left", "height", "width"))
    same = mi.Resize((h, w), interpolation="nearest")(x[i : i + 1, :, t : t + h, l : l + w])
    assert same.shape[-2:] == (h, w)


def test_random_crop_is_a_window_and_mask_follows() -> None:
    x = _images(n=6)
    mask = torch.arange(20 * 28).reshape(1, 20, 28).repeat(6, 1, 1)
    out, record = mi.RandomCrop((12, 15))(image=x, mask=mask, seed=2, return_params=True)
    for i in range(6):
        t, l = int(record.params["top"][i]), int(record.params["left"][i])
        assert torch.equal(out["image"][i], x[i, :, t : t + 12, l : l + 15])
        assert torch.equal(out["mask"][i], mask[i, t : t + 12, l : l + 15])


def test_random_crop_padding_and_borders() -> None:
    x = _images(n=8, h=10, w=10)
    out, record = mi.RandomCrop(10, padding=3, border="reflect")(x, seed=0, return_params=True)
    padded = F.pad(x, (3, 3, 3, 3), mode="reflect")
    for i in range(8):
        t, l = int(record.params["top"][i]) + 3, int(record.params["left"][i]) + 3
        assert torch.equal(out[i], padded[i, :, t : t + 10, l : l + 10])
    big = mi.RandomCrop(14, pad_if_needed=True, fill=0.5)(x, seed=0)
    assert big.shape == (8, 3, 14, 14) and (big == 0.5).any()
    with pytest.raises(InputError, match="larger than"):
        mi.RandomCrop(14)(x)


def test_center_crop_matches_slicing_and_pads() -> None:
    x = _images(h=21, w=28)
    assert torch.equal(mi.CenterCrop((9, 10))(x), x[..., 6:15, 9:19])
    out = mi.CenterCrop((25, 28), fill=1.0)(x)
    assert torch.equal(out[..., 2:23, :], x) and (out[..., :2, :] == 1.0).all()


def test_perspective_matrix_maps_corners() -> None:
    start = np.array([[[0.0, 0], [9, 0], [9, 9], [0, 9]]])
    end = np.array([[[1.0, 2], [8, 0], [9, 7], [0, 9]]])
    m = perspective_matrix(start, end)
    np.testing.assert_allclose(transform_points(m, start), end, atol=1e-9)


def test_crop_resize_matrix_maps_edges() -> None:
    m = crop_resize_matrix(np.array([2.0]), 4.0, 10.0, 20.0, 5, 5)
    # the box's pixel edges (left - 0.5, top - 0.5) and (left + w - 0.5, top + h - 0.5) map to the output's
    np.testing.assert_allclose(
        transform_points(m, np.array([[[3.5, 1.5], [23.5, 11.5]]])), [[[-0.5, -0.5], [4.5, 4.5]]]
    )


@pytest.mark.parametrize("mask_dtype", [torch.int64, torch.uint8, torch.bool, torch.float32])
def test_masks_move_with_nearest_and_keep_labels(mask_dtype: torch.dtype) -> None:
    gen = torch.Generator().manual_seed(1)
    labels = torch.tensor([0, 3, 7])[torch.randint(0, 3, (4, 20, 20), generator=gen)]
    mask = (labels > 0) if mask_dtype == torch.bool else labels.to(mask_dtype)
    image = mask.to(torch.float32).unsqueeze(1)  # the mask as an image: nearest must move both alike
    for op in (
        mi.Rotate(degrees=40, interpolation="nearest", fill_mask=0, p=1.0),
        mi.Affine(degrees=20, translate=0.1, scale=(0.7, 1.3), shear=10, interpolation="nearest", p=1.0),
        mi.Perspective(interpolation="nearest", border="reflect", p=1.0),
        mi.Zoom(scale=(0.5, 2.0), interpolation="nearest", border="replicate", p=1.0),
        mi.RandomResizedCrop(13, interpolation="nearest"),
    ):
        out = op(image=image, mask=mask, seed=5)
        assert out["mask"].dtype == mask_dtype
        assert set(out["mask"].unique().tolist()) <= set(mask.unique().tolist())
        assert torch.equal(out["mask"].to(torch.float32), out["image"][:, 0]), op


def test_mask_fill_value() -> None:
    mask = torch.ones(2, 20, 20, dtype=torch.int64)
    out = mi.Rotate(degrees=(45, 45), fill_mask=255, p=1.0)(image=torch.rand(2, 3, 20, 20), mask=mask)
    assert set(out["mask"].unique().tolist()) == {1, 255}


def test_per_channel_fill() -> None:
    out = mi.Rotate(degrees=(45, 45), fill=(1.0, 0.5, 0.0), p=1.0)(torch.zeros(1, 3, 20, 20))
    assert out[0, :, 0, 0].tolist() == [1.0, 0.5, 0.0]
    # units of full intensity for uint8 images too
    out8 = mi.Rotate(degrees=(45, 45), fill=(1.0, 0.5, 0.0), p=1.0)(
        torch.zeros(1, 3, 20, 20, dtype=torch.uint8)
    )
    assert out8[0, :, 0, 0].tolist() == [255, 128, 0]


def test_same_on_batch_shares_the_draw() -> None:
    x = _images(n=1).repeat(5, 1, 1, 1)
    out = mi.Affine(degrees=30, translate=0.2, p=1.0, same_on_batch=True)(x, seed=0)
    assert all(torch.equal(out[0], out[i]) for i in range(5))


def test_single_image_and_grayscale() -> None:
    x = torch.rand(1, 9, 9)
    assert mi.Rotate(p=1.0)(x).shape == (1, 9, 9)
    x5 = torch.rand(2, 5, 9, 9)  # multispectral
    assert mi.Perspective(p=1.0)(x5).shape == (2, 5, 9, 9)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: mi.Rotate(degrees=(10, -10)), "degrees"),
        (lambda: mi.Rotate(degrees=-5), "degrees"),
        (lambda: mi.Rotate(interpolation="cubic"), "interpolation"),
        (lambda: mi.Rotate(border="wrap"), "border"),
        (lambda: mi.Rotate(fill="red"), "fill"),
        (lambda: mi.Rotate(fill=128), "full intensity"),
        (lambda: mi.Rotate(fill_mask=(1, 2)), "fill_mask"),
        (lambda: mi.Zoom(scale=0.0), "scale"),
        (lambda: mi.Zoom(scale=(2.0, 1.0)), "scale"),
        (lambda: mi.Stretch(scale_y=-1.0), "scale_y"),
        (lambda: mi.Affine(translate=1.5), "translate"),
        (lambda: mi.Affine(translate=(0.1, 0.2, 0.3)), "translate"),
        (lambda: mi.Affine(shear=95), "shear"),
        (lambda: mi.Perspective(distortion_scale=1.5), "distortion_scale"),
        (lambda: mi.Rotate90(k=(3, 1)), "k"),
        (lambda: mi.Rotate90(k=1.5), "k"),
        (lambda: mi.RandomCrop(size=0), "size"),
        (lambda: mi.RandomCrop(size=8, padding=-1), "padding"),
        (lambda: mi.RandomCrop(size=(8, 8, 8)), "size"),
        (lambda: mi.Resize(8, p=0.5), "p must be 1"),
        (lambda: mi.RandomResizedCrop(8, scale=(0.5, 0.1)), "scale"),
        (lambda: mi.RandomResizedCrop(8, ratio=(0.0, 1.0)), "ratio"),
    ],
)
def test_bad_arguments_rejected_at_construction(make, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        make()


@CUDA
@pytest.mark.parametrize("interpolation", ["nearest", "bilinear", "bicubic"])
@pytest.mark.parametrize("border", ["constant", "reflect", "replicate"])
def test_warp_cuda_matches_cpu(interpolation: str, border: str) -> None:
    x = _images(dtype=torch.uint8)
    m = affine_matrix(20, 28, angle=np.array([10.0, 20.0, 30.0, 40.0]), scale_x=0.7, scale_y=1.2)
    cpu = warp(x, m, interpolation=interpolation, border=border)
    gpu = warp(x.cuda(), m, interpolation=interpolation, border=border)
    assert gpu.device.type == "cuda"
    assert (gpu.cpu().int() - cpu.int()).abs().max() <= 1


@CUDA
def test_geometric_ops_cuda_with_mask() -> None:
    x = _images(h=16, w=16).cuda()
    mask = torch.randint(0, 4, (4, 16, 16), device="cuda")
    for op in (mi.Rotate90(p=1.0), mi.Rotate(p=1.0), mi.RandomCrop(8), mi.RandomResizedCrop(8)):
        out = op(image=x, mask=mask, seed=0)
        ref = op(image=x.cpu(), mask=mask.cpu(), seed=0)
        assert out["image"].device.type == "cuda"
        torch.testing.assert_close(out["image"].cpu(), ref["image"], atol=1e-5, rtol=0)
        assert torch.equal(out["mask"].cpu(), ref["mask"])


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
@pytest.mark.parametrize("interpolation", ["bilinear", "bicubic"])
def test_general_warp_per_sample_is_independent_of_the_batch(dtype: torch.dtype, interpolation: str) -> None:
    # quarter turns and a half turn (integer maps: the exact gather) mixed with general angles (grid_sample)
    x = _images(n=6, h=17, w=17, dtype=dtype)
    angle = np.array([90.0, 30.0, 180.0, -17.0, -90.0, 45.0])
    m = affine_matrix(17, 17, angle=angle)
    out = warp(x, m, interpolation=interpolation, border="reflect")
    for i in range(6):
        alone = warp(x[i : i + 1], m[i : i + 1], interpolation=interpolation, border="reflect")
        assert torch.equal(out[i : i + 1], alone), i
    for i, k in ((0, 1), (2, 2), (4, -1)):
        assert torch.equal(out[i], torch.rot90(x[i], k, dims=(-2, -1)))


@pytest.mark.parametrize("border", ["constant", "reflect", "replicate"])
def test_bilinear_general_warp_stays_in_range_and_keeps_the_fill(border: str) -> None:
    x = torch.ones(3, 3, 21, 26)
    m = affine_matrix(21, 26, angle=np.array([33.0, -71.0, 12.5]), scale_x=0.7, scale_y=0.6)
    out = warp(x, m, interpolation="bilinear", border=border, fill=(1.0, 0.25, 0.0))
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0
    # grid_sample's four weights sum to 1 within float rounding (an ulp), not exactly
    if border != "constant":
        torch.testing.assert_close(out, x, atol=1e-6, rtol=0)
    else:
        torch.testing.assert_close(out[:, 0], x[:, 0], atol=1e-6, rtol=0)  # the fill equals channel 0
        assert float(out[:, 2].min()) == 0.0 and bool(
            (out[:, 1, 0, 0] == 0.25).all()
        )  # corners show the fill
