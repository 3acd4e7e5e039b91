"""The worked notebook runs: every code cell, in order, in one namespace (no kernel)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "walkthrough.ipynb"


def _load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return data


def test_notebook_is_valid_nbformat_4() -> None:
    notebook = _load()
    assert notebook["nbformat"] == 4
    assert notebook["nbformat_minor"] >= 4
    assert notebook["metadata"]["kernelspec"]["language"] == "python"
    ids = []
    for cell in notebook["cells"]:
        assert cell["cell_type"] in {"markdown", "code"}
        assert isinstance(cell["metadata"], dict)
        assert all(isinstance(line, str) for line in cell["source"])
        if cell["cell_type"] == "code":
            assert cell["outputs"] == []
            assert cell["execution_count"] is None
        ids.append(cell.get("id"))
    assert len(set(ids)) == len(ids)
    kinds = {c["cell_type"] for c in notebook["cells"]}
    assert kinds == {"markdown", "code"}


def test_every_code_cell_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setenv("HOME", str(tmp_path))  # nothing may touch the real ~/.matchmaker
    namespace: dict[str, Any] = {"__name__": "__walkthrough__"}
    try:
        for number, cell in enumerate(_load()["cells"], start=1):
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            try:
                exec(compile(source, f"walkthrough.ipynb cell {number}", "exec"), namespace)
            except Exception as err:  # pragma: no cover - the failure message is the point
                pytest.fail(f"Cell {number} raised {type(err).__name__}: {err}\n---\n{source}")
    finally:
        plt.close("all")
    # The walkthrough reaches its end with the objects it promises.
    assert namespace["result"].n_splits == 5
    assert namespace["fit"].n_pairs >= 100
    assert set(namespace["synthetic"].note) == {"SYNTHETIC"}  # labelled as such
    assert not namespace["log"].path.exists()  # the temporary log was cleaned up
    assert not (tmp_path / ".matchmaker").exists()
