"""Word ops that need no lexicon: WordShuffle, RandomSwap, RandomDeletion. They work on any language."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from multiaug.core import register
from multiaug.core.errors import ConfigError
from multiaug.core.random import Draws

from .base import TextBatch
from .casing import deleted_case_edits, moved_case_edits
from .edits import sentence_spans
from .tokenize import analyse
from .word_base import Edit, WordAugmenter, bank_uniforms, uniform_bank, uniforms

__all__ = ["RandomDeletion", "RandomSwap", "WordShuffle", "windowed_order"]


def windowed_order(n: int, window: int | None, rng: random.Random) -> list[int]:
    """A random order of ``range(n)``; with ``window`` every item moves at most ``window`` places.

    The windowed shuffle sorts ``k + u_k`` with ``u_k`` uniform in ``[0, window + 1)`` (the noisy shuffle of
    Lample et al., 2018).

    Example:
        >>> import random
        >>> order = windowed_order(10, 1, random.Random(0))
        >>> max(abs(pos - src) for pos, src in enumerate(order)) <= 1
        True
    """
    if window is None:
        order = list(range(n))
        rng.shuffle(order)
        return order
    keys = [k + rng.uniform(0.0, window + 1.0) for k in range(n)]
    return sorted(range(n), key=keys.__getitem__)


@register("text.WordShuffle")
class WordShuffle(WordAugmenter):
    """Shuffle the words of a text; punctuation, emoji and protected tokens stay where they are.

    ``window`` limits how far a word moves (``None``: anywhere); ``per_sentence=True`` shuffles within each
    sentence. Stopwords listed in ``stopwords`` also stay in place (default: none). The multiset of words is kept,
    up to the capital of a sentence start, which stays with the position (see :mod:`multiaug.text.casing`).

    Example:
        >>> import multiaug.text as mt
        >>> mt.WordShuffle()("The cat sat on the mat.", seed=0)
        'The sat cat on the mat.'
    """

    def __init__(
        self,
        window: int | None = None,
        *,
        per_sentence: bool = False,
        stopwords: str | Iterable[str] | None = None,
        protect: str | Iterable[str] | None = None,
        p: float = 1.0,
    ) -> None:
        super().__init__(stopwords=stopwords, protect=protect, p=p)
        if window is not None and (isinstance(window, bool) or not isinstance(window, int) or window < 1):
            raise ConfigError(f"window must be a positive integer or None, got {window!r}")
        if not isinstance(per_sentence, bool):
            raise ConfigError(f"per_sentence must be True or False, got {per_sentence!r}")
        self.window = window
        self.per_sentence = per_sentence

    def _edits(self, text: str, rng: random.Random) -> list[Edit]:
        tokens, seps, words = self.tokens(text)
        eligible = self.eligible(tokens, words)
        groups = [eligible]
        if self.per_sentence:
            spans = sentence_spans(tokens, seps)
            groups = [[i for i in eligible if s <= i < e] for s, e in spans]
        slots: list[int] = []
        order: list[int] = []
        for group in groups:
            if len(group) < 2:
                continue
            slots.extend(group)
            order.extend(group[k] for k in windowed_order(len(group), self.window, rng))
        if slots == order:
            return []
        source = list(range(len(tokens)))
        for slot, src in zip(slots, order):
            source[slot] = src
        return [{"op": "perm", "slots": slots, "order": order}, *moved_case_edits(tokens, seps, source)]


@register("text.RandomSwap")
class RandomSwap(WordAugmenter):
    """Swap two random words, ``n = max(aug_min, int(aug_p * number_of_words))`` times (EDA's random swap).

    ``adjacent=True`` swaps a word with its right-hand neighbour instead (nlpaug's swap). Punctuation stays in
    place; the multiset of words is kept, up to the capital of a sentence start, which stays with the position.

    Example:
        >>> import multiaug.text as mt
        >>> mt.RandomSwap(aug_p=0.2)("I like green apples and red pears.", seed=0)
        'I like green red and apples pears.'
    """

    def __init__(
        self,
        *,
        aug_p: float = 0.1,
        aug_min: int = 1,
        aug_max: int | None = None,
        adjacent: bool = False,
        stopwords: str | Iterable[str] | None = None,
        protect: str | Iterable[str] | None = None,
        p: float = 1.0,
    ) -> None:
        super().__init__(
            aug_p=aug_p, aug_min=aug_min, aug_max=aug_max, stopwords=stopwords, protect=protect, p=p
        )
        if not isinstance(adjacent, bool):
            raise ConfigError(f"adjacent must be True or False, got {adjacent!r}")
        self.adjacent = adjacent

    def sample(self, batch: TextBatch, draws: Draws) -> dict[str, Any]:
        # uniforms from a bank per text (``bank_size``), then from a random.Random seeded with the text's seed
        seeds = draws.seeds()
        bank = uniform_bank(seeds, self.bank_size).tolist()
        seeds = seeds.tolist()
        return {
            "edits": [
                self._swaps(text, partial(bank_uniforms, row, seed)) if text and not text.isspace() else []
                for text, row, seed in zip(batch.texts, bank, seeds)
            ]
        }

    def _edits(self, text: str, rng: random.Random) -> list[Edit]:
        return self._swaps(text, lambda k: uniforms(rng, k))

    def _swaps(self, text: str, take: Callable[[int], list[float]]) -> list[Edit]:
        toks, seps, words = self.tokens(text)
        eligible = self.eligible(toks, words)
        m = len(eligible)
        if m < 2:
            return []
        n = self._count(len(words))
        tokens = list(toks)
        source = list(range(len(toks)))
        draws = take(n if self.adjacent else 2 * n)
        edits: list[Edit] = []
        for k in range(n):
            if self.adjacent:
                a = int(draws[k] * m)
                b = a + 1 if a + 1 < m else a - 1
            else:
                a = int(draws[2 * k] * m)
                b = int(draws[2 * k + 1] * (m - 1))
                b += b >= a
            i, j = eligible[a], eligible[b]
            edits.append({"op": "swap", "i": i, "j": j, "old": [tokens[i], tokens[j]]})
            tokens[i], tokens[j] = tokens[j], tokens[i]
            source[i], source[j] = source[j], source[i]
        return edits + moved_case_edits(toks, seps, source)


@register("text.RandomDeletion")
class RandomDeletion(WordAugmenter):
    """Delete each word with probability ``aug_p``, at least ``aug_min`` and at most ``aug_max`` words.

    Only whole words are deleted (punctuation and emoji stay); at least one word always remains, so the text is
    never emptied. The whitespace around a deleted word is merged; when the first word of a capitalised sentence
    goes, the next word takes the capital.

    Example:
        >>> import multiaug.text as mt
        >>> mt.RandomDeletion(aug_p=0.3)("The very old dog slept in the sun.", seed=0)
        'The very old dog in sun.'
    """

    def sample(self, batch: TextBatch, draws: Draws) -> dict[str, Any]:
        # the per-word coin flips of a text come from a bank per text (``bank_size``), then from a
        # random.Random seeded with the text's seed
        seeds = draws.seeds()
        flips = (uniform_bank(seeds, self.bank_size) < self.aug_p).tolist()
        seeds = seeds.tolist()
        return {
            "edits": [
                self._deletions(text, row, seed) if text and not text.isspace() else []
                for text, row, seed in zip(batch.texts, flips, seeds)
            ]
        }

    def _edits(self, text: str, rng: random.Random) -> list[Edit]:
        tokens, seps, words = analyse(text)
        eligible = self.eligible(tokens, words)
        flips = [u < self.aug_p for u in uniforms(rng, len(eligible))]
        return self._choose(tokens, seps, words, eligible, flips, rng)

    def _deletions(self, text: str, flips: list[bool], seed: int) -> list[Edit]:
        tokens, seps, words = analyse(text)
        eligible = self.eligible(tokens, words)
        rng = None
        if len(eligible) > len(flips):
            rng = random.Random(seed)
            flips = flips + [rng.random() < self.aug_p for _ in range(len(eligible) - len(flips))]
        return self._choose(tokens, seps, words, eligible, flips, rng, seed)

    def _choose(
        self,
        tokens: tuple[str, ...],
        seps: tuple[str, ...],
        words: Sequence[int],
        eligible: Sequence[int],
        flips: Sequence[bool],
        rng: Any,
        seed: int = 0,
    ) -> list[Edit]:
        if not eligible:
            return []
        chosen = [i for i, flip in zip(eligible, flips) if flip]
        m = len(chosen)
        if m < self.aug_min or (self.aug_max is not None and m > self.aug_max) or m >= len(words):
            chosen = self._bounded(chosen, eligible, len(words), rng or random.Random(seed))
        if not chosen:
            return []
        chosen.sort(reverse=True)
        return [
            {"op": "del", "i": chosen, "old": [tokens[i] for i in chosen]},
            *deleted_case_edits(tokens, seps, chosen),
        ]

    def _bounded(
        self, chosen: list[int], eligible: Sequence[int], n_words: int, rng: random.Random
    ) -> list[int]:
        """Enforce ``aug_min``/``aug_max`` and keep at least one word."""
        if len(chosen) < self.aug_min:
            taken = set(chosen)
            rest = [i for i in eligible if i not in taken]
            chosen = chosen + rng.sample(rest, min(self.aug_min - len(chosen), len(rest)))
        if self.aug_max is not None and len(chosen) > self.aug_max:
            chosen = rng.sample(chosen, self.aug_max)
        if len(chosen) >= n_words:  # never delete every word
            chosen.pop(rng.randrange(len(chosen)))
        return chosen
