"""The shipped lexicon, inflection (form kept), NLTK WordNet and user lexicons, lazy offline loading."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import multiaug.text as mt
from multiaug.core.errors import ConfigError
from multiaug.text.inflect import inflect
from multiaug.text.lexicon import BUILTIN_LEXICON_PATH, builtin_lexicon

WORDNET = Path("/usr/share/wordnet")
needs_wordnet = pytest.mark.skipif(not (WORDNET / "data.noun").is_file(), reason="needs WordNet 3.0 database")
REPO = Path(__file__).resolve().parents[2]


def test_lexicon_is_compact_and_licensed() -> None:
    assert BUILTIN_LEXICON_PATH.stat().st_size < 3_000_000
    licence = (BUILTIN_LEXICON_PATH.parent / "LICENSE.wordnet").read_text()
    assert "WordNet 3.0 Copyright 2006 by Princeton University" in licence
    lex = builtin_lexicon()
    assert lex.n_synsets > 50_000 and lex.n_words > 100_000


@needs_wordnet
def test_build_script_reproduces_the_shipped_file(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "scripts/build_lexicon.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "wordnet_lexicon.tsv.gz").read_bytes() == BUILTIN_LEXICON_PATH.read_bytes()


def test_import_is_light_and_lazy() -> None:
    code = (
        "import sys, multiaug.text as mt; from multiaug.text.lexicon import _builtin; "
        "assert 'torch' not in sys.modules, 'torch imported'; "
        "assert _builtin.cache_info().currsize == 0, 'lexicon loaded at import'; "
        "mt.SynonymReplacement(); assert _builtin.cache_info().currsize == 0, 'lexicon loaded at construction'"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


@pytest.mark.parametrize(
    "word,expected,form_check",
    [
        ("dogs", "hounds", lambda r: r.split()[-1].endswith("s")),
        ("children", "kids", lambda r: r.split()[-1].endswith("s")),
        ("geese", None, lambda r: r.split()[-1].endswith("s")),
        ("stopped", "halted", lambda r: r.split()[0].endswith(("ed", "t", "d"))),
        ("purchased", "bought", lambda r: r.split()[0].endswith(("ed", "t", "d"))),
        ("buys", "purchases", lambda r: r.split()[0].endswith("s")),
        ("running", "running away", lambda r: r.split()[0].endswith("ing")),
        ("quickly", "rapidly", lambda r: True),
    ],
)
def test_replacements_keep_the_form(word: str, expected: str | None, form_check) -> None:
    reps = builtin_lexicon().replacements(word)
    assert reps, word
    if expected is not None:
        assert expected in reps
    assert word not in reps
    assert all(form_check(r) for r in reps), [r for r in reps if not form_check(r)]
    assert not any("_" in r for r in reps)


def test_irregular_forms_are_never_guessed() -> None:
    inv = builtin_lexicon()._inverse
    assert inflect("go", "v", "past", inv) is None  # went / gone differ
    assert inflect("cut", "v", "past", inv) is None  # not "cutted"
    assert inflect("teach", "v", "past", inv) == "taught"
    assert inflect("stop", "v", "past", inv) == "stopped"
    assert inflect("child", "n", "pl", inv) == "children"
    assert inflect("sign of the zodiac", "n", "pl", inv) == "signs of the zodiac"
    assert inflect("look up", "v", "ing", inv) == "looking up"
    assert inflect("have sex", "v", "3sg", inv) == "has sex"
    assert inflect("big", "a", "cmp", inv) is None


_SUFFIXES = [
    ("ed", ""),
    ("ed", "e"),
    ("ied", "y"),
    ("ing", ""),
    ("ing", "e"),
    ("s", ""),
    ("es", ""),
    ("ies", "y"),
]


def test_every_replacement_shares_a_synonym_set_with_the_word() -> None:
    lex = builtin_lexicon()
    for word in ["dogs", "ran", "happy", "houses", "bought", "quickly", "engineers", "repaired", "storm"]:
        lemmas = {(lemma, pos) for lemma, pos, _, _ in lex.readings(word)}
        allowed = set()
        for lemma, pos in lemmas:
            allowed.update(s.lower() for s in lex.synonym_lemmas(lemma, pos))
        for rep in lex.replacements(word):
            words = rep.split(" ")
            heads = {0, len(words) - 1} | ({words.index("of") - 1} if "of" in words[1:] else set())
            found = rep.lower() in allowed
            for h in heads:
                head = words[h].lower()
                bases = {lemma for lemma, _, _, _ in lex.readings(head)}
                bases |= {head[: -len(x)] + y for x, y in _SUFFIXES if head.endswith(x)}
                for base in bases:
                    found = found or " ".join([*words[:h], base, *words[h + 1 :]]).lower() in allowed
            assert found, (word, rep)


def test_pos_and_names() -> None:
    lex = builtin_lexicon()
    assert lex.pos_of("saw") == "v" and lex.pos_of("quickly") == "r" and lex.pos_of("xyzzy") is None
    assert lex.is_common("Students") and not lex.is_common("John") and not lex.is_common("Paris")
    assert "Charles James Fox" not in mt.SynonymReplacement().options(["fox"], 0, None)


def test_user_lexicon_dict_json_tsv(tmp_path: Path) -> None:
    data = {"quick": ["fast", "rapid"], "sad": "unhappy", "weird_word": ["odd_one"]}
    json_path = tmp_path / "lex.json"
    json_path.write_text(json.dumps(data))
    tsv_path = tmp_path / "lex.tsv"
    tsv_path.write_text("# comment\nquick\tfast\trapid\nsad\tunhappy\nweird_word\todd_one\n")
    for source in (data, str(json_path), tsv_path):
        lex = mt.load_lexicon(source)
        assert lex.replacements("Quick") == ("fast", "rapid")
        assert lex.replacements("sad") == ("unhappy",)
        assert lex.replacements("weird_word") == ("odd one",)
    aug = mt.SynonymReplacement(source=data, aug_p=1.0, stopwords=None)
    assert aug("QUICK and Sad", seed=0) in {"FAST and Unhappy", "RAPID and Unhappy"}


def test_user_lexicon_works_for_any_language() -> None:
    aug = mt.SynonymReplacement(source={"schnell": ["rasch", "flink"]}, aug_p=1.0, stopwords=None)
    assert aug("Das Auto ist schnell.", seed=0) in {"Das Auto ist rasch.", "Das Auto ist flink."}


def test_bad_sources() -> None:
    with pytest.raises(ConfigError, match="source"):
        mt.SynonymReplacement(source="wordnet-please")
    with pytest.raises(ConfigError, match="does not exist"):
        mt.UserLexicon.from_file("/nonexistent/lex.json")


def test_nltk_source_without_corpus_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nltk

    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    with pytest.raises(ConfigError, match="never downloads"):
        mt.SynonymReplacement(source="nltk")


@needs_wordnet
def test_nltk_source_from_a_locally_built_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nltk

    from multiaug.text import lexicon as lexmod

    corpus = mt.build_nltk_wordnet(tmp_path)
    assert (corpus / "lexnames").is_file()
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    lexmod._nltk_lexicon.cache_clear()
    try:
        nl = mt.NltkWordNetLexicon()
        for word in ["dogs", "children", "quickly", "houses"]:
            assert nl.replacements(word) == builtin_lexicon().replacements(word)
        out = mt.SynonymReplacement(source="nltk", aug_p=0.5)("The dogs barked at the children.", seed=0)
        assert out != "The dogs barked at the children."
    finally:
        lexmod._nltk_lexicon.cache_clear()


def test_caches_stay_bounded_and_answers_do_not_change(monkeypatch: pytest.MonkeyPatch) -> None:
    lex = builtin_lexicon()
    before = (lex.replacements("happy"), lex.readings("geese"))
    monkeypatch.setattr(lex, "cache_limit", 8)
    for i in range(50):  # distinct tokens, as a long job over a large corpus meets them
        lex.replacements(f"token{i}")
        lex.readings(f"token{i}")
    assert len(lex._cache) <= 8 and len(lex._readings) <= 8
    assert (lex.replacements("happy"), lex.readings("geese")) == before
