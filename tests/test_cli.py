"""The command line: main job, shortlist formats, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from matchmaker.cli._main import main

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
    rows = json.loads(piped.out)  # the table alone on stdout
    assert [r["rank"] for r in rows] == [1, 2]
    assert "Read as: laser cladding" in piped.err
    path = tmp_path / "s.xlsx"
    assert main(["shortlist", "laser cladding", "--top", "2", "--out", str(path)]) == 0
    assert pd.read_excel(path).shape[0] == 2
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
    ],
)
def test_errors_exit_2_with_one_clear_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("matchmaker: error:")
    assert message in err


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
    csv_path = merged.to_csv(tmp_path / "cat.csv")
    assert len(pd.read_csv(csv_path, encoding="utf-8-sig")) == len(merged)


def test_import_saves_a_merged_catalogue_the_other_commands_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import matchmaker

    fixture = REGISTRATIONS
    saved = tmp_path / "mission"
    assert main(["import", str(fixture), "--save", str(saved)]) == 0
    assert f"saved to {saved}" in capsys.readouterr().out
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
