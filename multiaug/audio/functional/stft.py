"""Short-time Fourier transform kernels for padded batches of variable-length clips, on real tensors.

Layout: a batch of ``N`` clips ``(N, T)`` becomes two contiguous real tensors ``re``, ``im`` of shape
``(N, frames, bins)`` (frames before frequency; torch's complex and strided CPU kernels are several times
slower than real contiguous ones). Frames are centred: frame ``k`` is centred on sample ``k * hop`` of the
clip, with ``n_fft // 2`` zeros padded at both ends, so a clip of ``L`` samples has ``1 + L // hop`` frames
whatever else is in the batch. ``centered_phase=True`` measures phases from the frame centre instead of its
first sample (a circular shift by ``n_fft // 2``, folded into the windowing at no cost); bin-shifting pitch
shift needs that.

The inverse is written out by hand (windowed overlap-add by ``n_fft // hop`` shifted adds) and normalises
every clip by its own window envelope, so a clip's result does not depend on the other clips in the batch.
"""

from __future__ import annotations

import functools
import threading
from typing import TypeVar

import numpy as np
import torch
from torch import Tensor

__all__ = [
    "Workspace",
    "frame_count",
    "hann_window",
    "istft",
    "normalise",
    "overlap_add",
    "pad_centred",
    "row_stride",
    "spectrum",
    "stft",
    "synthesize",
    "workspace",
]


class Workspace:
    """Named scratch tensors reused from one chunk (and one call) to the next.

    On CPU a fresh multi-megabyte tensor is page-faulted on every call (glibc hands large blocks back to the
    system), which costs about as much as the arithmetic of a vocoder; reusing a few buffers avoids it. On other
    devices ``get`` just allocates (their caching allocators already reuse memory), and so it does for
    buffers over 16 MB (a long clip's output), which are not kept.

    Example:
        >>> ws = Workspace()
        >>> a = ws.get("spec", (2, 3), torch.float32, torch.device("cpu"))
        >>> b = ws.get("spec", (3, 2), torch.float32, torch.device("cpu"))
        >>> a.data_ptr() == b.data_ptr()
        True
    """

    def __init__(self) -> None:
        self._buffers: dict[tuple[str, torch.dtype], Tensor] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: torch.dtype, device: torch.device) -> Tensor:
        """An uninitialised ``shape`` tensor; the previous contents of ``name`` may be overwritten."""
        size = int(np.prod(shape))
        if device.type != "cpu" or size * dtype.itemsize > _MAX_KEPT_BYTES:
            return torch.empty(shape, dtype=dtype, device=device)
        key = (name, dtype)
        buf = self._buffers.get(key)
        if buf is None or buf.numel() < size:
            buf = torch.empty(size, dtype=dtype, device=device)
            self._buffers[key] = buf
        return buf[:size].view(shape)


_LOCAL = threading.local()
_MAX_KEPT_BYTES = 16 << 20


def workspace() -> Workspace:
    """This thread's workspace (kept between calls; its size follows the largest chunk seen, a few MB)."""
    ws = getattr(_LOCAL, "workspace", None)
    if ws is None:
        ws = _LOCAL.workspace = Workspace()
    return ws


_Lengths = TypeVar("_Lengths", Tensor, np.ndarray, int)


def frame_count(lengths: _Lengths, hop: int) -> _Lengths:
    """Number of centred frames of a clip of ``lengths`` samples: ``1 + lengths // hop``.

    Example:
        >>> frame_count(16000, 512)
        32
    """
    return 1 + lengths // hop


@functools.lru_cache(maxsize=32)
def _hann64(n_fft: int) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n_fft) / n_fft)


def hann_window(n_fft: int, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32) -> Tensor:
    """Periodic Hann window of ``n_fft`` samples (computed in float64, then cast).

    Example:
        >>> hann_window(4).tolist()
        [0.0, 0.5, 1.0, 0.5]
    """
    return torch.as_tensor(_hann64(n_fft), dtype=dtype, device=device)


def _check_sizes(n_fft: int, hop: int) -> None:
    if n_fft < 2 or n_fft % 2:
        raise ValueError(f"n_fft must be an even number >= 2, got {n_fft}")
    if hop < 1 or n_fft % hop:
        raise ValueError(f"hop must divide n_fft ({n_fft}), got {hop}")


def stft(
    x: Tensor, n_fft: int, hop: int, *, centered_phase: bool = False, ws: Workspace | None = None
) -> tuple[Tensor, Tensor]:
    """Centred, Hann-windowed STFT of a batch ``(N, T)`` -> ``(re, im)``, each of shape
    ``(N, 1 + T // hop, n_fft // 2 + 1)``.

    Samples past a clip's valid length must be zero (see ``zero_padding``); then a clip's frames are the same
    as when it is transformed alone. With a workspace ``ws`` the results live in its buffers (valid until the
    next use of the workspace).

    Example:
        >>> re, im = stft(torch.zeros(2, 1000), 256, 64)
        >>> tuple(re.shape)
        (2, 16, 129)
    """
    _check_sizes(n_fft, hop)
    if x.ndim != 2:
        raise ValueError(f"stft expects (N, T), got shape {tuple(x.shape)}")
    xp, frames_n = pad_centred(x, n_fft, hop)
    return spectrum(xp, 0, frames_n, n_fft, hop, centered_phase=centered_phase, ws=ws)


def pad_centred(x: Tensor, n_fft: int, hop: int) -> tuple[Tensor, int]:
    """``(N, T)`` padded with ``n_fft // 2`` zeros in front and enough after for ``1 + T // hop`` centred
    frames; returns the padded signal and that frame count."""
    t = x.shape[-1]
    half = n_fft // 2
    frames_n = 1 + t // hop
    total = (frames_n - 1) * hop + n_fft
    return torch.nn.functional.pad(x, (half, total - t - half)), frames_n


def spectrum(
    xp: Tensor,
    first: int,
    count: int,
    n_fft: int,
    hop: int,
    *,
    centered_phase: bool = False,
    ws: Workspace | None = None,
    stride: int | None = None,
) -> tuple[Tensor, Tensor]:
    """``(re, im)`` of frames ``first .. first + count - 1`` of a signal padded by ``pad_centred``; with
    ``stride`` each row is zero-padded from ``n_fft // 2 + 1`` to ``stride`` values (see ``row_stride``)."""
    n = xp.shape[0]
    half = n_fft // 2
    frames = xp[:, first * hop : (first + count - 1) * hop + n_fft].unfold(-1, n_fft, hop)
    window = hann_window(n_fft, xp.device, xp.dtype)
    ws = ws or Workspace()
    buf = ws.get("frames", (n, count, n_fft), xp.dtype, xp.device)
    if centered_phase:
        torch.mul(frames[..., half:], window[half:], out=buf[..., :half])
        torch.mul(frames[..., :half], window[:half], out=buf[..., half:])
    else:
        torch.mul(frames, window, out=buf)
    bins = half + 1
    spec = ws.get("spec", (n, count, bins), _complex(xp.dtype), xp.device)
    spec = torch.view_as_real(torch.fft.rfft(buf, out=spec))
    width = bins if stride is None else stride
    re = ws.get("re", (n, count, width), xp.dtype, xp.device)
    im = ws.get("im", (n, count, width), xp.dtype, xp.device)
    re[..., :bins].copy_(spec[..., 0])
    im[..., :bins].copy_(spec[..., 1])
    if width > bins:
        re[..., bins:] = 0.0
        im[..., bins:] = 0.0
    return re, im


def row_stride(bins: int) -> int:
    """Row length for per-frame spectra in the vocoder: ``bins`` rounded up to a multiple of 64, avoiding
    multiples of 256.

    Whole rows of 64 values make every clip's block a whole number of SIMD steps, so vectorised
    transcendental functions (``atan2``, ``cos``...) take the same code path for a clip alone and in a batch
    (a scalar tail computes the last few values slightly differently), and results are bit-identical. Rows of
    1024 or 1025 floats also make sums down the frames hit cache-set conflicts (4-15x slower).

    Example:
        >>> [row_stride(b) for b in (129, 513, 1025, 2049)]
        [192, 576, 1088, 2112]
    """
    stride = -(-bins // 64) * 64
    return stride + 64 if stride % 256 == 0 else stride


def _complex(dtype: torch.dtype) -> torch.dtype:
    return torch.complex128 if dtype == torch.float64 else torch.complex64


@functools.lru_cache(maxsize=32)
def _envelope_tables(n_fft: int, hop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Squared-window sums: head ``(n_fft,)`` (frames 0.. only), period ``(hop,)`` (interior) and tails
    ``(R, n_fft)``: ``tails[k][q]`` is the sum ``q`` samples past the start of frame ``k`` when a clip has
    ``k`` frames (all rows from ``R - 1`` on are equal)."""
    w2 = _hann64(n_fft) ** 2
    r = n_fft // hop
    head = np.zeros(n_fft)
    for k in range(r):
        head[k * hop :] += w2[: n_fft - k * hop]
    period = np.zeros(hop)
    for k in range(r):
        period += w2[k * hop : (k + 1) * hop]
    tails = np.zeros((r, n_fft))
    for frames_n in range(r):
        for j in range(1, frames_n + 1):
            tails[frames_n, : n_fft - j * hop] += w2[j * hop :]
    tails[r - 1 :] = tails[r - 1]
    return head, period, tails


def istft(
    re: Tensor,
    im: Tensor,
    n_fft: int,
    hop: int,
    frame_counts: Tensor,
    lengths: Tensor,
    *,
    centered_phase: bool = False,
    ws: Workspace | None = None,
) -> Tensor:
    """Inverse of ``stft`` for a padded batch: clip ``i`` uses its first ``frame_counts[i]`` frames and gives
    ``lengths[i]`` samples (zeros after), normalised by its own squared-window envelope.

    ``frame_counts`` must be at least ``1 + lengths // hop`` (every output sample is then covered by a frame).
    Returns a new ``(N, max(lengths))`` tensor (``ws`` only holds the intermediate frames).

    Example:
        >>> x = torch.randn(1, 4000)
        >>> re, im = stft(x, 512, 128)
        >>> y = istft(re, im, 512, 128, torch.tensor([re.shape[1]]), torch.tensor([4000]))
        >>> bool(torch.allclose(x, y, atol=1e-5))
        True
    """
    _check_sizes(n_fft, hop)
    n, frames_n, _ = re.shape
    half = n_fft // 2
    r = n_fft // hop
    device, dtype = re.device, re.dtype
    counts = frame_counts.to(device="cpu", dtype=torch.int64).numpy()
    lens = lengths.to(device="cpu", dtype=torch.int64).numpy()
    if np.any(counts * hop + half < lens):
        raise ValueError("istft: frame_counts too small for the requested lengths")
    frames = synthesize(re, im, n_fft, hop, centered_phase=centered_phase, ws=ws)
    if frames_n > 0 and int(counts.min()) < frames_n:
        keep = torch.as_tensor(np.arange(frames_n)[None, :] < counts[:, None], device=device)
        frames.mul_(keep.unsqueeze(-1).to(dtype))
    ola = (ws or Workspace()).get("ola", (n, frames_n + r - 1, hop), dtype, device).zero_()
    overlap_add(frames, ola, 0)
    return normalise(ola.view(n, -1), n_fft, hop, counts, lens)


def synthesize(
    re: Tensor, im: Tensor, n_fft: int, hop: int, *, centered_phase: bool = False, ws: Workspace | None = None
) -> Tensor:
    """Windowed time-domain frames ``(N, K, n_fft)`` of spectra ``(re, im)`` (a workspace buffer if ``ws``)."""
    n, frames_n, _ = re.shape
    half = n_fft // 2
    device, dtype = re.device, re.dtype
    ws = ws or Workspace()
    spec = torch.complex(re, im, out=ws.get("ispec", tuple(re.shape), _complex(dtype), device))
    raw = torch.fft.irfft(spec, n=n_fft, out=ws.get("iraw", (n, frames_n, n_fft), dtype, device))
    window = hann_window(n_fft, device, dtype)
    if not centered_phase:
        return raw.mul_(window)
    frames = ws.get("iframes", (n, frames_n, n_fft), dtype, device)
    torch.mul(raw[..., half:], window[:half], out=frames[..., :half])
    torch.mul(raw[..., :half], window[half:], out=frames[..., half:])
    return frames


def overlap_add(frames: Tensor, ola: Tensor, first: int) -> None:
    """Add frames ``(N, K, n_fft)`` into ``ola (N, blocks, hop)`` (padded output in hops) as frames
    ``first .. first + K - 1``: ``n_fft = r * hop``, so quarter ``j`` of frame ``k`` lands on block ``k + j``."""
    n, frames_n, n_fft = frames.shape
    hop = ola.shape[-1]
    parts = frames.view(n, frames_n, n_fft // hop, hop)
    for j in range(n_fft // hop):
        ola[:, first + j : first + j + frames_n] += parts[:, :, j]


def normalise(ola: Tensor, n_fft: int, hop: int, counts: np.ndarray, lens: np.ndarray) -> Tensor:
    """Divide an overlap-added padded output ``(N, P)`` by each clip's squared-window envelope (clip ``i`` has
    ``counts[i]`` frames) and crop to ``lens[i]`` samples (zeros after): a new ``(N, max(lens))`` tensor."""
    n = ola.shape[0]
    half = n_fft // 2
    r = n_fft // hop
    device, dtype = ola.device, ola.dtype
    out_len = int(lens.max()) if n else 0
    # Envelope: periodic in the interior, then the head (first frames) and each clip's own tail.
    head, period, tails = _envelope_tables(n_fft, hop)
    padded_len = ola.shape[1]
    reps = -(-padded_len // hop)
    env = np.tile(period, reps)[:padded_len].copy()
    env[: min(n_fft, padded_len)] = head[: min(n_fft, padded_len)]
    inv = torch.as_tensor(1.0 / np.maximum(env, 1e-8), dtype=dtype, device=device)
    y = ola[:, half : half + out_len] * inv[half : half + out_len]
    # Per-clip tail correction: positions past the start of the clip's last+1 frame see fewer frames.
    starts = counts * hop
    q = np.arange(n_fft)
    pos = starts[:, None] + q[None, :]
    full = env[np.minimum(pos, padded_len - 1)]
    own = tails[np.minimum(counts, r - 1)[:, None], q[None, :]]
    cols = pos - half
    valid = (cols >= 0) & (cols < lens[:, None]) & (pos < padded_len)
    if valid.any():
        rows = np.broadcast_to(np.arange(n)[:, None], pos.shape)[valid]
        cols = cols[valid]
        fix = full[valid] / np.maximum(own[valid], 1e-8)
        idx = torch.as_tensor(rows * out_len + cols, device=device)
        flat = y.view(-1)
        flat[idx] = flat[idx] * torch.as_tensor(fix, dtype=dtype, device=device)
    if out_len and int(lens.min()) < out_len:
        keep = torch.as_tensor(np.arange(out_len)[None, :] < lens[:, None], device=device)
        y.mul_(keep.to(dtype))
    return y
