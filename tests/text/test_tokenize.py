"""Tokenisation: lossless, keeps punctuation, contractions, numbers, emoji and non-Latin scripts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multiaug.text.edits import apply_edits, delete_token, insert_token, match_case, sentence_spans
from multiaug.text.tokenize import detokenize, is_word, is_wordlike, tokenize


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_round_trip_on_any_unicode(text: str) -> None:
    tokens, seps = tokenize(text)
    assert len(seps) == len(tokens) + 1
    assert detokenize(tokens, seps) == text
    assert all(tok and not any(ch.isspace() for ch in tok) for tok in tokens)


@pytest.mark.parametrize(
    "text,tokens",
    [
        ("Don't panic, it's 3.14!", ["Don't", "panic", ",", "it's", "3.14", "!"]),
        ("Wait... what?!", ["Wait", "...", "what", "?", "!"]),
        ("a well-known 1,000-page U.S. report", ["a", "well-known", "1,000-page", "U.S.", "report"]),
        ("see https://x.org/a?b=1.", ["see", "https://x.org/a?b=1", "."]),
        ("mail me@example.com now", ["mail", "me@example.com", "now"]),
        ("Great 👍🏽 job 👨\u200d👩\u200d👧!", ["Great", "👍🏽", "job", "👨\u200d👩\u200d👧", "!"]),
        ("नमस्ते दुनिया!", ["नमस्ते", "दुनिया", "!"]),
        ("Привет, мир.", ["Привет", ",", "мир", "."]),
        ("我喜欢猫。你呢？", ["我喜欢猫", "。", "你呢", "？"]),
        ('("quoted")', ["(", '"', "quoted", '"', ")"]),
    ],
)
def test_tokens(text: str, tokens: list[str]) -> None:
    got, seps = tokenize(text)
    assert list(got) == tokens
    assert detokenize(got, seps) == text


def test_spacing_kept() -> None:
    text = "  Two  spaces,\ttab\nnewline.  "
    tokens, seps = tokenize(text)
    assert seps[0] == "  " and seps[-1] == "  " and "\t" in seps and "\n" in seps
    assert detokenize(tokens, seps) == text


def test_word_classes() -> None:
    assert is_word("don't") and is_word("42") and is_word("мир") and not is_word("...") and not is_word("🙂")
    assert is_wordlike("well-known") and not is_wordlike("3D") and not is_wordlike("me@x.com")


def test_match_case() -> None:
    assert match_case("Dogs", "hounds") == "Hounds"
    assert match_case("DOGS", "domestic dogs") == "DOMESTIC DOGS"
    assert match_case("dogs", "hounds") == "hounds"
    assert match_case("A", "one") == "One"


def test_delete_merges_whitespace_and_keeps_newlines() -> None:
    tokens, seps = (list(x) for x in tokenize("one two\nthree"))
    delete_token(tokens, seps, 1)
    assert detokenize(tokens, seps) == "one\nthree"
    tokens, seps = (list(x) for x in tokenize("Hello, world!"))
    delete_token(tokens, seps, 2)
    assert detokenize(tokens, seps) == "Hello,!"


def test_insert_before_final_punctuation_and_at_end() -> None:
    tokens, seps = (list(x) for x in tokenize("It rains."))
    insert_token(tokens, seps, 2, "today")
    assert detokenize(tokens, seps) == "It rains today."
    tokens, seps = (list(x) for x in tokenize("It rains\n"))
    insert_token(tokens, seps, 2, "today")
    assert detokenize(tokens, seps) == "It rains today\n"


def test_sentence_spans_respect_abbreviations_and_quotes() -> None:
    text = 'Dr. Smith left. "Why?" she asked. It rained, e.g. in Paris! Then 3 p.m. came'
    tokens, seps = tokenize(text)
    sentences = [detokenize(tokens[a:b], ["", *seps[a + 1 : b], ""]) for a, b in sentence_spans(tokens, seps)]
    assert sentences == [
        "Dr. Smith left.",
        '"Why?" she asked.',
        "It rained, e.g. in Paris!",
        "Then 3 p.m. came",
    ]


def test_replayed_edits_that_do_not_fit_are_skipped() -> None:
    edits = [{"op": "sub", "i": 1, "old": "dogs", "new": "hounds"}, {"op": "del", "i": 9, "old": "x"}]
    assert apply_edits("The dogs barked.", edits) == "The hounds barked."
    assert apply_edits("The cats purred.", edits) == "The cats purred."


def test_delete_never_fuses_equal_punctuation() -> None:
    tokens, seps = (list(x) for x in tokenize("Yes! Brown left!"))
    delete_token(tokens, seps, 2)
    delete_token(tokens, seps, 2)
    assert detokenize(tokens, seps) == "Yes! !"
    assert [t for t in tokenize(detokenize(tokens, seps))[0]] == ["Yes", "!", "!"]
