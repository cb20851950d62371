"""A new user's review of the text ops: each test pins a bug that changed a text's meaning."""

from __future__ import annotations

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
