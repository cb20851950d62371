"""The capital letter of a sentence start: it belongs to the position, not to the word.

When an op moves, inserts or deletes words, the word that now starts a sentence takes the capital (when the
sentence started with one: a sentence written in lower case stays so) and a word that stops starting it loses
the capital when it is a common word (``She`` -> ``she``, ``Cats`` -> ``cats``); names, ``I``, acronyms and words
the English lexicon does not know keep theirs. The changes are recorded as ``sub`` edits, so replay is exact.
"""

from __future__ import annotations

from collections.abc import Sequence

from .edits import sentence_spans
from .lexicon import Lexicon, builtin_lexicon
from .stopwords import english_stopwords
from .tokenize import is_word

__all__ = ["capitalise", "lower_first", "moved_case_edits", "sentence_starts"]


def lower_first(word: str, lexicon: Lexicon | None = None) -> str:
    """Lower-case a word that stops starting its sentence, when it is a common word (not a name, not ``I``).

    ``lexicon`` decides what is common (default: the builtin English lexicon); English stopwords always are.

    Example:
        >>> lower_first("She"), lower_first("Cats"), lower_first("Mark"), lower_first("I"), lower_first("NASA")
        ('she', 'cats', 'Mark', 'I', 'NASA')
    """
    if (
        not word[:1].isupper()
        or word == "I"
        or word.startswith(("I'", "I’"))
        or (not word[1:].islower() and word[1:])
    ):
        return word
    low = word.lower()
    if low in english_stopwords() or (lexicon or builtin_lexicon()).is_common(low):
        return low
    return word


def capitalise(word: str) -> str:
    """Give a lower-case word the capital of a sentence start; other words (``iPhone``, ``3D``) stay as they are.

    Example:
        >>> capitalise("dogs"), capitalise("iPhone"), capitalise("42"), capitalise("Mark")
        ('Dogs', 'iPhone', '42', 'Mark')
    """
    if word[:1].islower() and not any(ch.isupper() for ch in word[1:]):
        return word[:1].upper() + word[1:]
    return word


def sentence_starts(tokens: Sequence[str], seps: Sequence[str]) -> dict[int, bool]:
    """The index of the first word of every sentence -> whether it starts with a capital letter.

    Example:
        >>> from multiaug.text.tokenize import tokenize
        >>> sentence_starts(*tokenize('It rained. "we stayed in," she said.'))
        {0: True, 4: False}
    """
    starts: dict[int, bool] = {}
    for a, b in sentence_spans(list(tokens), list(seps)):
        first = next((i for i in range(a, b) if is_word(tokens[i])), None)
        if first is not None:
            starts[first] = tokens[first][:1].isupper()
    return starts


def moved_case_edits(
    tokens: Sequence[str], seps: Sequence[str], source: Sequence[int], lexicon: Lexicon | None = None
) -> list[dict[str, object]]:
    """``sub`` edits that move sentence-start capitals after words moved: ``source[i]`` is the index in
    ``tokens`` of the token now at position ``i`` (punctuation stays in place, so sentences keep their bounds).

    Example:
        >>> from multiaug.text.tokenize import tokenize
        >>> toks, seps = tokenize("Cats chase mice.")
        >>> moved_case_edits(toks, seps, [2, 1, 0, 3])
        [{'op': 'sub', 'i': 0, 'old': 'mice', 'new': 'Mice'}, {'op': 'sub', 'i': 2, 'old': 'Cats', 'new': 'cats'}]
    """
    starts = sentence_starts(tokens, seps)
    edits: list[dict[str, object]] = []
    for i, j in enumerate(source):
        if i == j or not (i in starts or j in starts):
            continue
        word = new = tokens[j]
        if starts.get(j):
            new = lower_first(
                new, lexicon
            )  # it leaves a capitalised sentence start: drop the positional capital
        if starts.get(i):
            new = capitalise(new)
        if new != word:
            edits.append({"op": "sub", "i": i, "old": word, "new": new})
    return edits
