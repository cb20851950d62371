"""Pure edit kernels: apply recorded edits to a text's tokens, and split sentences.

An edit is a JSON-able dict; a text's edits are applied in order to its token list (see :mod:`.tokenize`), each
index referring to the tokens as they are after the previous edits:

- ``{"op": "sub", "i": 3, "old": "dogs", "new": "hounds"}``: replace token ``i``.
- ``{"op": "del", "i": 3, "old": "dogs"}``: delete word ``i`` (the whitespace around it is merged);
  ``{"op": "del", "i": [7, 3], "old": ["sun", "dogs"]}`` deletes several, in that (descending) order.
- ``{"op": "ins", "i": 3, "new": "hound"}``: insert a word before token ``i`` (``i == len(tokens)``: at the end).
- ``{"op": "swap", "i": 1, "j": 4, "old": ["cat", "dog"]}``: exchange two tokens.
- ``{"op": "perm", "slots": [0, 2, 4], "order": [4, 0, 2]}``: token ``order[k]`` moves to ``slots[k]``.
- ``{"op": "sents", "order": [1, 0]}``: reorder sentences (the whitespace between sentences stays in place).

An edit whose recorded words do not match the text (a record replayed onto another text) is skipped. Applying the
same edits to the same text always gives the same result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .tokenize import detokenize, is_word, tokenize

__all__ = [
    "ABBREVIATIONS",
    "abbreviated",
    "apply_edits",
    "apply_token_edits",
    "chunk_start",
    "delete_token",
    "insert_token",
    "match_case",
    "sentence_spans",
]

_TERMINALS = frozenset(".!?…。！？")
_CJK_TERMINALS = frozenset("。！？")
_CLOSERS = frozenset("\"'”’»)]}")
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "no",
        "fig",
        "approx",
        "dept",
        "est",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mt",
        "gen",
        "col",
        "lt",
        "sgt",
        "rev",
    ]
)


def match_case(source: str, new: str) -> str:
    """Give ``new`` the case pattern of ``source``: ALL CAPS, Capitalised, or unchanged.

    Example:
        >>> match_case("Dogs", "hounds"), match_case("DOGS", "hounds"), match_case("dogs", "Canis")
        ('Hounds', 'HOUNDS', 'Canis')
    """
    letters = [ch for ch in source if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return new.upper()
    if source[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def delete_token(tokens: list[str], seps: list[str], i: int) -> None:
    """Delete token ``i`` in place, merging the whitespace on its two sides into one separator.

    Example:
        >>> toks, seps = ["a", "b", "c"], ["", " ", " ", "\\n"]
        >>> delete_token(toks, seps, 1); detokenize(toks, seps)
        'a c\\n'
    """
    left, right = seps[i], seps[i + 1]
    n = len(tokens)
    if i == 0:
        merged = left
    elif i == n - 1 or not is_word(tokens[i + 1]) or ("\n" in right and "\n" not in left):
        merged = right
    else:
        merged = left
    if not merged and 0 < i < n - 1 and tokens[i - 1][-1] == tokens[i + 1][0] and not is_word(tokens[i + 1]):
        merged = left or right or " "  # "Mr. ." must not become "Mr.."
    del tokens[i]
    seps[i : i + 2] = [merged]


def insert_token(tokens: list[str], seps: list[str], i: int, word: str) -> None:
    """Insert ``word`` before token ``i`` in place (at the end when ``i == len(tokens)``), separated by a space.

    Example:
        >>> toks, seps = ["It", "rains", "."], ["", " ", "", ""]
        >>> insert_token(toks, seps, 2, "today"); detokenize(toks, seps)
        'It rains today.'
    """
    n = len(tokens)
    if i >= n:
        tokens.append(word)
        seps[n:] = [" ", seps[n]]
        return
    before = seps[i]
    # before attached punctuation such as the final full stop, the space goes before the new word; at the
    # start of the text or of a chunk (leading punctuation such as "$" or an opening quote), after it
    new = [before, " "] if is_word(tokens[i]) or before or i == 0 else [" ", ""]
    tokens.insert(i, word)
    seps[i : i + 1] = new


def chunk_start(tokens: Sequence[str], seps: Sequence[str], i: int) -> int:
    """Where to insert before word ``i`` so that its leading punctuation (``$``, an opening quote or bracket)
    stays attached to it: the start of its whitespace-delimited chunk, or ``i`` when it is glued to a word.

    Example:
        >>> toks, seps = tokenize('costs "$3.50"')
        >>> chunk_start(toks, seps, 3), toks[1]
        (1, '"')
    """
    k = i
    while k > 0 and not seps[k] and not is_word(tokens[k - 1]):
        k -= 1
    return k if k == 0 or seps[k] else i


def sentence_spans(
    tokens: list[str] | tuple[str, ...], seps: list[str] | tuple[str, ...]
) -> list[tuple[int, int]]:
    """Sentences as ``(start, end)`` token ranges (end exclusive) covering all tokens.

    A sentence ends at ``.``, ``!``, ``?``, ``…`` (plus closing quotes or brackets) followed by whitespace and a
    token that does not start in lower case, unless the full stop follows an abbreviation (``Dr.``, ``e.g.``, a
    single letter); CJK full stops always end a sentence.

    Example:
        >>> toks, seps = tokenize("Dr. Smith left. It rained!")
        >>> sentence_spans(toks, seps)
        [(0, 4), (4, 7)]
    """
    n = len(tokens)
    spans: list[tuple[int, int]] = []
    start = 0
    i = 0
    while i < n:
        tok = tokens[i]
        if tok and all(ch in _TERMINALS for ch in tok) and i > start:
            end = i + 1
            while end < n and not seps[end] and all(ch in _CLOSERS for ch in tokens[end]):
                end += 1
            cjk = tok[0] in _CJK_TERMINALS
            if end < n and (cjk or seps[end]) and _ends_sentence(tokens, i, end, cjk):
                spans.append((start, end))
                start = end
            i = end
            continue
        i += 1
    if start < n:
        spans.append((start, n))
    return spans


def abbreviated(word: str, following: str) -> bool:
    """True when ``word`` followed by a full stop is an abbreviation (``etc``, ``Jr``, a single letter), so the
    full stop does not end a sentence (``e.g.`` and ``Dr.`` keep their full stop as one token, see
    :mod:`.tokenize`); ``following`` is the next token (``no`` abbreviates only before a number:
    "No. 5", but "He said no. She left.").

    Example:
        >>> abbreviated("Dr", "Smith"), abbreviated("No", "5"), abbreviated("no", "She"), abbreviated("dog", "It")
        (True, True, False, False)
    """
    low = word.lower()
    if low == "no":
        return following[:1].isdigit()
    return low in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _ends_sentence(tokens: list[str] | tuple[str, ...], i: int, nxt: int, cjk: bool) -> bool:
    if cjk:
        return True
    if tokens[i] == "." and abbreviated(tokens[i - 1], tokens[nxt]):
        return False
    return not tokens[nxt][:1].islower()


def _apply_one(tokens: list[str], seps: list[str], edit: Mapping[str, Any]) -> None:
    op = edit.get("op")
    n = len(tokens)
    if op == "sub":
        i = int(edit["i"])
        if 0 <= i < n and tokens[i] == edit["old"]:
            tokens[i] = str(edit["new"])
    elif op == "del":
        index, old = edit["i"], edit["old"]
        if isinstance(index, int):
            index, old = [index], [old]
        for i, word in zip(index, old):  # several deletions: in descending order
            i = int(i)
            if 0 <= i < len(tokens) and tokens[i] == word:
                delete_token(tokens, seps, i)
    elif op == "ins":
        i = int(edit["i"])
        if 0 <= i <= n:
            insert_token(tokens, seps, i, str(edit["new"]))
    elif op == "swap":
        i, j = int(edit["i"]), int(edit["j"])
        if 0 <= i < n and 0 <= j < n and ("old" not in edit or [tokens[i], tokens[j]] == list(edit["old"])):
            tokens[i], tokens[j] = tokens[j], tokens[i]
    elif op == "perm":
        slots = [int(s) for s in edit["slots"]]
        order = [int(s) for s in edit["order"]]
        if len(slots) == len(order) and sorted(slots) == sorted(order) and all(0 <= s < n for s in slots):
            moved = [tokens[k] for k in order]
            for slot, tok in zip(slots, moved):
                tokens[slot] = tok
    elif op == "sents":
        order = [int(k) for k in edit["order"]]
        spans = sentence_spans(tokens, seps)
        if sorted(order) == list(range(len(spans))):
            new_tokens: list[str] = []
            new_seps: list[str] = [seps[0]]
            for k, src in enumerate(order):
                s, e = spans[src]
                new_tokens.extend(tokens[s:e])
                new_seps.extend(seps[s + 1 : e])
                new_seps.append(seps[spans[k][1]])
            tokens[:] = new_tokens
            seps[:] = new_seps


def apply_token_edits(tokens: list[str], seps: list[str], edits: Iterable[Mapping[str, Any]]) -> None:
    """Apply edits to token and separator lists in place (see the module docstring for the edit kinds)."""
    for edit in edits:
        _apply_one(tokens, seps, edit)


def apply_edits(text: str, edits: Sequence[Mapping[str, Any]]) -> str:
    """Apply recorded edits to a text; no edits give back the text unchanged.

    Example:
        >>> apply_edits("The dogs barked.", [{"op": "sub", "i": 1, "old": "dogs", "new": "hounds"}])
        'The hounds barked.'
    """
    if len(edits) == 0:
        return text
    toks, seps = tokenize(text)
    tokens, separators = list(toks), list(seps)
    apply_token_edits(tokens, separators, edits)
    return detokenize(tokens, separators)
