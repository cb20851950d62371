"""SyntaxReorder rules, EDA counts and variants, character noise."""

from __future__ import annotations

from collections import Counter

import pytest

import multiaug.text as mt
from multiaug.core.errors import ConfigError
from multiaug.text.char_ops import QWERTY_NEIGHBOURS
from multiaug.text.tokenize import is_word, tokenize
from multiaug.text.word_base import edit_count
from tests.cases import SENTENCES


def words(text: str) -> list[str]:
    return [t for t in tokenize(text)[0] if is_word(t)]


def lower_multiset(text: str) -> Counter:
    return Counter(w.lower() for w in words(text))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("She left early because it rained.", "Because it rained, she left early."),
        ("She left, because it rained.", "Because it rained, she left."),
        ("John left because he was tired.", "Because he was tired, John left."),
        ("Students cheered when the team won!", "When the team won, students cheered!"),
        ("She reads books in the evening.", "In the evening, she reads books."),
        ("He opened the door slowly.", "Slowly, he opened the door."),
        ("We met last week.", "Last week, we met."),
        ("I like apples and pears.", "I like pears and apples."),
        ("Apples and pears are sold here.", "Pears and apples are sold here."),
        ("The cat or the dog slept.", "The dog or the cat slept."),
    ],
)
def test_syntax_reorder_rules(text: str, expected: str) -> None:
    assert mt.SyntaxReorder()(text, seed=0) == expected


@pytest.mark.parametrize(
    "text",
    [
        "He turned on the light.",
        "She was in the garden.",
        "I wonder if it will rain.",
        "Do you know when it starts?",
        "Salt and pepper shakers were sold.",
        "Hello world",
        "Просто текст без правил.",
        "I can't believe how beautiful the mountains looked this morning!",
    ],
)
def test_syntax_reorder_leaves_text_alone_when_no_rule_applies(text: str) -> None:
    for seed in range(3):
        assert mt.SyntaxReorder()(text, seed=seed) == text


CORPUS = [
    *SENTENCES,
    "The committee met on Monday because the budget was late. Prices rose sharply last year.",
    "Tom and Anna walked home after the concert, and the city was quiet.",
    "Our team worked hard during the winter when the roads were closed.",
]


@pytest.mark.parametrize("text", CORPUS)
def test_syntax_reorder_keeps_the_words(text: str) -> None:
    for seed in range(4):
        out = mt.SyntaxReorder()(text, seed=seed)
        assert lower_multiset(out) == lower_multiset(text)
        other_punct = [t for t in tokenize(out)[0] if not is_word(t) and t != ","]
        assert other_punct == [t for t in tokenize(text)[0] if not is_word(t) and t != ","]
        assert out[:1] == text[:1].upper() or out[:1].isupper() or not text[:1].isalpha()


def test_syntax_reorder_rules_option_and_aug_p() -> None:
    text = "She left early because it rained."
    assert mt.SyntaxReorder(rules=["coordination"])(text, seed=0) == text
    assert mt.SyntaxReorder(aug_p=0.0)(text, seed=0) == text
    with pytest.raises(ConfigError, match="rules"):
        mt.SyntaxReorder(rules=["passive"])


TEXT = "Engineers quickly repaired the broken bridge before the heavy storm arrived at the old harbour today."


def test_eda_operations_change_the_number_of_words_the_formula_says() -> None:
    n_words = len(words(TEXT))
    eda = mt.EDA(alpha_sr=0.2, alpha_ri=0.2, alpha_rs=0.2, p_rd=0.2)
    n = max(1, int(0.2 * n_words))
    assert n == edit_count(n_words, 0.2, 1, None)
    ops = eda.operations
    for seed in range(5):
        sr = ops["sr"](TEXT, seed=seed, return_params=True)[1].params["edits"][0]
        assert len(sr) == n and all(e["op"] == "sub" for e in sr)
        ri_out = ops["ri"](TEXT, seed=seed)
        assert sum(len(w.split()) for w in [ri_out]) > 0
        ri = ops["ri"](TEXT, seed=seed, return_params=True)[1].params["edits"][0]
        recased = [e for e in ri if e["op"] == "sub"]  # an insertion at the start moves the capital
        assert all(e["new"].lower() == e["old"].lower() for e in recased)
        ri = [e for e in ri if e["op"] == "ins"]
        assert len(ri) == n
        inserted_words = sum(len(e["new"].split()) for e in ri)
        assert len(ri_out.split()) == len(TEXT.split()) + inserted_words
        rs = ops["rs"](TEXT, seed=seed, return_params=True)[1].params["edits"][0]
        assert len([e for e in rs if e["op"] == "swap"]) == n
        assert lower_multiset(ops["rs"](TEXT, seed=seed)) == lower_multiset(TEXT)
        rd_out = ops["rd"](TEXT, seed=seed)
        assert 1 <= len(words(rd_out)) <= n_words


def test_eda_keeps_case_and_punctuation() -> None:
    text = "Dr. Smith's 3 DOGS barked loudly, didn't they?"
    eda = mt.EDA(num_aug=8)
    for variant in eda.variants(text, seed=0):
        assert "?" in variant and "," in variant
        assert "Dr" in variant and "3" in variant


def test_eda_variants_api() -> None:
    eda = mt.EDA(num_aug=5)
    one = eda.variants(TEXT, seed=1)
    assert isinstance(one, list) and len(one) == 5 and all(isinstance(t, str) for t in one)
    assert eda.variants(TEXT, seed=1) == one
    many = eda.variants([TEXT, SENTENCES[0]], seed=1, keys=[0, 1])
    assert isinstance(many, list) and len(many) == 2 and all(len(v) == 5 for v in many)
    assert many[0] == one
    assert isinstance(eda(TEXT, seed=0), str) and isinstance(eda([TEXT], seed=0), list)
    only_swap = mt.EDA(alpha_sr=0, alpha_ri=0, alpha_rs=0.2, p_rd=0, num_aug=3)
    assert list(only_swap.operations) == ["rs"]
    for variant in only_swap.variants(TEXT, seed=0):
        assert lower_multiset(variant) == lower_multiset(TEXT)
    with pytest.raises(ConfigError, match="at least one"):
        mt.EDA(alpha_sr=0, alpha_ri=0, alpha_rs=0, p_rd=0)
    with pytest.raises(ConfigError, match="num_aug"):
        mt.EDA(num_aug=0)


def test_keyboard_typo_uses_neighbouring_keys_and_keeps_case() -> None:
    text = "Typing QUICKLY Causes mistakes, said the 42 engineers."
    aug = mt.KeyboardTypo(aug_p=0.5, aug_char_max=1)
    for seed in range(10):
        out, record = aug(text, seed=seed, return_params=True)
        for edit in record.params["edits"][0]:
            old, new = edit["old"], edit["new"]
            assert len(old) == len(new)
            diffs = [(a, b) for a, b in zip(old, new) if a != b]
            assert len(diffs) == 1
            a, b = diffs[0]
            assert b.lower() in QWERTY_NEIGHBOURS[a.lower()]
            assert not b.isalpha() or a.isupper() == b.isupper()
        assert [t for t in tokenize(out)[0] if not is_word(t)] == [",", "."]


def test_char_noise_actions() -> None:
    text = "Noisy channels corrupt characters."
    only_delete = mt.CharNoise(actions=["delete"], aug_p=1.0, aug_char_min=1, aug_char_max=1)
    for seed in range(5):
        out = only_delete(text, seed=seed)
        assert [len(w) for w in words(out)] == [len(w) - 1 for w in words(text)]
    only_swap = mt.CharNoise(actions=["swap"], aug_p=1.0)
    for seed in range(5):
        out = only_swap(text, seed=seed)
        assert [sorted(w) for w in words(out)] == [sorted(w) for w in words(text)]
    with pytest.raises(ConfigError, match="actions"):
        mt.CharNoise(actions=["explode"])
