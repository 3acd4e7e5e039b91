"""The docs site builds strictly: a broken link, anchor or docstring reference fails here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matchmaker

ROOT = Path(__file__).resolve().parents[1]


def test_the_docs_site_builds_strictly_with_the_api_reference(tmp_path: Path) -> None:
    site = tmp_path / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    done = subprocess.run(
        [*command, "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    for name in matchmaker.__all__:
        assert f'id="matchmaker.{name}"' in api, name
    # The numpydoc sections are rendered, not shown as raw text.
    assert "Examples" in api
    assert "----------" not in api
    for page in ("matching", "planning", "importing", "cli", "architecture"):
        assert (site / page / "index.html").exists(), page


def test_every_public_name_has_a_place_in_the_api_page() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    listed = {
        line.removeprefix("::: matchmaker.")
        for line in text.splitlines()
        if line.startswith("::: ")
    }
    assert set(matchmaker.__all__) <= listed
