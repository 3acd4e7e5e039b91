"""Progress bars: shown in a terminal when work is slow, silent otherwise."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from matchmaker import ProfileVectorizer
from matchmaker._progress import ENV_VAR, progress, progress_enabled


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _no_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def test_off_when_the_output_is_not_a_terminal() -> None:
    out = io.StringIO()
    items = [1, 2, 3]
    assert progress_enabled(file=out) is False
    assert progress(items, file=out, delay=0) is items  # the iterable itself, no bar
    assert out.getvalue() == ""


def test_on_in_a_terminal_and_writes_to_the_stream_given() -> None:
    out = _Terminal()
    bar = progress(range(5), desc="Tagging texts", unit="text", file=out, delay=0)
    assert list(bar) == list(range(5))
    assert "Tagging texts" in out.getvalue()
    assert "5/5" in out.getvalue()


def test_forced_on_writes_even_when_not_a_terminal() -> None:
    out = io.StringIO()
    assert list(progress("abc", total=3, enabled=True, file=out, delay=0)) == ["a", "b", "c"]
    assert "3/3" in out.getvalue()


def test_quick_work_shows_nothing_before_the_delay() -> None:
    out = _Terminal()
    assert list(progress(range(3), file=out, delay=60)) == [0, 1, 2]
    assert out.getvalue() == ""


@pytest.mark.parametrize(("setting", "shown"), [("0", False), ("off", False), ("1", True)])
def test_the_environment_variable_turns_bars_off_or_on(
    monkeypatch: pytest.MonkeyPatch, setting: str, shown: bool
) -> None:
    monkeypatch.setenv(ENV_VAR, setting)
    out = _Terminal() if not shown else io.StringIO()  # against what the stream alone says
    list(progress(range(2), enabled=None, file=out, delay=0))
    assert bool(out.getvalue()) is shown
    # an explicit choice beats the variable
    assert progress_enabled(not shown, file=out) is (not shown)


def test_a_bad_setting_is_an_error_not_a_guess(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "maybe")
    with pytest.raises(ValueError, match=r"MATCHMAKER_PROGRESS must be 0 .* Got 'maybe' instead"):
        progress_enabled()
    with pytest.raises(ValueError, match="'progress' parameter must be True, False or None"):
        progress_enabled("yes")  # type: ignore[arg-type]


def test_vectoriser_fit_shows_its_bar_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    texts = ["laser cladding of engine parts", "工业废水处理"]
    ProfileVectorizer(progress=False).fit(texts)
    assert capsys.readouterr().err == ""
    ProfileVectorizer().fit(texts)  # pytest's captured stderr is not a terminal
    assert capsys.readouterr().err == ""
    # forced on: a quick fit still prints nothing before two seconds
    ProfileVectorizer(progress=True).fit(texts)
    assert capsys.readouterr().err == ""


def test_vectoriser_bar_reaches_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    import matchmaker._progress as module

    out = io.StringIO()
    real = module.progress

    def immediate(iterable, **options):  # type: ignore[no-untyped-def]
        return real(iterable, **{**options, "file": out, "delay": 0})

    monkeypatch.setattr("matchmaker.vectors._vectorizer.progress", immediate)
    ProfileVectorizer(progress=True).fit(["laser cladding", "工业废水处理", "heat pumps"])
    assert "Tagging texts" in out.getvalue()
    assert "3/3" in out.getvalue()


def test_import_matchmaker_does_not_import_tqdm() -> None:
    probe = (
        "import matchmaker, sys; "
        "v = matchmaker.ProfileVectorizer(progress=False).fit(['laser cladding']); "
        "print('tqdm' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_an_import_reports_progress_on_its_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    import matchmaker._progress as module
    from matchmaker import Catalogue, read_profiles

    out = io.StringIO()
    real = module.progress

    def immediate(iterable, **options):  # type: ignore[no-untyped-def]
        return real(iterable, **{**options, "enabled": True, "file": out, "delay": 0})

    monkeypatch.setattr("matchmaker.catalogue._import.progress", immediate)
    frame = pd.DataFrame({"Company": ["Acme Ltd", "Brightwell Coatings Ltd", "Carwood"]})
    read_profiles(frame, catalogue=Catalogue([]), country="GB", kind="company")
    assert "Checking rows" in out.getvalue()
    assert "De-duplicating" in out.getvalue()
    assert "3/3" in out.getvalue()
