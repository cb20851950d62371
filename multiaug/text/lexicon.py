"""Synonym sources: the WordNet lexicon shipped with multiaug, NLTK's WordNet corpus, and user lexicons.

Every source answers ``replacements(word)``: the surface forms that may replace ``word`` (form kept, the word itself
excluded), lower-case unless the lexicon spells them otherwise; the augmenters apply the original's case.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import threading
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from multiaug.core.errors import ConfigError

from .inflect import analyse, inflect

__all__ = [
    "BUILTIN_LEXICON_PATH",
    "Lexicon",
    "NltkWordNetLexicon",
    "UserLexicon",
    "WordNetLexicon",
    "builtin_lexicon",
    "load_lexicon",
]

RESOURCES = Path(__file__).resolve().parent / "resources"
BUILTIN_LEXICON_PATH = RESOURCES / "wordnet_lexicon.tsv.gz"
_POS_ORDER = {"n": 0, "v": 1, "a": 2, "r": 3}
_COMMON_FLAGS = frozenset({"", "A"})  # an ordinary word, or one also written as an acronym


class Lexicon:
    """Base class of synonym sources. Subclasses implement :meth:`_lookup`; results are cached per process.

    Each cache holds at most ``cache_limit`` words and starts afresh when full, so a long job over a corpus
    with millions of distinct tokens (typos, numbers, names) keeps a bounded memory.
    """

    name = "lexicon"
    cache_limit = 1 << 18

    def __init__(self) -> None:
        self._cache: dict[tuple[str, frozenset[str] | None, str | None, int | None], tuple[str, ...]] = {}
        self._readings: dict[str, list[tuple[str, str, str, int]]] = {}

    def replacements(
        self,
        word: str,
        prefer: frozenset[str] | None = None,
        pos: str | None = None,
        max_senses: int | None = None,
    ) -> tuple[str, ...]:
        """Surface forms that can replace ``word`` (looked up lower-case), in lexicon order, never ``word`` itself.

        ``pos`` (``"n"``, ``"v"``, ``"a"``, ``"r"``) restricts to that part of speech (from a tagger); ``prefer``
        is a softer hint from context (used when some reading matches it); ``max_senses`` keeps only the most
        frequent senses.
        """
        key = (word, prefer, pos, max_senses)
        found = self._cache.get(key)
        if found is None:
            found = self._lookup(word, prefer, pos, max_senses)
            if len(self._cache) >= self.cache_limit:
                self._cache.clear()
            self._cache[key] = found
        return found

    def _lookup(
        self, word: str, prefer: frozenset[str] | None, pos: str | None, max_senses: int | None
    ) -> tuple[str, ...]:
        raise TypeError(f"{type(self).__name__} must implement _lookup")

    def pos_of(self, word: str) -> str | None:
        """The most likely part of speech of a word, or ``None`` when the lexicon cannot tell."""
        return None

    def is_common(self, word: str) -> bool:
        """True when the lexicon knows the lower-cased word as an ordinary (not proper) word."""
        return False


class UserLexicon(Lexicon):
    """A user's word -> synonyms mapping (any language or domain); only the case of the original is kept.

    Example:
        >>> lex = UserLexicon({"quick": ["fast", "rapid"], "Fast": ["quick"]})
        >>> lex.replacements("Quick")
        ('fast', 'rapid')
    """

    name = "user"

    def __init__(self, mapping: Mapping[str, Iterable[str]]) -> None:
        super().__init__()
        table: dict[str, list[str]] = {}
        for word, synonyms in mapping.items():
            items = [synonyms] if isinstance(synonyms, str) else synonyms
            items = list(items) if isinstance(items, Iterable) else [items]
            if not all(isinstance(s, str) for s in items):
                raise ConfigError(
                    f"the synonyms of {str(word)!r} must be a string or a list of strings, got {synonyms!r}"
                )
            key = str(word).lower()
            entry = table.setdefault(key, [])
            for syn in items:
                syn = syn.replace("_", " ").strip()
                if syn and syn.lower() != key and syn not in entry:
                    entry.append(syn)
        self.table = table

    @classmethod
    def from_file(cls, path: str | Path) -> UserLexicon:
        """Read a JSON object ``{"word": ["synonym", ...]}`` or a TSV file (``word<TAB>synonym<TAB>...``)."""
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"lexicon file {str(path)!r} does not exist")
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8-sig") as fh:  # a byte order mark is not part of a word
            text = fh.read()
        if path.name.endswith((".json", ".json.gz")):
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ConfigError(f"lexicon JSON {str(path)!r} must hold an object word -> [synonyms]")
            return cls(data)
        mapping: dict[str, list[str]] = {}
        for line in text.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            fields = [f.strip() for f in line.split("\t")]
            mapping.setdefault(fields[0], []).extend(f for f in fields[1:] if f)
        return cls(mapping)

    def _lookup(
        self, word: str, prefer: frozenset[str] | None, pos: str | None, max_senses: int | None
    ) -> tuple[str, ...]:
        return tuple(self.table.get(word.lower(), ()))

    def is_common(self, word: str) -> bool:
        return word.lower() in self.table


class WordNetLexicon(Lexicon):
    """Synonyms from WordNet synonym sets, with part of speech, sense order and inflection (form kept).

    Subclasses supply the data through :meth:`_entry`, :meth:`_exceptions` and :meth:`_inverse`.
    """

    name = "wordnet"

    def _entry(self, lemma: str, pos: str) -> tuple[int, list[tuple[str, ...]], str] | None:
        """(tag count, synonym sets in sense order, name flags) for a lower-case lemma, or None.

        Name flags: ``""`` an ordinary word, ``"A"`` also spelled in capitals as an acronym (``cat``/``CAT``: an
        ordinary word), ``"C"`` also spelled capitalised (``mark``/``Mark``: a name too), ``"P"`` only a name.
        """
        raise TypeError(f"{type(self).__name__} must implement _entry")

    def _exceptions(self, pos: str, form: str) -> list[str]:
        raise TypeError(f"{type(self).__name__} must implement _exceptions")

    def _inverse(self, pos: str, lemma: str) -> list[str]:
        raise TypeError(f"{type(self).__name__} must implement _inverse")

    def _known(self, lemma: str, pos: str) -> int | None:
        entry = self._entry(lemma, pos)
        return None if entry is None else entry[0]

    def readings(self, word: str) -> list[tuple[str, str, str, int]]:
        """``(lemma, pos, form, tag count)`` readings of a word (cached per lexicon: do not modify the list).

        Example:
            >>> builtin_lexicon().readings("geese")
            [('goose', 'n', 'pl', 1)]
        """
        low = word.lower()
        found = self._readings.get(low)
        if found is None:
            if len(self._readings) >= self.cache_limit:
                self._readings.clear()
            found = self._readings[low] = analyse(low, self._known, self._exceptions)
        return found

    def pos_of(self, word: str) -> str | None:
        readings = self.readings(word)
        if not readings:
            return None
        return min(readings, key=lambda r: (-r[3], _POS_ORDER[r[1]]))[1]

    def is_common(self, word: str) -> bool:
        """True when no reading of the word is a lemma WordNet also spells as a name (``Mark``, ``Paris``).

        A spelling in capitals (an acronym: ``CAT``, ``RAM``) does not make an ordinary word a name.

        Example:
            >>> lex = builtin_lexicon()
            >>> lex.is_common("Cats"), lex.is_common("Mark"), lex.is_common("NASA")
            (True, False, False)
        """
        readings = self.readings(word)
        return bool(readings) and all(
            self._entry(lemma, pos)[2] in _COMMON_FLAGS  # type: ignore[index]
            for lemma, pos, _, _ in readings
        )

    def synonym_lemmas(self, lemma: str, pos: str, max_senses: int | None = None) -> list[str]:
        """Lemmas sharing a synonym set with ``lemma`` (sense order, duplicates removed, lemma excluded)."""
        entry = self._entry(lemma, pos)
        if entry is None:
            return []
        sets = entry[1][:max_senses] if max_senses else entry[1]
        out: list[str] = []
        seen = {lemma}
        for members in sets:
            for member in members:
                low = member.lower()
                if low not in seen:
                    seen.add(low)
                    out.append(member)
        return out

    def _lookup(
        self, word: str, prefer: frozenset[str] | None, pos: str | None, max_senses: int | None
    ) -> tuple[str, ...]:
        low = word.lower()
        readings = self.readings(low)
        if pos is not None:
            readings = [r for r in readings if r[1] == pos]
        elif prefer:
            readings = [r for r in readings if r[1] in prefer] or readings
        if not readings:
            return ()
        best = min(readings, key=lambda r: (-r[3], _POS_ORDER[r[1]]))[1]
        out: list[str] = []
        seen = {low}
        for lemma, rpos, form, _count in sorted(readings, key=lambda r: -r[3]):
            if rpos != best:
                continue
            name = self._entry(lemma, rpos)[2]  # type: ignore[index]
            if name == "P":
                continue  # names are not paraphrased ("NASA", "Paris")
            key = _letters(lemma)
            for synonym in self.synonym_lemmas(lemma, rpos, max_senses):
                if any(ch.isupper() for ch in synonym):
                    continue  # names are not synonyms of words ("fox" -> "Charles James Fox")
                if _letters(synonym) == key:
                    continue  # a spelling variant is not a synonym ("Mr" -> "Mr.")
                surface = inflect(synonym, rpos, form, self._inverse)
                if surface is not None and surface.lower() not in seen:
                    seen.add(surface.lower())
                    out.append(surface)
        return tuple(out)


class _TableWordNet(WordNetLexicon):
    """WordNet data held in dictionaries (the builtin file)."""

    def __init__(
        self,
        synsets: list[tuple[str, ...]],
        words: dict[tuple[str, str], tuple[int, str, str]],
        exceptions: dict[tuple[str, str], list[str]],
    ) -> None:
        super().__init__()
        self._synsets = synsets
        self._words = words
        self._exc = exceptions
        inverse: dict[tuple[str, str], list[str]] = {}
        for (pos, form), lemmas in exceptions.items():
            for lemma in lemmas:
                inverse.setdefault((pos, lemma), []).append(form)
        self._inv = inverse
        self._entries: dict[tuple[str, str], tuple[int, list[tuple[str, ...]], str] | None] = {}

    def _entry(self, lemma: str, pos: str) -> tuple[int, list[tuple[str, ...]], str] | None:
        key = (lemma, pos)
        try:
            return self._entries[key]
        except KeyError:
            pass
        raw = self._words.get(key)
        entry = None
        if raw is not None:
            count, ids, proper = raw
            entry = (count, [self._synsets[int(i, 36)] for i in ids.split(",")] if ids else [], proper)
        self._entries[key] = entry
        return entry

    def _exceptions(self, pos: str, form: str) -> list[str]:
        return self._exc.get((pos, form), [])

    def _inverse(self, pos: str, lemma: str) -> list[str]:
        return self._inv.get((pos, lemma), [])

    @property
    def n_synsets(self) -> int:
        return len(self._synsets)

    @property
    def n_words(self) -> int:
        return len(self._words)


def _letters(word: str) -> str:
    """The letters and digits of a word, lower-cased: spelling variants compare equal."""
    return "".join(ch for ch in word.lower() if ch.isalnum())


def read_lexicon_file(path: str | Path) -> _TableWordNet:
    """Load a lexicon written by ``scripts/build_lexicon.py``."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    synsets: list[tuple[str, ...]] = []
    words: dict[tuple[str, str], tuple[int, str, str]] = {}
    exceptions: dict[tuple[str, str], list[str]] = {}
    for line in lines:
        kind = line[:1]
        if kind == "W":
            _, word, pos, count, ids, flags = line.split("\t")
            words[(word, pos)] = (int(count), ids, flags)
        elif kind == "S":
            synsets.append(tuple(line[4:].split("|")))
        elif kind == "E":
            _, pos, form, lemma = line.split("\t")
            exceptions.setdefault((pos, form), []).append(lemma)
    return _TableWordNet(synsets, words, exceptions)


_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _builtin() -> _TableWordNet:
    return read_lexicon_file(BUILTIN_LEXICON_PATH)


def builtin_lexicon() -> _TableWordNet:
    """The WordNet 3.0 lexicon shipped with multiaug, loaded once per process on first use.

    Example:
        >>> "hound" in builtin_lexicon().replacements("dog")
        True
    """
    with _LOCK:
        return _builtin()


class NltkWordNetLexicon(WordNetLexicon):
    """WordNet through an installed NLTK ``wordnet`` corpus (found with ``nltk.data.find``, never downloaded).

    ``root`` is a corpus directory; by default NLTK's search path (``nltk.data.path``) is used. To install the corpus
    on a machine with internet, run ``python -m multiaug.text.nltk_wordnet download``; to make it from a local
    WordNet 3.0 database (e.g. Debian's ``wordnet-base``), ``python -m multiaug.text.nltk_wordnet build``.
    """

    name = "nltk"

    def __init__(self, root: str | Path | None = None) -> None:
        super().__init__()
        from .nltk_wordnet import open_nltk_wordnet

        self.reader = open_nltk_wordnet(root)
        self._exc_map = self.reader._exception_map
        inverse: dict[tuple[str, str], list[str]] = {}
        for pos, table in self._exc_map.items():
            for form, lemmas in table.items():
                for lemma in lemmas:
                    inverse.setdefault((pos, lemma.replace("_", " ")), []).append(form.replace("_", " "))
        self._inv = inverse
        self._entries: dict[tuple[str, str], tuple[int, list[tuple[str, ...]], str] | None] = {}

    def _entry(self, lemma: str, pos: str) -> tuple[int, list[tuple[str, ...]], str] | None:
        key = (lemma, pos)
        if key in self._entries:
            return self._entries[key]
        offsets = self.reader._lemma_pos_offset_map.get(lemma.replace(" ", "_"), {}).get(pos)
        entry = None
        if offsets:
            sets: list[tuple[str, ...]] = []
            count = 0
            lower = name = caps = False  # how WordNet spells the lemma (as scripts/build_lexicon.py reads it)
            for offset in offsets:
                synset = self.reader.synset_from_pos_and_offset(pos, offset)
                names = tuple(dict.fromkeys(n.replace("_", " ") for n in synset.lemma_names()))
                for lem in synset.lemmas():
                    if lem.name().lower() == lemma.replace(" ", "_"):
                        spelled = lem.name()
                        lower |= spelled == spelled.lower()
                        caps |= spelled != spelled.lower() and spelled.isupper()
                        name |= spelled != spelled.lower() and not spelled.isupper()
                        with contextlib.suppress(LookupError, OSError, ValueError):
                            count += lem.count()
                if len(names) >= 2:
                    sets.append(names)
            flags = "P" if (name or caps) and not lower else "C" if name else "A" if caps else ""
            entry = (count, sets, flags)
        self._entries[key] = entry
        return entry

    def _exceptions(self, pos: str, form: str) -> list[str]:
        return [x.replace("_", " ") for x in self._exc_map.get(pos, {}).get(form.replace(" ", "_"), [])]

    def _inverse(self, pos: str, lemma: str) -> list[str]:
        return self._inv.get((pos, lemma), [])


def load_lexicon(source: str | Mapping[str, Iterable[str]] | Lexicon) -> Lexicon:
    """Resolve a synonym source: ``"builtin"``, ``"nltk"``, a dict, a JSON/TSV file path, or a Lexicon.

    Example:
        >>> load_lexicon({"big": ["large"]}).replacements("big")
        ('large',)
    """
    if isinstance(source, Lexicon):
        return source
    if isinstance(source, Mapping):
        return UserLexicon(source)
    if source == "builtin":
        return builtin_lexicon()
    if source == "nltk":
        return _nltk_lexicon()
    if isinstance(source, (str, Path)) and Path(source).is_file():
        return UserLexicon.from_file(source)
    raise ConfigError(
        f"source must be 'builtin', 'nltk', a dict word -> synonyms or a JSON/TSV file path, got {source!r}"
    )


@lru_cache(maxsize=1)
def _nltk_lexicon() -> NltkWordNetLexicon:
    return NltkWordNetLexicon()
