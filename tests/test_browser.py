"""Briefing pages as a reader sees them, in headless Chromium (Debian's ``chromium``).

These tests FAIL when chromium is missing: ``.ci/run`` installs it (with
fonts-noto-cjk for Chinese text). Screenshots go under the test's tmp folder.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from matchmaker import Matchmaker, write

WEAK = "our worn shafts are scrapped because nobody can build the metal back up"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("chromium is not installed: apt-get install -y chromium fonts-noto-cjk")
    return found


def _run(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    return subprocess.run(
        [_chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def _dom(tmp: Path, page: Path) -> str:
    return _run(tmp, "--dump-dom", page.as_uri()).stdout


@pytest.fixture(scope="module")
def engine() -> Matchmaker:
    return Matchmaker().fit()


def test_a_weak_page_loads_with_title_query_and_warning(engine: Matchmaker, tmp_path: Path) -> None:
    page = write(engine.shortlist(WEAK, k=3, country="GB"), tmp_path / "weak.html")
    dom = _dom(tmp_path, page)
    assert f"<title>Shortlist for: {WEAK}</title>" in dom
    assert WEAK in dom
    assert 'id="no-good-match"' in dom
    shot = tmp_path / "weak.png"
    _run(tmp_path, "--window-size=1000,1200", f"--screenshot={shot}", page.as_uri())
    assert shot.stat().st_size > 10_000


def test_a_strong_page_has_no_warning_and_renders_chinese(
    engine: Matchmaker, tmp_path: Path
) -> None:
    page = write(engine.shortlist("发动机再制造", k=3, country="GB"), tmp_path / "zh.html")
    dom = _dom(tmp_path, page)
    assert "发动机再制造" in dom
    assert 'id="no-good-match"' not in dom
    assert 'class="badge strong"' in dom or 'class="badge moderate"' in dom
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=True)
    assert fonts.stdout.strip(), "no font with Chinese glyphs: apt-get install fonts-noto-cjk"
    shot = tmp_path / "zh.png"
    _run(tmp_path, "--window-size=1000,1200", f"--screenshot={shot}", page.as_uri())
    assert shot.stat().st_size > 10_000


def test_the_print_layout_fits_a_page_width(engine: Matchmaker, tmp_path: Path) -> None:
    page = write(engine.shortlist("laser cladding repair", k=5, country="GB"), tmp_path / "p.html")
    pdf = tmp_path / "p.pdf"
    _run(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    # A4 portrait (595 x 842 points): every page is one A4 width, nothing widened it.
    boxes = list(data.split(b"/MediaBox")[1:])
    assert boxes
    for box in boxes:
        numbers = box.split(b"]")[0].strip(b" [").split()
        assert abs(float(numbers[2]) - 595) < 2
