"""The errors multiaug raises. Each message says what was expected and what came."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["ConfigError", "InputError", "InputTypeError", "MultiaugError", "did_you_mean"]


class MultiaugError(Exception):
    """Base class of every error multiaug raises on purpose."""


class ConfigError(MultiaugError, ValueError):
    """A bad augmenter argument or configuration: unknown key or name, value out of range."""


class InputError(MultiaugError, ValueError):
    """Data with the right type but a wrong value: wrong rank, NaN, an empty batch, bad lengths."""


class InputTypeError(MultiaugError, TypeError):
    """Data of the wrong type: a string where a tensor belongs, an integer audio tensor."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""`` when none is close.

    Example:
        >>> did_you_mean("degree", ["degrees", "p"])
        " (did you mean 'degrees'?)"
    """
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
