"""Argument checks shared by every augmenter: each raises ConfigError naming the parameter."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from .errors import ConfigError, did_you_mean

__all__ = ["check_choice", "check_int", "check_int_range", "check_number", "check_prob", "check_range"]


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or (not isinstance(value, int | float) and not hasattr(value, "__float__")):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ConfigError(f"{name} must be finite, got {value!r}")
    return out


def _is_sequence(value: Any) -> bool:
    """A list, tuple, array or tensor of values; a 0-d array or tensor is one number (it defines __iter__)."""
    return isinstance(value, Iterable) and not isinstance(value, str) and getattr(value, "ndim", 1) != 0


def check_prob(p: Any, name: str = "p") -> float:
    """A probability in [0, 1].

    Example:
        >>> check_prob(0.5)
        0.5
    """
    value = _number(p, name)
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"{name} must be a probability in [0, 1], got {p!r}")
    return value


def check_range(
    value: Any,
    name: str,
    *,
    symmetric: bool = False,
    center: float = 0.0,
    min_value: float | None = None,
    max_value: float | None = None,
) -> tuple[float, float]:
    """A ``(low, high)`` range from a pair, or from one number.

    One number ``v`` means ``(center - v, center + v)`` when ``symmetric`` (it must then be >= 0), else
    ``(v, v)``. Both ends must lie within ``[min_value, max_value]`` and ``low <= high``.

    Example:
        >>> check_range(30, "degrees", symmetric=True)
        (-30.0, 30.0)
        >>> check_range((0.8, 1.2), "scale", min_value=0.0)
        (0.8, 1.2)
    """
    if isinstance(value, str | dict):
        raise ConfigError(f"{name} must be a number or a (low, high) pair, got {value!r}")
    if _is_sequence(value):
        items = list(value)
        if len(items) != 2:
            raise ConfigError(f"{name} must be a number or a (low, high) pair, got {value!r}")
        low, high = _number(items[0], name), _number(items[1], name)
    else:
        v = _number(value, name)
        if symmetric:
            if v < 0:
                raise ConfigError(f"{name} as one number means (-{name}, +{name}) and must be >= 0, got {v}")
            low, high = center - v, center + v
        else:
            low = high = v
    if low > high:
        raise ConfigError(f"{name} must be (low, high) with low <= high, got {value!r}")
    if min_value is not None and low < min_value:
        raise ConfigError(f"{name} must be >= {min_value}, got {value!r}")
    if max_value is not None and high > max_value:
        raise ConfigError(f"{name} must be <= {max_value}, got {value!r}")
    return (low, high)


def _not_a_range(value: Any, name: str) -> None:
    if _is_sequence(value):
        raise ConfigError(f"{name} must be a single number, not a range, got {value!r}")


def check_number(
    value: Any, name: str, *, min_value: float | None = None, max_value: float | None = None
) -> float:
    """One finite number within ``[min_value, max_value]`` (a ``(low, high)`` pair is refused, not cut to its
    first value).

    Example:
        >>> check_number(0.25, "fill")
        0.25
    """
    _not_a_range(value, name)
    return check_range(value, name, min_value=min_value, max_value=max_value)[0]


def check_int(value: Any, name: str, *, min_value: int | None = None, max_value: int | None = None) -> int:
    """One integer within ``[min_value, max_value]`` (a ``(low, high)`` pair is refused).

    Example:
        >>> check_int(3, "severity", min_value=1)
        3
    """
    _not_a_range(value, name)
    return check_int_range(value, name, min_value=min_value, max_value=max_value)[0]


def check_int_range(
    value: Any, name: str, *, min_value: int | None = None, max_value: int | None = None
) -> tuple[int, int]:
    """An inclusive ``(low, high)`` integer range from a pair or one integer ``v`` meaning ``(v, v)``.

    Example:
        >>> check_int_range((1, 3), "n")
        (1, 3)
    """
    items = list(value) if _is_sequence(value) else [value, value]
    # numpy and torch integers count (numbers.Integral, or a 0-d integer array or tensor), bools do not
    items = [v.item() if getattr(v, "ndim", None) == 0 and hasattr(v, "item") else v for v in items]
    if len(items) != 2 or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in items):
        raise ConfigError(f"{name} must be an integer or a (low, high) pair of integers, got {value!r}")
    low, high = items
    if low > high:
        raise ConfigError(f"{name} must be (low, high) with low <= high, got {value!r}")
    if min_value is not None and low < min_value:
        raise ConfigError(f"{name} must be >= {min_value}, got {value!r}")
    if max_value is not None and high > max_value:
        raise ConfigError(f"{name} must be <= {max_value}, got {value!r}")
    return (int(low), int(high))


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """One of a fixed set of strings.

    Example:
        >>> check_choice("bilinear", "interpolation", ["nearest", "bilinear"])
        'bilinear'
    """
    options = list(choices)
    if value not in options:
        raise ConfigError(
            f"{name} must be one of {options}, got {value!r}{did_you_mean(str(value), options)}"
        )
    return value
