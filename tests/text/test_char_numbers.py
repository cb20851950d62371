"""Character noise leaves numbers alone by default; with ``numbers=True`` a number stays a number."""

from __future__ import annotations

import re

import pytest

import multiaug.text as mt
from multiaug.text.tokenize import is_number, tokenize

TEXT = "It costs 3.5 dollars, 1,000 cents or 2024 yen at 3:30 today."
NUMBERS = ["3.5", "1,000", "2024", "3:30"]
OPS = [mt.CharNoise, mt.KeyboardTypo]


def test_is_number() -> None:
    assert all(is_number(t) for t in NUMBERS)
    assert not any(is_number(t) for t in ["4th", "mp3", "COVID-19", "dollars", "..."])


@pytest.mark.parametrize("op", OPS)
def test_numbers_are_left_alone_by_default(op) -> None:
    aug = op(aug_p=1.0, aug_char_max=None, aug_char_p=1.0)
    changed = 0
    for seed in range(30):
        out = aug(TEXT, seed=seed)
        tokens = tokenize(out)[0]
        assert all(n in tokens for n in NUMBERS), out
        changed += out != TEXT
    assert changed == 30


def _shape(number: str) -> str:
    return re.sub(r"\d+", "9", number)


@pytest.mark.parametrize("op", OPS)
def test_numbers_true_edits_digits_and_keeps_a_number(op) -> None:
    aug = op(aug_p=1.0, aug_char_max=3, numbers=True)
    edited = 0
    for seed in range(40):
        out = aug(TEXT, seed=seed)
        before = tokenize(TEXT)[0]
        tokens = [t for t, b in zip(tokenize(out)[0], before, strict=True) if b in NUMBERS]
        for new, old in zip(tokens, NUMBERS):
            assert is_number(new) and _shape(new) == _shape(old), (old, new, out)  # "3.5" never becomes "."
            edited += new != old
    assert edited >= 40


def test_numbers_true_is_recorded_and_replays() -> None:
    aug = mt.CharNoise(aug_p=1.0, numbers=True)
    assert mt.CharNoise(numbers=True).to_config()["numbers"] is True
    out, rec = aug([TEXT, "Pi is 3.14159."], seed=1, return_params=True)
    assert aug([TEXT, "Pi is 3.14159."], params=rec) == out


def test_numbers_must_be_a_bool() -> None:
    from multiaug.core.errors import ConfigError

    with pytest.raises(ConfigError, match="numbers"):
        mt.CharNoise(numbers="yes")
