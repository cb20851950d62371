"""Sentence ops: SentenceShuffle."""

from __future__ import annotations

import random

from multiaug.core import register

from .edits import sentence_spans
from .word_base import Edit, WordAugmenter

__all__ = ["SentenceShuffle"]


@register("text.SentenceShuffle")
class SentenceShuffle(WordAugmenter):
    """Shuffle the order of the sentences of a text; the whitespace between sentences stays in place.

    Sentences end at ``.``, ``!``, ``?``, ``…`` or a CJK full stop followed by a space (abbreviations such as
    ``Dr.`` and ``e.g.`` do not end one; see :func:`multiaug.text.edits.sentence_spans`). A text with one sentence
    comes back unchanged.

    Example:
        >>> import multiaug.text as mt
        >>> mt.SentenceShuffle()("It rained. We stayed in. Then the sun came out!", seed=1)
        'Then the sun came out! It rained. We stayed in.'
    """

    def __init__(self, *, p: float = 1.0) -> None:
        super().__init__(p=p)

    def _edits(self, text: str, rng: random.Random) -> list[Edit]:
        tokens, seps, _ = self.tokens(text)
        n = len(sentence_spans(tokens, seps))
        if n < 2:
            return []
        order = list(range(n))
        rng.shuffle(order)
        return [] if order == sorted(order) else [{"op": "sents", "order": order}]
