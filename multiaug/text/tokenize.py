"""Tokenisation that keeps everything: ``detokenize(*tokenize(text)) == text`` for every string.

A text is split at whitespace into chunks; each chunk is split into leading punctuation/symbols, a core, and trailing
punctuation/symbols. The core keeps inner punctuation, so contractions (``don't``), hyphenated words
(``well-known``), numbers (``3.14``, ``1,000``), URLs and e-mail addresses stay one token; abbreviations keep their
full stop (``e.g.``, ``p.m.``, ``U.S.``, ``Dr.``, ``Mr.``), mentions and hashtags their sign (``@alice``,
``#python``); words in any script stay
whole (combining marks belong to the word). Runs of the same punctuation character (``...``, ``!!``) are one token;
an emoji with its modifiers and zero-width joiners is one token. The whitespace between tokens is kept in ``seps``
(``len(seps) == len(tokens) + 1``) so that editing the tokens and joining them back restores the original spacing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import chain

__all__ = [
    "Tokens",
    "analyse",
    "detokenize",
    "is_number",
    "is_punct",
    "is_word",
    "is_wordlike",
    "tokenize",
    "word_indices",
    "word_positions",
]

Tokens = tuple[tuple[str, ...], tuple[str, ...]]

_WHITESPACE = re.compile(r"(\s+)")
_CJK_STOPS = re.compile(r"([。！？]+)")
_JOINERS = {"\u200d", "\ufe0f", "\ufe0e", "\u20e3"}
_DOTTED = re.compile(r"[^\W\d_]{1,2}(?:\.[^\W\d_]{1,2})+")  # e.g, i.e, p.m, U.S.A, Ph.D
_TITLES = frozenset(["mr", "mrs", "ms", "dr", "prof", "vs"])


@lru_cache(maxsize=4096)
def _is_edge(ch: str) -> bool:
    """True for characters split off a chunk's ends: punctuation and symbols (emoji included)."""
    return unicodedata.category(ch)[0] in "PS" or ch in _JOINERS


def _is_modifier(ch: str) -> bool:
    return ch in _JOINERS or "\U0001f3fb" <= ch <= "\U0001f3ff"


def _split_run(run: str) -> list[str]:
    """Split a punctuation/symbol run: equal characters group, emoji keep their modifiers and joiners."""
    out: list[str] = []
    for ch in run:
        if out and (
            (ch == out[-1][-1] and not _is_modifier(ch)) or _is_modifier(ch) or out[-1][-1] == "\u200d"
        ):
            out[-1] += ch
        else:
            out.append(ch)
    return out


@lru_cache(maxsize=65536)
def _split_chunk(chunk: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Split a chunk without whitespace into tokens, and say which are words (cached: chunks repeat)."""
    pieces = tuple(_split_chunk_uncached(chunk))
    return pieces, tuple(k for k, piece in enumerate(pieces) if is_word(piece))


def _split_chunk_uncached(chunk: str) -> list[str]:
    if chunk.isalnum():
        return [chunk]
    start, end = 0, len(chunk)
    while start < end and _is_edge(chunk[start]):
        start += 1
    while end > start and _is_edge(chunk[end - 1]):
        end -= 1
    if end > start and chunk[end : end + 1] in ("\ufe0f", "\u20e3"):
        end -= 1  # a keycap or emoji-style character ("3️⃣") keeps its base character
    if start == end:
        return _split_run(chunk)
    if chunk[start - 1 : start] in ("@", "#"):  # a mention or a hashtag: "@alice", "#python"
        start -= 1
    if _keeps_full_stop(chunk, start, end):
        end += 1
    out = _split_run(chunk[:start]) if start else []
    core = chunk[start:end]
    if "。" in core or "！" in core or "？" in core:
        out.extend(part for part in _CJK_STOPS.split(core) if part)
    else:
        out.append(core)
    if end < len(chunk):
        out.extend(_split_run(chunk[end:]))
    return out


def _keeps_full_stop(chunk: str, start: int, end: int) -> bool:
    """An abbreviation keeps its full stop (``p.m.``, ``e.g.``, ``U.S.A.``, ``Dr.``), so that deleting or moving
    it leaves no stray dot; a following ellipsis stays punctuation."""
    if chunk[end : end + 1] != "." or chunk[end + 1 : end + 2] == ".":
        return False
    core = chunk[start:end]
    return core.lower() in _TITLES or _DOTTED.fullmatch(core) is not None


def tokenize(text: str) -> Tokens:
    """Split ``text`` into ``(tokens, seps)``; ``seps[k]`` is the whitespace before ``tokens[k]``.

    Example:
        >>> toks, seps = tokenize("Don't panic, it's 3.14!")
        >>> toks
        ("Don't", 'panic', ',', "it's", '3.14', '!')
        >>> detokenize(toks, seps)
        "Don't panic, it's 3.14!"
    """
    found = analyse(text)
    return found[0], found[1]


_PAD = tuple(("",) * k for k in range(64))


@lru_cache(maxsize=8192)
def analyse(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...]]:
    """:func:`tokenize` plus the positions of the word tokens, cached per text (ops call it in ``sample`` and
    ``apply``)."""
    parts = _WHITESPACE.split(text)  # chunks at even positions, the whitespace between them at odd ones
    tokens: list[str] = []
    seps: list[str] = []
    words: list[int] = []
    for k in range(0, len(parts), 2):
        chunk = parts[k]
        if not chunk:  # only at the start or the end of the text
            continue
        seps.append(parts[k - 1] if k else "")
        if chunk.isalnum():
            words.append(len(tokens))
            tokens.append(chunk)
        else:
            pieces, offsets = _split_chunk(chunk)
            base = len(tokens)
            words.extend([base + o for o in offsets])
            tokens.extend(pieces)
            n = len(pieces) - 1
            if n:
                seps.extend(_PAD[n] if n < 64 else ("",) * n)
    seps.append(parts[-2] if len(parts) > 1 and not parts[-1] else "")
    return tuple(tokens), tuple(seps), tuple(words)


def detokenize(tokens: list[str] | tuple[str, ...], seps: list[str] | tuple[str, ...]) -> str:
    """Join tokens with their separators (the inverse of :func:`tokenize`).

    Example:
        >>> detokenize(["a", "b", "."], [" ", " ", "", "\\n"])
        ' a b.\\n'
    """
    return "".join(chain.from_iterable(zip(seps, tokens))) + seps[-1]


@lru_cache(maxsize=65536)
def is_word(token: str) -> bool:
    """A word token: contains a letter or digit (words, numbers, URLs); punctuation and emoji are not words.

    Example:
        >>> is_word("don't"), is_word("42"), is_word("..."), is_word("🙂")
        (True, True, False, False)
    """
    return any(ch.isalnum() for ch in token)


@lru_cache(maxsize=65536)
def is_number(token: str) -> bool:
    """A number: digits with inner punctuation and no letter (``3.5``, ``1,000``, ``3:30``, ``2024-01-05``).

    Example:
        >>> is_number("3.5"), is_number("1,000"), is_number("4th"), is_number("COVID-19")
        (True, True, False, False)
    """
    return any(ch.isdigit() for ch in token) and not any(ch.isalpha() for ch in token)


def is_punct(token: str) -> bool:
    """True when the token is punctuation or symbols only."""
    return not is_word(token)


@lru_cache(maxsize=65536)
def is_wordlike(token: str) -> bool:
    """A plain word that a lexicon may know: letters with inner hyphens, apostrophes or dots, no digits.

    Example:
        >>> is_wordlike("well-known"), is_wordlike("3D"), is_wordlike("http://a.b")
        (True, False, False)
    """
    if not token[0].isalpha() or not token[-1].isalpha():
        return False
    return all(ch.isalpha() or ch in "-'’." for ch in token) and "://" not in token


def word_indices(tokens: list[str] | tuple[str, ...]) -> list[int]:
    """Indices of the word tokens (see :func:`is_word`).

    Example:
        >>> word_indices(("Hi", ",", "you", "!"))
        [0, 2]
    """
    return list(word_positions(tuple(tokens)))


@lru_cache(maxsize=8192)
def word_positions(tokens: tuple[str, ...]) -> tuple[int, ...]:
    """:func:`word_indices` of a token tuple, cached (ops use :func:`analyse`, which finds them for free)."""
    return tuple([i for i, tok in enumerate(tokens) if tok[0].isalnum() or is_word(tok)])
