"""Synonym-based word ops: SynonymReplacement and RandomInsertion."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from multiaug.core import register
from multiaug.core.errors import ConfigError

from .casing import capitalise, lower_first, sentence_starts
from .edits import abbreviated, chunk_start, insert_token, match_case
from .lexicon import Lexicon, UserLexicon, WordNetLexicon, builtin_lexicon, load_lexicon
from .tagging import PREPOSITIONS, Tagger, context_hint, resolve_tagger, verb_after_subject
from .tokenize import is_word, is_wordlike
from .word_base import Edit, WordAugmenter

__all__ = ["RandomInsertion", "SynonymAugmenter", "SynonymReplacement"]

Source = str | Mapping[str, Iterable[str]] | Lexicon


def _check_source(source: Source) -> None:
    if isinstance(source, Mapping):
        UserLexicon(source)  # refuses bad entries now rather than at the first call
        return
    if isinstance(source, Lexicon):
        return
    if source in ("builtin", "nltk"):
        if source == "nltk":
            from .nltk_wordnet import find_nltk_wordnet

            find_nltk_wordnet()
        return
    if isinstance(source, str | Path) and Path(source).is_file():
        return
    raise ConfigError(
        f"source must be 'builtin', 'nltk', a dict word -> synonyms, a JSON/TSV file path or a Lexicon, "
        f"got {source!r}"
    )


class SynonymAugmenter(WordAugmenter):
    """Word ops that draw synonyms from a lexicon (loaded lazily, once per process)."""

    def __init__(
        self,
        *,
        source: Source = "builtin",
        aug_p: float = 0.1,
        aug_min: int = 1,
        aug_max: int | None = None,
        stopwords: str | Iterable[str] | None = "english",
        protect: str | Iterable[str] | None = None,
        max_senses: int | None = None,
        pos_tagger: str | None = "auto",
        p: float = 1.0,
    ) -> None:
        super().__init__(
            aug_p=aug_p, aug_min=aug_min, aug_max=aug_max, stopwords=stopwords, protect=protect, p=p
        )
        _check_source(source)
        if max_senses is not None and (
            isinstance(max_senses, bool) or not isinstance(max_senses, int) or max_senses < 1
        ):
            raise ConfigError(f"max_senses must be a positive integer or None, got {max_senses!r}")
        self.source = source
        self.max_senses = max_senses
        self.pos_tagger = pos_tagger
        resolve_tagger(pos_tagger) if pos_tagger != "auto" else None  # validates the argument
        self._lexicon: Lexicon | None = None
        self._tagger: Tagger | None = None
        self._tagger_ready = False

    def __getstate__(self) -> dict[str, Any]:
        # the lexicon and the tagger are reloaded lazily: pickles (DataLoader workers) stay small
        state = self.__dict__.copy()
        if not isinstance(self.source, Lexicon):
            state["_lexicon"] = None
        state["_tagger"], state["_tagger_ready"] = None, False
        return state

    @property
    def lexicon(self) -> Lexicon:
        """The synonym source (loaded on first use)."""
        if self._lexicon is None:
            self._lexicon = load_lexicon(self.source)
        return self._lexicon

    def _tag(self, tokens: Sequence[str]) -> list[str | None] | None:
        if not self._tagger_ready:
            self._tagger = resolve_tagger(self.pos_tagger)
            self._tagger_ready = True
        if self._tagger is None:
            return None
        index = [i for i, t in enumerate(tokens) if is_word(t)]
        tags: list[str | None] = [None] * len(tokens)
        for i, tag in zip(index, self._tagger([tokens[i] for i in index])):
            tags[i] = tag
        return tags

    def options(self, tokens: Sequence[str], i: int, tags: list[str | None] | None) -> tuple[str, ...]:
        """The replacements for token ``i`` (form kept, case not yet applied); empty when it is not a content word."""
        tok = tokens[i]
        if len(tok) < 2 or not is_wordlike(tok):
            return ()
        lexicon = self.lexicon
        wordnet = isinstance(lexicon, WordNetLexicon)
        if tok[0].isupper() and not tok.isupper() and wordnet and not _starts_sentence(tokens, i):
            return ()  # English, capitalised inside a sentence: a name ("Brown", "Paris"), not paraphrased
        word, suffix = tok, ""
        if tok[-2:] in ("'s", "’s") and len(tok) > 3:  # possessive: "farmer's" -> "grower's"
            word, suffix = tok[:-2], tok[-2:]
        low = word.lower()
        if wordnet and low in PREPOSITIONS:
            return ()  # WordNet's "near" is the adverb "nearly" ("virtually"): a preposition keeps its place
        if tags is not None:
            pos = tags[i]
            if pos is None:
                return ()
            found = lexicon.replacements(low, None, "n" if suffix else pos, self.max_senses)
        else:
            prev = None  # the previous word (a loop: a generator costs a microsecond per token)
            for k in range(i - 1, -1, -1):
                if is_word(tokens[k]):
                    prev = tokens[k]
                    break
            hint = _NOUN if suffix else context_hint(prev)
            if (
                hint is None
                and wordnet
                and low.endswith(_FINITE_ENDINGS)
                and verb_after_subject(tokens, i, lexicon.readings)  # type: ignore[attr-defined]
            ):
                hint = _VERB  # "the dog sleeps": the verb, not the plural of "sleep"
            found = lexicon.replacements(low, hint, None, self.max_senses)
        if suffix:
            plural = wordnet and any(r[1] == "n" and r[2] == "pl" for r in lexicon.readings(word))  # type: ignore[attr-defined]
            found = _possessive(found, suffix, plural)
        if found and i + 1 < len(tokens):
            # a phrasal synonym whose particle is the next word would double it: "jumps over" -> "skips over over"
            after = " " + tokens[i + 1].lower()
            found = tuple(f for f in found if not f.lower().endswith(after))
        return _common_only(found) if tok.islower() else found


_NOUN = frozenset({"n"})
_VERB = frozenset({"v"})
_FINITE_ENDINGS = ("s", "ed")
_SENTENCE_OPENERS = frozenset(
    {".", "!", "?", "…", ":", ";", '"', "“", "«", "(", "[", "'", "‘", "-", "–", "—"}
)


def _starts_sentence(tokens: Sequence[str], i: int) -> bool:
    """True when token ``i`` may start a sentence (so its capital letter says nothing about a name)."""
    if i == 0:
        return True
    prev = tokens[i - 1]
    if prev not in _SENTENCE_OPENERS:
        return False
    if prev == "." and i >= 2:
        return not abbreviated(tokens[i - 2], tokens[i])
    return True


@lru_cache(maxsize=65536)
def _possessive(options: tuple[str, ...], suffix: str, plural: bool) -> tuple[str, ...]:
    """Possessive forms of noun replacements: ``grower's``; a plural ending in ``s`` takes the apostrophe only
    (``children's`` -> ``kids'``)."""
    return tuple(o + suffix[0] if plural and o.endswith("s") else o + suffix for o in options)


@lru_cache(maxsize=65536)
def _common_only(options: tuple[str, ...]) -> tuple[str, ...]:
    """A lower-case word is not replaced by a capitalised synonym (a name such as "George Fox")."""
    return tuple(o for o in options if o.islower() or not any(ch.isupper() for ch in o))


@register("text.SynonymReplacement")
class SynonymReplacement(SynonymAugmenter):
    """Replace content words by synonyms, keeping their form and case.

    ``n = max(aug_min, int(aug_p * number_of_words))`` words (at most ``aug_max``) are replaced, chosen among the
    words that have a synonym; stopwords, prepositions, numbers, URLs and protected tokens are never replaced. The synonym keeps
    the original's form (plural, past tense, -ing, 3rd person -s, possessive; capitalised, ALL CAPS); names are not
    paraphrased and never come in (with the WordNet sources); part of speech is respected (from
    an installed NLTK tagger with ``pos_tagger="auto"``, else from the context and the lexicon's sense counts).
    Multi-word synonyms are written with spaces.

    Args:
        source: ``"builtin"`` (WordNet 3.0, shipped), ``"nltk"`` (an installed NLTK WordNet corpus), a dict
            word -> synonyms, or a JSON/TSV file path.

    Example:
        >>> import multiaug.text as mt
        >>> mt.SynonymReplacement(aug_p=0.3)("The children looked happy and walked quickly to school.", seed=1)
        'The children looked glad and walked quickly to school day.'
    """

    def _edits(self, text: str, rng: random.Random) -> list[Edit]:
        tokens, _, words = self.tokens(text)
        eligible = [i for i in self.eligible(tokens, words) if is_wordlike(tokens[i])]
        if not eligible:
            return []
        tags = self._tag(tokens)
        candidates = [(i, opts) for i in eligible if (opts := self.options(tokens, i, tags))]
        n = min(self._count(len(words)), len(candidates))
        if n == 0:
            return []
        chosen = sorted(rng.sample(range(len(candidates)), n))
        edits: list[Edit] = []
        for k in chosen:
            i, opts = candidates[k]
            new = match_case(tokens[i], opts[rng.randrange(len(opts))])
            edits.append({"op": "sub", "i": i, "old": tokens[i], "new": new})
        return edits


@register("text.RandomInsertion")
class RandomInsertion(SynonymAugmenter):
    """Insert synonyms of words of the text at random word positions (EDA's random insertion), ``n`` times.

    Each insertion picks a random content word that has a synonym and inserts one of its synonyms (same form)
    before a random word or after the last one. ``n = max(aug_min, int(aug_p * number_of_words))``. A word
    inserted at the start of a capitalised sentence takes its capital, and the old first word loses it when it is
    a common word (``Visit the castle.`` -> ``Call visit the castle.``; names keep theirs).

    Example:
        >>> import multiaug.text as mt
        >>> mt.RandomInsertion(aug_p=0.2)("She reads old books.", seed=4)
        'She reads old ledgers books.'
    """

    def _edits(self, text: str, rng: random.Random) -> list[Edit]:
        tokens, seps, word_index = self.tokens(text)
        eligible = [i for i in self.eligible(tokens, word_index) if is_wordlike(tokens[i])]
        if not eligible:
            return []
        tags = self._tag(tokens)
        sources = [(tokens[i], opts) for i in eligible if (opts := self.options(tokens, i, tags))]
        if not sources:
            return []
        words = list(word_index)
        n = self._count(len(words))
        current, spaces = list(tokens), list(seps)
        edits: list[Edit] = []
        inserted: dict[int, str] = {}  # token index -> the inserted word before it took a sentence's capital
        for _ in range(n):
            word, opts = sources[rng.randrange(len(sources))]
            new = opts[rng.randrange(len(opts))]
            if word.isupper() and len(word) > 1:
                new = new.upper()
            slot = rng.randrange(len(words) + 1)
            # before a word's leading punctuation ("$3.50", "'dog'"), or after the last word
            at = chunk_start(current, spaces, words[slot]) if slot < len(words) else words[-1] + 1
            old_first = (
                words[slot] if slot < len(words) and sentence_starts(current, spaces).get(words[slot]) else -1
            )
            plain = new
            if old_first >= 0:
                new = capitalise(new)  # the new word starts a capitalised sentence
            edits.append({"op": "ins", "i": at, "new": new, "of": word})
            insert_token(current, spaces, at, new)  # keep positions valid for the next insertion
            inserted = {k + (k >= at): w for k, w in inserted.items()}
            if old_first >= 0:
                k = old_first + 1
                lowered = inserted.pop(k, None) or lower_first(current[k], self._common_words())
                if lowered != current[k]:
                    edits.append({"op": "sub", "i": k, "old": current[k], "new": lowered})
                    current[k] = lowered
                if new != plain:
                    inserted[at] = plain
            words = [w + (w >= at) for w in words]
            words.insert(slot, at)
        return edits

    def _common_words(self) -> Lexicon:
        """What tells a common word from a name at a sentence start: the WordNet source, else the builtin one
        (a user lexicon's words may be capitalised nouns: German ``Auto``)."""
        return self.lexicon if isinstance(self.lexicon, WordNetLexicon) else builtin_lexicon()
