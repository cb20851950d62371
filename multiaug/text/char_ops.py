"""Character-level noise: KeyboardTypo (QWERTY neighbours) and CharNoise (insert/delete/swap/substitute)."""

from __future__ import annotations

import random
import string
import unicodedata
from collections.abc import Iterable, Sequence

from multiaug.core import register
from multiaug.core.checks import check_prob
from multiaug.core.errors import ConfigError

from .tokenize import is_number
from .word_base import Edit, WordAugmenter, _check_count

__all__ = ["QWERTY_NEIGHBOURS", "CharNoise", "KeyboardTypo", "graphemes"]


def _qwerty_neighbours() -> dict[str, str]:
    rows = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
    offsets = (0.0, 0.5, 0.75, 1.25)
    pos = {ch: (off + c, r) for r, (row, off) in enumerate(zip(rows, offsets)) for c, ch in enumerate(row)}
    out = {}
    for ch, (x, y) in pos.items():
        near = [o for o, (u, v) in pos.items() if o != ch and (u - x) ** 2 + (v - y) ** 2 < 1.3**2]
        out[ch] = "".join(sorted(near))
    return out


#: Keys next to each key on a QWERTY keyboard (lower-case letters and digits).
QWERTY_NEIGHBOURS = _qwerty_neighbours()
_DIGIT_NEIGHBOURS = {
    d: "".join(ch for ch in near if ch.isdigit()) for d, near in QWERTY_NEIGHBOURS.items() if d.isdigit()
}
ACTIONS = ("insert", "delete", "swap", "substitute")
_JOINERS = ("\u200c", "\u200d")


def graphemes(word: str) -> list[str]:
    """The characters of a word as a reader sees them: a letter with its combining marks (and zero-width joiners)
    is one character, so noise never strips, moves or doubles an accent on its own.

    Example:
        >>> graphemes("cafe\\u0301")[-1] == "e\\u0301", len(graphemes("cafe\\u0301")), len("cafe\\u0301")
        (True, 4, 5)
    """
    out: list[str] = []
    for ch in word:
        if out and (unicodedata.category(ch)[0] == "M" or ch in _JOINERS or out[-1].endswith(_JOINERS)):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _nfc(cluster: str) -> tuple[str, str]:
    """Sort key of a word's own alphabet: composed and decomposed accents sort alike (ties broken by code)."""
    return unicodedata.normalize("NFC", cluster), cluster


class _CharAugmenter(WordAugmenter):
    def __init__(
        self,
        *,
        aug_p: float = 0.1,
        aug_min: int = 1,
        aug_max: int | None = None,
        aug_char_p: float = 0.1,
        aug_char_min: int = 1,
        aug_char_max: int | None = 2,
        min_length: int = 3,
        numbers: bool = False,
        stopwords: str | Iterable[str] | None = None,
        protect: str | Iterable[str] | None = None,
        p: float = 1.0,
    ) -> None:
        super().__init__(
            aug_p=aug_p, aug_min=aug_min, aug_max=aug_max, stopwords=stopwords, protect=protect, p=p
        )
        if not isinstance(numbers, bool):
            raise ConfigError(f"numbers must be True or False, got {numbers!r}")
        self.numbers = numbers
        self.aug_char_p = check_prob(aug_char_p, "aug_char_p")
        self.aug_char_min = _check_count(aug_char_min, "aug_char_min")
        self.aug_char_max = _check_count(aug_char_max, "aug_char_max", allow_none=True)
        if self.aug_char_max is not None and self.aug_char_max < self.aug_char_min:
            raise ConfigError(f"aug_char_max must be >= aug_char_min ({aug_char_min}), got {aug_char_max!r}")
        self.min_length = _check_count(min_length, "min_length")

    def _char_count(self, n: int) -> int:
        k = max(self.aug_char_min, int(self.aug_char_p * n))
        return k if self.aug_char_max is None else min(k, self.aug_char_max)

    def _noisy(self, word: str, rng: random.Random) -> str:
        raise TypeError(f"{type(self).__name__} must implement _noisy")

    def _noisy_number(self, number: str, rng: random.Random) -> str:
        raise TypeError(f"{type(self).__name__} must implement _noisy_number")

    def _edits(self, text: str, rng: random.Random) -> list[Edit]:
        tokens, _, words = self.tokens(text)
        eligible = [
            i
            for i in self.eligible(tokens, words)
            if len(graphemes(tokens[i])) >= self.min_length and (self.numbers or not is_number(tokens[i]))
        ]
        if not eligible:
            return []
        n = min(self._count(len(words)), len(eligible))
        edits: list[Edit] = []
        for i in sorted(rng.sample(eligible, n)):
            noisy = self._noisy_number if is_number(tokens[i]) else self._noisy
            new = noisy(tokens[i], rng)
            if new != tokens[i]:
                edits.append({"op": "sub", "i": i, "old": tokens[i], "new": new})
        return edits


def _same_case(like: str, ch: str) -> str:
    """``ch`` in the case of ``like`` (scripts without case are left as they are)."""
    return ch.upper() if like.isupper() else ch.lower() if like.islower() else ch


@register("text.KeyboardTypo")
class KeyboardTypo(_CharAugmenter):
    """Typos from neighbouring keys on a QWERTY keyboard, keeping each character's case.

    ``aug_p``/``aug_min``/``aug_max`` choose how many words get typos (words shorter than ``min_length`` are left
    alone); in each, ``max(aug_char_min, int(aug_char_p * len(word)))`` characters (at most ``aug_char_max``)
    become a neighbouring key. Numbers (``3.5``, ``1,000``) are left alone unless ``numbers=True``; then their
    digits become neighbouring digit keys, so a number stays a number.

    Example:
        >>> import multiaug.text as mt
        >>> mt.KeyboardTypo(aug_p=0.3)("Typing quickly causes mistakes.", seed=0)
        'Fyping quickly causes mistakes.'
    """

    def _noisy(self, word: str, rng: random.Random) -> str:
        chars = graphemes(word)
        positions = [k for k, ch in enumerate(chars) if ch.lower() in QWERTY_NEIGHBOURS]
        if not positions:
            return word
        for k in rng.sample(positions, min(self._char_count(len(chars)), len(positions))):
            near = QWERTY_NEIGHBOURS[chars[k].lower()]
            chars[k] = _same_case(chars[k], near[rng.randrange(len(near))])
        return "".join(chars)

    def _noisy_number(self, number: str, rng: random.Random) -> str:
        chars = list(number)
        positions = [k for k, ch in enumerate(chars) if ch in _DIGIT_NEIGHBOURS]
        for k in rng.sample(positions, min(self._char_count(len(chars)), len(positions))):
            near = _DIGIT_NEIGHBOURS[chars[k]]
            chars[k] = near[rng.randrange(len(near))]
        return "".join(chars)


@register("text.CharNoise")
class CharNoise(_CharAugmenter):
    """Random character edits inside words: insert, delete, swap (adjacent) or substitute.

    ``actions`` picks the kinds of edit (each edit draws one uniformly); inserted and substituted characters come
    from ``alphabet`` (default: ``a-z`` for ASCII words, else the word's own characters) in the neighbour's case.
    A word never loses its last character; a letter and its combining accents count as one character. Numbers
    (``3.5``, ``1,000``) are left alone unless ``numbers=True``; then only their digits are edited, with digits,
    and every group of digits keeps at least one, so a number stays a number (``3.5`` never becomes ``.``).

    Example:
        >>> import multiaug.text as mt
        >>> mt.CharNoise(aug_p=0.3)("Noisy channels corrupt characters.", seed=0)
        'Niosy channels corrupt characters.'
    """

    def __init__(
        self,
        *,
        actions: Sequence[str] = ACTIONS,
        alphabet: str | None = None,
        aug_p: float = 0.1,
        aug_min: int = 1,
        aug_max: int | None = None,
        aug_char_p: float = 0.1,
        aug_char_min: int = 1,
        aug_char_max: int | None = 2,
        min_length: int = 3,
        numbers: bool = False,
        stopwords: str | Iterable[str] | None = None,
        protect: str | Iterable[str] | None = None,
        p: float = 1.0,
    ) -> None:
        super().__init__(
            aug_p=aug_p,
            aug_min=aug_min,
            aug_max=aug_max,
            aug_char_p=aug_char_p,
            aug_char_min=aug_char_min,
            aug_char_max=aug_char_max,
            min_length=min_length,
            numbers=numbers,
            stopwords=stopwords,
            protect=protect,
            p=p,
        )
        if isinstance(actions, str) or not actions or any(a not in ACTIONS for a in actions):
            raise ConfigError(f"actions must be a non-empty list drawn from {list(ACTIONS)}, got {actions!r}")
        if alphabet is not None and (not isinstance(alphabet, str) or not alphabet):
            raise ConfigError(f"alphabet must be a non-empty string or None, got {alphabet!r}")
        self.actions = tuple(actions)
        self.alphabet = alphabet

    def _noisy(self, word: str, rng: random.Random) -> str:
        chars = graphemes(word)
        alphabet: Sequence[str] = self.alphabet or (
            string.ascii_lowercase if word.isascii() else sorted(set(chars), key=_nfc)
        )
        for _ in range(self._char_count(len(chars))):
            action = self.actions[rng.randrange(len(self.actions))]
            k = rng.randrange(len(chars))
            new = alphabet[rng.randrange(len(alphabet))]
            if action == "insert":
                chars.insert(k, _same_case(chars[k], new))
            elif action == "delete" and len(chars) > 1:
                del chars[k]
            elif action == "swap" and len(chars) > 1:
                k = min(k, len(chars) - 2)
                chars[k], chars[k + 1] = chars[k + 1], chars[k]
            elif action == "substitute":
                chars[k] = _same_case(chars[k], new)
        return "".join(chars)

    def _noisy_number(self, number: str, rng: random.Random) -> str:
        chars = list(number)
        for _ in range(self._char_count(len(chars))):
            action = self.actions[rng.randrange(len(self.actions))]
            digits = [k for k, ch in enumerate(chars) if ch.isdigit()]
            k = digits[rng.randrange(len(digits))]
            new = string.digits[rng.randrange(10)]
            group = [j for j in (k - 1, k + 1) if 0 <= j < len(chars) and chars[j].isdigit()]
            if action == "insert":
                chars.insert(k, new)
            elif action == "delete" and group:  # a group of digits keeps at least one
                del chars[k]
            elif action == "swap" and group:
                j = group[-1]
                chars[k], chars[j] = chars[j], chars[k]
            elif action == "substitute":
                chars[k] = new
        return "".join(chars)
