"""Pure kernels for mixing images of a batch: Mixup, CutMix boxes and pasting, Mosaic.

No randomness here: partners, mixing weights, boxes and centres are given. Everything is differentiable in the
images: pastes and gathers are copies, and :func:`mix_pairs` blends with plain torch operations when autograd
records. Box geometry is computed in float64
/ int64 on the host (numpy), so CPU and CUDA get the same pixels.

Example:
    >>> import numpy as np, torch
    >>> from multiaug.image.functional.mixing import cutmix_boxes, box_lam, paste_boxes
    >>> boxes = cutmix_boxes(32, 64, lam=np.array([0.75]), center_y=np.array([16]), center_x=np.array([32]))
    >>> boxes.tolist(), box_lam(boxes, 32, 64).tolist()
    ([[8, 16, 24, 48]], [0.75])
    >>> x = torch.stack([torch.zeros(1, 32, 64), torch.ones(1, 32, 64)])
    >>> out = paste_boxes(x, np.array([1, 0]), np.repeat(boxes, 2, axis=0))
    >>> float(out[0].mean())
    0.25
"""

from __future__ import annotations

import numpy as np
import torch

from ...core.grad import tracks_grad
from .chunks import map_chunks, work_dtype

__all__ = ["box_lam", "cutmix_boxes", "mix_pairs", "mosaic", "mosaic_index", "paste_boxes"]


def cutmix_boxes(
    height: int, width: int, lam: np.ndarray, center_y: np.ndarray, center_x: np.ndarray
) -> np.ndarray:
    """CutMix boxes ``(N, 4)`` int64 ``[y1, x1, y2, x2]`` (end exclusive) for target weights ``lam``.

    The box has side ``floor(sqrt(1 - lam) * H)`` by ``floor(sqrt(1 - lam) * W)`` (height from H, width from
    W, so its area is ``1 - lam`` of the image before clipping), is centred on ``(center_y, center_x)`` and is
    clipped at the border. Use :func:`box_lam` for the exact weight of the original image afterwards.

    Example:
        >>> import numpy as np
        >>> cutmix_boxes(10, 20, np.array([0.0]), np.array([0]), np.array([19])).tolist()
        [[0, 9, 5, 20]]
    """
    lam = np.asarray(lam, dtype=np.float64)
    rate = np.sqrt(np.clip(1.0 - lam, 0.0, 1.0))
    cut_h = np.floor(rate * height).astype(np.int64)
    cut_w = np.floor(rate * width).astype(np.int64)
    y1 = np.asarray(center_y, dtype=np.int64) - cut_h // 2
    x1 = np.asarray(center_x, dtype=np.int64) - cut_w // 2
    boxes = np.stack([y1, x1, y1 + cut_h, x1 + cut_w], axis=-1)
    boxes[..., 0::2] = np.clip(boxes[..., 0::2], 0, height)
    boxes[..., 1::2] = np.clip(boxes[..., 1::2], 0, width)
    return boxes


def box_lam(boxes: np.ndarray, height: int, width: int) -> np.ndarray:
    """Fraction of pixels outside each box ``[y1, x1, y2, x2]``: the exact weight of the original image.

    Example:
        >>> import numpy as np
        >>> box_lam(np.array([[0, 0, 5, 10]]), 10, 10).tolist()
        [0.5]
    """
    boxes = np.asarray(boxes, dtype=np.int64)
    area = (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    return 1.0 - area.astype(np.float64) / float(height * width)


def _partner_index(partner: np.ndarray | torch.Tensor, device: torch.device) -> torch.Tensor:
    return torch.as_tensor(np.asarray(partner, dtype=np.int64), device=device)


def mix_pairs(
    x: torch.Tensor,
    partner: np.ndarray | torch.Tensor,
    lam: float | np.ndarray,
    other: torch.Tensor | None = None,
) -> torch.Tensor:
    """Return ``lam * x + (1 - lam) * other[partner]`` (``other`` defaults to ``x``: Mixup within the batch).

    ``lam`` is one number or one per sample. Float tensors keep their dtype and are not clamped (normalised
    images with negative values mix correctly); uint8 tensors are mixed in float32 and rounded to the nearest
    integer. ``other`` must have ``x``'s dtype. A new tensor is returned; ``x`` is not modified.

    Example:
        >>> import numpy as np, torch
        >>> x = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
        >>> mix_pairs(x, np.array([1, 0]), np.array([0.75, 0.5])).tolist()
        [[0.25, 0.25], [0.5, 0.5]]
    """
    source = x if other is None else other
    index = _partner_index(partner, x.device)
    n = x.shape[0]
    lam_arr = np.array(np.broadcast_to(np.asarray(lam, dtype=np.float64), (n,)))
    shared = n == 0 or bool(np.all(lam_arr == lam_arr[0]))
    weights = torch.as_tensor(lam_arr, dtype=work_dtype(x.dtype), device=x.device)
    weights = weights.view(-1, *([1] * (x.dim() - 1)))
    if tracks_grad(x, source):  # plain torch for autograd: the whole batch, a new tensor
        wdt = work_dtype(x.dtype)
        return torch.lerp(source.index_select(0, index).to(wdt), x.to(wdt), weights).to(x.dtype)

    def blend(src: torch.Tensor, dst: torch.Tensor, sl: slice, unit: float) -> None:
        # dst = partner + lam * (src - partner): torch.lerp is exact at lam = 0 and lam = 1.
        if dst.dtype == source.dtype:
            torch.index_select(source, 0, index[sl], out=dst)
        else:
            dst.copy_(source.index_select(0, index[sl]))
        dst.lerp_(src, float(lam_arr[0]) if shared else weights[sl])

    return map_chunks(x, blend, clamp=False)


def paste_boxes(
    x: torch.Tensor, partner: np.ndarray | torch.Tensor, boxes: np.ndarray, other: torch.Tensor | None = None
) -> torch.Tensor:
    """Copy of ``x`` (``(N, *, H, W)``, any dtype) where box ``i`` holds ``other[partner[i]]``'s pixels.

    Boxes are ``[y1, x1, y2, x2]`` per sample (end exclusive). ``other`` defaults to ``x``. Pure copies: the
    dtype is kept and the result is bit-exact on every device.

    Example:
        >>> import numpy as np, torch
        >>> x = torch.arange(2.0).view(2, 1, 1, 1).expand(2, 1, 2, 2)
        >>> paste_boxes(x, np.array([1, 0]), np.array([[0, 0, 1, 2], [0, 0, 0, 0]]))[:, 0].tolist()
        [[[1.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 1.0]]]
    """
    source = x if other is None else other
    boxes = np.asarray(boxes, dtype=np.int64)
    partner = np.asarray(partner, dtype=np.int64)
    out = x.clone(memory_format=torch.contiguous_format)
    nonempty = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
    if not nonempty.any():
        return out
    if x.device.type == "cpu":
        # On the CPU one slice copy per sample costs O(box area) and needs no temporary (a fancy-indexed copy of
        # a box shared by the batch allocates one: about 10% slower at 32x3x224x224); a batched masked select
        # would read and write every pixel of the batch three times.
        for i in np.flatnonzero(nonempty).tolist():
            y1, x1, y2, x2 = boxes[i].tolist()
            out[i, ..., y1:y2, x1:x2] = source[int(partner[i]), ..., y1:y2, x1:x2]
        return out
    # On accelerators one masked select is one kernel instead of one launch per sample.
    height, width = x.shape[-2:]
    b = torch.as_tensor(boxes, device=x.device)
    rows = torch.arange(height, device=x.device).view(1, -1, 1)
    cols = torch.arange(width, device=x.device).view(1, 1, -1)
    inside = (
        (rows >= b[:, 0, None, None])
        & (rows < b[:, 2, None, None])
        & (cols >= b[:, 1, None, None])
        & (cols < b[:, 3, None, None])
    )
    inside = inside.view(x.shape[0], *([1] * (x.dim() - 3)), height, width)
    return torch.where(inside, source.index_select(0, _partner_index(partner, x.device)), out)


def mosaic_index(
    height: int, width: int, sources: np.ndarray, center_y: np.ndarray, center_x: np.ndarray
) -> np.ndarray:
    """Flat source index ``(N, H, W)`` into a ``(B * H * W)`` view of a batch for a Mosaic of four images
    each.

    Output ``i`` is split at ``(center_y[i], center_x[i])`` into four tiles taken from ``sources[i] =
    (top-left, top-right, bottom-left, bottom-right)``. Each tile shows the part of its source image that
    touches the centre (the top-left tile holds the bottom-right corner of its image, and so on), so pixel
    ``(y, x)`` reads row ``(y - center_y) mod H`` and column ``(x - center_x) mod W`` of its tile's source.

    Example:
        >>> import numpy as np
        >>> mosaic_index(2, 2, np.array([[0, 1, 2, 3]]), np.array([1]), np.array([1])).tolist()
        [[[3, 6], [9, 12]]]
    """
    sources = np.asarray(sources, dtype=np.int64)
    cy = np.asarray(center_y, dtype=np.int64)[:, None]
    cx = np.asarray(center_x, dtype=np.int64)[:, None]
    rows = np.arange(height, dtype=np.int64)[None, :]
    cols = np.arange(width, dtype=np.int64)[None, :]
    src_row = (rows - cy) % height  # (N, H)
    src_col = (cols - cx) % width  # (N, W)
    tile = 2 * (rows >= cy)[:, :, None] + (cols >= cx)[:, None, :]  # (N, H, W) in 0..3
    image = np.take_along_axis(sources, tile.reshape(len(sources), -1), axis=1).reshape(tile.shape)
    return (image * height + src_row[:, :, None]) * width + src_col[:, None, :]


def mosaic(x: torch.Tensor, index: np.ndarray | torch.Tensor) -> torch.Tensor:
    """Gather a Mosaic from ``x`` (``(B, *, H, W)``, any dtype) with a :func:`mosaic_index` ``(N, H, W)``.

    Example:
        >>> import numpy as np, torch
        >>> x = torch.arange(4).view(4, 1, 1, 1).expand(4, 1, 2, 2)
        >>> idx = mosaic_index(2, 2, np.array([[0, 1, 2, 3]]), np.array([1]), np.array([1]))
        >>> mosaic(x, idx)[0, 0].tolist()
        [[0, 1], [2, 3]]
    """
    b, *mid, height, width = x.shape
    planes = x.reshape(b, -1, height * width).transpose(0, 1).reshape(-1, b * height * width)
    flat = torch.as_tensor(np.asarray(index, dtype=np.int64), device=x.device).reshape(-1)
    out = planes.index_select(1, flat).view(-1, len(index), height, width).transpose(0, 1)
    return out.reshape(len(index), *mid, height, width).contiguous()
