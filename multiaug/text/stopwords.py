"""Stopword lists and the protected-token rule shared by the word-level augmenters."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from multiaug.core.errors import ConfigError

__all__ = ["ENGLISH_STOPWORDS", "english_stopwords", "resolve_protect", "resolve_stopwords"]

_PATH = Path(__file__).resolve().parent / "resources" / "stopwords_en.txt"


@lru_cache(maxsize=1)
def english_stopwords() -> frozenset[str]:
    """The default English stopword list shipped with multiaug (lower case).

    Example:
        >>> "the" in english_stopwords(), "dog" in english_stopwords()
        (True, False)
    """
    lines = _PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


ENGLISH_STOPWORDS = "english"


def resolve_stopwords(stopwords: str | Iterable[str] | None, name: str = "stopwords") -> frozenset[str]:
    """``"english"`` -> the shipped list; ``None`` -> none; a list of words -> those words (case-insensitive).

    Example:
        >>> sorted(resolve_stopwords(["The", "a"]))
        ['a', 'the']
    """
    if stopwords is None:
        return frozenset()
    if isinstance(stopwords, str):
        if stopwords == ENGLISH_STOPWORDS:
            return english_stopwords()
        raise ConfigError(f"{name} must be 'english', None or a list of words, got {stopwords!r}")
    try:
        words = [str(w).lower() for w in stopwords]
    except TypeError:
        raise ConfigError(f"{name} must be 'english', None or a list of words, got {stopwords!r}") from None
    return frozenset(words)


def resolve_protect(
    protect: str | Iterable[str] | None, name: str = "protect"
) -> tuple[re.Pattern[str] | None, frozenset[str]]:
    """A regular expression (a ``str``: tokens it fully matches are protected) or a collection of tokens.

    Example:
        >>> pattern, tokens = resolve_protect(r"[A-Z]{2,}")
        >>> bool(pattern.fullmatch("NASA")), tokens
        (True, frozenset())
    """
    if protect is None:
        return None, frozenset()
    if isinstance(protect, str):
        try:
            return re.compile(protect), frozenset()
        except re.error as err:
            raise ConfigError(f"{name} must be a valid regular expression, got {protect!r}: {err}") from None
    try:
        return None, frozenset(str(t) for t in protect)
    except TypeError:
        raise ConfigError(
            f"{name} must be a regex string, a list of tokens or None, got {protect!r}"
        ) from None
