"""Part-of-speech tagger use (when installed) and the offline guarantee."""

from __future__ import annotations

import pytest

import multiaug.text as mt
from multiaug.core.errors import ConfigError
from multiaug.text import tagging


def test_nltk_download_is_forbidden_in_these_tests() -> None:
    import nltk

    with pytest.raises(AssertionError, match=r"nltk\.download"):
        nltk.download("wordnet")


def test_every_op_runs_without_downloading() -> None:
    text = "The engineers quickly repaired the old bridge because it rained. Then they left!"
    for aug in (
        mt.SynonymReplacement(aug_p=0.5),
        mt.RandomInsertion(aug_p=0.3),
        mt.EDA(num_aug=4),
        mt.SyntaxReorder(),
        mt.WordShuffle(),
        mt.SentenceShuffle(),
        mt.RandomDeletion(),
        mt.RandomSwap(),
        mt.KeyboardTypo(),
        mt.CharNoise(),
    ):
        assert isinstance(aug(text, seed=0), str)


def test_an_installed_tagger_decides_the_part_of_speech(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def fake_pos_tag(words: list[str]) -> list[tuple[str, str]]:
        calls.append(list(words))
        return [(w, "NN") for w in words]  # everything a noun

    tagging._nltk_tag_function.cache_clear()
    monkeypatch.setattr(tagging, "_nltk_tag_function", lambda: fake_pos_tag)
    aug = mt.SynonymReplacement(aug_p=1.0, pos_tagger="nltk")
    out, record = aug("They ran quickly.", seed=0, return_params=True)
    assert calls, "the tagger was not used"
    # "ran" and "quickly" have no noun reading: with every word tagged a noun nothing can be replaced
    assert out == "They ran quickly." and record.params["edits"][0] == []
    assert (
        mt.SynonymReplacement(aug_p=1.0, pos_tagger=None)("They ran quickly.", seed=0) != "They ran quickly."
    )


def test_missing_tagger_is_reported_not_downloaded() -> None:
    tagging._nltk_tag_function.cache_clear()
    if tagging.nltk_tagger() is None:
        with pytest.raises(ConfigError, match="averaged_perceptron_tagger"):
            mt.SynonymReplacement(pos_tagger="nltk")
    with pytest.raises(ConfigError, match="pos_tagger"):
        mt.SynonymReplacement(pos_tagger="spacy")
