"""The command line: main job, shortlist formats, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from matchmaker.cli._main import main

ROOT = Path(__file__).resolve().parents[1]
REGISTRATIONS = Path(__file__).parent / "data" / "import" / "event_registrations.csv"


def test_demo_prints_and_writes_every_demand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo.csv"
    assert main(["demo", "--top", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    table = pd.read_csv(out, encoding="utf-8-sig")
    demands = table.demand_id.unique()
    assert len(demands) >= 24
    assert (table.groupby("demand_id").size() == 3).all()
    assert set(table.strength) <= {"strong", "moderate", "weak"}
    assert f"{len(demands)} Chinese demands shortlisted" in printed
    assert "No good match" in printed  # the documents name needs no UK firm meets


def test_shortlist_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shortlist", "laser cladding", "--country", "GB", "--top", "2"]) == 0
    assert "Shortlist for: laser cladding" in capsys.readouterr().out
    assert main(["shortlist", "laser cladding", "--top", "2", "--format", "json"]) == 0
    piped = capsys.readouterr()
    data = json.loads(piped.out)  # the JSON alone on stdout, context included
    assert [r["rank"] for r in data["rows"]] == [1, 2]
    assert data["context"]["query"] == "laser cladding"
    assert "Read as: laser cladding" in piped.err
    path = tmp_path / "s.xlsx"
    assert main(["shortlist", "laser cladding", "--top", "2", "--out", str(path)]) == 0
    assert pd.read_excel(path, sheet_name="Shortlist").shape[0] == 2
    assert "Read as: laser cladding" in capsys.readouterr().out


def test_shortlist_explains_a_rank(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["shortlist", "发动机再制造", "--country", "GB", "--top", "1", "--explain", "1"]) == 0
    )
    out = capsys.readouterr().out
    assert "Matched concepts" in out
    assert "Caveats:" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["shortlist", "   "], "empty or holds only punctuation"),
        (["shortlist", "no-such-profile-id"], "No profile has id 'no-such-profile-id'"),
        (["shortlist", "laser", "--country", "FR"], "'country' parameter"),
        (["--catalogue", "/no/such/folder", "demo"], "No catalogue at"),
        (["shortlist", "laser", "--out", "x.pdf"], "PDF is not written directly"),
        (["shortlist", "laser", "--out", "x.txt"], "Supported: .csv, .json, .xlsx, .html."),
        (["shortlist", "laser", "--out", "/"], "it is a folder"),
        (["shortlist", "laser", "--out", "/proc/version/x.csv"], "does not exist"),
        (
            ["shortlist", "cn-demand-energy-saving-motor"],
            "Closest: 'cn-demand-energy-saving-motors'",
        ),
    ],
)
def test_errors_exit_2_with_one_clear_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("matchmaker: error:")
    assert message in err
    assert err.count("\n") == 1  # one line


def test_unwritable_places_are_one_line_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code = main(["shortlist", "laser", "--out", str(locked / "s.csv")])
    finally:
        locked.chmod(0o700)
    err = capsys.readouterr().err
    if os.geteuid() == 0:  # root writes anywhere: the file is then simply written
        assert code == 0
    else:
        assert code == 2
        assert err.count("\n") == 1
        assert "Permission denied" in err


def test_a_profile_name_is_read_as_that_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shortlist", "Autocraft Solutions Ltd", "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert "Read 'Autocraft Solutions Ltd' as the profile 'autocraft-solutions'" in out
    assert "nothing the taxonomy knows" not in out


def test_terminal_tables_fit_the_width_and_are_left_aligned(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "72")
    assert (
        main(["shortlist", "发动机再制造", "--country", "GB", "--top", "5", "--explain", "1"]) == 0
    )
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 72
    header = next(line for line in out.splitlines() if line.startswith("rank"))
    assert header.split() == ["rank", "name", "score", "strength", "reasons"]
    first = out.splitlines()[out.splitlines().index(header) + 1]
    assert first.startswith("1 ")  # left-aligned, not padded to the right


@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "--out", "plan.csv"],
        ["demo", "--top", "3", "--out", "demo.csv"],
        ["import", "{root}/docs/examples/event_registrations.csv", "--country", "GB"],
    ],
    ids=["plan", "demo", "import"],
)
def test_every_command_fits_the_terminal_width(
    argv: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Plans, the demo and import summaries wrap to the terminal, as shortlists do."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(tmp_path)
    assert main([a.format(root=ROOT) for a in argv]) == 0
    out = capsys.readouterr().out
    too_wide = [line for line in out.splitlines() if len(line) > 80]
    assert not too_wide, too_wide[:3]


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys, runpy\n"
        "sys.argv = ['matchmaker', '--help']\n"
        "try:\n    runpy.run_module('matchmaker', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'scipy', 'sklearn', 'numpy'})\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert "usage: matchmaker" in done.stdout
    assert "HEAVY []" in done.stdout


def test_bad_top_is_rejected_by_the_parser() -> None:
    with pytest.raises(SystemExit):
        main(["shortlist", "laser", "--top", "0"])


def test_import_subcommand_and_catalogue_methods(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import matchmaker

    fixture = REGISTRATIONS
    report = tmp_path / "report.csv"
    assert main(["import", str(fixture), "--report", str(report)]) == 0
    assert "Rows:" in capsys.readouterr().out
    rows = pd.read_csv(report, encoding="utf-8-sig")
    assert rows.row.is_unique

    cat = matchmaker.load_catalogue()
    result = matchmaker.read_profiles(fixture, catalogue=cat)
    assert len(result.report) == len(rows)  # every input row accounted for, once
    merged = cat.merge(result)
    assert len(merged) == len(cat) + len(result.profiles)
    folder = merged.to_yaml(tmp_path / "saved")
    again = matchmaker.load_catalogue(folder)
    assert [p.model_dump() for p in again] == [p.model_dump() for p in merged]
    csv_path = matchmaker.write(merged, tmp_path / "cat.csv")
    assert len(pd.read_csv(csv_path, encoding="utf-8-sig")) == len(merged)


def test_import_saves_a_merged_catalogue_the_other_commands_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import matchmaker

    fixture = REGISTRATIONS
    saved = tmp_path / "mission"
    assert main(["import", str(fixture), "--save", str(saved)]) == 0
    out = " ".join(capsys.readouterr().out.split())  # wrapped to the terminal
    assert f"saved to {saved}; use it with: matchmaker --catalogue {saved} shortlist" in out
    merged = matchmaker.load_catalogue(saved)
    result = matchmaker.read_profiles(fixture)
    assert len(merged) == len(matchmaker.load_catalogue()) + len(result.profiles)
    new_id = result.profiles[0].id
    assert new_id in merged
    # the saved folder feeds the other commands through --catalogue ...
    assert main(["--catalogue", str(saved), "shortlist", new_id, "--direction", "offers"]) == 0
    # ... and de-duplicates a second import against what was saved: nothing is new twice
    again = tmp_path / "again.csv"
    assert main(["--catalogue", str(saved), "import", str(fixture), "--report", str(again)]) == 0
    assert "imported" not in set(pd.read_csv(again, encoding="utf-8-sig").status)
    # nothing is overwritten
    capsys.readouterr()
    assert main(["import", str(fixture), "--save", str(saved)]) == 2
    assert "already holds a catalogue" in capsys.readouterr().err
