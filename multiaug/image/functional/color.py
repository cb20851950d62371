"""Pure colour kernels on image batches ``(B,C,H,W)``: no randomness, parameters given per sample.

Conventions (the textbook definitions, as in PIL and torchvision):

- grey level (luma) ``Y = 0.299 R + 0.587 G + 0.114 B`` (ITU-R BT.601);
- brightness ``f``: ``x * f`` (blend with black);
- contrast ``f``: ``f * x + (1 - f) * m`` with ``m`` the mean grey level of the image;
- saturation ``f``: ``f * x + (1 - f) * Y`` (blend with the image's own grey version);
- hue ``h`` (a fraction of a full turn, in [-0.5, 0.5]): a rotation by ``2 pi h`` of the chroma plane (I, Q) of
  the YIQ colour space, which keeps luma; it is linear, so it composes with the others into one 3x3 matrix.

The linear ops are evaluated as one per-sample affine map ``M x + c`` followed by a single clamp (uint8 results
are rounded to nearest). Every kernel returns a new tensor of the input's shape, dtype and device.

Gradients: for a float image that autograd records (it requires grad, grad mode on), every kernel but
``posterize`` and ``equalize`` (piecewise constant) evaluates the same formula in plain torch operations on the
whole batch, and the result carries the gradient of the map, data-dependent terms included (contrast's mean grey
level, autocontrast's minimum and maximum); otherwise the fast paths (work buffers, ``out=``, NumPy) run as they
are. Parameters are constants of the map, except the tensors autocontrast derives from the image.

Example:
    >>> import torch
    >>> from multiaug.image.functional.color import adjust_brightness
    >>> adjust_brightness(torch.full((1, 3, 1, 1), 0.5), [1.5]).flatten().tolist()
    [0.75, 0.75, 0.75]
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
import torch

from ...core.errors import InputError
from ...core.grad import tracks_grad
from .chunks import IN_RANGE, chunk_slices, map_chunks, map_plain, unit_of, work_buffer, work_dtype

__all__ = [
    "GRAY_WEIGHTS",
    "RGB_TO_YIQ",
    "adjust_brightness",
    "adjust_contrast",
    "adjust_gamma",
    "adjust_hue",
    "adjust_saturation",
    "autocontrast",
    "channel_affine",
    "channel_shuffle",
    "color_affine",
    "color_jitter",
    "equalize",
    "hue_matrix",
    "invert",
    "jitter_affine",
    "normalize",
    "posterize",
    "require_rgb",
    "require_rgb_or_gray",
    "rgb_shift",
    "saturation_matrix",
    "solarize",
    "spread_plane",
    "to_gray",
]

GRAY_WEIGHTS = np.array([0.299, 0.587, 0.114])
"""ITU-R BT.601 luma weights of R, G, B."""

RGB_TO_YIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
"""RGB to YIQ (FCC NTSC); rows give Y, I, Q. Its first row is GRAY_WEIGHTS."""

_YIQ_TO_RGB = np.linalg.inv(RGB_TO_YIQ)

_GRAY_OF = np.ones((3, 1)) @ GRAY_WEIGHTS[None, :]
"""``1 w^T``: the grey level, on every channel."""

_MARGIN = 1e-6  # how far inside [0, 1] an affine map's range must lie for its clamp to be skipped

# Step codes of color_jitter's ``order``.
BRIGHTNESS, CONTRAST, SATURATION, HUE = 0, 1, 2, 3


def require_rgb(image: torch.Tensor, op: str) -> None:
    """Raise InputError unless the image batch has 3 (RGB) channels."""
    if image.ndim != 4 or image.shape[1] != 3:
        raise InputError(
            f"{op} needs RGB images with 3 channels, shaped (B, 3, H, W); got shape {tuple(image.shape)}"
        )


def require_rgb_or_gray(image: torch.Tensor, op: str) -> None:
    """Raise InputError unless the image batch has 3 (RGB) or 1 (grey) channels."""
    if image.ndim != 4 or image.shape[1] not in (1, 3):
        raise InputError(
            f"{op} needs RGB or grey images shaped (B, 3, H, W) or (B, 1, H, W); got shape {tuple(image.shape)}"
        )


def _per_sample(values: Any, batch: int, name: str, width: int | None = None) -> np.ndarray:
    """Parameters as float64 host array of shape (B,) or (B, width); one value broadcasts."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    arr = np.asarray(values, dtype=np.float64)
    shape = (batch,) if width is None else (batch, width)
    out = np.empty(shape)
    try:
        if arr.ndim > len(shape):  # assignment would drop leading ones that broadcasting refuses
            raise ValueError
        out[...] = arr  # a broadcasting copy, without broadcast_to's view machinery
    except ValueError:
        raise InputError(f"{name} must broadcast to shape {shape}, got shape {arr.shape}") from None
    return out


def _dev(a: np.ndarray | torch.Tensor, image: torch.Tensor, dtype: torch.dtype | None = None) -> torch.Tensor:
    return torch.as_tensor(a, device=image.device).to(dtype or work_dtype(image.dtype))


def _mean_term(src: torch.Tensor, gain: torch.Tensor | None, sl: slice) -> torch.Tensor | None:
    """``gain @ mean(src)`` per sample of the chunk, shape (n, C, 1, 1), or None without a gain."""
    if gain is None:
        return None
    # reduce in the chunk's own dtype (a float64 accumulation of float32 data is 5x slower on CPU)
    mu = src.mean(dim=(2, 3)).to(gain.dtype)
    return torch.bmm(gain[sl], mu[:, :, None])[:, :, :, None].to(src.dtype)


def _graph_param(values: Any, host: np.ndarray, image: torch.Tensor) -> torch.Tensor:
    """``host`` (B, C) as a (B, C, 1, 1) tensor in the work dtype; a tensor ``values`` keeps its graph."""
    if isinstance(values, torch.Tensor) and values.requires_grad:
        t = torch.broadcast_to(values.to(image.device, work_dtype(image.dtype)), host.shape)
    else:
        t = _dev(host, image)
    return t[:, :, None, None]


def _in_unit_range(scale: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Where ``x * scale + bias`` provably stays in [0, 1] for every x in [0, 1] (no clamp needed), per entry.

    It spans [min(bias, scale + bias), max(...)]; float rounding can overshoot by an ulp, so a margin is kept
    unless the map is a sum of non-negative terms.
    """
    lo = np.minimum(bias, scale + bias)
    hi = np.maximum(bias, scale + bias)
    nonneg = (scale >= 0.0) & (bias >= 0.0)
    return ((lo >= _MARGIN) | nonneg) & (hi <= 1.0 - _MARGIN)


def channel_affine(
    image: torch.Tensor, scale: Any, bias: Any, *, mean_gain: Any = None, clamp: bool = True
) -> torch.Tensor:
    """``x * scale + bias + G mean(x)`` per sample and channel; ``scale``/``bias`` broadcast to ``(B, C)``.

    ``bias`` is in units of full intensity (1.0 = white), whatever the dtype. ``mean_gain`` (B, C, C), optional,
    adds a bias that is linear in the sample's channel means (computed chunk by chunk, on the converted chunk).
    For an image that autograd records, ``scale`` and ``bias`` may be tensors that carry a graph too.

    Example:
        >>> channel_affine(torch.full((1, 2, 1, 1), 0.5), [[1.0, 2.0]], 0.1).flatten().tolist()
        [0.6000000238418579, 1.0]
    """
    b, c = image.shape[:2]
    host_scale = _per_sample(scale, b, "scale", c)
    host_bias = _per_sample(bias, b, "bias", c)
    gain = None if mean_gain is None else _dev(np.asarray(mean_gain, dtype=np.float64), image, torch.float64)
    no_bias = gain is None and not host_bias.any()
    unit_scale = bool((host_scale == 1.0).all())
    safe = (gain is None) & _in_unit_range(host_scale, host_bias)
    # one scale per sample (Brightness, Contrast, RGBShift): on CPU each sample is one fused pass, which reads
    # the scales from the host (no scale tensor to make)
    per_row = image.device.type == "cpu" and not unit_scale and bool(np.all(host_scale == host_scale[:, :1]))
    s = None if per_row else _dev(host_scale, image)[:, :, None, None]
    t = None if no_bias else _dev(host_bias * unit_of(image), image)[:, :, None, None]

    def fn(src: torch.Tensor, dst: torch.Tensor, sl: Any, unit: float) -> Any:
        extra = _mean_term(src, gain, sl)
        bias_t = None if t is None else (t[sl] if extra is None else t[sl] + extra)
        if per_row:
            # bias + scale * x (torch's add with a per-channel bias and a scalar alpha), clamped while the
            # sample is still in cache: 10-40% faster than a batched multiply, add and clamp
            ok_rows = safe[sl]
            if extra is not None and bias_t is not None:
                # the bias is known now, mean term included: a sample whose output provably stays in [0, 1]
                # needs no clamp (a contrast factor <= 1 on an image that is not almost white)
                host = bias_t.reshape(src.shape[0], -1).double().numpy() / unit
                ok_rows = _in_unit_range(host_scale[sl], host)
            rows = zip(src.unbind(0), dst.unbind(0), host_scale[sl, 0].tolist(), ok_rows.all(axis=1).tolist())
            biases = bias_t.unbind(0) if bias_t is not None else None
            for j, (x, y, a, ok) in enumerate(rows):
                if biases is None:
                    torch.mul(x, a, out=y)
                else:
                    torch.add(biases[j], x, alpha=a, out=y)
                if clamp and not ok:
                    y.clamp_(0.0, unit)
            return IN_RANGE if clamp else None
        if unit_scale and bias_t is not None:
            torch.add(src, bias_t, out=dst)
        else:
            # two passes beat one broadcasting addcmul by 2x on CPU
            assert s is not None  # made whenever the per-row path is not taken
            torch.mul(src, s[sl], out=dst)
            if bias_t is not None:
                dst.add_(bias_t)
        return IN_RANGE if safe[sl].all() else None

    def plain(x: torch.Tensor) -> torch.Tensor:
        res = x * _graph_param(scale, host_scale, x) + _graph_param(bias, host_bias, x) * unit_of(image)
        extra = _mean_term(x, gain, slice(None))
        return res if extra is None else res + extra

    return map_chunks(image, fn, clamp=clamp, plain=plain)


def color_affine(image: torch.Tensor, matrix: Any, bias: Any = 0.0, *, mean_gain: Any = None) -> torch.Tensor:
    """``M x + c + G mean(x)`` on the RGB vector of every pixel, per-sample ``(3, 3)`` M and G, ``(3,)`` c.

    ``bias`` is in units of full intensity; ``mean_gain`` (optional) applies to the sample's channel means, so a
    contrast step needs no separate pass over the image. The result is clamped once (uint8: rounded, saturated).

    Example:
        >>> swap = [[[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]]
        >>> color_affine(torch.tensor([[[[0.2]], [[0.4]], [[0.6]]]]), swap, 0.0).flatten().tolist()
        [0.4000000059604645, 0.20000000298023224, 0.6000000238418579]
    """
    require_rgb(image, "color_affine")
    b, _, h, w = image.shape
    wdt = work_dtype(image.dtype)
    m = _dev(np.broadcast_to(np.asarray(matrix, dtype=np.float64), (b, 3, 3)).copy(), image)
    c = _dev(_per_sample(bias, b, "bias", 3) * unit_of(image), image)[:, :, None]
    gain = None if mean_gain is None else _dev(np.asarray(mean_gain, dtype=np.float64), image, torch.float64)
    # without a mean term, row i of M x + c over x in [0, 1]^3 spans c_i + sum(min(M_ij, 0)) .. c_i + sum(max(.))
    host_m = np.broadcast_to(np.asarray(matrix, dtype=np.float64), (b, 3, 3))
    host_c = _per_sample(bias, b, "bias", 3)
    lo = host_c + np.minimum(host_m, 0.0).sum(axis=2)
    hi = host_c + np.maximum(host_m, 0.0).sum(axis=2)
    nonneg = np.all(host_m >= 0.0, axis=2) & (host_c >= 0.0)
    safe = (mean_gain is None) & np.all(((lo >= _MARGIN) | nonneg) & (hi <= 1.0 - _MARGIN), axis=1)

    def affine(src: torch.Tensor, sl: Any, out: torch.Tensor | None = None) -> torch.Tensor:
        n = src.shape[0]
        extra = _mean_term(src, gain, sl)
        cb = c[sl] if extra is None else c[sl] + extra[..., 0]
        return torch.baddbmm(cb.to(wdt), m[sl], src.reshape(n, 3, h * w), out=out)

    def fn(src: torch.Tensor, dst: torch.Tensor, sl: Any, unit: float) -> Any:
        affine(src, sl, dst.view(src.shape[0], 3, h * w))
        return IN_RANGE if safe[sl].all() else None

    return map_chunks(image, fn, plain=lambda x: affine(x, slice(None)).view(x.shape))


def saturation_matrix(factor: Any) -> np.ndarray:
    """``(B, 3, 3)`` matrices ``f I + (1 - f) 1 w^T`` (blend with grey); ``factor`` of shape (B,)."""
    f = np.asarray(factor, dtype=np.float64).reshape(-1, 1, 1)
    gray = np.broadcast_to(GRAY_WEIGHTS, (3, 3))
    return f * np.eye(3) + (1.0 - f) * gray


def hue_matrix(shift: Any) -> np.ndarray:
    """``(B, 3, 3)`` hue rotations by ``2 pi shift`` of the YIQ chroma plane (keeps luma; shift 0 is exact I).

    The I-Q plane is turned clockwise by ``2 pi shift`` so that a positive shift moves red towards yellow and
    green, the direction of a positive HSV hue shift.

    Example:
        >>> bool(np.allclose(hue_matrix([0.25]) @ hue_matrix([0.75]), np.eye(3)))
        True
    """
    theta = -2.0 * np.pi * np.asarray(shift, dtype=np.float64).reshape(-1)
    cos, sin = np.cos(theta), np.sin(theta)
    rot = np.zeros((len(theta), 3, 3))
    rot[:, 0, 0] = 1.0
    rot[:, 1, 1], rot[:, 1, 2] = cos, -sin
    rot[:, 2, 1], rot[:, 2, 2] = sin, cos
    out = _YIQ_TO_RGB @ rot @ RGB_TO_YIQ
    out[theta == 0.0] = np.eye(3)
    return out


def jitter_affine(
    brightness: Any, contrast: Any, saturation: Any, hue: Any, order: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Compose brightness, contrast, saturation and hue into ``(M, G)``, both (B, 3, 3) float64.

    The composed map is ``M x + G mu`` with ``mu`` the sample's channel means: every step is linear, and a
    contrast step adds ``(1 - f)`` times the mean grey level of the image *as transformed by the steps before
    it*, which is linear in ``mu`` (exact, before any clamping). ``order`` (B, 4) lists the step codes
    0 brightness, 1 contrast, 2 saturation, 3 hue in the order each sample applies them.

    Example:
        >>> m, g = jitter_affine([2.0], [0.5], [1.0], [0.0], [[1, 0, 2, 3]])   # contrast, then brightness
        >>> float(m[0, 0, 0]), round(float(g[0, 0].sum()), 9)
        (1.0, 1.0)
    """
    order = np.asarray(order, dtype=np.int64)
    b = order.shape[0]
    bf = _per_sample(brightness, b, "brightness")
    cf = _per_sample(contrast, b, "contrast")
    steps = np.empty((b, 4, 3, 3))
    steps[:, BRIGHTNESS] = bf[:, None, None] * np.eye(3)
    steps[:, CONTRAST] = cf[:, None, None] * np.eye(3)
    steps[:, SATURATION] = saturation_matrix(_per_sample(saturation, b, "saturation"))
    steps[:, HUE] = hue_matrix(_per_sample(hue, b, "hue"))
    rows = np.arange(b)
    mat = np.broadcast_to(np.eye(3), (b, 3, 3)).copy()
    gain = np.zeros((b, 3, 3))
    for j in range(4):
        step = steps[rows, order[:, j]]
        is_c = (order[:, j] == CONTRAST)[:, None, None]
        # mean grey after the earlier steps = w^T (M mu + G mu); contrast adds (1 - f) of it to each channel
        shift = np.where(is_c, (1.0 - cf)[:, None, None] * (_GRAY_OF @ (mat + gain)), 0.0)
        mat = step @ mat
        gain = step @ gain + shift
    return mat, gain


def color_jitter(
    image: torch.Tensor, brightness: Any, contrast: Any, saturation: Any, hue: Any, order: Any = None
) -> torch.Tensor:
    """Brightness, contrast, saturation and hue factors per sample, in ``order`` (default: that order).

    One affine map and a single clamp: intermediate values are not clipped to [0, 1].

    Example:
        >>> x = torch.rand(2, 3, 4, 4)
        >>> y = color_jitter(x, 1.0, 1.0, 1.0, 0.0)
        >>> bool(torch.allclose(x, y, atol=1e-6))
        True
    """
    require_rgb(image, "color_jitter")
    b = image.shape[0]
    order = np.broadcast_to(np.arange(4), (b, 4)) if order is None else np.asarray(order)
    mat, gain = jitter_affine(brightness, contrast, saturation, hue, order)
    return color_affine(image, mat, 0.0, mean_gain=None if not gain.any() else gain)


def adjust_brightness(image: torch.Tensor, factor: Any) -> torch.Tensor:
    """``x * factor`` per sample (any number of channels)."""
    return channel_affine(image, _per_sample(factor, image.shape[0], "factor")[:, None], 0.0)


def adjust_contrast(image: torch.Tensor, factor: Any) -> torch.Tensor:
    """``f x + (1 - f) m`` per sample, ``m`` the mean grey level (RGB) or the mean (one channel).

    Example:
        >>> adjust_contrast(torch.tensor([[[[0.0, 1.0]]]]), [0.5]).flatten().tolist()
        [0.25, 0.75]
    """
    require_rgb_or_gray(image, "contrast")
    f = _per_sample(factor, image.shape[0], "factor")
    weights = np.ones((image.shape[1], 1)) @ (GRAY_WEIGHTS if image.shape[1] == 3 else np.ones(1))[None, :]
    return channel_affine(image, f[:, None], 0.0, mean_gain=(1.0 - f)[:, None, None] * weights)


def adjust_saturation(image: torch.Tensor, factor: Any) -> torch.Tensor:
    """``f x + (1 - f) Y`` per sample (RGB only)."""
    require_rgb(image, "saturation")
    return color_affine(image, saturation_matrix(_per_sample(factor, image.shape[0], "factor")))


def adjust_hue(image: torch.Tensor, shift: Any) -> torch.Tensor:
    """Rotate the hue by ``shift`` turns (in [-0.5, 0.5]) in YIQ space, per sample (RGB only)."""
    require_rgb(image, "hue")
    return color_affine(image, hue_matrix(_per_sample(shift, image.shape[0], "shift")))


def to_gray(image: torch.Tensor) -> torch.Tensor:
    """Luma ``Y`` written to all three channels (RGB only).

    The grey plane is computed (and rounded, for uint8) once per chunk into a reused buffer, then copied to the
    three channels. No clamp: the weights are non-negative and every float step is monotone, so inputs in
    [0, 1] give at most the result for white, which is 1.0 in float32 and 1 - 2**-53 in float64 (the tests
    check both); a clamp pass cost about 10%. An image that autograd records takes the same sums out of place.

    Example:
        >>> to_gray(torch.tensor([[[[255]], [[0]], [[0]]]], dtype=torch.uint8)).flatten().tolist()
        [76, 76, 76]
    """
    require_rgb(image, "to_gray")
    w0, w1, w2 = (float(v) for v in GRAY_WEIGHTS)
    if tracks_grad(image):
        return map_plain(
            image,
            lambda x: (x[:, 0:1] * w0).add(x[:, 1:2], alpha=w1).add(x[:, 2:3], alpha=w2).expand_as(x),
            clamp=False,
        )
    b, _, h, w = image.shape
    wdt = work_dtype(image.dtype)
    out = torch.empty_like(image, memory_format=torch.contiguous_format)
    for sl in chunk_slices(b, image.device):
        part = image[sl]
        n = part.shape[0]
        if part.dtype != wdt:  # uint8 and half precision: converted into a float buffer first
            part = work_buffer("src", tuple(part.shape), wdt, image.device).copy_(part)
        y = work_buffer("gray", (n, 1, h, w), wdt, image.device)
        torch.mul(part[:, 0:1], w0, out=y)
        y.add_(part[:, 1:2], alpha=w1).add_(part[:, 2:3], alpha=w2)
        # uint8: a convex combination stays in [0, 255]: round with the 2**23 trick, no clamp needed
        spread_plane(y.add_(8388608.0).view(torch.int32) if image.dtype == torch.uint8 else y, out[sl])
    return out


def spread_plane(plane: torch.Tensor, dst: torch.Tensor, *, host_copies: bool | None = None) -> None:
    """Write ``plane`` ``(n, 1, H, W)`` into every channel of ``dst`` ``(n, C, H, W)`` (converting its dtype).

    ``host_copies`` (default: on CPU when the dtypes match) copies sample by sample with numpy from the
    cache-resident plane, about 10% faster there than torch's one broadcast copy; otherwise (CUDA, uint8 from
    the int32 rounding view) that one batched copy.

    Example:
        >>> dst = torch.empty(1, 3, 1, 2)
        >>> spread_plane(torch.tensor([[[[0.25, 0.5]]]]), dst)
        >>> dst.flatten().tolist()
        [0.25, 0.5, 0.25, 0.5, 0.25, 0.5]
    """
    if host_copies is None:
        host_copies = dst.device.type == "cpu" and plane.dtype == dst.dtype
    if not host_copies:
        dst.copy_(plane.expand_as(dst))
        return
    src, out = plane.detach().numpy(), dst.numpy()
    for k in range(len(src)):
        out[k] = src[k]  # numpy broadcasts the plane over the channels


def rgb_shift(image: torch.Tensor, shift: Any) -> torch.Tensor:
    """Add ``shift`` (B, C) per channel, in units of full intensity (any number of channels)."""
    return channel_affine(image, 1.0, shift)


def channel_shuffle(image: torch.Tensor, perm: Any) -> torch.Tensor:
    """Output channel ``j`` of sample ``b`` is input channel ``perm[b, j]`` (exact, any dtype).

    Example:
        >>> channel_shuffle(torch.arange(3.0).reshape(1, 3, 1, 1), [[2, 0, 1]]).flatten().tolist()
        [2.0, 0.0, 1.0]
    """
    b, c = image.shape[:2]
    flat = (np.asarray(perm, dtype=np.int64).reshape(b, c) + c * np.arange(b)[:, None]).reshape(-1)
    out = None if tracks_grad(image) else torch.empty_like(image, memory_format=torch.contiguous_format)
    if out is not None and image.device.type == "cpu" and image.element_size() in _SAME_SIZE_INT:
        _copy_planes(image, out, flat)
        return out
    # the selection of planes, also the path of an image that autograd records (out of place)
    index = torch.as_tensor(flat, device=image.device)
    res = torch.index_select(
        image.reshape(b * c, -1), 0, index, out=None if out is None else out.view(b * c, -1)
    )
    return res.view(image.shape) if out is None else out


_SAME_SIZE_INT = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}
"""Integer dtypes numpy can view any torch dtype of that element size as (bfloat16, bool, ...): copies only."""


def _copy_planes(image: torch.Tensor, out: torch.Tensor, rows: np.ndarray) -> None:
    """``out`` plane ``j`` = ``image`` plane ``rows[j]`` (planes: the ``(H, W)`` of each sample and channel).

    CPU only: one numpy slice copy per run of consecutive source planes (an identity permutation is one copy of
    the sample), at plain-copy speed; torch's ``index_select`` of the same rows is 20-40% slower here.
    """
    itype = _SAME_SIZE_INT[image.element_size()]
    n = rows.size
    src = image.detach().contiguous().view(itype).reshape(n, -1).numpy()
    dst = out.view(itype).reshape(n, -1).numpy()
    # start a new run wherever the source plane is not the one after the previous one
    starts = [0, *(np.flatnonzero(np.diff(rows) != 1) + 1).tolist(), n]
    for a, z in pairwise(starts):
        first = int(rows[a])
        dst[a:z] = src[first : first + z - a]


def _lut_apply(image: torch.Tensor, lut: torch.Tensor) -> torch.Tensor:
    """uint8 images through per-sample, per-channel lookup tables ``lut`` (B, C, 256) uint8.

    On CPU each plane goes through ``numpy.take`` on views (3x torch's gather, which needs int64 indices);
    elsewhere one batched gather.
    """
    b, c, h, w = image.shape
    out = torch.empty_like(image, memory_format=torch.contiguous_format)
    if image.device.type == "cpu":
        src, table, dst = image.numpy(), lut.contiguous().numpy(), out.numpy()
        for i in range(b):
            for j in range(c):
                np.take(table[i, j], src[i, j], out=dst[i, j])
        return out
    for sl in chunk_slices(b, image.device):
        idx = image[sl].reshape(-1, c, h * w).long()
        torch.gather(lut[sl], 2, idx, out=out[sl].view(-1, c, h * w))
    return out


def _levels(device: torch.device) -> torch.Tensor:
    return torch.arange(256, dtype=torch.float64, device=device) / 255.0


def adjust_gamma(image: torch.Tensor, gamma: Any) -> torch.Tensor:
    """``x ** gamma`` per sample (values in units of full intensity; any number of channels).

    Example:
        >>> adjust_gamma(torch.tensor([[[[0.25]]]]), [0.5]).item()
        0.5
    """
    b, c = image.shape[:2]
    g = _per_sample(gamma, b, "gamma")
    if image.dtype == torch.uint8:
        gt = torch.as_tensor(g, device=image.device)
        lut = (_levels(image.device)[None, :] ** gt[:, None] * 255.0).round_().to(torch.uint8)
        return _lut_apply(image, lut[:, None, :].expand(b, c, 256))
    gd = _dev(g, image)[:, None, None, None]
    positive = g > 0

    # exp(g * log x) is 1.2-1.4x faster than pow on the CPU (both vectorised; pow's broadcast exponent is not)
    # and within 1 ulp in float32/64; it needs g > 0 (0 ** 0 = 1) and full-precision log/exp.
    def fn(src: torch.Tensor, dst: torch.Tensor, sl: slice, unit: float) -> Any:
        if src.dtype in (torch.float32, torch.float64) and positive[sl].all():
            torch.log(src, out=dst).mul_(gd[sl]).exp_()
            return IN_RANGE  # x ** g with x in [0, 1], g > 0 stays in [0, 1]
        torch.pow(src, gd[sl], out=dst)
        return None

    def plain(x: torch.Tensor) -> torch.Tensor:
        # at a black pixel x ** g has an infinite derivative for g < 1 (a NaN once multiplied by a zero incoming
        # gradient, as after a zero-fill warp): the gradient there is taken as 0, the value stays 0 ** g
        lit = x > 0
        return torch.where(lit, torch.pow(torch.where(lit, x, 1.0), gd), torch.pow(torch.zeros_like(gd), gd))

    return map_chunks(image, fn, plain=plain)


def solarize(image: torch.Tensor, threshold: Any) -> torch.Tensor:
    """Invert the values ``>= threshold`` (units of full intensity), per sample.

    Example:
        >>> solarize(torch.tensor([[[[0.25, 0.75]]]]), [0.5]).flatten().tolist()
        [0.25, 0.25]
    """
    b, c = image.shape[:2]
    th = _per_sample(threshold, b, "threshold")
    if image.dtype == torch.uint8:
        # one lookup per pixel: comparisons of uint8 tensors against per-sample scalars are slow on CPU
        first = torch.as_tensor(np.ceil(th * 255.0 - 1e-9), device=image.device)[:, None]
        levels = torch.arange(256, device=image.device)
        lut = torch.where(levels[None, :] >= first, 255 - levels, levels).to(torch.uint8)
        return _lut_apply(image, lut[:, None, :].expand(b, c, 256))
    t = _dev(th, image)[:, None, None, None]

    def fn(src: torch.Tensor, dst: torch.Tensor, sl: slice, unit: float) -> None:
        # x + [x >= t] (1 - 2x): arithmetic on a 0/1 mask is 4x faster than torch.where on CPU
        mask = work_buffer("mask", tuple(src.shape), src.dtype, src.device)
        torch.ge(src, t[sl], out=mask)
        torch.mul(src, -2.0, out=dst).add_(unit).mul_(mask).add_(src)

    def plain(x: torch.Tensor) -> torch.Tensor:
        return (x * -2.0 + 1.0) * (x >= t).to(x.dtype) + x

    return map_chunks(image, fn, plain=plain)


def posterize(image: torch.Tensor, bits: Any) -> torch.Tensor:
    """Keep the ``bits`` (0..8; 0 makes the image black) most significant bits per sample.

    uint8: ``x & mask``; float: ``floor(x * 2**bits) / 2**bits`` (as torchvision).

    Example:
        >>> posterize(torch.tensor([[[[255, 100]]]], dtype=torch.uint8), [2]).flatten().tolist()
        [192, 64]
    """
    b = image.shape[0]
    nb = np.asarray(_per_sample(bits, b, "bits"), dtype=np.int64)
    if np.any((nb < 0) | (nb > 8)):
        raise InputError(f"bits must lie in [0, 8] (0 makes the image black), got {nb.tolist()}")
    if image.dtype == torch.uint8:
        mask = (0xFF << (8 - nb)) & 0xFF
        m = torch.as_tensor(mask.astype(np.uint8), device=image.device)[:, None, None, None]
        return torch.bitwise_and(image, m)
    levels = _dev((2.0**nb).astype(np.float64), image)[:, None, None, None]

    def fn(src: torch.Tensor, dst: torch.Tensor, sl: slice, unit: float) -> None:
        lv = levels[sl]
        torch.mul(src, lv, out=dst).floor_()
        torch.minimum(dst, lv - 1.0, out=dst).div_(lv)

    return map_chunks(image, fn)


def invert(image: torch.Tensor) -> torch.Tensor:
    """``1 - x`` (uint8: ``255 - x``), exact."""
    if image.dtype == torch.uint8:
        return torch.bitwise_not(image)
    return torch.rsub(image, 1.0)


def _to_uint8_levels(image: torch.Tensor) -> torch.Tensor:
    if image.dtype == torch.uint8:
        return image
    # half types are scaled in float32: their own product can land on the neighbouring level
    return (image.to(work_dtype(image.dtype)) * 255.0).round_().clamp_(0, 255).to(torch.uint8)


def _from_lut(image: torch.Tensor, lut: torch.Tensor, u8: torch.Tensor | None = None) -> torch.Tensor:
    """Apply (B, C, 256) uint8 luts to uint8 images, or to float images quantised to 256 levels (``u8``)."""
    out = _lut_apply(_to_uint8_levels(image) if u8 is None else u8, lut)
    if image.dtype == torch.uint8:
        return out
    return out.to(work_dtype(image.dtype)).mul_(1.0 / 255.0).to(image.dtype)


def equalize(image: torch.Tensor) -> torch.Tensor:
    """Histogram equalisation per sample and channel (PIL's and torchvision's algorithm).

    Float images are quantised to 256 levels first, so the output takes values ``k / 255``.

    Example:
        >>> x = (torch.arange(1024) % 64 + 100).to(torch.uint8).reshape(1, 1, 32, 32)   # levels 100..163
        >>> out = equalize(x)
        >>> out.min().item(), out.max().item()
        (0, 255)
    """
    b, c, h, w = image.shape
    u8 = _to_uint8_levels(image)
    planes = u8.reshape(b * c, h * w)
    if image.device.type == "cpu":
        # bincount per plane on uint8: 10x faster on CPU than one bincount over int64 offsets
        hist = torch.stack([torch.bincount(plane, minlength=256) for plane in planes])
    else:
        offsets = torch.arange(b * c, device=image.device)[:, None] * 256
        hist = torch.bincount((planes.long() + offsets).reshape(-1), minlength=b * c * 256).view(b * c, 256)
    # PIL: step = (count of all pixels but those of the last non-empty level) // 255
    last_idx = 255 - torch.argmax((hist.flip(1) > 0).to(torch.uint8), dim=1)
    last_count = hist.gather(1, last_idx[:, None]).squeeze(1)
    step = torch.div(h * w - last_count, 255, rounding_mode="floor")
    cum = torch.cumsum(hist, dim=1) - hist
    safe = torch.where(step > 0, step, torch.ones_like(step))[:, None]
    lut = torch.div(cum + torch.div(safe, 2, rounding_mode="floor"), safe, rounding_mode="floor").clamp_(
        0, 255
    )
    identity = torch.arange(256, device=image.device).expand(b * c, 256)
    lut = torch.where((step > 0)[:, None], lut, identity).to(torch.uint8).view(b, c, 256)
    return _from_lut(image, lut, u8)


def autocontrast(image: torch.Tensor) -> torch.Tensor:
    """Stretch each channel of each sample linearly to span [0, 1]; flat channels are left unchanged.

    Differentiable through the channel's minimum and maximum (the stretch is ``(x - lo) / (hi - lo)``).

    Example:
        >>> autocontrast(torch.tensor([[[[0.25, 0.5, 0.75]]]])).flatten().tolist()
        [0.0, 0.5, 1.0]
    """
    b, c = image.shape[:2]
    flat = image.reshape(b, c, -1)
    lo = flat.amin(dim=2).double() / unit_of(image)
    hi = flat.amax(dim=2).double() / unit_of(image)
    span = hi - lo
    flat_ch = span <= 0
    scale = torch.where(
        flat_ch, torch.ones_like(span), 1.0 / torch.where(flat_ch, torch.ones_like(span), span)
    )
    bias = torch.where(flat_ch, torch.zeros_like(lo), -lo * scale)
    # tensors: for an image that autograd records they carry the gradient of the minimum and maximum
    return channel_affine(image, scale, bias)


def normalize(image: torch.Tensor, mean: Any, std: Any, dtype: torch.dtype | None = None) -> torch.Tensor:
    """``(x - mean) / std`` per channel, with ``x`` in [0, 1] (uint8 divided by 255); output float, unclamped.

    The output dtype is ``dtype``, else the input's float dtype, else float32 for uint8 input. Each channel is
    one fused pass, ``x * (1 / std) - mean / std`` (torch's ``add`` with a scalar and ``alpha``): close to memory-copy
    speed on CPU, 2-2.5x the two passes of ``(x - mean) / std``; it differs from the exact formula by at most 2
    float epsilons times ``max(|result|, 1)`` (here 2 + 1 ulp).

    Example:
        >>> normalize(torch.tensor([[[[255]]]], dtype=torch.uint8), [0.5], [0.25]).item()
        2.000000238418579
    """
    c = image.shape[1]
    m = np.broadcast_to(np.asarray(mean, dtype=np.float64), (c,))
    s = np.broadcast_to(np.asarray(std, dtype=np.float64), (c,))
    if np.any(s <= 0):
        raise InputError(f"std must be > 0 for every channel, got {s.tolist()}")
    out_dtype = dtype or (image.dtype if image.dtype.is_floating_point else torch.float32)
    scale = 1.0 / (s * unit_of(image))
    offset = -m / s
    # a 0-d CPU tensor is a scalar to torch on every device: offset + scale * x in one kernel
    bias = [torch.tensor(float(v), dtype=torch.float64, device="cpu") for v in offset]
    if tracks_grad(image):  # the same sums out of place
        x = image.to(out_dtype)
        return torch.stack([torch.add(bias[ch], x[:, ch], alpha=float(scale[ch])) for ch in range(c)], dim=1)
    out = torch.empty(image.shape, dtype=out_dtype, device=image.device)
    for sl in chunk_slices(image.shape[0], image.device):
        dst = out[sl]
        # other dtypes (uint8) are converted first: torch's mixed-dtype add is 5x slower than a copy and an add
        src = image[sl] if image.dtype == out_dtype else dst.copy_(image[sl])
        for ch in range(c):
            torch.add(bias[ch], src[:, ch], alpha=float(scale[ch]), out=dst[:, ch])
    return out
