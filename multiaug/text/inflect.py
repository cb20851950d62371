"""English inflection: find a word's lemma and form, and put another lemma into the same form.

Analysis follows WordNet's "morphy": the irregular forms of the exception lists first, then the regular suffix
rules, keeping only lemmas the lexicon knows. Generation uses the exception lists backwards (``child`` ->
``children``, ``stop`` -> ``stopped``) and the regular spelling rules otherwise. Where the form cannot be produced
with confidence (an irregular verb whose past and participle differ, a comparative adjective), generation returns
``None`` and the caller skips that synonym: a wrong form is worse than no replacement.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["analyse", "inflect", "regular_ed", "regular_ing", "regular_s"]

# Forms: noun "base"/"pl"; verb "base"/"3sg"/"past"/"ing"; adjective "base"/"cmp"/"sup"; adverb "base".
_RULES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "n": (
        ("s", "", "pl"),
        ("ses", "s", "pl"),
        ("xes", "x", "pl"),
        ("zes", "z", "pl"),
        ("ches", "ch", "pl"),
        ("shes", "sh", "pl"),
        ("men", "man", "pl"),
        ("ies", "y", "pl"),
    ),
    "v": (
        ("s", "", "3sg"),
        ("ies", "y", "3sg"),
        ("es", "e", "3sg"),
        ("es", "", "3sg"),
        ("ed", "e", "past"),
        ("ed", "", "past"),
        ("ing", "e", "ing"),
        ("ing", "", "ing"),
    ),
    "a": (("er", "", "cmp"), ("est", "", "sup"), ("er", "e", "cmp"), ("est", "e", "sup")),
    "r": (),
}

# Verbs whose past tense equals the base form: not in WordNet's exception lists, so the rule would say "cutted".
_INVARIANT_PAST = frozenset(
    [
        "bet",
        "bid",
        "broadcast",
        "burst",
        "cast",
        "cost",
        "cut",
        "fit",
        "forecast",
        "hit",
        "hurt",
        "let",
        "offset",
        "put",
        "quit",
        "read",
        "reset",
        "rid",
        "set",
        "shed",
        "shut",
        "slit",
        "split",
        "spread",
        "thrust",
        "upset",
        "wet",
    ]
)
_IRREGULAR_3SG = {"have": "has", "be": "is"}
_VOWELS = "aeiou"


def regular_s(word: str) -> str:
    """Plural noun / third person singular by spelling rule.

    Example:
        >>> regular_s("box"), regular_s("city"), regular_s("day")
        ('boxes', 'cities', 'days')
    """
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return word[:-1] + "ies"
    return word + "s"


def regular_ed(word: str) -> str:
    """Regular past tense by spelling rule (doubling comes from WordNet's exception list instead).

    Example:
        >>> regular_ed("walk"), regular_ed("bake"), regular_ed("carry")
        ('walked', 'baked', 'carried')
    """
    if word.endswith("e"):
        return word + "d"
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return word[:-1] + "ied"
    return word + "ed"


def regular_ing(word: str) -> str:
    """Present participle by spelling rule.

    Example:
        >>> regular_ing("walk"), regular_ing("bake"), regular_ing("die"), regular_ing("see")
        ('walking', 'baking', 'dying', 'seeing')
    """
    if word.endswith("ie"):
        return word[:-2] + "ying"
    if word.endswith("e") and len(word) > 2 and not word.endswith(("ee", "ye", "oe")):
        return word[:-1] + "ing"
    return word + "ing"


Known = Callable[[str, str], int | None]  # (lemma, pos) -> tag count, or None when unknown
Exceptions = Callable[[str, str], list[str]]  # (pos, form) -> lemmas
InverseExceptions = Callable[[str, str], list[str]]  # (pos, lemma) -> irregular forms


def _verb_form_of_exception(form: str, lemma: str) -> str:
    if form.endswith("ing"):
        return "ing"
    if form.endswith("s") and form in (regular_s(lemma), lemma + "s", lemma + "es"):
        return "3sg"
    return "past"


def analyse(word: str, known: Known, exceptions: Exceptions) -> list[tuple[str, str, str, int]]:
    """All readings ``(lemma, pos, form, tag count)`` of a lower-case word that the lexicon knows.

    Example:
        >>> lex = {("dog", "n"): 5, ("dog", "v"): 1, ("run", "v"): 9}
        >>> known = lambda lemma, pos: lex.get((lemma, pos))
        >>> analyse("dogs", known, lambda pos, form: [])
        [('dog', 'n', 'pl', 5), ('dog', 'v', '3sg', 1)]
        >>> analyse("ran", known, lambda pos, form: ["run"] if (pos, form) == ("v", "ran") else [])
        [('run', 'v', 'past', 9)]
    """
    out: list[tuple[str, str, str, int]] = []
    seen: set[tuple[str, str, str]] = set()

    def add(lemma: str, pos: str, form: str) -> None:
        count = known(lemma, pos)
        if count is not None and (lemma, pos, form) not in seen:
            seen.add((lemma, pos, form))
            out.append((lemma, pos, form, count))

    for pos in ("n", "v", "a", "r"):
        add(word, pos, "base")
        for lemma in exceptions(pos, word):
            if pos == "n":
                add(lemma, pos, "pl")
            elif pos == "v":
                add(lemma, pos, _verb_form_of_exception(word, lemma))
            elif pos == "a":
                add(lemma, pos, "cmp" if word.endswith("er") else "sup" if word.endswith("est") else "other")
        for suffix, ending, form in _RULES[pos]:
            if word.endswith(suffix) and len(word) > len(suffix) + 1:
                add(word[: len(word) - len(suffix)] + ending, pos, form)
    return out


def _inflect_word(word: str, pos: str, form: str, inverse: InverseExceptions) -> str | None:
    irregular = inverse(pos, word)
    if pos == "n":
        return irregular[0] if irregular else regular_s(word)
    if form == "3sg":
        forms = [f for f in irregular if _verb_form_of_exception(f, word) == "3sg"]
        if word in _IRREGULAR_3SG:
            return _IRREGULAR_3SG[word]
        if forms:
            return forms[0]
        return (
            word + "es"
            if word.endswith("o") and len(word) > 1 and word[-2] not in _VOWELS
            else regular_s(word)
        )
    if form == "ing":
        forms = [f for f in irregular if f.endswith("ing")]
        return forms[0] if forms else regular_ing(word)
    # past tense / past participle: only when both are the same form
    past = [f for f in irregular if _verb_form_of_exception(f, word) == "past"]
    if not past:
        return None if word in _INVARIANT_PAST or word == "be" else regular_ed(word)
    if len(past) == 1 and past[0].endswith(("d", "t")):
        return past[0]
    return None


def inflect(lemma: str, pos: str, form: str, inverse: InverseExceptions) -> str | None:
    """Put ``lemma`` into ``form``; ``None`` when that cannot be done with confidence.

    Multi-word lemmas inflect their head: the last word of a noun (``hot dogs``), the first word of a verb
    (``looked up``).

    Example:
        >>> inv = lambda pos, lemma: {("n", "child"): ["children"], ("v", "stop"): ["stopped", "stopping"]}.get(
        ...     (pos, lemma), [])
        >>> inflect("child", "n", "pl", inv), inflect("stop", "v", "past", inv), inflect("look up", "v", "ing", inv)
        ('children', 'stopped', 'looking up')
    """
    if form == "base":
        return lemma
    if (
        pos not in ("n", "v")
        or (form != "pl" and pos == "n")
        or (pos == "v" and form not in ("3sg", "past", "ing"))
    ):
        return None
    if any(ch.isupper() for ch in lemma):
        return None
    words = lemma.split(" ")
    head = 0
    if pos == "n":  # "sign of the zodiac" -> "signs of the zodiac"; "hot dog" -> "hot dogs"
        head = words.index("of") - 1 if "of" in words[1:] else len(words) - 1
    new = _inflect_word(words[head], pos, form, inverse)
    if new is None:
        return None
    words[head] = new
    return " ".join(words)
