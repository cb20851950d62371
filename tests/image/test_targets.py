"""Boxes and keypoints follow the geometric augmenters exactly as the pixels do, and nothing else moves them."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import multiaug
import multiaug.image as mi
from multiaug.core.errors import InputError, InputTypeError

H, W = 48, 64


def _scene(n: int = 6, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Images, a mask holding one filled rectangle per sample, that rectangle as a box, and its centre pixel
    as a keypoint (a pixel's centre is at +0.5)."""
    rng = np.random.default_rng(seed)
    images = torch.rand(n, 3, H, W, generator=torch.Generator().manual_seed(seed))
    mask = torch.zeros(n, H, W, dtype=torch.uint8)
    boxes, points = [], []
    for i in range(n):
        x0, y0 = int(rng.integers(4, W // 2)), int(rng.integers(4, H // 2))
        x1, y1 = x0 + int(rng.integers(6, W // 2 - 4)), y0 + int(rng.integers(6, H // 2 - 4))
        mask[i, y0:y1, x0:x1] = 1
        boxes.append([[x0, y0, x1, y1]])
        points.append([[x0 + 0.5, y0 + 0.5]])
    return images, mask, torch.tensor(boxes, dtype=torch.float32), torch.tensor(points, dtype=torch.float32)


def _mask_box(mask: torch.Tensor) -> list[float]:
    ys, xs = torch.nonzero(mask, as_tuple=True)
    return [float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)]


CASES = [  # (augmenter, how far the box may be from the moved mask's bounding box: 0 for whole-pixel moves)
    (mi.HorizontalFlip(p=1.0), 0.0),
    (mi.VerticalFlip(p=1.0), 0.0),
    (mi.Rotate(degrees=(180, 180), p=1.0), 0.0),
    (mi.Rotate90(k=(2, 2), p=1.0), 0.0),
    (mi.RandomCrop((32, 40), p=1.0), 0.0),
    (mi.CenterCrop((40, 48), p=1.0), 0.0),
    (mi.Affine(translate=(0.1, 0.1), p=1.0), 0.5),  # sub-pixel shifts: the mask moves to the nearest pixel
    (mi.Zoom(scale=(0.7, 1.3), p=1.0), 1.0),
]


@pytest.mark.parametrize(
    "aug,tolerance", CASES, ids=lambda a: type(a).__name__ if not isinstance(a, float) else ""
)
def test_boxes_and_keypoints_land_where_the_mask_goes(aug, tolerance):
    images, mask, boxes, points = _scene()
    out = aug(image=images, mask=mask, boxes=boxes, keypoints=points, seed=3)
    for i in range(len(images)):
        if out["mask"][i].any():
            box = out["boxes"][i, 0].tolist()
            want = _mask_box(out["mask"][i])
            if (
                want[0] > 0
                and want[1] > 0
                and want[2] < out["mask"].shape[-1]
                and want[3] < out["mask"].shape[-2]
            ):
                assert box == pytest.approx(want, abs=tolerance + 1e-4), (i, box, want)
            x, y = out["keypoints"][i, 0].tolist()
            col, row = int(np.floor(x)), int(np.floor(y))
            if tolerance == 0 and 0 <= row < out["mask"].shape[-2] and 0 <= col < out["mask"].shape[-1]:
                assert out["mask"][i, row, col] == 1  # the keypoint's pixel is still inside the rectangle


def test_a_flipped_box_matches_the_flipped_mask_and_flipping_twice_is_the_identity():
    images, mask, boxes, points = _scene()
    flip = mi.HorizontalFlip(p=1.0)
    once = flip(image=images, mask=mask, boxes=boxes, keypoints=points)
    for i in range(len(images)):
        assert once["boxes"][i, 0].tolist() == _mask_box(once["mask"][i])
    twice = flip(image=once["image"], boxes=once["boxes"], keypoints=once["keypoints"])
    assert torch.equal(twice["boxes"], boxes) and torch.equal(twice["keypoints"], points)


@pytest.mark.parametrize("degrees", [30.0, -75.0])
def test_rotated_boxes_enclose_the_rotated_mask(degrees):
    images, mask, boxes, points = _scene()
    out = mi.Rotate(degrees=(degrees, degrees), p=1.0)(image=images, mask=mask, boxes=boxes, keypoints=points)
    for i in range(len(images)):
        x0, y0, x1, y1 = out["boxes"][i, 0].tolist()
        mx0, my0, mx1, my1 = _mask_box(out["mask"][i])
        assert x0 <= mx0 + 1 and y0 <= my0 + 1 and x1 >= mx1 - 1 and y1 >= my1 - 1


def test_resize_and_random_resized_crop_scale_the_coordinates():
    images, mask, boxes, points = _scene()
    out = mi.Resize((96, 128), p=1.0)(image=images, boxes=boxes, keypoints=points)
    torch.testing.assert_close(out["boxes"], boxes * 2)
    torch.testing.assert_close(out["keypoints"], points * 2)
    rrc = mi.RandomResizedCrop((24, 24), p=1.0)(image=images, mask=mask, boxes=boxes, seed=1)
    b = rrc["boxes"]
    assert bool((b[..., 0] >= 0).all() and (b[..., 2] <= 24).all() and (b[..., 0] <= b[..., 2]).all())


def test_other_augmenters_leave_targets_alone_and_p_applies_per_sample():
    images, _, boxes, points = _scene(8)
    colour = mi.ColorJitter(brightness=0.4, p=1.0)(image=images, boxes=boxes, keypoints=points)
    assert torch.equal(colour["boxes"], boxes) and torch.equal(colour["keypoints"], points)
    pipeline = multiaug.Pipeline([mi.HorizontalFlip(p=0.5), mi.GaussianBlur(p=1.0), mi.CoarseDropout(p=1.0)])
    out, record = pipeline(image=images, boxes=boxes, seed=4, return_params=True)
    flipped = record.children[0][1].applied
    assert 0 < flipped.sum() < 8
    for i in range(8):
        want = (
            [W - boxes[i, 0, 2], boxes[i, 0, 1], W - boxes[i, 0, 0], boxes[i, 0, 3]]
            if flipped[i]
            else boxes[i, 0]
        )
        assert out["boxes"][i, 0].tolist() == [float(v) for v in want]


def test_lists_of_boxes_with_different_counts_come_back_as_lists():
    images = torch.rand(3, 3, H, W)
    boxes = [
        torch.tensor([[1.0, 2.0, 10.0, 12.0], [20.0, 5.0, 30.0, 9.0]]),
        torch.zeros(0, 4),
        torch.tensor([[0.0, 0, W, H]]),
    ]
    out = mi.VerticalFlip(p=1.0)(image=images, boxes=boxes)
    assert isinstance(out["boxes"], list) and [len(b) for b in out["boxes"]] == [2, 0, 1]
    assert out["boxes"][0].tolist() == [[1.0, H - 12.0, 10.0, H - 2.0], [20.0, H - 9.0, 30.0, H - 5.0]]
    assert out["boxes"][2].tolist() == [[0.0, 0.0, W, H]]
    single = mi.HorizontalFlip(p=1.0)(image=images[0], keypoints=torch.tensor([[0.5, 1.0]]))
    assert single["keypoints"].tolist() == [[W - 0.5, 1.0]]


def test_replay_moves_targets_the_same_way():
    images, _, boxes, points = _scene()
    aug = mi.Affine(degrees=20, translate=0.1, scale=(0.8, 1.2), p=0.7)
    out, record = aug(image=images, boxes=boxes, keypoints=points, seed=9, return_params=True)
    again = aug(image=images, boxes=boxes, keypoints=points, params=record)
    assert torch.equal(again["boxes"], out["boxes"]) and torch.equal(again["keypoints"], out["keypoints"])


def test_mixing_refuses_targets_and_bad_targets_get_clear_errors():
    images, _, boxes, _ = _scene()
    with pytest.raises(InputError, match="boxes and keypoints cannot follow"):
        mi.CutMix(p=1.0)(image=images, boxes=boxes)
    with pytest.raises(InputError, match=r"\(B,N,4\)"):
        mi.HorizontalFlip()(image=images, boxes=boxes[..., :3])
    with pytest.raises(InputError, match="one tensor per image"):
        mi.HorizontalFlip()(image=images, boxes=[boxes[0]])
    with pytest.raises(InputTypeError, match="need the image"):
        mi.HorizontalFlip()(boxes=boxes)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_targets_on_cuda_match_cpu():
    images, mask, boxes, points = _scene()
    aug = mi.Affine(degrees=20, translate=0.1, p=0.8)
    cpu = aug(image=images, mask=mask, boxes=boxes, keypoints=points, seed=5)
    gpu = aug(image=images.cuda(), mask=mask.cuda(), boxes=boxes.cuda(), keypoints=points.cuda(), seed=5)
    assert gpu["boxes"].device.type == "cuda"
    torch.testing.assert_close(gpu["boxes"].cpu(), cpu["boxes"])
    torch.testing.assert_close(gpu["keypoints"].cpu(), cpu["keypoints"])


def test_a_positional_image_with_targets_returns_the_dict():
    images, mask, boxes, points = _scene(2)
    out = mi.HorizontalFlip(p=1.0)(images, boxes=boxes, keypoints=points, mask=mask)
    assert set(out) == {"image", "mask", "boxes", "keypoints"}
    assert torch.equal(out["boxes"][:, 0, 0], W - boxes[:, 0, 2])
    assert isinstance(mi.HorizontalFlip(p=1.0)(images), torch.Tensor)  # a lone image still gives a tensor
    with pytest.raises(InputError, match=r"boxes\[0\] are on meta"):
        mi.HorizontalFlip()(image=images, boxes=[boxes[0].to("meta"), boxes[1]])


def test_perspective_cuts_targets_at_the_horizon():
    """Points beyond a perspective map's horizon have no image (NaN), and a box that crosses the horizon keeps
    its part in front of it: its moved bounds enclose every moved point of that part."""
    from multiaug.image.functional.geometry import transform_points

    aug = mi.Perspective(distortion_scale=1.0, p=1.0)
    image = torch.rand(6, 3, 32, 32)
    boxes = torch.tensor([[-100.0, -100.0, 5.0, 5.0], [-300.0, 10.0, -250.0, 20.0], [4.0, 4.0, 20.0, 20.0]])
    boxes = boxes.expand(6, 3, 4).contiguous()
    points = torch.tensor([[-200.0, 16.0], [16.0, -200.0], [10.0, 10.0]]).expand(6, 3, 2).contiguous()
    out, rec = aug(image=image, boxes=boxes, keypoints=points, seed=0, return_params=True)
    matrix = aug.matrix(rec.params, 32, 32)
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 301), np.linspace(0, 1, 301)), -1).reshape(-1, 2)
    for i in range(6):
        moved = transform_points(matrix[i : i + 1], points[i : i + 1].double().numpy() - 0.5)[0] + 0.5
        got = out["keypoints"][i].double().numpy()
        assert np.array_equal(np.isnan(got), np.isnan(moved)) and np.allclose(
            got[~np.isnan(got)], moved[~np.isnan(moved)]
        )
        for j in range(3):
            x0, y0, x1, y1 = boxes[i, j].tolist()
            inside = np.array([x0, y0]) + grid * np.array([x1 - x0, y1 - y0])
            seen = transform_points(matrix[i : i + 1], inside[None] - 0.5)[0] + 0.5
            seen = seen[~np.isnan(seen).any(axis=1)]
            box = out["boxes"][i, j].double().numpy()
            if len(seen) == 0:  # wholly beyond the horizon: an empty box
                assert box[2] <= box[0] or box[3] <= box[1]
                continue
            lo = np.clip(seen.min(axis=0), 0, 32)
            hi = np.clip(seen.max(axis=0), 0, 32)
            assert (box[:2] <= lo + 1e-4).all() and (box[2:] >= hi - 1e-4).all()  # encloses every moved point
            assert np.abs(box - np.concatenate([lo, hi])).max() < 0.5  # and no more (up to the grid spacing)


def test_boxes_with_swapped_corners_are_refused():
    image = torch.rand(2, 3, 8, 8)
    with pytest.raises(InputError, match="box 0 of image 1"):
        mi.HorizontalFlip(p=1.0)(
            image=image, boxes=[torch.tensor([[1.0, 1.0, 4.0, 4.0]]), torch.tensor([[5.0, 1.0, 2.0, 4.0]])]
        )
    with pytest.raises(InputError, match="y_max >= y_min"):
        mi.HorizontalFlip(p=1.0)(image=image[0], boxes=torch.tensor([[1.0, 6.0, 4.0, 2.0]]))
    out = mi.HorizontalFlip(p=1.0)(
        image=image[0], boxes=torch.tensor([[3.0, 3.0, 3.0, 5.0]])
    )  # zero width: fine
    assert out["boxes"].tolist() == [[5.0, 3.0, 5.0, 5.0]]
