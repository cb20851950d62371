"""Reproducible randomness without global state.

Every random number multiaug uses is addressed by (seed, op path, sample key, draw number, element) and computed
with Philox4x32-10 (``philox.py``). The op path names an augmenter's place in a pipeline by registry name and
occurrence (``Pipeline/image.Rotate#0``), so a sample's draws never depend on the other samples of its batch, on
the device, on the worker that runs it, or on unrelated steps being added to or removed from the pipeline.

Values are derived in float64 on the host and are identical on every platform; augmenters send them to the
device as small tensors, so CPU and CUDA see the same parameters.
"""

from __future__ import annotations

import hashlib
import math
import random as _pyrandom
import secrets
import struct
import sys
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from .errors import InputError, InputTypeError
from .philox import lane_ones, philox4x32, philox4x32_lanes

__all__ = ["SHARED_KEY", "Draws", "fresh_seed", "hash64", "mix_keys", "normalize_keys"]

MASK64 = (1 << 64) - 1
#: The sample key every sample gets when an augmenter shares one draw across the batch.
SHARED_KEY = MASK64
_U32 = np.uint64(0xFFFFFFFF)
_UNIT = 2.0**-53  # a 53-bit integer times this is a uniform float in [0, 1), exactly
_TINY = 2.0**-960  # a range narrower than this would underflow when scaled by _UNIT (never in practice)
#: Up to this many blocks, lanes packed in big integers beat numpy (measured: 3x at 32 blocks, even near 200).
_LANE_BLOCKS = 192


def hash64(*parts: Any) -> int:
    """A stable 64-bit hash of ints and strings (blake2b), the same in every process and Python version.

    Example:
        >>> hash64("a", 1) == hash64("a", 1) != hash64("a", 2)
        True
    """
    data = b"".join(_text_part(p) if isinstance(p, str) else _int_part(p) for p in parts)
    return int.from_bytes(hashlib.blake2b(data, digest_size=8, person=b"multiaug").digest(), "little")


def _int_part(value: Any) -> bytes:
    """An integer's length-prefixed bytes in :func:`hash64`'s input."""
    return b"\x11\x00\x00\x00i" + int(value).to_bytes(16, "little", signed=True)


@lru_cache(maxsize=4096)
def _text_part(text: str) -> bytes:
    """A string's length-prefixed bytes in :func:`hash64`'s input (op paths repeat: cached)."""
    data = b"s" + text.encode("utf-8")
    return struct.pack("<I", len(data)) + data


def fresh_seed() -> int:
    """A new 64-bit seed from the operating system's entropy: never shared by two processes or calls."""
    return secrets.randbits(64)


def worker_seed() -> int | None:
    """The seed of the torch DataLoader worker running this code, or None outside a worker.

    The DataLoader gives every worker ``base_seed + worker id``, with ``base_seed`` drawn anew for every epoch
    (from its ``generator``, else torch's global one): different per worker and per epoch, reproducible when
    the DataLoader's generator (or torch) is seeded.
    """
    if "torch" not in sys.modules:
        return None
    info = sys.modules["torch"].utils.data.get_worker_info()
    return None if info is None else int(info.seed)


def normalize_keys(keys: Any, n: int) -> np.ndarray:
    """Per-sample keys as a ``uint64`` array of length ``n`` (default: the positions ``0..n-1``).

    Example:
        >>> normalize_keys(None, 3).tolist()
        [0, 1, 2]
    """
    if keys is None:
        return _positions(n)
    if hasattr(keys, "detach"):  # a torch tensor
        keys = keys.detach().cpu().numpy()
    arr = np.atleast_1d(np.asarray(keys))
    if arr.dtype.kind not in "iu":
        raise InputTypeError(f"keys must be integers (one per sample), got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.shape[0] != n:
        raise InputError(f"keys must hold one integer per sample: expected {n}, got shape {tuple(arr.shape)}")
    return arr.astype(np.int64).astype(np.uint64)


@lru_cache(maxsize=64)
def _positions(n: int) -> np.ndarray:
    """The default keys ``0..n-1`` (read-only: one array per batch size, shared by every call)."""
    keys = np.arange(n, dtype=np.uint64)
    keys.flags.writeable = False
    return keys


def mix_keys(keys: np.ndarray, salt: int) -> np.ndarray:
    """Derive new per-sample keys from ``keys`` and an integer ``salt`` (splitmix64 finaliser).

    Used to give each channel of a sample its own stream: ``mix_keys(keys, channel)``.
    """
    # numpy's integer array arithmetic wraps without a warning (only scalar products warn, so a 0-d input is
    # computed as a 1-element array): no errstate context (2 us per call) is needed
    keys = np.asarray(keys)
    z = np.atleast_1d(keys).astype(np.uint64) ^ np.uint64((salt * 0x9E3779B97F4A7C15) & MASK64)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return (z ^ (z >> np.uint64(31))).reshape(keys.shape)


def _expand(value: Any, n: int, size: tuple[int, ...]) -> Any:
    """Broadcast a scalar or a per-sample ``(n,)`` array against ``(n, *size)``."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return arr
    if arr.shape[0] != n:
        raise ValueError(f"per-sample values must have length {n}, got shape {arr.shape}")
    return arr.reshape(arr.shape + (1,) * (len(size) + 1 - arr.ndim))


def _lane_block(keys: np.ndarray, index: int, blocks: int, key: tuple[int, int]) -> tuple[int, ...]:
    """Philox on packed lanes for the draw ``index``: block ``b`` of sample ``i`` is lane ``i * blocks + b``;
    the four output words, each packed as 64-bit lanes of one integer."""
    lanes = len(keys) * blocks
    ones = lane_ones(lanes)
    low = 0xFFFFFFFF * ones
    if lanes == 1:
        packed = int(keys[0])
    else:
        lane_keys = keys if blocks == 1 else np.repeat(keys, blocks)
        packed = int.from_bytes(lane_keys.astype("<u8", copy=False).tobytes(), "little")
    block = 0 if blocks == 1 else _block_lanes(len(keys), blocks)
    counter = (packed & low, (packed >> 32) & low, (index & 0xFFFFFFFF) * ones, block)
    return philox4x32_lanes(counter, key, lanes)


def _lane_words(keys: np.ndarray, index: int, blocks: int, key: tuple[int, int]) -> np.ndarray:
    """``_words`` through ``philox4x32_lanes``: ``(n, 4 * blocks)`` uint64 words."""
    c0, c1, c2, c3 = _lane_block(keys, index, blocks, key)
    lanes = len(keys) * blocks
    out = np.empty((lanes, 2), dtype="<u8")
    out[:, 0] = np.frombuffer((c0 | (c1 << 32)).to_bytes(8 * lanes, "little"), dtype="<u8")
    out[:, 1] = np.frombuffer((c2 | (c3 << 32)).to_bytes(8 * lanes, "little"), dtype="<u8")
    return out.view("<u4").reshape(len(keys), blocks * 4).astype(np.uint64)


def _bits53(high: int, low: int, ones: int) -> int:
    """Packed 53-bit uniforms from two packed words: 27 bits of one, 26 of the other, in every lane."""
    return (((high >> 5) & (0x7FFFFFF * ones)) << 26) | ((low >> 6) & (0x3FFFFFF * ones))


def _seed63(high: int, low: int, ones: int) -> int:
    """Packed non-negative 63-bit seeds from two packed words: 31 bits of one, all 32 of the other."""
    return ((high & (0x7FFFFFFF * ones)) << 32) | low


def _lane_pairs(
    keys: np.ndarray, index: int, key: tuple[int, int], count: int, pair: Callable[[int, int, int], int]
) -> np.ndarray:
    """``count`` <= 2 values per sample from one block of packed lanes, each made by ``pair`` from words
    ``2k`` and ``2k + 1``: ``(n, count)`` uint64.

    The values are assembled lane by lane in the packed integers, so numpy sees one buffer (one small array for a
    single sample): a call's fixed cost is mostly small numpy calls, several times slower when the caches are cold.
    """
    n = len(keys)
    words = _lane_block(keys, index, 1, key)
    ones = lane_ones(n)
    values = [pair(words[2 * k], words[2 * k + 1], ones) for k in range(count)]
    if n == 1:
        return np.array([values], dtype=np.uint64)
    raw = b"".join(v.to_bytes(8 * n, "little") for v in values)
    return np.frombuffer(raw, dtype="<u8").reshape(count, n).T


@lru_cache(maxsize=64)
def _block_lanes(n: int, blocks: int) -> int:
    """The packed block numbers ``0..blocks-1`` repeated for ``n`` samples."""
    return int.from_bytes(np.tile(np.arange(blocks, dtype="<u8"), n).tobytes(), "little")


class Draws:
    """Per-sample random draws for one augmenter call.

    Each method call uses one draw number and returns an array whose first dimension is the batch: row ``i``
    depends only on the seed, the op's path, the key of sample ``i``, the draw number and ``size``. Samplers must
    make the same sequence of calls whatever the batch holds.

    Example:
        >>> d = Draws.for_call(seed=0, path="demo", keys=np.arange(3, dtype=np.uint64))
        >>> a = d.uniform(0, 1); b = d.uniform(0, 1)       # two draws, three samples each
        >>> alone = Draws.for_call(0, "demo", np.array([2], np.uint64))
        >>> bool(alone.uniform(0, 1)[0] == a[2])             # a sample's draw ignores its batch
        True
    """

    __slots__ = ("_k0", "_k1", "_keys", "_next")

    def __init__(self, k0: int, k1: int, keys: np.ndarray, start: int = 0) -> None:
        self._k0 = k0
        self._k1 = k1
        self._keys = keys
        self._next = start

    @classmethod
    def for_call(cls, seed: int, path: str, keys: np.ndarray, *, shared: bool = False) -> Draws:
        """The draws of the op at ``path`` for samples with ``keys`` under ``seed``."""
        k = hash64(seed, path)
        if shared:
            keys = np.full(len(keys), SHARED_KEY, dtype=np.uint64)
        else:  # any integer dtype, as normalize_keys gives (the numpy Philox path needs uint64 words)
            keys = np.asarray(keys)
            if keys.dtype != np.uint64:
                keys = keys.astype(np.int64, copy=False).astype(np.uint64, copy=False)
        return cls(k & 0xFFFFFFFF, k >> 32, keys)

    def __len__(self) -> int:
        return len(self._keys)

    def subset(self, index: np.ndarray) -> Draws:
        """The same stream restricted to the samples at ``index``, continuing at the next draw number."""
        return Draws(self._k0, self._k1, self._keys[index], self._next)

    def shared(self) -> Draws:
        """Draws that are the same for every sample of the batch (for batch-level choices)."""
        return Draws(self._k0, self._k1, np.full(len(self._keys), SHARED_KEY, dtype=np.uint64), self._next)

    def skip(self, count: int = 1) -> None:
        """Advance the draw number without drawing (keeps later draws in place when a draw is not needed)."""
        self._next += count

    # -- raw bits ---------------------------------------------------------------------------------------
    def _words(self, count: int) -> np.ndarray:
        """``(n, 4 * ceil(count / 4))`` uint64 array of 32-bit words for the next draw number."""
        blocks = max(1, -(-count // 4))
        index = self._next
        self._next += 1
        if len(self._keys) * blocks <= _LANE_BLOCKS:
            return _lane_words(self._keys, index, blocks, (self._k0, self._k1))
        keys = self._keys[:, None]
        block = np.arange(blocks, dtype=np.uint64)[None, :]
        words = philox4x32(
            (keys & _U32, keys >> np.uint64(32), np.uint64(index), block), (self._k0, self._k1)
        )
        return np.stack(words, axis=-1).reshape(len(self._keys), blocks * 4)

    def _bits(self, size: tuple[int, ...]) -> np.ndarray:
        """Uniform 53-bit integers (``uint64``), shape ``(n, *size)``: ``_bits * 2**-53`` is :meth:`_unit`."""
        count = math.prod(size)
        shape = (len(self._keys), *size)
        if count <= 2 and len(self._keys) <= _LANE_BLOCKS:
            index = self._next
            self._next += 1
            return _lane_pairs(self._keys, index, (self._k0, self._k1), count, _bits53).reshape(shape)
        w = self._words(2 * count)[:, : 2 * count]
        return (((w[:, 0::2] >> np.uint64(5)) << np.uint64(26)) | (w[:, 1::2] >> np.uint64(6))).reshape(shape)

    def _unit(self, size: tuple[int, ...]) -> np.ndarray:
        """Uniform float64 in [0, 1) with 53 random bits, shape ``(n, *size)``."""
        return self._bits(size) * _UNIT

    def _scaled(self, low: Any, high: Any, size: tuple[int, ...]) -> tuple[np.ndarray, Any]:
        """``((high - low) * unit, low)`` for the next draw, with the scaling folded into one numpy product when
        both bounds are single numbers (exact: the unit's 2**-53 is a power of two, so the product rounds once,
        as ``(high - low) * unit`` does)."""
        if isinstance(low, float | int | np.number) and isinstance(high, float | int | np.number):
            lo, width = float(low), float(high) - float(low)
            if width == 0.0 or abs(width) >= _TINY:
                return self._bits(size) * (width * _UNIT), lo
        n = len(self._keys)
        lo, hi = _expand(low, n, size), _expand(high, n, size)
        return (hi - lo) * self._unit(size), lo

    # -- distributions ------------------------------------------------------------------------------------
    def uniform(self, low: Any = 0.0, high: Any = 1.0, size: Sequence[int] = ()) -> np.ndarray:
        """Uniform floats in ``[low, high)``; ``low``/``high`` may be per-sample ``(n,)`` arrays."""
        scaled, lo = self._scaled(low, high, tuple(size))
        scaled += lo
        return scaled

    def log_uniform(self, low: float, high: float, size: Sequence[int] = ()) -> np.ndarray:
        """Floats whose logarithm is uniform in ``[log low, log high)`` (both > 0)."""
        return np.exp(self.uniform(np.log(low), np.log(high), size))

    def integers(self, low: Any, high: Any, size: Sequence[int] = ()) -> np.ndarray:
        """Integers in ``[low, high)`` (``high`` exclusive), ``int64``; per-sample bounds allowed."""
        lo, hi = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
        if np.any(hi <= lo):
            raise ValueError("integers() needs high > low for every sample")
        if np.any(np.abs(lo) > 2.0**53) or np.any(np.abs(hi) > 2.0**53):
            raise ValueError("integers() bounds must lie within +-2**53, where float64 holds every integer")
        scaled, lo = self._scaled(low, high, tuple(size))
        np.floor(scaled, out=scaled)
        scaled += lo
        return scaled.astype(np.int64)

    def normal(self, mean: Any = 0.0, std: Any = 1.0, size: Sequence[int] = ()) -> np.ndarray:
        """Gaussian floats (Box-Muller in float64)."""
        size = tuple(size)
        n = len(self._keys)
        u = self._unit((*size, 2))
        z = np.sqrt(-2.0 * np.log1p(-u[..., 0])) * np.cos(2.0 * np.pi * u[..., 1])
        return _expand(mean, n, size) + _expand(std, n, size) * z

    def bernoulli(self, p: Any, size: Sequence[int] = ()) -> np.ndarray:
        """Booleans that are True with probability ``p``."""
        size = tuple(size)
        if isinstance(p, float | int | np.number):  # compared as 53-bit integers: the same booleans
            return self._bits(size) < float(p) * 2.0**53
        return self._unit(size) < _expand(p, len(self._keys), size)

    def beta(self, a: float, b: float, size: Sequence[int] = ()) -> np.ndarray:
        """Beta(a, b) floats by inverting the regularised incomplete beta function."""
        from scipy.special import betaincinv

        return np.clip(betaincinv(a, b, self._unit(tuple(size))), 0.0, 1.0)

    def choice(self, weights: Sequence[float], size: Sequence[int] = ()) -> np.ndarray:
        """Categorical indices ``0..len(weights)-1`` drawn with probabilities proportional to ``weights``."""
        w = np.asarray(weights, dtype=np.float64)
        cdf = np.cumsum(w / w.sum())
        cdf[-1] = 1.0
        return np.searchsorted(cdf, self._unit(tuple(size)), side="right").astype(np.int64)

    def permutation(self, n: int) -> np.ndarray:
        """A random permutation of ``range(n)`` per sample, shape ``(batch, n)``."""
        return np.argsort(self._unit((n,)), axis=-1, kind="stable").astype(np.int64)

    def seeds(self, size: Sequence[int] = ()) -> np.ndarray:
        """Non-negative 63-bit integer seeds (``int64``), for dense noise regenerated in ``apply``."""
        size = tuple(size)
        count = math.prod(size)
        shape = (len(self._keys), *size)
        if count <= 2 and len(self._keys) <= _LANE_BLOCKS:
            index = self._next
            self._next += 1
            pairs = _lane_pairs(self._keys, index, (self._k0, self._k1), count, _seed63)
            return pairs.astype(np.int64).reshape(shape)
        w = self._words(2 * count)[:, : 2 * count]
        s = ((w[:, 0::2] & np.uint64(0x7FFFFFFF)) << np.uint64(32)) | w[:, 1::2]
        return s.astype(np.int64).reshape(shape)

    def python_random(self) -> list[_pyrandom.Random]:
        """One private ``random.Random`` per sample, for ops that make a data-dependent number of draws."""
        return [_pyrandom.Random(int(s)) for s in self.seeds()]
