"""Edge cases found in review: each test pins a bug that a user would hit."""

from __future__ import annotations

import unicodedata

import pytest

import multiaug.text as mt
from multiaug.text.edits import insert_token
from multiaug.text.tokenize import detokenize, tokenize


@pytest.mark.parametrize(
    "text",
    [
        "It costs $3.50, i.e. 1,000 yen.",
        "The 'dog' barked loudly.",
        '"Stop" means halt now.',
        "(Big) dogs bark.",
    ],
)
def test_insertion_never_splits_a_word_from_its_leading_punctuation(text: str) -> None:
    # "$3.50" must not become "$is 3.50", nor "'dog'" become "'pawl dog'" (a word that stops starting the
    # sentence may lose its capital: '"Stop" means' -> 'Stands for "stop" means')
    glued = [t.lower() for t in text.split() if not t[0].isalnum()]
    aug = mt.RandomInsertion(aug_p=1.0)
    for seed in range(20):
        out = aug(text, seed=seed)
        for chunk in glued:
            assert chunk in out.lower().split(), (seed, out)


def test_insert_token_at_the_start_before_punctuation() -> None:
    tokens, seps = map(list, tokenize('"Stop" now.'))
    insert_token(tokens, seps, 0, "please")
    assert detokenize(tokens, seps) == 'please "Stop" now.'


def test_no_at_the_end_of_a_sentence_is_not_an_abbreviation() -> None:
    from multiaug.text.edits import sentence_spans

    toks, seps = tokenize("He said no. She left. They cried.")
    assert len(sentence_spans(toks, seps)) == 3
    toks, seps = tokenize("Room No. 5 is free. Go there.")  # "No. 5": the abbreviation of number
    assert len(sentence_spans(toks, seps)) == 2
    outs = {mt.SentenceShuffle()("He said no. She left.", seed=s) for s in range(8)}
    assert "She left. He said no." in outs


def test_a_capitalised_word_after_no_full_stop_starts_a_sentence() -> None:
    aug = mt.SynonymReplacement(aug_p=1.0)
    assert aug.options(tokenize("He said no. Dogs bark.")[0], 4, None)


NFD = "e\u0301cole nai\u0308ve garc\u0327on"  # "école naïve garçon" with combining marks


def _clusters(word: str) -> list[str]:
    out: list[str] = []
    for ch in word:
        if out and unicodedata.category(ch).startswith("M"):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def test_char_noise_keeps_combining_marks_on_their_letters() -> None:
    # a combining accent is part of its letter: never deleted alone, moved, doubled or inserted on its own
    allowed = {c.lower() for w in NFD.split() for c in _clusters(w)}
    aug = mt.CharNoise(aug_p=1.0, aug_char_p=0.5, aug_char_max=None)
    for seed in range(40):
        for word in aug(NFD, seed=seed).split():
            assert not unicodedata.category(word[0]).startswith("M"), word
            assert {c.lower() for c in _clusters(word)} <= allowed, word


def test_typos_are_the_same_for_composed_and_decomposed_accents() -> None:
    nfc = unicodedata.normalize("NFC", NFD)
    for aug in (mt.KeyboardTypo(aug_p=1.0, aug_char_max=None), mt.CharNoise(aug_p=1.0)):
        for seed in range(20):
            assert unicodedata.normalize("NFC", aug(NFD, seed=seed)) == aug(nfc, seed=seed)


def test_char_noise_characters_take_the_case_of_their_neighbour() -> None:
    aug = mt.CharNoise(alphabet="XYZ", actions=["insert", "substitute"], aug_p=1.0, aug_char_max=None)
    for seed in range(10):
        out = aug("hello world", seed=seed)
        assert out == out.lower(), out
    assert mt.CharNoise(alphabet="xyz", actions=["substitute"], aug_p=1.0)("HELLO", seed=0).isupper()


@pytest.mark.parametrize(
    "make",
    [
        lambda: mt.SynonymReplacement(protect={"iPhone", "COVID-19"}, aug_p=0.5),
        lambda: mt.WordShuffle(stopwords=frozenset({"the", "a"})),
        lambda: mt.EDA(num_aug=2, stopwords={"the"}, protect={"dog"}),
    ],
)
def test_set_of_stopwords_or_protected_tokens_saves_in_a_config(make, tmp_path) -> None:
    # docs/text.md shows protect={"COVID-19", "iPhone"}: such an augmenter must save and load
    import json

    import multiaug

    aug = make()
    config = json.loads(json.dumps(aug.to_config()))
    multiaug.save(aug, tmp_path / "aug.json")
    text = "The big iPhone was the best COVID-19 gadget, said a dog."
    for again in (multiaug.from_config(config), multiaug.load(tmp_path / "aug.json")):
        assert [again(text, seed=s) for s in range(5)] == [aug(text, seed=s) for s in range(5)]


@pytest.mark.parametrize("source", [{"big": 5}, {"big": ["large", None]}, {"big": [3]}, {"big": None}])
def test_bad_user_lexicon_is_refused_at_construction(source) -> None:
    # {"big": 5} raised a bare TypeError at the first call; {"big": [None]} made "None" a synonym
    from multiaug.core.errors import ConfigError

    with pytest.raises(ConfigError, match="synonyms of 'big'"):
        mt.SynonymReplacement(source=source)
    with pytest.raises(ConfigError, match="synonyms of 'big'"):
        mt.UserLexicon(source)


def test_bad_user_lexicon_file_is_a_config_error(tmp_path) -> None:
    from multiaug.core.errors import ConfigError

    path = tmp_path / "lex.json"
    path.write_text('{"big": [1, 2]}', encoding="utf-8")
    with pytest.raises(ConfigError, match="synonyms of 'big'"):
        mt.SynonymReplacement(source=str(path), aug_p=1.0)("a big dog", seed=0)


@pytest.mark.parametrize(
    "chunk,tokens",
    [
        ("p.m.", ["p.m."]),
        ("e.g.,", ["e.g.", ","]),
        ("U.S.A.", ["U.S.A."]),
        ("Dr.", ["Dr."]),
        ('Mrs."', ["Mrs.", '"']),
        ("i.e...", ["i.e", "..."]),  # an ellipsis after it stays punctuation
        ("3.14.", ["3.14", "."]),
        ("example.com.", ["example.com", "."]),
        ("dog.", ["dog", "."]),
    ],
)
def test_abbreviations_keep_their_full_stop(chunk: str, tokens: list[str]) -> None:
    assert list(tokenize(chunk)[0]) == tokens


def test_deleting_or_moving_an_abbreviation_takes_its_full_stop() -> None:
    # docs/text.md showed "see you at 3:30 p.m. tomorrow!" -> "see you 3:30. tomorrow!"
    text = "Great job, see you at 3:30 p.m. tomorrow, e.g. with Dr. Who!"
    for seed in range(30):
        for aug in (mt.RandomDeletion(aug_p=0.3), mt.WordShuffle()):
            out = aug(text, seed=seed)
            assert ". " not in out.replace("p.m. ", "").replace("e.g. ", "").replace("Dr. ", ""), out


def test_a_number_or_address_before_a_full_stop_ends_the_sentence() -> None:
    from multiaug.text.edits import sentence_spans

    for text in ("Pi is 3.14. It never ends.", "Visit example.com. It is free."):
        toks, seps = tokenize(text)
        assert len(sentence_spans(toks, seps)) == 2, text


def test_mentions_and_hashtags_are_one_token() -> None:
    assert tokenize("@alice loves #python (@bob too)!")[0] == (
        "@alice",
        "loves",
        "#python",
        "(",
        "@bob",
        "too",
        ")",
        "!",
    )


def test_the_protect_pattern_of_the_docs_protects_mentions() -> None:
    # docs/text.md: protect=r"[A-Z]{2,}|@\w+"; "@alice" was split into "@" + "alice", so it was never protected
    aug = mt.RandomSwap(aug_p=0.5, protect=r"[A-Z]{2,}|@\w+")
    text = "NASA told @alice about the new red rocket engines today"
    for seed in range(20):
        out = aug(text, seed=seed).split()
        assert out[0] == "NASA" and out[2] == "@alice", out


def test_the_eda_variants_shown_in_the_docs_are_real() -> None:
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "text.md").read_text(encoding="utf-8")
    block = doc[doc.index('eda.variants("The quick brown fox') :]
    shown = re.findall(r"^#\s+\[?'(.+?)'", block[: block.index("```")], re.M)
    assert len(shown) == 4
    assert mt.EDA(num_aug=4).variants("The quick brown fox jumps over the lazy dog.", seed=0) == shown


def test_a_keycap_emoji_is_one_token() -> None:
    # "3️⃣" is 3 + U+FE0F + U+20E3: deleting or moving the "3" alone left a broken emoji behind
    keycap = "3\ufe0f\u20e3"
    assert tokenize(f"Top {keycap} tips")[0] == ("Top", keycap, "tips")
    assert tokenize(f"({keycap})")[0] == ("(", keycap, ")")
    for seed in range(10):
        out = mt.RandomDeletion(aug_p=0.5)(f"Top {keycap} tips for you", seed=seed)
        assert "\u20e3" not in out or keycap in out, out


@pytest.mark.parametrize("name,body", [("lex.tsv", "big\tlarge\n"), ("lex.json", '{"big": ["large"]}')])
def test_user_lexicon_files_saved_with_a_byte_order_mark(tmp_path, name: str, body: str) -> None:
    # spreadsheet tools and Windows editors write UTF-8 with a BOM: the first word was "\ufeffbig"
    path = tmp_path / name
    path.write_text(body, encoding="utf-8-sig")
    assert mt.UserLexicon.from_file(path).replacements("big") == ("large",)
