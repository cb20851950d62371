"""Atomic file writes: write a hidden temporary file next to the target, then rename it into place."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

__all__ = ["TEMP_SUFFIX", "atomic_write", "remove_stale_temps"]

#: Suffix of the temporary files; a killed run may leave some behind, :func:`remove_stale_temps` clears them.
TEMP_SUFFIX = ".multiaug-tmp"


def _temp_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}-{threading.get_ident()}{TEMP_SUFFIX}")


def atomic_write(target: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` to write a temporary file, then rename it to ``target`` in one step.

    A crash at any moment leaves either the old ``target`` (or none) or the complete new one, never a
    half-written file under the target's name. Parent folders are created.

    Example:
        >>> import tempfile
        >>> d = Path(tempfile.mkdtemp())
        >>> atomic_write(d / "a" / "x.txt", lambda p: p.write_text("hi"))
        >>> (d / "a" / "x.txt").read_text()
        'hi'
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_path(target)
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def remove_stale_temps(root: Path) -> int:
    """Delete temporary files left in ``root`` by a killed run; returns how many were removed."""
    n = 0
    if not root.is_dir():
        return 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(dirpath, name))
                    n += 1
    return n
