"""Pytest set-up shared by the tests and the docstring examples."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _doctest_temp_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """Docstring examples call ``tempfile.mkdtemp()`` as a user would; keep those folders in pytest's own
    ``tmp_path`` (pruned by pytest) instead of leaving them in the system's temp folder."""
    if not isinstance(request.node, pytest.DoctestItem):
        yield
        return
    previous, tempfile.tempdir = tempfile.tempdir, str(tmp_path)
    try:
        yield
    finally:
        tempfile.tempdir = previous
