"""The capital letter of a sentence start: it belongs to the position, not to the word.

When an op moves, inserts or deletes words, the word that now starts a sentence takes the capital (when the
sentence started with one: a sentence written in lower case stays so) and a word that stops starting it loses
the capital when it is a common word (``She`` -> ``she``, ``Cats`` -> ``cats``); names, ``I``, acronyms and words
the English lexicon does not know keep theirs. The changes are recorded as ``sub`` edits, so replay is exact.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from .edits import sentence_spans
from .lexicon import Lexicon, builtin_lexicon
from .stopwords import english_stopwords
from .tokenize import is_word

__all__ = ["capitalise", "deleted_case_edits", "lower_first", "moved_case_edits", "sentence_starts"]


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
    """Give a lower-case word the capital of a sentence start; other tokens (``iPhone``, ``3D``, ``p.m.``,
    ``example.com``, ``@alice``) stay as they are.

    Example:
        >>> capitalise("dogs"), capitalise("call in"), capitalise("iPhone"), capitalise("p.m."), capitalise("42")
        ('Dogs', 'Call in', 'iPhone', 'p.m.', '42')
    """
    if word[:1].islower() and all(ch.islower() or ch in " -'’" for ch in word):
        return word[:1].upper() + word[1:]
    return word


def _capital_start(tokens: Sequence[str], i: int) -> bool:
    """A cheap necessary condition for token ``i`` being a capitalised sentence start: a capital, at the start,
    after punctuation, or after a word ending in a full stop (an abbreviation may end a sentence)."""
    return tokens[i][:1].isupper() and (i == 0 or not is_word(tokens[i - 1]) or tokens[i - 1].endswith("."))


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
    if not any(_capital_start(tokens, j) for i, j in enumerate(source) if i != j):
        return []  # every change needs a capitalised sentence start that moved away
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


def deleted_case_edits(
    tokens: Sequence[str], seps: Sequence[str], deleted: Collection[int]
) -> list[dict[str, object]]:
    """``sub`` edits (indices after the deletion) that give the capital of a deleted sentence start to the word
    that now starts the sentence.

    Example:
        >>> from multiaug.text.tokenize import tokenize
        >>> toks, seps = tokenize("The old dog slept.")
        >>> deleted_case_edits(toks, seps, {0, 1})
        [{'op': 'sub', 'i': 0, 'old': 'dog', 'new': 'Dog'}]
    """
    gone = set(deleted)
    if not any(_capital_start(tokens, i) for i in gone):
        return []
    edits: list[dict[str, object]] = []
    for a, b in sentence_spans(list(tokens), list(seps)):
        first = next((i for i in range(a, b) if is_word(tokens[i])), None)
        if first is None or first not in gone or not tokens[first][:1].isupper():
            continue
        heir = next((i for i in range(first + 1, b) if is_word(tokens[i]) and i not in gone), None)
        if heir is not None and capitalise(tokens[heir]) != tokens[heir]:
            at = heir - sum(1 for i in gone if i < heir)
            edits.append({"op": "sub", "i": at, "old": tokens[heir], "new": capitalise(tokens[heir])})
    return edits
