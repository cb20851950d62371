"""Review of the speed kernels (strided Resize, ChannelShuffle plane copies, skipped clamps of Contrast and ToGray,
host warp taps and mantissa rounding, channel_affine/_per_sample/erase call-path work): each fast path is checked
against an independent reference (torch's interpolate, indexing, the clamped formula, broadcast_to, slice copies)
on the edge cases the speed-ups could break: tiny and odd sizes, views and layouts, every dtype, exact 0 and 1,
chunk boundaries, p < 1 and replay."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import multiaug.image as mi
from multiaug.core.errors import InputError
from multiaug.image.functional.chunks import round_to_uint8
from multiaug.image.functional.color import (
    GRAY_WEIGHTS,
    _per_sample,
    adjust_brightness,
    adjust_contrast,
    channel_affine,
    channel_shuffle,
    spread_plane,
    to_gray,
)
from multiaug.image.functional.erasing import _erase_by_blend, erase
from multiaug.image.functional.resize import blend_runs, resize_bilinear, resize_taps
from multiaug.image.functional.warp import BORDERS, INTERPOLATIONS, _prepare, warp

F32_EPS = torch.finfo(torch.float32).eps


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _bits(t: torch.Tensor) -> torch.Tensor:
    """Same-size integer view: equality of bits (signed zeros and NaN payloads included)."""
    if not t.is_floating_point():
        return t
    return t.view({2: torch.int16, 4: torch.int32, 8: torch.int64}[t.element_size()])


def _views(x: torch.Tensor) -> dict[str, torch.Tensor]:
    """The same values in other layouts: channels_last, transposed strides, a batch slice of a bigger tensor."""
    wide = torch.zeros((x.shape[0] + 2, *x.shape[1:]), dtype=x.dtype)
    wide[1:-1] = x
    return {
        "contiguous": x,
        "channels_last": x.contiguous(memory_format=torch.channels_last),
        "transposed": x.transpose(2, 3).contiguous().transpose(2, 3),
        "offset": wide[1:-1],
    }


# ---------------------------------------------------------------------------------------------------------------
# Resize: strided blends (6d8fdd0)


def _torch_source(n_in: int, n_out: int) -> np.ndarray:
    """torch's ``area_pixel_compute_source_index`` (align_corners=False), in float64, upper end as its taps read."""
    src = np.maximum((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0.0)
    return np.minimum(src, n_in - 1)


def test_blend_runs_cover_every_output_once_for_all_small_size_pairs() -> None:
    for n_in in range(1, 49):
        for n_out in range(1, 49):
            runs = blend_runs(n_in, n_out, max_runs=10**6)
            if n_in < 2:
                assert runs is None
                continue
            first, weight = resize_taps(n_in, n_out)
            np.testing.assert_allclose(first + weight, _torch_source(n_in, n_out), rtol=0, atol=1e-12)
            seen = np.zeros(n_out, dtype=np.int64)
            assert runs is not None
            for out0, ostep, count, src0, sstep, w in runs:
                outs = out0 + ostep * np.arange(count)
                srcs = src0 + sstep * np.arange(count)
                seen[outs] += 1
                assert (first[outs] == srcs).all() and (weight[outs] == w).all()
                assert srcs.min() >= 0 and srcs.max() + 1 <= n_in - 1  # both taps inside the image
            assert (seen == 1).all(), (n_in, n_out)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_resize_op_equals_interpolate_on_tiny_odd_and_upscaled_sizes(dtype: torch.dtype) -> None:
    sizes = [(1, 1), (1, 6), (6, 1), (2, 2), (3, 7), (13, 9), (40, 48)]
    outs = [(1, 1), (1, 5), (5, 1), (2, 3), (4, 4), (9, 13), (26, 7), (96, 50), (39, 47)]
    tol = 4 * F32_EPS if dtype == torch.float32 else 1e-13
    for h, w in sizes:
        x = torch.rand(3, 2, h, w, generator=_gen(h * 100 + w), dtype=torch.float64).to(dtype)
        x[0] = 1.0  # white stays white, black stays black: no overshoot out of [0, 1]
        x[1] = 0.0
        for size in outs:
            out = mi.Resize(size)(x)
            ref = F.interpolate(x.double(), size=size, mode="bilinear", align_corners=False, antialias=False)
            assert out.shape == (3, 2, *size) and out.dtype == dtype
            err = float((out.double() - ref).abs().max())
            # the warp path (long periods, 1-pixel inputs) computes float32 coordinates: 20 eps there
            fast = blend_runs(h, size[0]) is not None and blend_runs(w, size[1]) is not None
            assert err <= (tol if fast or dtype == torch.float64 else 20 * F32_EPS), (h, w, size, err)
            assert bool((out[0] == 1.0).all()) and bool((out[1] == 0.0).all())
        assert torch.equal(mi.Resize((h, w))(x), x)  # identity size: exact copy


def test_resize_fast_path_ignores_layout_and_chunking() -> None:
    x = torch.rand(11, 3, 28, 35, generator=_gen(1))  # 11 samples cross the CPU chunk of 8
    ref = mi.Resize((20, 25))(x)
    for name, v in _views(x).items():
        before = v.clone()
        out = mi.Resize((20, 25))(v)
        assert torch.equal(out, ref), name
        assert torch.equal(v, before)
    for i in (0, 7, 8, 10):
        assert torch.equal(mi.Resize((20, 25))(x[i : i + 1]), ref[i : i + 1])
    assert torch.equal(resize_bilinear(x, (20, 25)), ref)


def test_resize_fast_path_keeps_masks_boxes_and_replay() -> None:
    x = torch.rand(3, 3, 21, 28, generator=_gen(2))
    mask = torch.randint(0, 4, (3, 21, 28), generator=_gen(3)).to(
        torch.float32
    )  # a float mask: still nearest
    boxes = torch.tensor([[[0.0, 0.0, 28.0, 21.0]], [[7.0, 3.0, 14.0, 9.0]], [[2.0, 2.0, 3.0, 3.0]]])
    aug = mi.Resize((14, 16))
    out = aug(image=x, mask=mask, boxes=boxes)
    assert torch.equal(out["image"], mi.Resize((14, 16))(x))
    assert set(out["mask"].unique().tolist()) <= set(mask.unique().tolist())
    np.testing.assert_allclose(out["boxes"][0].numpy(), [[0.0, 0.0, 16.0, 14.0]], atol=1e-5)
    y, record = aug(x, seed=0, return_params=True)
    assert torch.equal(aug(x, params=record), y)


# ---------------------------------------------------------------------------------------------------------------
# ChannelShuffle: plane copies through integer views (bb39e7e)

SHUFFLE_DTYPES = [
    torch.bool,
    torch.uint8,
    torch.int8,
    torch.int16,
    torch.int32,
    torch.int64,
    torch.float16,
    torch.bfloat16,
    torch.float32,
    torch.float64,
    torch.complex64,
    torch.complex128,  # 16 bytes: the index_select branch
]


@pytest.mark.parametrize("dtype", SHUFFLE_DTYPES)
def test_channel_shuffle_is_the_exact_permutation(dtype: torch.dtype) -> None:
    rng = np.random.default_rng(0)
    for c in (1, 2, 3, 5):
        base = torch.rand(9, c, 5, 7, generator=_gen(c)) * 200
        x = base > 100 if dtype == torch.bool else base.to(dtype)
        views = _views(x) | {"expanded": x[:1].expand(4, c, 5, 7), "cropped": x[:, :, 1:4, ::2]}
        for name, v in views.items():
            perm = np.stack([rng.permutation(c) for _ in range(v.shape[0])])
            perm[0] = np.arange(c)  # an identity row: one run
            before = v.clone()
            out = channel_shuffle(v, perm)
            ref = torch.stack([v[i, torch.as_tensor(p)] for i, p in enumerate(perm)])
            assert out.dtype == dtype and out.is_contiguous() and torch.equal(out, ref), name
            assert torch.equal(v, before)


def test_channel_shuffle_moves_bits_untouched() -> None:
    x = torch.tensor([0.0, -0.0, float("nan"), float("inf")]).view(1, 4, 1, 1).clone()
    x.view(torch.int32)[0, 2] = 0x7FC00123  # a NaN with a payload
    out = channel_shuffle(x, [[3, 2, 1, 0]])
    assert _bits(out).flatten().tolist() == _bits(x).flatten().tolist()[::-1]


def test_channel_shuffle_op_with_p_below_one_and_replay() -> None:
    x = torch.rand(13, 4, 6, 5, generator=_gen(4)).to(torch.bfloat16)
    aug = mi.ChannelShuffle(p=0.5)
    y, record = aug(x, seed=3, return_params=True)
    assert torch.equal(aug(x, params=record), y)
    for i in range(13):  # each output is a permutation of its own input's channels
        assert sorted(_bits(y[i]).flatten().tolist()) == sorted(_bits(x[i]).flatten().tolist())
    single = aug(x[5:6], seed=3, keys=[5])
    assert torch.equal(single, y[5:6])


# ---------------------------------------------------------------------------------------------------------------
# Skipped clamps: Contrast / Brightness through channel_affine (1663c9f, cc1a3bb), ToGray (ac1acfa)

COLOR_DTYPES = [torch.uint8, torch.float16, torch.bfloat16, torch.float32, torch.float64]


def _edge_images(dtype: torch.dtype, b: int, c: int) -> torch.Tensor:
    x = torch.rand(b, c, 5, 6, generator=_gen(b * 10 + c), dtype=torch.float64)
    edges = [1.0, 0.0, 1 - 1e-7, 1 - 2e-6, None, None]
    for i, v in enumerate(edges[:b]):
        if v is not None:
            x[i] = v
    if b > 4:
        x[4, :, 0], x[4, :, 1] = 1.0, 0.0  # one white and one black row
    if b > 5:
        x[5] = (x[5] > 0.5).double()  # binary
    return (x * 255).round().to(dtype) if dtype == torch.uint8 else x.to(dtype)


def _factors(b: int) -> list[np.ndarray]:
    return [
        np.zeros(b),
        np.ones(b),
        np.linspace(0.0, 1.0, b),
        np.linspace(0.5, 1.5, b),
        np.full(b, 1 - 1e-9),
        np.full(b, 0.999999),
        np.linspace(0.99, 1.0, b),
    ]


@pytest.mark.parametrize("dtype", COLOR_DTYPES)
@pytest.mark.parametrize("c", [1, 3])
def test_contrast_without_clamp_equals_the_clamped_formula_bit_for_bit(dtype: torch.dtype, c: int) -> None:
    weights = np.ones((c, 1)) @ (GRAY_WEIGHTS if c == 3 else np.ones(1))[None, :]
    for b in (1, 6, 9):
        x = _edge_images(dtype, b, c)
        for f in _factors(b):
            gain = (1.0 - f)[:, None, None] * weights
            # clamp=False then a clamp: the old behaviour (every sample clamped; uint8 always saturates)
            ref = channel_affine(x, f[:, None], 0.0, mean_gain=gain, clamp=False)
            ref = ref if dtype == torch.uint8 else ref.clamp(0.0, 1.0)
            for name, v in _views(x).items():
                out = adjust_contrast(v, f)
                assert torch.equal(_bits(out), _bits(ref)), (name, b, f[:3])
                bright = adjust_brightness(v, f)
                ref_b = channel_affine(x, f[:, None], 0.0, clamp=False)
                ref_b = ref_b if dtype == torch.uint8 else ref_b.clamp(0.0, 1.0)
                assert torch.equal(_bits(bright), _bits(ref_b)), (name, b, f[:3])


def test_contrast_random_images_near_white_equal_the_clamped_formula() -> None:
    rng = np.random.default_rng(1)
    for it in range(60):
        dtype = COLOR_DTYPES[it % len(COLOR_DTYPES)]
        b, c = int(rng.integers(1, 11)), (1, 3)[it % 2]
        lo = rng.uniform(0, 1, (b, 1, 1, 1))
        hi = lo + (1 - lo) * rng.uniform(0, 1, (b, 1, 1, 1)) ** 0.1  # many images with a mean near white
        x = torch.as_tensor(lo + (hi - lo) * rng.uniform(size=(b, c, 4, 6)))
        x[torch.as_tensor(rng.uniform(size=x.shape) < 0.1)] = 1.0
        x = (x * 255).round().to(dtype) if dtype == torch.uint8 else x.to(dtype)
        f = rng.uniform(0, 1, b) ** rng.uniform(0.01, 3)
        weights = np.ones((c, 1)) @ (GRAY_WEIGHTS if c == 3 else np.ones(1))[None, :]
        ref = channel_affine(x, f[:, None], 0.0, mean_gain=(1.0 - f)[:, None, None] * weights, clamp=False)
        ref = ref if dtype == torch.uint8 else ref.clamp(0.0, 1.0)
        assert torch.equal(_bits(adjust_contrast(x, f)), _bits(ref))


def test_contrast_op_p_below_one_replay_and_batch_independence() -> None:
    x = torch.rand(17, 3, 8, 8, generator=_gen(5))
    x[3] = 1.0
    aug = mi.Contrast((0.2, 1.0), p=0.6)
    y, record = aug(x, seed=1, return_params=True)
    assert torch.equal(aug(x, params=record), y)
    assert float(y.min()) >= 0.0 and float(y.max()) <= 1.0
    assert torch.equal(aug(x[9:10], seed=1, keys=[9]), y[9:10])
    assert torch.equal(y[3], x[3])  # white: the mean is white, any factor keeps it


def _to_gray_clamped(x: torch.Tensor) -> torch.Tensor:
    """The previous ToGray: the same float32/64 steps, then a clamp (float) or the rounding (uint8)."""
    w0, w1, w2 = (float(v) for v in GRAY_WEIGHTS)
    wdt = x.dtype if x.dtype in (torch.float32, torch.float64) else torch.float32
    src = x.to(wdt)
    y = (src[:, 0:1] * w0).add_(src[:, 1:2], alpha=w1).add_(src[:, 2:3], alpha=w2)
    y = y.round_().clamp_(0, 255) if x.dtype == torch.uint8 else y.clamp_(0.0, 1.0)
    return y.to(x.dtype).expand(-1, 3, -1, -1)


@pytest.mark.parametrize("dtype", COLOR_DTYPES)
def test_to_gray_without_clamp_equals_the_clamped_luma(dtype: torch.dtype) -> None:
    for b in (1, 6, 9):
        x = _edge_images(dtype, b, 3)
        ref = _to_gray_clamped(x)
        for name, v in _views(x).items():
            out = to_gray(v)
            assert out.is_contiguous() and torch.equal(_bits(out), _bits(ref)), (name, b)
    white = torch.ones(1, 3, 2, 2, dtype=dtype) * (255 if dtype == torch.uint8 else 1)
    top = to_gray(white)
    assert bool((top <= (255 if dtype == torch.uint8 else 1.0)).all())
    if dtype in (torch.float32, torch.uint8, torch.float16, torch.bfloat16):
        assert torch.equal(top, white)


def test_spread_plane_branches_agree() -> None:
    plane = torch.rand(3, 1, 4, 5, generator=_gen(6), dtype=torch.float64)
    for dst_dtype in (torch.float64, torch.float32):
        a = torch.empty(3, 4, 4, 5, dtype=dst_dtype)
        b = torch.empty(3, 4, 4, 5, dtype=dst_dtype)
        spread_plane(plane, a)
        spread_plane(plane, b, host_copies=False)
        assert torch.equal(a, b) and torch.equal(a, plane.to(dst_dtype).expand(3, 4, 4, 5))
    strided = torch.empty(3, 4, 5, 4).transpose(2, 3)  # a non-contiguous destination
    spread_plane(plane, strided)
    assert torch.equal(strided, plane.expand(3, 4, 4, 5).float().double().to(strided.dtype))


# ---------------------------------------------------------------------------------------------------------------
# round_to_uint8 (1fc614f)


def _neighbourhoods(centres: torch.Tensor, ulps: int) -> torch.Tensor:
    """Every float32 within ``ulps`` steps of each centre (by bit pattern, either side of zero handled)."""
    out = [centres]
    up, down = centres.clone(), centres.clone()
    inf = torch.tensor(float("inf"))
    for _ in range(ulps):
        up, down = torch.nextafter(up, inf), torch.nextafter(down, -inf)
        out += [up, down]
    return torch.cat(out)


def test_round_to_uint8_equals_round_and_clamp_around_every_integer_and_half() -> None:
    centres = torch.arange(-2.0, 258.0, 0.5)
    values = torch.cat(
        [
            _neighbourhoods(centres, 64),
            torch.tensor([0.0, -0.0, 1e-45, -1e-45, 1e-30, -1e-30, 2.0**22, 2.0**23, 1e30, -1e30]),
            torch.rand(20000, generator=_gen(7)) * 262 - 3,
        ]
    )
    expected = values.round().clamp(0, 255).to(torch.uint8)
    out = torch.empty_like(expected).copy_(round_to_uint8(values.clone()))
    assert torch.equal(out, expected)
    inside = values[(values >= 0) & (values < 255.5)]
    out = torch.empty(inside.shape, dtype=torch.uint8).copy_(round_to_uint8(inside.clone(), saturate=False))
    assert torch.equal(out, inside.round().to(torch.uint8))


@pytest.mark.parametrize("interpolation", ["bilinear", "bicubic"])
@pytest.mark.parametrize("border", BORDERS)
def test_uint8_warps_on_the_exact_and_thin_paths_stay_rounded_and_saturated(
    interpolation: str, border: str
) -> None:
    # integer inverse maps (flip + shift) and 1-pixel-high images take the gathered-taps path (_warp_chunk)
    for h, w in ((9, 12), (1, 12), (12, 1)):
        x = torch.randint(0, 256, (3, 2, h, w), generator=_gen(h + w), dtype=torch.uint8)
        x[0] = 255
        m = np.tile(np.eye(3), (3, 1, 1))
        m[:, 0, 0], m[:, 0, 2] = -1.0, [w - 1.0, w + 1.0, w - 3.0]
        if min(h, w) == 1:
            m[:, 0, 0], m[:, 0, 2] = 1.3, [0.2, -0.4, 0.5]
        out = warp(x, m, interpolation=interpolation, border=border, fill=(255.0, 0.0))
        ref = warp(x.float() / 255, m, interpolation=interpolation, border=border, fill=(1.0, 0.0))
        # the uint8 path blends in 0-255 units, the float one in 0-1: equal within one grey level
        assert int((out.int() - (ref * 255).round().int()).abs().max()) <= 1
        assert out.dtype == torch.uint8
        assert bool((out[0] == 255).all()) or border == "constant"


# ---------------------------------------------------------------------------------------------------------------
# host taps: numpy and torch _prepare on adversarial coordinates (1fc614f)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 224])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_prepare_numpy_equals_torch_on_period_multiples_and_extremes(n: int, dtype: type) -> None:
    period = max(2 * (n - 1), 1)
    ks = np.arange(-5, 6) * period
    coord: np.ndarray = np.concatenate(
        [
            [0.0, -0.0, n - 1, n - 0.5, -0.5, 0.5, -1.0, -2.0, 1e7, -1e7, 3.3e9, -3.3e9, 1e-40, -1e-40],
            ks,
            ks + 1e-7,
            ks - 1e-7,
            ks + n - 1,
            ks + 0.5,
        ]
    ).astype(dtype)
    for interpolation in INTERPOLATIONS:
        for border in BORDERS:
            for margin in (0, 1, 3):
                host = _prepare(coord, n, interpolation, border, margin)
                dev = _prepare(torch.from_numpy(coord), n, interpolation, border, margin)
                for a, b in zip(host, dev):
                    assert isinstance(b, torch.Tensor) and a.dtype == b.numpy().dtype
                    np.testing.assert_array_equal(a, b.numpy())


# ---------------------------------------------------------------------------------------------------------------
# _per_sample by assignment, erase with host boxes (cc1a3bb)


def _per_sample_broadcast_to(values: object, batch: int, width: int | None) -> np.ndarray:
    """The previous _per_sample: np.broadcast_to semantics."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    arr = np.asarray(values, dtype=np.float64)
    return np.broadcast_to(arr, (batch,) if width is None else (batch, width)).copy()


def test_per_sample_accepts_and_refuses_what_broadcast_to_does() -> None:
    shapes = [(), (1,), (2,), (3,), (4,), (1, 1), (1, 3), (4, 1), (4, 3), (3, 4), (1, 4), (4, 4), (1, 1, 1)]
    shapes += [(1, 4, 3), (2, 4, 3), (0,), (4, 0), (1, 1, 3), (1, 1, 1, 1)]
    for batch, width in [(4, None), (4, 3), (1, None), (1, 3), (3, 1), (4, 1), (0, None), (0, 3)]:
        for shape in shapes:
            arr = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) + 0.5
            for value in (arr, torch.as_tensor(arr), arr.tolist(), arr.astype(np.float32)):
                try:
                    expected: np.ndarray | None = _per_sample_broadcast_to(value, batch, width)
                except ValueError:
                    expected = None
                if expected is None:
                    with pytest.raises(InputError, match="must broadcast"):
                        _per_sample(value, batch, "x", width)
                else:
                    got = _per_sample(value, batch, "x", width)
                    assert got.dtype == np.float64 and got.flags.writeable
                    np.testing.assert_array_equal(got, expected)


BORDER_BOXES = [
    [0, 0, 6, 9],  # the whole image
    [0, 0, 0, 0],  # empty
    [3, 3, 3, 5],  # zero height
    [2, 2, 1, 1],  # inverted
    [-5, -5, 2, 3],  # from outside the top-left corner
    [5, 8, 10, 13],  # out of the bottom-right corner
    [6, 9, 9, 12],  # wholly outside
    [-3, -3, -1, -1],  # wholly outside, negative
    [0, 8, 6, 9],  # the last column
    [-100, -100, 100, 100],
    [5, -2, 6, 0],  # last row, clipped to nothing on the left
]


def _erase_reference(image: torch.Tensor, boxes: np.ndarray, fill: torch.Tensor) -> torch.Tensor:
    out = image.clone()
    h, w = image.shape[-2:]
    source = fill.expand_as(image)
    for i, sample in enumerate(np.trunc(np.asarray(boxes, dtype=np.float64)).astype(np.int64)):
        for top, left, bottom, right in sample:
            t, lft, btm, rgt = max(top, 0), max(left, 0), min(bottom, h), min(right, w)
            if t < btm and lft < rgt:
                out[i, :, t:btm, lft:rgt] = source[i, :, t:btm, lft:rgt]
    return out


@pytest.mark.parametrize(
    "dtype", [torch.uint8, torch.float32, torch.bfloat16, torch.float64, torch.int64, torch.bool]
)
def test_erase_host_and_tensor_boxes_at_the_borders(dtype: torch.dtype) -> None:
    from multiaug.image.functional.warp import as_fill

    for b in (1, 3, 9):
        base = torch.rand(b, 2, 6, 9, generator=_gen(b)) * 200
        x = base > 100 if dtype == torch.bool else base.to(dtype)
        boxes = np.array(
            [[BORDER_BOXES[(i + k) % len(BORDER_BOXES)] for k in range(4)] for i in range(b)], dtype=np.int64
        )
        kinds: dict[str, torch.Tensor | np.ndarray] = {
            "numpy": boxes,
            "tensor": torch.as_tensor(boxes),
            "int32": torch.as_tensor(boxes, dtype=torch.int32),
            "float tensor": torch.as_tensor(boxes, dtype=torch.float32) + 0.7,  # truncated like .to(int64)
            "float numpy": boxes.astype(np.float64) - 0.3,
        }
        for value in (0.0, (1.0, 0.5), torch.rand(b, 2, 6, 9, generator=_gen(9)) * 100):
            if dtype == torch.bool and isinstance(value, torch.Tensor):
                continue
            fill = as_fill(value, 2, dtype, x.device)
            for name, bx in kinds.items():
                ref = _erase_reference(x, np.asarray(bx), fill)  # float boxes: truncated towards zero
                for view_name, v in _views(x).items():
                    out = erase(v, bx, value)
                    assert out.dtype == dtype and torch.equal(out, ref), (name, view_name)
            if dtype != torch.bool:  # the accelerator branch, run on the CPU
                assert torch.equal(
                    _erase_by_blend(x, torch.as_tensor(boxes), fill), _erase_reference(x, boxes, fill)
                )


def test_random_erasing_with_masks_p_below_one_and_replay() -> None:
    x = torch.randint(0, 256, (11, 3, 16, 20), generator=_gen(10), dtype=torch.uint8)
    mask = torch.randint(0, 3, (11, 16, 20), generator=_gen(11))
    aug = mi.RandomErasing(p=0.5, value=(1.0, 0.0, 0.5), mask_fill_value=7)
    out, record = aug(image=x, mask=mask, seed=2, return_params=True)
    again = aug(image=x, mask=mask, params=record)
    assert torch.equal(again["image"], out["image"]) and torch.equal(again["mask"], out["mask"])
    erased = out["mask"] == 7
    # the image's holes are exactly the mask's holes (the fill colour on every channel there)
    fill = torch.tensor([255, 0, 128], dtype=torch.uint8).view(1, 3, 1, 1)
    assert torch.equal(torch.where(erased[:, None], fill, x), out["image"])
    single = aug(image=x[4:5], mask=mask[4:5], seed=2, keys=[4])
    assert torch.equal(single["image"], out["image"][4:5])
