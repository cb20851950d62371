"""SyntaxReorder: paraphrase a sentence with the same words by moving a constituent.

Rules (English; each needs a clear surface pattern and otherwise leaves the sentence alone):

- ``clause``: front a trailing subordinate clause: "She left early because it rained." -> "Because it rained, she
  left early." (because, when, if, although, though, while, since, after, before, unless, until, once, whenever,
  whereas; not in questions, not after verbs like "know if" / "wonder when").
- ``phrase``: front a trailing prepositional phrase of up to five words: "She reads books in the evening." -> "In
  the evening, she reads books." (in, on, at, during, after, before, since, until, throughout, ...; not after a
  verb, so phrasal verbs such as "turned on the light" stay).
- ``adverb``: front a trailing time adverbial or -ly adverb: "He opened the door slowly." -> "Slowly, he opened
  the door."; "We met last week." -> "Last week, we met."
- ``coordination``: swap two coordinated words of the same part of speech, with their determiners: "apples and
  pears" -> "pears and apples", "the cat or the dog" -> "the dog or the cat".

A degree adverb moves with what it modifies ("long after ...", "even if ...") or, when it cannot ("only on
Sundays"), the sentence stays; after a coordinated clause (", so he called ...") a trailing phrase or adverb is
fronted within that clause ("..., so at midnight he called a locksmith.").

The multiset of words is kept; a comma is added after a fronted constituent (and one before it dropped), and the
capitalisation of the sentence start is moved (a word that stops being first is lower-cased only when it is a
common word: ``She`` -> ``she``, ``John`` stays); a sentence that starts in lower case keeps a lower-case start.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any

from multiaug.core import register
from multiaug.core.checks import check_prob
from multiaug.core.errors import ConfigError

from .base import TextBatch
from .casing import lower_first
from .edits import sentence_spans
from .lexicon import Lexicon, builtin_lexicon
from .stopwords import english_stopwords
from .tagging import COMMON_DETERMINERS
from .tokenize import detokenize, is_word, tokenize
from .word_base import Edit, WordAugmenter

__all__ = ["RULES", "SyntaxReorder", "apply_reorders", "reorder_candidates", "rewrite"]

RULES = ("clause", "phrase", "adverb", "coordination")

_SUBORDINATORS = frozenset(
    [
        "because",
        "when",
        "if",
        "although",
        "though",
        "while",
        "since",
        "after",
        "before",
        "unless",
        "until",
        "once",
        "whenever",
        "whereas",
    ]
)
_NO_CLAUSE_AFTER = frozenset(
    [
        "know",
        "knows",
        "knew",
        "known",
        "ask",
        "asks",
        "asked",
        "wonder",
        "wonders",
        "wondered",
        "see",
        "sees",
        "saw",
        "seen",
        "tell",
        "tells",
        "told",
        "sure",
        "unsure",
        "check",
        "checks",
        "checked",
        "decide",
        "decides",
        "decided",
        "remember",
        "remembers",
        "remembered",
        "forget",
        "forgets",
        "forgot",
        "understand",
        "understood",
        "doubt",
        "doubts",
        "idea",
        "question",
        "time",
        "day",
        "moment",
        "year",
    ]
)
_FRONT_PREPS = frozenset(
    [
        "in",
        "on",
        "at",
        "during",
        "after",
        "before",
        "since",
        "until",
        "throughout",
        "inside",
        "outside",
        "near",
        "within",
        "across",
        "behind",
        "beside",
        "beneath",
        "among",
    ]
)
_BLOCKERS = frozenset(
    [
        "and",
        "or",
        "but",
        "that",
        "which",
        "who",
        "whom",
        "whose",
        "than",
        "as",
        "of",
        "to",
        "for",
        "with",
        "from",
        "by",
    ]
)
_COPULAS = frozenset(
    ["is", "was", "are", "were", "be", "been", "being", "am", "'s", "'re", "seem", "seems", "seemed"]
)
_TIME_ADVERBS = frozenset(
    [
        "yesterday",
        "today",
        "tomorrow",
        "tonight",
        "recently",
        "eventually",
        "finally",
        "later",
        "afterwards",
        "afterward",
        "sometimes",
        "often",
        "usually",
        "occasionally",
        "suddenly",
        "meanwhile",
        "lately",
        "soon",
        "nowadays",
    ]
)
_TIME_DETS = frozenset(["last", "next", "this", "every"])
_TIME_NOUNS = frozenset(
    [
        "night",
        "week",
        "month",
        "year",
        "morning",
        "evening",
        "afternoon",
        "day",
        "weekend",
        "summer",
        "winter",
        "spring",
        "autumn",
        "time",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
_LY_EXCLUDE = frozenset(
    [
        "only",
        "early",
        "daily",
        "likely",
        "really",
        "fairly",
        "nearly",
        "hardly",
        "merely",
        "family",
        "reply",
        "supply",
        "apply",
        "fly",
        "july",
        "italy",
        "ugly",
        "holy",
        "lonely",
        "friendly",
        "silly",
        "belly",
        "jelly",
        "rally",
        "ally",
        "bully",
        "weekly",
        "monthly",
        "yearly",
    ]
)
_DETS = COMMON_DETERMINERS
# Degree and focus adverbs modify the clause, phrase or adverb that follows them ("long after ...", "right
# before ...", "even if ...", "only on Sundays", "very slowly"): the unit is never fronted without them.
_DEGREE_ADVERBS = frozenset(
    [
        "long",
        "shortly",
        "soon",
        "right",
        "just",
        "well",
        "immediately",
        "directly",
        "even",
        "ever",
        "only",
        "way",
        "straight",
        "exactly",
        "precisely",
        "almost",
        "nearly",
        "mostly",
        "mainly",
        "partly",
        "largely",
        "merely",
        "simply",
        "especially",
        "particularly",
        "chiefly",
        "purely",
        "solely",
        "much",
        "far",
        "all",
        "not",
        "never",
        "hardly",
        "barely",
        "scarcely",
        "very",
        "so",
        "too",
        "quite",
        "rather",
        "pretty",
        "really",
        "more",
        "most",
        "less",
        "least",
        "extremely",
    ]
)
# Those fronted together with their unit ("Long after the lightning had faded, ..."): before a temporal
# introducer only, or before any. The others ("only": "Only on Sundays" needs an inverted verb; "well": the
# manner of the verb before it, "sang well in the evening") keep the sentence as it is.
_WITH_TEMPORAL = frozenset(["long", "shortly", "soon"])
_WITH_ANY = frozenset(["right", "just", "immediately", "directly", "even", "ever", "very"])
_TEMPORAL = frozenset(["after", "before", "since", "until", "once", "when", "whenever"])
# ", so he called ...": a coordinated clause; a trailing part belongs to the last one.
_COORDINATORS = frozenset(["and", "but", "or", "so", "yet", "nor"])
_SUBJECT_PRONOUNS = frozenset(["i", "you", "he", "she", "it", "we", "they", "there"])
_PREP_LIKE = _FRONT_PREPS | _BLOCKERS | _DETS | frozenset({"than", "as"})
_EMBEDDING = frozenset(
    ["how", "that", "what", "which", "who", "where", "why", "when", "if", "because", "whether"]
)
_END_PUNCT = frozenset(".!?…\"'”’»)]}")


def _body_end(tokens: Sequence[str]) -> int:
    end = len(tokens)
    while end > 0 and all(ch in _END_PUNCT for ch in tokens[end - 1]):
        end -= 1
    return end


def _plain_words(tokens: Sequence[str]) -> bool:
    return all(is_word(t) for t in tokens)


def _main_ok(main: Sequence[str], flat: bool = False) -> bool:
    """A main clause to move after a fronted part: two words or more, commas only; ``flat``: no embedded
    clause that the trailing part could belong to instead ("believe how ... looked this morning")."""
    words = [t for t in main if is_word(t)]
    if flat and any(t.lower() in _EMBEDDING for t in words):
        return False
    return len(words) >= 2 and all(is_word(t) or t == "," for t in main)


def _upper_first(word: str) -> str:
    return word[:1].upper() + word[1:]


def _unit_start(lows: Sequence[str], k: int, lexicon: Lexicon) -> int | None:
    """Where the part introduced by ``lows[k]`` starts when it is fronted: ``k``, or ``k - 1`` with the degree
    adverb that modifies it ("long after ...", "right before ...", "even if ..."); ``None`` when an adverb
    modifies it that cannot move with it ("only on Sundays", "well within ...", "turn right after ...")."""
    adverb = lows[k - 1] if k >= 1 else ""
    if adverb not in _DEGREE_ADVERBS:
        return k
    before = lows[k - 2] if k >= 2 else ""
    if before in _DETS or (adverb == "long" and before in _TIME_NOUNS):
        return k  # a noun or an adjective: "his way in the dark", "all day long after the storm"
    if before in _DEGREE_ADVERBS or before in _COPULAS:
        return None  # "very shortly after ...", "was just after noon"
    if adverb in _WITH_ANY or (adverb in _WITH_TEMPORAL and lows[k] in _TEMPORAL):
        if adverb == "right" and before and lexicon.pos_of(before) == "v":
            return None  # "turn right after ...": a direction
        return k - 1
    return None


def _clause_start(lows: Sequence[str], stop: int, lexicon: Lexicon) -> int | None:
    """The first token of the last coordinated clause before ``stop`` (", so he called a locksmith"): a trailing
    part belongs to it. ``0`` without one (a comma list such as "apples, pears, and plums" is none); ``None``
    when a second verb without its own subject follows (", and watched films"): the part may belong to both."""
    for j in range(stop - 2, 1, -1):
        if lows[j] in _COORDINATORS and lows[j - 1] == ",":
            first = lows[j + 1]
            if first in _SUBJECT_PRONOUNS:
                return j + 1
            if lexicon.pos_of(first) == "v":
                return None
            return j + 1 if any(lexicon.pos_of(w) == "v" for w in lows[j + 2 : stop]) else 0
    return 0


def reorder_candidates(
    tokens: Sequence[str], lexicon: Lexicon, rules: Iterable[str] = RULES
) -> list[tuple[str, int]]:
    """The ``(rule, anchor token index)`` pairs that apply to one sentence's tokens.

    Example:
        >>> toks, _ = tokenize("She left early because it rained.")
        >>> reorder_candidates(toks, builtin_lexicon())
        [('clause', 3)]
    """
    rules = set(rules)
    out: list[tuple[str, int]] = []
    end = _body_end(tokens)
    lows = [t.lower() for t in tokens]
    question = "?" in tokens[end:]
    if "clause" in rules and not question:
        for k in range(1, end - 2):
            if lows[k] in _SUBORDINATORS and lows[k - 1] not in _NO_CLAUSE_AFTER:
                start = _unit_start(lows, k, lexicon)
                if start is None or start < 1:
                    continue
                cut = start - 1 if tokens[start - 1] == "," else start
                if (
                    _main_ok(tokens[:cut])
                    and _clause_start(lows, cut, lexicon)
                    == 0  # ", so because it was late I went" reads wrong
                    and _plain_words(tokens[k + 1 : end])
                    and end - k - 1 >= 2
                ):
                    out.append(("clause", start))
                    break
    if "phrase" in rules and not question:
        for k in range(end - 2, 1, -1):
            if lows[k] in _FRONT_PREPS:
                phrase = lows[k + 1 : end]
                start = _unit_start(lows, k, lexicon)
                if start is None or start < 1:
                    break
                prev = lows[start - 1]
                cut = start - 1 if tokens[start - 1] == "," else start
                first = _clause_start(lows, cut, lexicon)
                if (
                    first is not None
                    and 1 <= len(phrase) <= 5
                    and _plain_words(phrase)
                    and not any(w in _BLOCKERS or w in _FRONT_PREPS or w in _SUBORDINATORS for w in phrase)
                    and any(w not in english_stopwords() for w in phrase)
                    and prev not in _COPULAS
                    and (prev == "," or start < k or lexicon.pos_of(prev) != "v")  # "turned on the light"
                    and _main_ok(tokens[first:cut], flat=True)
                ):
                    out.append(("phrase", start))
                break
    if "adverb" in rules and not question and end >= 3:
        last = lows[end - 1]
        at: int | None = None
        if last in _TIME_ADVERBS or (
            last.endswith("ly") and last not in _LY_EXCLUDE and lexicon.pos_of(last) == "r"
        ):
            at = end - 1
        elif end >= 4 and lows[end - 2] in _TIME_DETS and last in _TIME_NOUNS:
            at = end - 2
        start = None if at is None else _unit_start(lows, at, lexicon)
        if start is not None and start >= 1 and lows[start - 1] not in _PREP_LIKE:
            cut = start - 1 if tokens[start - 1] == "," else start
            first = _clause_start(lows, cut, lexicon)
            if first is not None and _main_ok(tokens[first:cut], flat=True):
                out.append(("adverb", start))
    if "coordination" in rules:
        stop = english_stopwords()
        for k in range(1, end - 1):
            if lows[k] not in ("and", "or"):
                continue
            left, right = k - 1, k + 1
            det = lows[right] in _DETS
            if det:
                right += 1
                if left < 1 or lows[left - 1] not in _DETS or right >= end:
                    continue
            heads = (tokens[left], tokens[right])
            if not all(is_word(h) and h.isalpha() and h.lower() not in stop for h in heads):
                continue
            pos = lexicon.pos_of(heads[0].lower())
            if pos is None or pos != lexicon.pos_of(heads[1].lower()) or heads[0].lower() == heads[1].lower():
                continue
            after = lows[right + 1] if right + 1 < end else None
            if after is not None and is_word(after) and lexicon.pos_of(after) == "n" and after not in stop:
                continue  # "salt and pepper shakers": the pair modifies a noun
            out.append(("coordination", k))
    return out


def rewrite(
    tokens: list[str], seps: list[str], rule: str, k: int, lexicon: Lexicon
) -> tuple[list[str], list[str]]:
    """Rewrite one sentence (``seps[j]`` is the whitespace before ``tokens[j]``; ``seps[0]`` is kept as is).

    Example:
        >>> toks, seps = tokenize("She left early because it rained.")
        >>> t, s = rewrite(list(toks), list(seps[:-1]), "clause", 3, builtin_lexicon())
        >>> detokenize(t, [*s, ""])
        'Because it rained, she left early.'
    """
    end = _body_end(tokens)
    pairs = list(zip(tokens, seps))
    if rule == "coordination":
        left_start = k - 2 if tokens[k + 1].lower() in _DETS else k - 1
        right_end = k + 3 if tokens[k + 1].lower() in _DETS else k + 2
        left, right = pairs[left_start:k], pairs[k + 1 : right_end]
        new = [*pairs[:left_start], *right, pairs[k], *left, *pairs[right_end:]]
        new_tokens = [t for t, _ in new]
        new_seps = [s for _, s in pairs]  # whitespace stays by position
        if left_start == 0 and tokens[0][:1].isupper():
            moved_first = len(right)
            new_tokens[moved_first + 1] = lower_first(new_tokens[moved_first + 1], lexicon)
            new_tokens[0] = _upper_first(new_tokens[0])
        return new_tokens, new_seps
    cut = k - 1 if tokens[k - 1] == "," else k
    main, front, tail = pairs[:cut], pairs[k:end], pairs[end:]
    first = _clause_start([t.lower() for t in tokens], cut, lexicon) or 0
    if first:  # within the last coordinated clause, without a comma: ", so at midnight he called a locksmith"
        clause = main[first:]
        new = [
            *main[:first],
            (front[0][0], clause[0][1]),
            *front[1:],
            (clause[0][0], " "),
            *clause[1:],
            *tail,
        ]
        return [t for t, _ in new], [s for _, s in new]
    lead = seps[0]
    if not main[0][0][:1].islower():  # a sentence written in lower case stays so
        front[0] = (_upper_first(front[0][0]), front[0][1])
    front[0] = (front[0][0], lead)
    main = [(lower_first(main[0][0], lexicon), " "), *main[1:]]
    new = [*front, (",", ""), *main, *tail]
    return [t for t, _ in new], [s for _, s in new]


def apply_reorders(text: str, edits: Iterable[dict[str, Any]], lexicon: Lexicon) -> str:
    """Apply recorded reorder edits ``{"op": "reorder", "s": sentence, "rule": rule, "at": anchor}``."""
    edits = list(edits)
    if not edits:
        return text
    toks, seps = tokenize(text)
    tokens, separators = list(toks), list(seps)
    for edit in edits:
        spans = sentence_spans(tokens, separators)
        s = int(edit["s"])
        if not 0 <= s < len(spans):
            continue
        a, b = spans[s]
        sentence = tokens[a:b]
        rule, at = str(edit["rule"]), int(edit["at"])
        if (rule, at) not in reorder_candidates(sentence, lexicon, (rule,)):
            continue
        new_tokens, new_seps = rewrite(sentence, separators[a:b], rule, at, lexicon)
        tokens[a:b] = new_tokens
        separators[a:b] = new_seps
    return detokenize(tokens, separators)


@register("text.SyntaxReorder")
class SyntaxReorder(WordAugmenter):
    """Paraphrase with the same words by moving a constituent (see :mod:`multiaug.text.syntax` for the rules).

    Every sentence where a rule applies is rewritten with probability ``aug_p`` by one applicable rule drawn at
    random; sentences where no rule applies come back unchanged. ``rules`` selects the rules. Part-of-speech
    guesses come from the builtin WordNet lexicon.

    Example:
        >>> import multiaug.text as mt
        >>> mt.SyntaxReorder()("She left early because it rained.", seed=0)
        'Because it rained, she left early.'
    """

    def __init__(self, *, rules: Sequence[str] = RULES, aug_p: float = 1.0, p: float = 1.0) -> None:
        super().__init__(p=p)
        if isinstance(rules, str) or not rules or any(r not in RULES for r in rules):
            raise ConfigError(f"rules must be a non-empty list drawn from {list(RULES)}, got {rules!r}")
        self.rules = tuple(rules)
        self.aug_p = check_prob(aug_p, "aug_p")

    def _edits(self, text: str, rng: random.Random) -> list[Edit]:
        tokens, seps, _ = self.tokens(text)
        lexicon = builtin_lexicon()
        edits: list[Edit] = []
        for s, (a, b) in enumerate(sentence_spans(tokens, seps)):
            options = reorder_candidates(tokens[a:b], lexicon, self.rules)
            if options and rng.random() < self.aug_p:
                rule, at = options[rng.randrange(len(options))]
                edits.append({"op": "reorder", "s": s, "rule": rule, "at": at})
        return edits

    def apply(self, batch: TextBatch, params: dict[str, Any]) -> TextBatch:
        lexicon = builtin_lexicon()
        texts = [apply_reorders(t, list(e), lexicon) for t, e in zip(batch.texts, params["edits"])]
        return batch.replace(texts=texts)
