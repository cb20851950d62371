"""The shared machinery of word-level text augmenters: knobs, eligible words, edits in, edits out."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any, Literal, overload

import numpy as np

from multiaug.core.checks import check_prob
from multiaug.core.errors import ConfigError
from multiaug.core.random import Draws, mix_keys

from .base import TextAugmenter, TextBatch
from .edits import apply_edits
from .stopwords import resolve_protect, resolve_stopwords
from .tokenize import analyse, word_positions

__all__ = ["WordAugmenter", "bank_uniforms", "edit_count", "uniform_bank", "uniforms"]

Edit = dict[str, Any]


def edit_count(n_words: int, aug_p: float, aug_min: int, aug_max: int | None) -> int:
    """How many words an op edits: ``max(aug_min, int(aug_p * n_words))``, at most ``aug_max``.

    With ``aug_min=1`` this is EDA's ``n = max(1, int(alpha * n_words))``.

    Example:
        >>> edit_count(25, 0.1, 1, None), edit_count(5, 0.1, 1, None), edit_count(200, 0.3, 1, 10)
        (2, 1, 10)
    """
    n = max(aug_min, int(aug_p * n_words))
    return n if aug_max is None else min(n, aug_max)


@overload
def _check_count(value: Any, name: str, *, allow_none: Literal[False] = False) -> int: ...
@overload
def _check_count(value: Any, name: str, *, allow_none: bool) -> int | None: ...
def _check_count(value: Any, name: str, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        expected = "a non-negative integer or None" if allow_none else "a non-negative integer"
        raise ConfigError(f"{name} must be {expected}, got {value!r}")
    return value


_GAMMA = np.uint64(0x9E3779B97F4A7C15)


def uniform_bank(seeds: np.ndarray, k: int) -> np.ndarray:
    """``k`` uniforms per text, ``(n, k)`` float64: the SplitMix64 stream started at each text's draws seed.

    One vectorised step for the whole batch (cheap also for one text); ops that need more values continue with
    a ``random.Random`` seeded with the same seed (:func:`bank_uniforms`).

    Example:
        >>> bank = uniform_bank(np.array([1, 2]), 3)
        >>> bank.shape, bool(((bank >= 0) & (bank < 1)).all())
        ((2, 3), True)
    """
    # array arithmetic wraps modulo 2**64 without a warning
    state = (
        np.atleast_1d(seeds).astype(np.uint64)[:, None]
        + np.arange(1, k + 1, dtype=np.uint64)[None, :] * _GAMMA
    )
    return (mix_keys(state, 0) >> np.uint64(11)).astype(np.float64) * 2.0**-53


def bank_uniforms(bank: list[float], seed: int, k: int) -> list[float]:
    """``k`` uniforms: the bank first, then a ``random.Random(seed)`` for the rest.

    Example:
        >>> bank_uniforms([0.5, 0.25], 1, 1), len(bank_uniforms([0.5], 1, 3))
        ([0.5], 3)
    """
    if k <= len(bank):
        return bank[:k]
    extra = random.Random(seed)
    return bank + [extra.random() for _ in range(k - len(bank))]


def uniforms(rng: random.Random, k: int) -> list[float]:
    """``k`` uniforms from a per-sample ``random.Random``.

    Example:
        >>> len(uniforms(random.Random(0), 3))
        3
    """
    return [rng.random() for _ in range(k)]


class WordAugmenter(TextAugmenter):
    """Base of word-level ops: ``aug_p``/``aug_min``/``aug_max`` (how many words), ``stopwords``, ``protect``.

    Subclasses implement ``_edits(text, rng) -> list[edit]`` (see :mod:`multiaug.text.edits`); ``sample`` gives
    every text its own ``random.Random`` from ``draws.python_random()`` and ``apply`` replays the edits.
    """

    def __init__(
        self,
        *,
        aug_p: float = 0.1,
        aug_min: int = 1,
        aug_max: int | None = None,
        stopwords: str | Iterable[str] | None = None,
        protect: str | Iterable[str] | None = None,
        p: float = 1.0,
    ) -> None:
        super().__init__(p=p)
        self.aug_p = check_prob(aug_p, "aug_p")
        self.aug_min = _check_count(aug_min, "aug_min")
        self.aug_max = _check_count(aug_max, "aug_max", allow_none=True)
        if self.aug_max is not None and self.aug_max < self.aug_min:
            raise ConfigError(f"aug_max must be >= aug_min ({aug_min}), got {aug_max!r}")
        self._stopwords = resolve_stopwords(stopwords)
        self._protect_re, self._protect_set = resolve_protect(protect)
        self._plain = not self._stopwords and not self._protect_set and self._protect_re is None

    # -- helpers shared by the ops -------------------------------------------------------------------------------
    def _count(self, n_words: int) -> int:
        return edit_count(n_words, self.aug_p, self.aug_min, self.aug_max)

    def is_protected(self, token: str) -> bool:
        """True for tokens the user protected (by set or regex); they are never edited nor moved."""
        if token in self._protect_set:
            return True
        return self._protect_re is not None and self._protect_re.fullmatch(token) is not None

    def eligible(self, tokens: tuple[str, ...], words: tuple[int, ...] | None = None) -> Sequence[int]:
        """Indices of the word tokens an op may touch: words that are neither stopwords nor protected.

        ``words``: the word positions when known (from :func:`multiaug.text.tokenize.analyse`).
        """
        if words is None:
            words = word_positions(tokens)
        if self._plain:
            return words
        stop = self._stopwords
        return [i for i in words if tokens[i].lower() not in stop and not self.is_protected(tokens[i])]

    # -- the TextAugmenter protocol --------------------------------------------------------------------------------
    def _edits(self, text: str, rng: random.Random) -> list[Edit]:
        raise TypeError(f"{type(self).__name__} must implement _edits")

    #: Ops with few draws per text (swap, deletion) read a bank of this many uniforms per text (see
    #: :func:`uniform_bank`) before falling back to a ``random.Random`` seeded with the text's seed.
    bank_size: int = 16

    def sample(self, batch: TextBatch, draws: Draws) -> dict[str, Any]:
        rngs = draws.python_random()
        return {
            "edits": [
                self._edits(text, rng) if text and not text.isspace() else []
                for text, rng in zip(batch.texts, rngs)
            ]
        }

    def apply(self, batch: TextBatch, params: dict[str, Any]) -> TextBatch:
        return TextBatch([apply_edits(t, e) for t, e in zip(batch.texts, params["edits"])])

    @staticmethod
    def tokens(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...]]:
        """The text's tokens, separators and word positions (tuples shared through a cache: copy to edit)."""
        return analyse(text)
