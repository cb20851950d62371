"""Per-sample 3x3 transform matrices for the geometric image ops, in float64 on the host.

Every matrix maps input pixel coordinates to output pixel coordinates (pixel centres at integers, ``x`` right,
``y`` down), so the same matrix warps the image and the mask (:func:`multiaug.image.functional.warp.warp`) and
moves points (:func:`transform_points`), boxes and keypoints. Angles are in degrees, positive counter-clockwise
as seen on screen; rotations, scales and shears act about the image centre ``((W-1)/2, (H-1)/2)``.

Example:
    >>> import numpy as np
    >>> m = affine_matrix(3, 3, angle=np.array([90.0]))
    >>> transform_points(m, np.array([[[2.0, 1.0]]])).round(6).tolist()  # right of centre -> above it
    [[[1.0, 0.0]]]
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "affine_matrix",
    "crop_resize_matrix",
    "perspective_matrix",
    "transform_box_bounds",
    "transform_points",
]

#: Homogeneous ``w`` below which a moved point lies at or beyond a perspective map's horizon (no image).
_HORIZON = 1e-9


def affine_matrix(
    height: int,
    width: int,
    *,
    angle: np.ndarray | float = 0.0,
    translate_x: np.ndarray | float = 0.0,
    translate_y: np.ndarray | float = 0.0,
    scale_x: np.ndarray | float = 1.0,
    scale_y: np.ndarray | float = 1.0,
    shear_x: np.ndarray | float = 0.0,
    shear_y: np.ndarray | float = 0.0,
) -> np.ndarray:
    """``(B,3,3)`` matrices: scale, then shear, then rotate about the centre, then translate (pixels).

    ``B`` is the length of the longest per-sample array given. ``shear_x`` tilts vertical lines by that many
    degrees (``x += tan(shear_x) * y``), ``shear_y`` horizontal ones.

    Example:
        >>> affine_matrix(4, 4, translate_x=np.array([2.0]))[0].tolist()
        [[1.0, 0.0, 2.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    values = (angle, translate_x, translate_y, scale_x, scale_y, shear_x, shear_y)
    a, tx, ty, sx, sy, hx, hy = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in values)
    )
    rad = np.deg2rad(a)
    cos, sin = np.cos(rad), np.sin(rad)
    thx, thy = np.tan(np.deg2rad(hx)), np.tan(np.deg2rad(hy))
    # rotation [[cos, sin], [-sin, cos]] (counter-clockwise on screen, y down) @ shear [[1, thx], [thy, 1]]
    # @ scale diag(sx, sy)
    out = np.zeros((a.shape[0], 3, 3))
    out[:, 0, 0] = (cos + sin * thy) * sx
    out[:, 0, 1] = (cos * thx + sin) * sy
    out[:, 1, 0] = (cos * thy - sin) * sx
    out[:, 1, 1] = (cos - sin * thx) * sy
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    out[:, 0, 2] = cx - out[:, 0, 0] * cx - out[:, 0, 1] * cy + tx
    out[:, 1, 2] = cy - out[:, 1, 0] * cx - out[:, 1, 1] * cy + ty
    out[:, 2, 2] = 1.0
    return out


def crop_resize_matrix(
    top: np.ndarray | float,
    left: np.ndarray | float,
    crop_height: np.ndarray | float,
    crop_width: np.ndarray | float,
    out_height: int,
    out_width: int,
) -> np.ndarray:
    """``(B,3,3)`` matrices taking the box ``[left, left+crop_width) x [top, top+crop_height)`` (pixel edges)
    to an ``out_height x out_width`` image, half-pixel aligned like OpenCV's and torch's resize.

    A crop without resize is the box at its own size; a resize is the whole image as the box.

    Example:
        >>> crop_resize_matrix(0, 0, 2, 2, 4, 4)[0].tolist()  # upscale 2x: source pixel 0 -> output 0.5
        [[2.0, 0.0, 0.5], [0.0, 2.0, 0.5], [0.0, 0.0, 1.0]]
    """
    values = [top, left, crop_height, crop_width]
    n = max(np.size(v) for v in values)
    # one (4, B) float64 array, then whole-row arithmetic: a few numpy calls whatever B is
    boxes = np.empty((4, n))
    for row, value in zip(boxes, values):
        row[...] = value
    f = np.array([[out_height], [out_width]]) / boxes[2:]  # fy, fx
    shift = (0.5 - boxes[:2]) * f - 0.5  # rows: y, x
    out = np.zeros((n, 3, 3))
    out[:, 1, 1], out[:, 0, 0] = f
    out[:, 1, 2], out[:, 0, 2] = shift
    out[:, 2, 2] = 1.0
    return out


def perspective_matrix(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """``(B,3,3)`` homographies taking the four points ``start`` ``(B,4,2)`` onto ``end`` ``(B,4,2)`` (x, y).

    Example:
        >>> square = np.array([[[0.0, 0], [1, 0], [1, 1], [0, 1]]])
        >>> perspective_matrix(square, square * 2)[0].round(6).tolist()
        [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 1.0]]
    """
    start = np.asarray(start, dtype=np.float64)
    end = np.asarray(end, dtype=np.float64)
    n = start.shape[0]
    x, y = start[..., 0], start[..., 1]
    u, v = end[..., 0], end[..., 1]
    zero, one = np.zeros_like(x), np.ones_like(x)
    rows_u = np.stack([x, y, one, zero, zero, zero, -x * u, -y * u], -1)
    rows_v = np.stack([zero, zero, zero, x, y, one, -x * v, -y * v], -1)
    system = np.concatenate([rows_u, rows_v], axis=1)  # (B, 8, 8)
    rhs = np.concatenate([u, v], axis=1)[..., None]
    h = np.linalg.solve(system, rhs)[..., 0]
    return np.concatenate([h, np.ones((n, 1))], axis=1).reshape(n, 3, 3)


def transform_points(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Move points ``(B,N,2)`` (x, y pixel coordinates) by matrices ``(B,3,3)``.

    Example:
        >>> transform_points(crop_resize_matrix(0, 0, 2, 2, 4, 4), np.array([[[0.0, 1.0]]])).tolist()
        [[[0.5, 2.5]]]
    """
    moved = _homogeneous(matrix, points)
    w = moved[..., 2:3]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(w > _HORIZON, moved[..., :2] / w, np.nan)


def _homogeneous(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    points = np.asarray(points, dtype=np.float64)
    homog = np.concatenate([points, np.ones((*points.shape[:-1], 1))], axis=-1)
    return homog @ np.swapaxes(np.asarray(matrix, dtype=np.float64), -1, -2)


def transform_box_bounds(matrix: np.ndarray, corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounds ``(lo, hi)`` ``(B,K,2)`` of the quadrilaterals ``corners`` ``(B,K,4,2)`` (in order around each
    box) moved by ``matrices`` ``(B,3,3)``.

    Under a perspective map a box that crosses the horizon has an unbounded image: its part in front of the
    horizon is kept (the box is cut along it), so the bounds run out to very large values that clipping to the
    image turns into its border. A box wholly beyond the horizon gets NaN bounds.

    Example:
        >>> square = np.array([[[[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]]]])
        >>> lo, hi = transform_box_bounds(np.eye(3)[None] * [[2], [2], [1]], square)
        >>> lo.tolist(), hi.tolist()
        ([[[0.0, 0.0]]], [[[4.0, 4.0]]])
    """
    b, k = corners.shape[:2]
    moved = _homogeneous(matrix, corners.reshape(b, k * 4, 2)).reshape(b, k, 4, 3)
    nxt = np.roll(moved, -1, axis=2)  # edge i runs from corner i to corner i + 1
    w0, w1 = moved[..., 2] - _HORIZON, nxt[..., 2] - _HORIZON
    crosses = w0 * w1 < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(crosses, w0 / (w0 - w1), 0.0)[..., None]
    cut = moved + t * (nxt - moved)  # where an edge meets w = _HORIZON
    candidates = np.concatenate([moved, cut], axis=2)
    valid = np.concatenate([w0 >= 0, crosses], axis=2)
    w = np.where(valid, np.maximum(candidates[..., 2], _HORIZON), 1.0)[..., None]
    xy = candidates[..., :2] / w
    lo = np.where(valid[..., None], xy, np.inf).min(axis=2)
    hi = np.where(valid[..., None], xy, -np.inf).max(axis=2)
    hidden = np.logical_not(np.any(valid, axis=2))[..., None]
    return np.where(hidden, np.nan, lo), np.where(hidden, np.nan, hi)
