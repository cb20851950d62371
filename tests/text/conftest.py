"""Shared fixtures of the text tests: offline guard for every test in this folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def no_nltk_download(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any call of ``nltk.download`` fails the test: multiaug must never download implicitly."""
    import nltk

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"nltk.download was called with {args} {kwargs}")

    monkeypatch.setattr(nltk, "download", forbidden)
