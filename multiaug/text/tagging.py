"""Part of speech for synonym choice: an installed NLTK tagger when asked for, else hints from the context.

Nothing is downloaded: the NLTK tagger is used only when its model is already installed (``nltk.data.find``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from multiaug.core.errors import ConfigError

__all__ = ["PREPOSITIONS", "context_hint", "nltk_tagger", "resolve_tagger", "verb_after_subject"]

Tagger = Callable[[Sequence[str]], list[str | None]]
Readings = Callable[[str], Sequence[tuple[str, str, str, int]]]  # (lemma, pos, form, tag count) per reading

#: Prepositions and particles. WordNet has no preposition class, so its readings of these are the adverb,
#: adjective or verb senses of other uses ("near" -> "virtually", the adverb "nearly"): the WordNet synonym
#: sources never replace them, whatever the stopword list says.
PREPOSITIONS = frozenset(
    [
        "aboard",
        "about",
        "above",
        "across",
        "after",
        "against",
        "along",
        "alongside",
        "amid",
        "amidst",
        "among",
        "amongst",
        "around",
        "as",
        "at",
        "atop",
        "before",
        "behind",
        "below",
        "beneath",
        "beside",
        "besides",
        "between",
        "beyond",
        "by",
        "despite",
        "down",
        "during",
        "except",
        "for",
        "from",
        "in",
        "inside",
        "into",
        "like",
        "near",
        "nearer",
        "off",
        "on",
        "onto",
        "opposite",
        "out",
        "outside",
        "over",
        "past",
        "per",
        "round",
        "since",
        "than",
        "through",
        "throughout",
        "till",
        "to",
        "toward",
        "towards",
        "under",
        "underneath",
        "unlike",
        "until",
        "unto",
        "up",
        "upon",
        "via",
        "with",
        "within",
        "without",
    ]
)

#: Articles, demonstratives, possessives and "some": the determiners that the syntax ops also look for.
COMMON_DETERMINERS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "my",
        "your",
        "his",
        "her",
        "its",
        "our",
        "their",
        "some",
    ]
)
_DETERMINERS = COMMON_DETERMINERS | frozenset(["any", "every", "each", "no", "another"])
_VERB_CUES = frozenset(
    [
        "i",
        "you",
        "we",
        "they",
        "he",
        "she",
        "it",
        "will",
        "would",
        "can",
        "could",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "don't",
        "doesn't",
        "didn't",
        "won't",
        "can't",
        "couldn't",
        "wouldn't",
        "shouldn't",
    ]
)
_AUXILIARIES = _VERB_CUES | frozenset(
    ["is", "are", "was", "were", "be", "been", "am", "has", "have", "had", "do", "does", "did"]
)
_FINITE_FORMS = frozenset({"3sg", "past"})
_NOUN_OR_ADJ = frozenset({"n", "a"})
_VERB = frozenset({"v"})
_PENN = {"N": "n", "V": "v", "J": "a", "R": "r"}


def context_hint(previous: str | None) -> frozenset[str] | None:
    """Parts of speech the previous word suggests: after a determiner a noun or adjective, after a pronoun
    or a modal a verb; ``None`` when the context says nothing.

    Example:
        >>> sorted(context_hint("the")), sorted(context_hint("will")), context_hint("dog")
        (['a', 'n'], ['v'], None)
    """
    if previous is None:
        return None
    low = previous.lower()
    if low in _DETERMINERS:
        return _NOUN_OR_ADJ
    if low in _VERB_CUES:
        return _VERB
    return None


def verb_after_subject(tokens: Sequence[str], i: int, readings: Readings) -> bool:
    """True when token ``i`` follows a determiner (or a possessive) and a noun, with up to two words between ("the
    dog sleeps", "the old dog barked", "my neighbour's dog walked"), and has a verb reading in the ``-s``/``-ed``
    form: it is the subject's verb rather than a plural noun. Not before an auxiliary or another finite verb ("the
    dog toys are", "the river banks flooded": compound nouns), nor after a possessive ("the company's shares") or
    an auxiliary ("the road was closed").

    Example:
        >>> from multiaug.text.lexicon import builtin_lexicon
        >>> verb_after_subject(["The", "dog", "sleeps", "."], 2, builtin_lexicon().readings)
        True
    """
    word = tokens[i].lower()
    if i < 2 or not word.endswith(("s", "ed")):
        return False
    for j in range(i - 1, max(i - 5, -1), -1):  # back over plain words to the determiner
        t = tokens[j]
        if j < i - 1 and (t.lower() in _DETERMINERS or t[-2:] in ("'s", "’s")):
            break
        if not (t.isalpha() and t.islower()) or t in _AUXILIARIES:
            return False
    else:
        return False
    if i + 1 < len(tokens):
        after = tokens[i + 1]
        if after in _AUXILIARIES or any(r[1] == "v" and r[2] in _FINITE_FORMS for r in readings(after)):
            return False
    return any(r[1] == "v" and r[2] in _FINITE_FORMS for r in readings(word)) and any(
        r[1] == "n" for r in readings(tokens[i - 1])
    )


@lru_cache(maxsize=1)
def _nltk_tag_function() -> Callable[[list[str]], list[tuple[str, str]]] | None:
    try:
        import nltk
    except ImportError:  # pragma: no cover - nltk is a dependency
        return None
    for name in ("taggers/averaged_perceptron_tagger_eng/", "taggers/averaged_perceptron_tagger/"):
        try:
            nltk.data.find(name)
        except LookupError:
            continue
        return nltk.pos_tag
    return None


def nltk_tagger() -> Tagger | None:
    """A tagger mapping words to ``"n"``/``"v"``/``"a"``/``"r"`` (``None`` for other tags), or ``None`` when
    NLTK's averaged-perceptron tagger model is not installed."""
    tag = _nltk_tag_function()
    if tag is None:
        return None

    def tagger(words: Sequence[str]) -> list[str | None]:
        return [_PENN.get(t[:1]) for _, t in tag(list(words))]

    return tagger


def resolve_tagger(pos_tagger: str | None) -> Tagger | None:
    """``"auto"``: NLTK's tagger when installed, else none; ``"nltk"``: NLTK's tagger or an error; ``None``: none."""
    if pos_tagger is None:
        return None
    if pos_tagger == "auto":
        return nltk_tagger()
    if pos_tagger == "nltk":
        tagger = nltk_tagger()
        if tagger is None:
            raise ConfigError(
                "pos_tagger='nltk' needs NLTK's averaged_perceptron_tagger_eng model, which is not installed; "
                "install it with nltk.download('averaged_perceptron_tagger_eng') on a machine with internet, "
                "or use pos_tagger=None"
            )
        return tagger
    raise ConfigError(f"pos_tagger must be 'auto', 'nltk' or None, got {pos_tagger!r}")
