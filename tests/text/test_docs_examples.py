"""The before/after table of docs/text.md is real output: every row is recomputed here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import multiaug.text as mt

DOC = Path(__file__).resolve().parents[2] / "docs" / "text.md"
ROWS = re.findall(r"^\| `(mt\.[^`]+)`(?: \(seed (\d+)\))? \| (.+?) \| (.+?) \|$", DOC.read_text(), re.M)


def test_the_table_has_every_augmenter() -> None:
    names = {ctor.split("(")[0].removeprefix("mt.") for ctor, *_ in ROWS}
    expected = {
        "WordShuffle", "SentenceShuffle", "SynonymReplacement", "RandomInsertion", "RandomDeletion",
        "RandomSwap", "SyntaxReorder", "KeyboardTypo", "CharNoise", "EDA",
    }  # fmt: skip
    assert expected <= names


@pytest.mark.parametrize("ctor,seed,before,after", ROWS)
def test_doc_example(ctor: str, seed: str, before: str, after: str) -> None:
    aug = eval(ctor, {"mt": mt})
    assert aug(before, seed=int(seed) if seed else 0) == after
