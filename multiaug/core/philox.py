"""Philox4x32-10, the counter-based generator of Salmon et al. (SC'11), in vectorised numpy.

Every 32-bit word is held in a ``uint64`` array so the 32x32-bit products fit without overflow. The output is a
pure function of (counter, key): no state, so any random number can be computed directly from its address.

Two implementations of the same function, each fastest in its range (``random.Draws`` picks one):
``philox4x32_lanes`` for one to a few hundred blocks, which packs every block's word into one 64-bit lane of a big
Python integer so that one integer operation advances all blocks at once (products of 32-bit words never carry
into the next lane); and ``philox4x32`` on numpy arrays for large counts, where numpy's per-call overhead no
longer dominates.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["lane_ones", "philox4x32", "philox4x32_lanes"]

_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_MASK = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)


def philox4x32(counter: tuple[np.ndarray, ...], key: tuple[int, int], rounds: int = 10) -> list[np.ndarray]:
    """Apply Philox4x32 to broadcastable counter words ``(c0, c1, c2, c3)`` under the 2-word ``key``.

    Returns four ``uint64`` arrays holding 32-bit outputs.

    Example (a published Random123 known-answer vector):
        >>> out = philox4x32(tuple(np.array([0], np.uint64) for _ in range(4)), (0, 0))
        >>> [f"{int(w[0]):08x}" for w in out]
        ['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']
    """
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint64) & _MASK for c in counter)
    c0, c1, c2, c3 = np.broadcast_arrays(c0, c1, c2, c3)
    k0 = np.uint64(key[0]) & _MASK
    k1 = np.uint64(key[1]) & _MASK
    for r in range(rounds):
        if r:
            k0 = (k0 + _W0) & _MASK
            k1 = (k1 + _W1) & _MASK
        p0 = _M0 * c0
        p1 = _M1 * c2
        c0, c1, c2, c3 = (
            (p1 >> _SHIFT) ^ c1 ^ k0,
            p1 & _MASK,
            (p0 >> _SHIFT) ^ c3 ^ k1,
            p0 & _MASK,
        )
    return [c0, c1, c2, c3]


@lru_cache(maxsize=64)
def lane_ones(lanes: int) -> int:
    """The integer with a 1 at the bottom of each of ``lanes`` 64-bit lanes (multiply by it to broadcast)."""
    return int.from_bytes(b"\x01\x00\x00\x00\x00\x00\x00\x00" * lanes, "little")


def philox4x32_lanes(
    counter: tuple[int, int, int, int], key: tuple[int, int], lanes: int, rounds: int = 10
) -> tuple[int, int, int, int]:
    """The same function on ``lanes`` blocks at once, each counter word packed as 64-bit lanes of one integer.

    Lane ``i`` of ``counter[j]`` (bits ``64 i .. 64 i + 31``) is word ``j`` of block ``i``; the upper half of every
    lane must be zero. The four outputs are packed the same way.

    Example:
        >>> ones = lane_ones(2)
        >>> out = philox4x32_lanes((0, 0, 0, 0), (0, 0), lanes=2)
        >>> [f"{(w >> 64) & 0xFFFFFFFF:08x}" for w in out]   # lane 1, the same vector as lane 0
        ['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']
    """
    c0, c1, c2, c3 = counter
    k0, k1 = key[0] & 0xFFFFFFFF, key[1] & 0xFFFFFFFF
    if lanes == 1:  # plain integers: no lane masks or key broadcasts (a quarter faster)
        for _ in range(rounds):
            p0 = 0xD2511F53 * c0
            p1 = 0xCD9E8D57 * c2
            c0, c1, c2, c3 = (p1 >> 32) ^ c1 ^ k0, p1 & 0xFFFFFFFF, (p0 >> 32) ^ c3 ^ k1, p0 & 0xFFFFFFFF
            k0 = (k0 + 0x9E3779B9) & 0xFFFFFFFF
            k1 = (k1 + 0xBB67AE85) & 0xFFFFFFFF
        return c0, c1, c2, c3
    ones = lane_ones(lanes)
    low = 0xFFFFFFFF * ones
    for _ in range(rounds):
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = (
            ((p1 >> 32) & low) ^ c1 ^ (k0 * ones),
            p1 & low,
            ((p0 >> 32) & low) ^ c3 ^ (k1 * ones),
            p0 & low,
        )
        k0 = (k0 + 0x9E3779B9) & 0xFFFFFFFF
        k1 = (k1 + 0xBB67AE85) & 0xFFFFFFFF
    return c0, c1, c2, c3
