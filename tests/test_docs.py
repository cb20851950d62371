"""Every Python example in ``docs/*.md`` runs as written, page by page (one namespace per page).

Blocks right after a ``<!-- fragment ... -->`` comment use names from the reader's own code (a model, a data
loader) and are skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md"))
BLOCK = re.compile(r"(<!-- fragment[^>]*-->\n)?```python\n(.*?)```", re.S)


def _examples(page: Path) -> list[str]:
    return [code for fragment, code in BLOCK.findall(page.read_text(encoding="utf-8")) if not fragment]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_docs_examples_run(page: Path, tmp_path, monkeypatch) -> None:
    examples = _examples(page)
    if not examples:
        pytest.skip("no runnable Python example on this page")
    (tmp_path / "data_samples").symlink_to(ROOT / "data_samples")  # the examples read data_samples/...
    monkeypatch.chdir(tmp_path)  # ... and may write files
    namespace: dict = {}
    for i, code in enumerate(examples):
        exec(compile(code, f"{page.name} (example {i + 1})", "exec"), namespace)


def test_every_page_with_examples_is_checked() -> None:
    runnable = {p.name for p in PAGES if _examples(p)}
    assert {"audio.md", "image.md", "text.md", "cli.md"} <= runnable
