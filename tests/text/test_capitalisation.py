"""The capital letter of a sentence start follows the sentence start when ops move, insert or reorder words.

A word that stops starting its sentence loses its capital only when it is a common word (``Cats`` -> ``cats``,
``Mark`` stays): WordNet's acronyms (``CAT``, ``US``) do not make a common word a name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import multiaug.text as mt
from multiaug.text.lexicon import builtin_lexicon

WORDNET = Path("/usr/share/wordnet")
needs_wordnet = pytest.mark.skipif(not (WORDNET / "data.noun").is_file(), reason="needs WordNet 3.0 database")


# -- the lexicon tells acronyms from names --------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["cat", "cats", "Cats", "dogs", "apple"])
def test_a_word_wordnet_also_writes_as_an_acronym_is_common(word: str) -> None:
    # CAT (computerized axial tomography) is an acronym, not a name
    assert builtin_lexicon().is_common(word)


@pytest.mark.parametrize("word", ["Mark", "Jack", "Grace", "John", "Paris", "May", "China"])
def test_a_word_wordnet_also_writes_as_a_name_is_not_common(word: str) -> None:
    assert not builtin_lexicon().is_common(word)


def test_acronym_only_lemmas_are_still_not_paraphrased() -> None:
    # "US" (the United States) and "NASA" exist only in capitals: names, never replaced
    lex = builtin_lexicon()
    assert lex.replacements("NASA") == () and not lex.is_common("nasa")
    assert "true cat" in lex.replacements("cat")


@needs_wordnet
def test_nltk_wordnet_flags_agree_with_the_builtin_lexicon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nltk

    corpus = mt.build_nltk_wordnet(tmp_path)
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    nl = mt.NltkWordNetLexicon(corpus)
    for word in ["cat", "cats", "ram", "mark", "grace", "john", "nasa", "dogs", "may"]:
        assert nl.is_common(word) == builtin_lexicon().is_common(word), word


# -- SyntaxReorder ---------------------------------------------------------------------------------------------------


def test_reorder_lowers_a_common_word_that_leaves_the_start() -> None:
    assert mt.SyntaxReorder()("Cats and dogs played.", seed=0) == "Dogs and cats played."


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Jack and Grace left early.", "Grace and Jack left early."),
        ("Mark left early because it rained.", "Because it rained, Mark left early."),
        ("Mark and I left.", "Mark and I left."),
    ],
)
def test_reorder_keeps_the_capital_of_a_name(text: str, expected: str) -> None:
    assert mt.SyntaxReorder()(text, seed=0) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("she left early because it rained.", "because it rained, she left early."),
        ("she reads books in the evening.", "in the evening, she reads books."),
        ("he opened the door slowly.", "slowly, he opened the door."),
        ("cats and dogs played.", "dogs and cats played."),
    ],
)
def test_reorder_keeps_a_lower_case_sentence_start(text: str, expected: str) -> None:
    assert mt.SyntaxReorder()(text, seed=0) == expected


def test_reorder_capitalises_a_sentence_that_started_with_a_capital() -> None:
    assert (
        mt.SyntaxReorder()("She left early because it rained.", seed=0)
        == "Because it rained, she left early."
    )
    assert mt.SyntaxReorder()("I met them last week.", seed=0) == "Last week, I met them."


# -- RandomInsertion -------------------------------------------------------------------------------------------------


def _first_words(text: str) -> list[str]:
    from multiaug.text.casing import sentence_starts
    from multiaug.text.tokenize import tokenize

    toks, seps = tokenize(text)
    return [toks[i] for i in sentence_starts(toks, seps)]


def test_insertion_at_the_start_takes_the_capital() -> None:
    text = "Visit the old castle today. Cats sleep all day."
    aug = mt.RandomInsertion(aug_p=0.3)
    at_start = 0
    for seed in range(40):
        out = aug(text, seed=seed)
        firsts = _first_words(out)
        assert all(w[:1].isupper() for w in firsts), out
        words = out.replace(".", "").split()
        # the old first words lose their capital when they stop starting a sentence
        assert all(w in firsts for w in words if w in ("Visit", "Cats")), out
        at_start += firsts != ["Visit", "Cats"]
    assert at_start >= 5


def test_insertion_at_the_start_keeps_names_and_lower_case_starts() -> None:
    aug = mt.RandomInsertion(aug_p=0.3)
    seen_name = seen_lower = False
    for seed in range(40):
        out = aug("Mark visited the old castle today.", seed=seed)
        assert "Mark" in out.split(), out
        assert out[:1].isupper(), out
        seen_name |= not out.startswith("Mark")
        low = aug("visit the old castle today.", seed=seed)
        assert low[:1].islower() and "Visit" not in low, low
        seen_lower |= not low.startswith("visit")
    assert seen_name and seen_lower


def test_insertion_case_edits_replay_and_batch() -> None:
    aug = mt.RandomInsertion(aug_p=0.3)
    texts = ["Visit the old castle today.", "Cats sleep all day.", "visit the old castle today."]
    for seed in range(10):
        out, rec = aug(texts, seed=seed, keys=[3, 4, 5], return_params=True)
        assert aug(texts, params=rec) == out
        assert [aug([t], seed=seed, keys=[k])[0] for t, k in zip(texts, [3, 4, 5])] == out


def test_the_insertion_example_of_the_docs_is_real() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "text.md").read_text(encoding="utf-8")
    out = mt.RandomInsertion(aug_p=0.3)("Visit the old castle today.", seed=5)
    assert out == "Natter visit the old castle today." and f"`{out}`" in doc


# -- word moves and deletions: WordShuffle, RandomSwap, RandomDeletion ------------------------------------------------

MOVERS = [
    mt.WordShuffle(),
    mt.WordShuffle(window=2),
    mt.WordShuffle(per_sentence=True),
    mt.RandomSwap(aug_p=0.3),
    mt.RandomSwap(aug_p=0.3, adjacent=True),
    mt.RandomDeletion(aug_p=0.3),
]
IDS = ["shuffle", "window", "per_sentence", "swap", "adjacent", "deletion"]


@pytest.mark.parametrize("aug", MOVERS, ids=IDS)
def test_the_capital_follows_the_sentence_start(aug) -> None:
    text = "The cat chased the mice. Dogs sleep all day! Mark saw them."
    moved = 0
    for seed in range(30):
        out = aug(text, seed=seed)
        firsts = _first_words(out)
        assert all(w[:1].isupper() for w in firsts), out
        for word in ("The", "Dogs"):  # common words: capitalised only where they start a sentence
            assert all(w in firsts for w in out.replace(".", " ").replace("!", " ").split() if w == word), out
        assert "mark" not in out.split(), out  # a name keeps its capital wherever it goes
        moved += firsts[:1] != ["The"]
    assert moved >= 3


@pytest.mark.parametrize("aug", MOVERS, ids=IDS)
def test_names_keep_their_capital_and_lower_case_stays(aug) -> None:
    for seed in range(30):
        out = aug("Mark and Grace chased the cat", seed=seed)
        assert all(w in ("Mark", "Grace") or w.islower() or w == out.split()[0] for w in out.split()), out
        low = aug("the cat chased the mice. dogs sleep all day.", seed=seed)
        assert low == low.lower(), low


@pytest.mark.parametrize("aug", MOVERS, ids=IDS)
def test_case_edits_replay_and_do_not_depend_on_the_batch(aug) -> None:
    texts = ["The cat chased the mice.", "Dogs sleep all day! Cats do too.", "Mark saw them."]
    for seed in range(8):
        out, rec = aug(texts, seed=seed, keys=[7, 8, 9], return_params=True)
        assert aug(texts, params=rec) == out
        assert [aug([t], seed=seed, keys=[k])[0] for t, k in zip(texts, [7, 8, 9])] == out


def test_shuffle_example() -> None:
    assert mt.WordShuffle()("The cat sat on the mat.", seed=1) == "The on sat cat mat the."
