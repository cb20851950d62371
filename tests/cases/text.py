"""Contract cases: text augmenters."""

from typing import Any

import multiaug.text as mt

from . import SENTENCES, Case


def _paragraphs(n: int, seed: int) -> dict[str, Any]:
    """Multi-sentence texts (for SentenceShuffle)."""
    k = len(SENTENCES)
    return {"text": [" ".join(SENTENCES[(seed + i + j) % k] for j in range(3)) for i in range(n)]}


CASES = {
    "text.WordShuffle": Case(mt.WordShuffle, {}, data="text"),
    "text.SentenceShuffle": Case(mt.SentenceShuffle, {}, data=_paragraphs),
    "text.SynonymReplacement": Case(mt.SynonymReplacement, {"aug_p": 0.3}, data="text"),
    "text.RandomInsertion": Case(mt.RandomInsertion, {"aug_p": 0.2}, data="text"),
    "text.RandomDeletion": Case(mt.RandomDeletion, {"aug_p": 0.2}, data="text"),
    "text.RandomSwap": Case(mt.RandomSwap, {"aug_p": 0.2}, data="text"),
    "text.SyntaxReorder": Case(mt.SyntaxReorder, {}, data="text"),
    "text.EDA": Case(mt.EDA, {"num_aug": 4}, data="text"),
    "text.KeyboardTypo": Case(mt.KeyboardTypo, {"aug_p": 0.3}, data="text"),
    "text.CharNoise": Case(mt.CharNoise, {"aug_p": 0.3}, data="text"),
}
