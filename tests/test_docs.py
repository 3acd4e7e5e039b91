"""The examples in docs/*.md run and print what the pages say (so the docs stay true)."""

from __future__ import annotations

import doctest
import re
import shutil
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(p for p in DOCS.glob("*.md") if ">>>" in p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_examples(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # the outcomes log example must not touch ~
    monkeypatch.chdir(tmp_path)
    text = page.read_text(encoding="utf-8")
    # One fenced block after another, sharing names, as a reader would run them.
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    examples = "\n".join(b for b in blocks if ">>>" in b)
    test = doctest.DocTestParser().get_doctest(examples, {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    failures: list[str] = []
    runner.run(test, out=failures.append)
    assert runner.failures == 0, "".join(failures)


def test_every_page_with_examples_is_checked() -> None:
    assert {p.name for p in PAGES} >= {"catalogue.md", "matching.md", "tuning.md"}


def test_index_lists_the_whole_public_api() -> None:
    import matchmaker

    index = (DOCS / "index.md").read_text(encoding="utf-8")
    missing = [name for name in matchmaker.__all__ if f"`{name}" not in index]
    assert missing == []


def test_public_api_has_numpydoc_examples() -> None:
    import matchmaker
    import matchmaker.charts

    objects = [getattr(matchmaker, n) for n in matchmaker.__all__]
    objects += [getattr(matchmaker.charts, n) for n in matchmaker.charts.__all__]
    undocumented = [o.__name__ for o in objects if "Examples\n" not in (o.__doc__ or "")]
    assert undocumented == []


SCRIPT_PAGES = sorted(
    p
    for p in DOCS.glob("*.md")
    if any(">>>" not in b for b in re.findall(r"```python\n(.*?)```", p.read_text("utf-8"), re.S))
)


@pytest.mark.parametrize("page", SCRIPT_PAGES, ids=[p.name for p in SCRIPT_PAGES])
def test_page_scripts_run_as_written(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python blocks written as scripts (no prompts) run one after another without error,
    from a folder holding the example files the README and the pages name."""
    monkeypatch.setenv("HOME", str(tmp_path))
    shutil.copytree(DOCS / "examples", tmp_path / "docs" / "examples")
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)
    namespace: dict[str, object] = {}
    for number, block in enumerate(b for b in blocks if ">>>" not in b):
        exec(compile(block, f"{page.name}, script block {number + 1}", "exec"), namespace)
