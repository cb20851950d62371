"""Invariants of the word ops: multisets kept, whole words only, synonyms only, counts, case and punctuation."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import multiaug.text as mt
from multiaug.core.errors import ConfigError
from multiaug.text.edits import apply_edits
from multiaug.text.stopwords import english_stopwords
from multiaug.text.tokenize import is_word, tokenize
from multiaug.text.word_base import edit_count
from tests.cases import SENTENCES

TEXTS = [
    *SENTENCES,
    "Dogs, cats and BIRDS were running around the old house; nobody noticed 3 broken windows.",
    'She said: "I\'ll buy 2 books at https://shop.example.com tomorrow!" 🙂',
    "  Leading and trailing spaces\tand a tab.\n",
]


def words(text: str) -> list[str]:
    return [t for t in tokenize(text)[0] if is_word(t)]


def folded(ws: list[str]) -> Counter[str]:
    """Words counted without the capital of a sentence start (which stays with the position when words move)."""
    return Counter(w[:1].lower() + w[1:] for w in ws)


def punct(text: str) -> list[str]:
    return [t for t in tokenize(text)[0] if not is_word(t)]


def edits_of(aug, text: str, seed: int) -> tuple[str, list[dict]]:
    out, record = aug(text, seed=seed, return_params=True)
    return out, list(record.params["edits"][0]) if record.params else []


ALL_OPS = [
    mt.WordShuffle(),
    mt.WordShuffle(window=2, per_sentence=True),
    mt.SentenceShuffle(),
    mt.SynonymReplacement(aug_p=0.3),
    mt.RandomInsertion(aug_p=0.2),
    mt.RandomDeletion(aug_p=0.3),
    mt.RandomSwap(aug_p=0.3),
    mt.RandomSwap(adjacent=True),
    mt.SyntaxReorder(),
    mt.EDA(),
    mt.KeyboardTypo(aug_p=0.5),
    mt.CharNoise(aug_p=0.5),
]


@pytest.mark.parametrize("aug", ALL_OPS, ids=lambda a: type(a).__name__)
def test_types_empty_and_reproducibility(aug) -> None:
    assert aug("", seed=0) == ""
    assert aug("   \n", seed=0) == "   \n"
    out = aug(TEXTS[0], seed=5)
    assert isinstance(out, str)
    batch = aug(TEXTS, seed=5, keys=list(range(100, 100 + len(TEXTS))))
    assert isinstance(batch, list) and len(batch) == len(TEXTS) and all(isinstance(t, str) for t in batch)
    again = aug(TEXTS, seed=5, keys=list(range(100, 100 + len(TEXTS))))
    assert batch == again
    for i in (0, 3):
        assert aug([TEXTS[i]], seed=5, keys=[100 + i]) == [batch[i]]
    out, record = aug(TEXTS, seed=9, return_params=True)
    assert aug(TEXTS, params=json.loads(json.dumps(record.to_json()))) == out


@pytest.mark.parametrize("aug", ALL_OPS, ids=lambda a: type(a).__name__)
@given(text=st.text(max_size=60))
@settings(max_examples=40, deadline=None)
def test_random_unicode_never_crashes(aug, text: str) -> None:
    out = aug(text, seed=1)
    assert isinstance(out, str)
    if not text.strip():
        assert out == text


def test_edit_count_is_edas_formula() -> None:
    for n in range(0, 60):
        assert edit_count(n, 0.1, 1, None) == max(1, int(0.1 * n))


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("window", [None, 1, 3])
def test_word_shuffle_keeps_multiset_and_punctuation(text: str, window: int | None) -> None:
    aug = mt.WordShuffle(window=window)
    for seed in range(5):
        out, edits = edits_of(aug, text, seed)
        assert folded(words(out)) == folded(words(text))
        assert punct(out) == punct(text)
        if window is not None and edits:
            edit, *recased = edits
            assert all(e["op"] == "sub" and e["new"].lower() == e["old"].lower() for e in recased)
            moved = {dst: src for dst, src in zip(edit["slots"], edit["order"])}
            rank = {tok: k for k, tok in enumerate(edit["slots"])}
            assert all(abs(rank[d] - rank[s]) <= window for d, s in moved.items())


def test_word_shuffle_per_sentence_and_protect() -> None:
    text = "Alpha beta gamma. Delta epsilon zeta!"
    aug = mt.WordShuffle(per_sentence=True, protect={"gamma"})
    for seed in range(10):
        out = aug(text, seed=seed)
        first, second = out.split(". ")
        assert set(first.lower().split()) == {"alpha", "beta", "gamma"} and first.split()[2] == "gamma"
        assert set(second.rstrip("!").lower().split()) == {"delta", "epsilon", "zeta"}
        assert first[:1].isupper() and second[:1].isupper()


@pytest.mark.parametrize("text", TEXTS)
def test_random_swap_keeps_multiset_and_counts(text: str) -> None:
    aug = mt.RandomSwap(aug_p=0.3)
    out, edits = edits_of(aug, text, 3)
    assert folded(words(out)) == folded(words(text))
    assert punct(out) == punct(text)
    swaps = [e for e in edits if e["op"] == "swap"]
    assert all(e["new"].lower() == e["old"].lower() for e in edits if e["op"] == "sub")
    assert len(swaps) == edit_count(len(words(text)), 0.3, 1, None)


@pytest.mark.parametrize("text", TEXTS)
def test_random_deletion_removes_whole_words_only(text: str) -> None:
    aug = mt.RandomDeletion(aug_p=0.5)
    for seed in range(8):
        out, edits = edits_of(aug, text, seed)
        before, after = words(text), words(out)
        assert after, "every word deleted"
        removed = folded(before) - folded(after)
        deleted = [w for e in edits if e["op"] == "del" for w in e["old"]]
        assert sum(removed.values()) == len(before) - len(after) == len(deleted)
        assert removed == folded(deleted)
        assert not folded(after) - folded(before)
        assert punct(out) == punct(text)


def test_random_deletion_never_empties_and_respects_bounds() -> None:
    assert mt.RandomDeletion(aug_p=1.0)("Hello!", seed=0) == "Hello!"
    for seed in range(20):
        assert len(words(mt.RandomDeletion(aug_p=1.0)("one two three", seed=seed))) == 1
    out = mt.RandomDeletion(aug_p=1.0, aug_max=2)(SENTENCES[0], seed=0)
    assert len(words(out)) == len(words(SENTENCES[0])) - 2
    with pytest.raises(ConfigError, match="aug_max"):
        mt.RandomDeletion(aug_min=3, aug_max=2)


@pytest.mark.parametrize("text", TEXTS)
def test_synonym_replacement_uses_lexicon_synonyms_of_content_words(text: str) -> None:
    aug = mt.SynonymReplacement(aug_p=0.3)
    n_words = len(words(text))
    for seed in range(4):
        out, edits = edits_of(aug, text, seed)
        tokens = list(tokenize(text)[0])
        assert len(edits) <= edit_count(n_words, 0.3, 1, None)
        for edit in edits:
            old, new = edit["old"], edit["new"]
            assert old.lower() not in english_stopwords() and not any(ch.isdigit() for ch in old)
            assert new.lower() in {o.lower() for o in aug.options(tokens, edit["i"], None)}
            assert new.lower() != old.lower() and "_" not in new
            if old[:1].isupper():
                assert new[:1].isupper()
            if old.isupper() and len(old) > 1:
                assert new.isupper()
        assert punct(out) == punct(text)


def test_synonym_replacement_count_follows_aug_p() -> None:
    text = "Engineers quickly repaired the broken bridge before the storm arrived at the harbour."
    for aug_p, expected in [(0.1, 1), (0.3, 3), (1.0, None)]:
        _out, edits = edits_of(mt.SynonymReplacement(aug_p=aug_p), text, 0)
        if expected is not None:
            assert len(edits) == expected
        else:
            assert len(edits) >= 5


def test_synonym_replacement_keeps_case_forms() -> None:
    aug = mt.SynonymReplacement(aug_p=1.0, source={"dogs": ["hounds"], "run": ["sprint"]}, stopwords=None)
    assert aug("DOGS run; Dogs RUN.", seed=0) == "HOUNDS sprint; Hounds SPRINT."


def test_protected_tokens_are_never_replaced() -> None:
    text = "NASA engineers repaired the broken bridge quickly."
    for protect in (r"[A-Z]{2,}|bridge", ["NASA", "bridge"]):
        aug = mt.SynonymReplacement(aug_p=1.0, protect=protect)
        for seed in range(5):
            out = aug(text, seed=seed)
            assert out.startswith("NASA ") and "bridge" in out
    with pytest.raises(ConfigError, match="protect"):
        mt.SynonymReplacement(protect="[unclosed")


def test_numbers_urls_and_emoji_are_not_replaced() -> None:
    text = "Visit https://example.com 42 times 🙂 today."
    aug = mt.SynonymReplacement(aug_p=1.0, stopwords=None)
    for seed in range(5):
        out = aug(text, seed=seed)
        assert "https://example.com 42" in out and "🙂" in out


@pytest.mark.parametrize("text", TEXTS)
def test_random_insertion_adds_synonyms_of_present_words(text: str) -> None:
    aug = mt.RandomInsertion(aug_p=0.2)
    for seed in range(4):
        out, edits = edits_of(aug, text, seed)
        before = words(text)
        assert len(words(out)) >= len(before)
        assert punct(out) == punct(text)
        tokens = list(tokenize(text)[0])
        recased = [e for e in edits if e["op"] == "sub"]  # an insertion at the start moves the capital
        assert all(e["new"].lower() == e["old"].lower() for e in recased)
        edits = [e for e in edits if e["op"] == "ins"]
        for edit in edits:
            source = edit["of"]
            assert source in before
            i = tokens.index(source)
            assert edit["new"].lower() in {o.lower() for o in aug.options(tokens, i, None)}
        # the inserted words, in order, are what was added
        added = Counter(w.lower() for w in words(out)) - Counter(w.lower() for w in before)
        assert sum(added.values()) >= len(edits)
        if edits:
            assert len(edits) == edit_count(len(before), 0.2, 1, None)


def test_word_ops_work_on_any_language() -> None:
    text = "Съешь же ещё этих мягких французских булок, да выпей чаю."
    for aug in (mt.WordShuffle(), mt.RandomSwap(aug_p=0.3), mt.RandomDeletion(aug_p=0.3)):
        out = aug(text, seed=0)
        assert out != text and punct(out) == punct(text)
    assert mt.SynonymReplacement()(text, seed=0) == text  # nothing to change: unchanged, no error


def test_replay_on_the_same_text_reproduces_edits() -> None:
    aug = mt.SynonymReplacement(aug_p=0.5)
    out, edits = edits_of(aug, SENTENCES[0], 0)
    assert apply_edits(SENTENCES[0], edits) == out
    assert all({"op", "i", "old", "new"} <= set(e) for e in edits)


def test_possessives_keep_their_ending() -> None:
    aug = mt.SynonymReplacement(aug_p=1.0)
    for seed in range(5):
        out = aug("The farmer's dog and the children's toys.", seed=seed)
        first, second = out.split(" and ")
        assert first.split()[1].endswith("'s")
        assert second.split()[1].endswith(("'", "'s"))
    user = mt.SynonymReplacement(aug_p=1.0, source={"farmer": ["grower"]})
    assert user("The farmer's dog", seed=0) == "The grower's dog"


def test_names_are_not_paraphrased() -> None:
    aug = mt.SynonymReplacement(aug_p=1.0)
    text = "NASA engineers met Mr. Brown in Paris. Dogs chased the fox."
    for seed in range(8):
        out, edits = edits_of(aug, text, seed)
        assert out.startswith("NASA ") and "Mr. Brown in Paris." in out
        for edit in edits:  # no name comes in: only the case of the replaced word is copied
            assert edit["new"][1:] == edit["new"][1:].lower() or edit["old"].isupper()
    user = mt.SynonymReplacement(aug_p=1.0, source={"Auto": ["Wagen"]}, stopwords=None)
    assert user("Das rote Auto fährt.", seed=0) == "Das rote Wagen fährt."


def test_pickles_stay_small_and_work() -> None:
    import pickle

    for aug in (mt.SynonymReplacement(aug_p=0.5), mt.EDA(num_aug=2)):
        out = aug(SENTENCES[0], seed=0)  # loads the lexicon
        data = pickle.dumps(aug)
        assert len(data) < 20_000
        assert pickle.loads(data)(SENTENCES[0], seed=0) == out


def test_deletion_rate_matches_aug_p() -> None:
    text = " ".join(f"w{k}" for k in range(20))
    aug = mt.RandomDeletion(aug_p=0.3, aug_min=0)
    out = aug([text] * 300, seed=4)
    deleted = sum(20 - len(words(o)) for o in out) / (20 * 300)
    assert abs(deleted - 0.3) < 0.02  # 6,000 coin flips: 0.02 is 3.4 standard deviations
