"""A new user's review of the text ops: each test pins a bug that changed a text's meaning."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import multiaug.text as mt

ROOT = Path(__file__).resolve().parents[2]


def reorders(text: str, seeds: int = 12) -> set[str]:
    """Every output SyntaxReorder gives for ``text`` over a few seeds (the text itself when nothing applies)."""
    aug = mt.SyntaxReorder()
    return {aug(text, seed=seed) for seed in range(seeds)}


# -- SyntaxReorder: a degree adverb stays with the clause or phrase it modifies ------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "Thunder rolled across the valley long after the lightning had faded.",
            "Long after the lightning had faded, thunder rolled across the valley.",
        ),
        ("She left long before he arrived.", "Long before he arrived, she left."),
        ("The bus arrived shortly after noon.", "Shortly after noon, the bus arrived."),
        ("She called me right after the meeting.", "Right after the meeting, she called me."),
        ("I'll go even if it rains.", "Even if it rains, I'll go."),
        ("He drove very slowly.", "Very slowly, he drove."),
    ],
)
def test_a_degree_adverb_is_fronted_with_its_clause_or_phrase(text: str, expected: str) -> None:
    assert reorders(text) == {expected}


@pytest.mark.parametrize(
    "text",
    [
        "The shop opens only on Sundays.",  # "Only on Sundays" needs an inverted verb; "opens only" is wrong
        "He arrived only yesterday.",
        "Turn right after you cross the bridge.",  # "right" is a direction here
        "It was just after noon.",  # after a copula, as "She was in the garden."
        "They stayed well within the limits.",  # "well" may be the manner of "stayed"
    ],
)
def test_a_degree_adverb_that_cannot_move_with_its_unit_keeps_the_sentence(text: str) -> None:
    assert reorders(text) == {text}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("He lost his way in the dark.", "In the dark, he lost his way."),  # "his way": a noun
        ("He worked all day long after the storm.", "After the storm, he worked all day long."),
    ],
)
def test_a_noun_or_all_day_long_before_the_introducer_is_no_degree_adverb(text: str, expected: str) -> None:
    assert reorders(text) == {expected}


# -- SyntaxReorder: a trailing part belongs to the last coordinated clause ------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "He couldn't find his keys, so he called a locksmith at midnight.",
            "He couldn't find his keys, so at midnight he called a locksmith.",
        ),
        (
            "We packed the car, and we left the city at dawn.",
            "We packed the car, and at dawn we left the city.",
        ),
        (
            "She opened the window, and the cold air filled the room slowly.",
            "She opened the window, and slowly the cold air filled the room.",
        ),
        (
            "We met, and they talked for hours last week.",
            "We met, and last week they talked for hours.",
        ),
        (
            "I cooked, but she cleaned the kitchen in the evening.",
            "I cooked, but in the evening she cleaned the kitchen.",
        ),
    ],
)
def test_a_trailing_part_is_fronted_only_within_its_own_coordinated_clause(text: str, expected: str) -> None:
    assert reorders(text) == {expected}


@pytest.mark.parametrize(
    "text",
    [
        "I was tired, so I went home because it was late.",  # "so because it was late I went" reads wrong
        "She cleaned the house, and watched films at night.",  # no subject: the phrase may belong to both verbs
    ],
)
def test_a_trailing_part_after_a_coordinated_clause_that_cannot_move_keeps_the_sentence(text: str) -> None:
    assert reorders(text) == {text}


def test_a_comma_list_is_no_coordinated_clause() -> None:
    text = "She bought apples, pears, and plums at the market."
    assert reorders(text) == {"At the market, she bought apples, pears, and plums."}


BUNDLED = {
    "The quick brown fox jumps over the lazy dog near the river bank.": {
        "Near the river bank, the quick brown fox jumps over the lazy dog."
    },
    "Our train was delayed by forty minutes because of a signal failure.": {
        "Because of a signal failure, our train was delayed by forty minutes."
    },
    "Please remember to water the plants on the balcony while I'm away.": {
        "While I'm away, please remember to water the plants on the balcony."
    },
    "He couldn't find his keys, so he called a locksmith at midnight.": {
        "He couldn't find his keys, so at midnight he called a locksmith."
    },
    "The committee will announce its decision after the meeting on Friday.": {
        "After the meeting on Friday, the committee will announce its decision."
    },
    "I have read that book twice, and I still find new details every time.": {
        "I have read that book twice, and every time I still find new details."
    },
    "Thunder rolled across the valley long after the lightning had faded.": {
        "Long after the lightning had faded, thunder rolled across the valley."
    },
}


def test_every_bundled_sentence_keeps_its_meaning() -> None:
    lines = (ROOT / "data_samples" / "text" / "sentences.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 20
    for line in lines:
        assert reorders(line, seeds=8) == BUNDLED.get(line, {line}), line


# -- SynonymReplacement: prepositions stay, a verb after a noun subject is read as a verb ----------------------------

PREPOSITIONS = [
    "near",
    "like",
    "past",
    "round",
    "over",
    "under",
    "since",
    "before",
    "after",
    "about",
    "above",
    "across",
    "along",
    "around",
    "behind",
    "below",
    "beside",
    "between",
    "beyond",
    "by",
    "down",
    "during",
    "inside",
    "into",
    "off",
    "onto",
    "out",
    "outside",
    "through",
    "toward",
    "towards",
    "up",
    "upon",
    "within",
    "without",
    "among",
    "beneath",
    "underneath",
    "throughout",
]


def test_the_reviewed_sentence_keeps_its_preposition_and_its_verb() -> None:
    out = mt.SynonymReplacement(aug_p=1.0)("The dog sleeps near the river bank.", seed=0)
    assert " near the " in out, out
    assert "eternal" not in out and " sleeps " not in out, out  # a verb synonym in the -s form


@pytest.mark.parametrize("word", PREPOSITIONS)
@pytest.mark.parametrize("stopwords", ["english", None])
def test_prepositions_are_never_replaced_nor_inserted(word: str, stopwords: str | None) -> None:
    text = f"Cats sleep {word} warm houses."
    tokens = mt.tokenize(text)[0]
    for aug in (
        mt.SynonymReplacement(aug_p=1.0, stopwords=stopwords),
        mt.RandomInsertion(stopwords=stopwords),
    ):
        assert aug.options(tokens, 2, None) == ()
    for seed in range(4):
        out = mt.SynonymReplacement(aug_p=1.0, stopwords=stopwords)(text, seed=seed)
        assert f" {word} " in out, out


def test_a_user_lexicon_may_still_replace_a_preposition() -> None:
    aug = mt.SynonymReplacement(source={"near": ["close to"]}, stopwords=None, aug_p=1.0)
    assert aug("Sit near me.", seed=0) == "Sit close to me."


@pytest.mark.parametrize(
    "text,i,verb",
    [
        ("The dog sleeps near the river bank.", 2, True),
        ("The old dog barks at the mailman.", 3, True),
        ("The cat chews the rope.", 2, True),
        ("A child sleeps.", 2, True),
        ("My neighbour's dog barks loudly.", 3, True),
        ("The river banks flooded.", 2, False),  # a compound noun before a verb
        ("The dog toys are new.", 2, False),  # before an auxiliary
        ("The company's shares fell.", 2, False),  # after a possessive
        ("The road was closed.", 3, False),  # after an auxiliary
        ("They counted the sleeps.", 3, False),  # after a determiner: a noun
    ],
)
def test_a_word_after_a_determiner_and_noun_subject_prefers_its_verb_reading(
    text: str, i: int, verb: bool
) -> None:
    from multiaug.text.lexicon import builtin_lexicon
    from multiaug.text.tagging import verb_after_subject

    lex = builtin_lexicon()
    tokens = mt.tokenize(text)[0]
    assert verb_after_subject(tokens, i, lex.readings) is verb
    options = mt.SynonymReplacement(pos_tagger=None).options(tokens, i, None)
    if verb:
        assert options and set(options) <= set(lex.replacements(tokens[i].lower(), None, "v"))


def test_a_phrasal_synonym_never_doubles_the_next_word() -> None:
    sentence = "The quick brown fox jumps over the lazy dog near the river bank."
    for seed in range(40):
        out = mt.SynonymReplacement(aug_p=1.0)(sentence, seed=seed)
        words = out.lower().split()
        assert all(a != b for a, b in itertools.pairwise(words)), out  # "skips over over" came out before
