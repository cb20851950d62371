"""Stable per-sample keys: every output is a pure function of (seed, relative path, copy index)."""

from __future__ import annotations

from ..core.random import hash64

__all__ = ["sample_key"]


def sample_key(rel_path: str, copy: int, line: int | None = None) -> int:
    """A stable 63-bit key for one output sample (BLAKE2b via :func:`multiaug.core.random.hash64`, never
    Python's salted ``hash()``).

    ``rel_path`` is the POSIX relative path of the source inside INPUT, ``copy`` the copy index and ``line``
    the sample's line/row number inside a text file (``None`` for images and audio).

    Example:
        >>> sample_key("images/cat.png", 0) == sample_key("images/cat.png", 0)
        True
        >>> sample_key("images/cat.png", 0) != sample_key("images/cat.png", 1)
        True
        >>> 0 <= sample_key("a.txt", 0, line=3) < 2**63
        True
    """
    parts = (
        ("multiaug.offline", rel_path, int(copy))
        if line is None
        else ("multiaug.offline", rel_path, int(copy), int(line))
    )
    return hash64(*parts) >> 1
