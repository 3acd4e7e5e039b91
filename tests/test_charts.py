"""Charts: drawn from the data tables, on the Agg backend; matplotlib stays optional."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pytest

from matchmaker import Matchmaker
from matchmaker.charts import (
    INSTALL,
    plot_explanation,
    plot_precision_at_k,
    plot_rank_sensitivity,
)
from matchmaker.evaluation._evaluate import Judgement

LASER = [
    Judgement(id="laser", text="laser cladding", relevant={"cladder": 3}),
    Judgement(id="surface", text="surface engineering", relevant={"cladder": 3, "sprayer": 1}),
]


def test_bare_import_does_not_load_matplotlib() -> None:
    code = (
        "import sys, matchmaker, matchmaker.charts, matchmaker.evaluation._tune, matchmaker.evaluation._outcomes; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_matplotlib_names_the_pip_line(
    tiny_engine: Matchmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    explanation = tiny_engine.shortlist("laser cladding", k=1).explain(1)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="plot_explanation needs matplotlib") as err:
        plot_explanation(explanation)
    assert "pip install 'sino-uk-matchmaker[charts]'" in str(err.value)
    assert INSTALL == "pip install 'sino-uk-matchmaker[charts]'"
    with pytest.raises(ImportError, match=r"pip install 'sino-uk-matchmaker\[charts\]'"):
        plot_rank_sensitivity(tiny_engine, "laser cladding", "text", [0.1])


@pytest.fixture
def plt() -> Iterator[object]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    yield pyplot
    pyplot.close("all")


@pytest.mark.usefixtures("plt")
def test_explanation_waterfall_adds_up_to_the_score(tiny_engine: Matchmaker) -> None:
    explanation = tiny_engine.shortlist("laser cladding of aerospace parts", k=1).explain(1)
    ax = plot_explanation(explanation)
    bars = ax.patches
    table = explanation.components
    assert len(bars) == len(table) + 1
    heights = [b.get_height() for b in bars[:-1]]
    np.testing.assert_allclose(heights, table.contribution)
    # Each bar starts where the previous one ended; the last reaches the total.
    bottoms = [b.get_y() for b in bars[:-1]]
    np.testing.assert_allclose(bottoms, np.concatenate([[0], np.cumsum(table.contribution)[:-1]]))
    assert bars[-1].get_height() == pytest.approx(explanation.score)
    assert ax.get_title() == explanation.candidate.name
    # The components table alone draws the same bars.
    again = plot_explanation(table)
    np.testing.assert_allclose([b.get_height() for b in again.patches[:-1]], heights)


@pytest.mark.usefixtures("plt")
def test_explanation_rejects_other_things() -> None:
    with pytest.raises(TypeError, match="must be an Explanation"):
        plot_explanation("not an explanation")  # type: ignore[arg-type]
    import pandas as pd

    with pytest.raises(ValueError, match="lacks column"):
        plot_explanation(pd.DataFrame({"component": ["text"]}))


@pytest.mark.usefixtures("plt")
def test_precision_curves_by_hand(tiny_engine: Matchmaker) -> None:
    # Default weights: "laser cladding" -> cladder first; "surface engineering" ->
    # generalist, cladder, sprayer. Readiness-heavy: cladder first for both.
    after = tiny_engine.with_weights(readiness=5.0)
    ax = plot_precision_at_k(tiny_engine, after, LASER, ks=[1, 2, 3])
    before_line, after_line = ax.get_lines()
    assert before_line.get_label() == "before"
    np.testing.assert_array_equal(before_line.get_xdata(), [1, 2, 3])
    # precision@1, @2, @3 of each query, then their mean.
    np.testing.assert_allclose(
        before_line.get_ydata(), [(1 + 0) / 2, (1 / 2 + 1 / 2) / 2, (1 / 3 + 2 / 3) / 2]
    )
    np.testing.assert_allclose(
        after_line.get_ydata(), [(1 + 1) / 2, (1 / 2 + 1 / 2) / 2, (1 / 3 + 2 / 3) / 2]
    )


@pytest.mark.usefixtures("plt")
def test_precision_rejects_bad_ks(tiny_engine: Matchmaker) -> None:
    with pytest.raises(ValueError, match="The 'ks' parameter of plot_precision_at_k"):
        plot_precision_at_k(tiny_engine, tiny_engine, LASER, ks=[0, 2])


@pytest.mark.usefixtures("plt")
def test_rank_sensitivity_by_hand(tiny_engine: Matchmaker) -> None:
    ax = plot_rank_sensitivity(
        tiny_engine, "surface engineering", "readiness", [0.0, 0.05, 5.0], k=2
    )
    lines = {
        line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")
    }
    # The generalist covers the need exactly; the cladder (narrower, 0.8 credit) ties
    # with the sprayer but wins on id at readiness 0, and leads once readiness counts.
    assert set(lines) == {"generalist", "cladder"}
    np.testing.assert_array_equal(lines["generalist"].get_xdata(), [0.0, 0.05, 5.0])
    np.testing.assert_array_equal(lines["generalist"].get_ydata(), [1, 1, 2])
    np.testing.assert_array_equal(lines["cladder"].get_ydata(), [2, 2, 1])
    assert ax.yaxis_inverted()


@pytest.mark.usefixtures("plt")
def test_rank_sensitivity_rejects_bad_input(tiny_engine: Matchmaker) -> None:
    with pytest.raises(ValueError, match="The 'component' parameter of plot_rank_sensitivity"):
        plot_rank_sensitivity(tiny_engine, "laser cladding", "strong", [0.1])
    with pytest.raises(ValueError, match="The 'values' parameter of plot_rank_sensitivity"):
        plot_rank_sensitivity(tiny_engine, "laser cladding", "text", [0.1, -1])


@pytest.mark.usefixtures("plt")
def test_charts_draw_on_a_given_axes(tiny_engine: Matchmaker) -> None:
    import matplotlib.pyplot as pyplot

    fig, axes = pyplot.subplots(1, 3)
    explanation = tiny_engine.shortlist("laser cladding", k=1).explain(1)
    assert plot_explanation(explanation, ax=axes[0]) is axes[0]
    assert plot_precision_at_k(tiny_engine, tiny_engine, LASER, ks=[1], ax=axes[1]) is axes[1]
    assert (
        plot_rank_sensitivity(tiny_engine, "laser cladding", "text", [0.1], ax=axes[2]) is axes[2]
    )
    fig.canvas.draw()


def test_reliability_by_hand(tiny_engine: Matchmaker) -> None:
    from matchmaker.charts import plot_reliability, reliability_table
    from matchmaker.evaluation._evaluate import Judgement

    judged = [Judgement(id="a", text="laser cladding", relevant={"cladder": 3})]
    table = reliability_table(tiny_engine, judged, k=3, bins=2)
    top = tiny_engine.shortlist("laser cladding", k=3)
    assert table.pairs.sum() == 3
    good = np.array([c.id == "cladder" for c in top.candidates], dtype=float)
    half = np.asarray(top.probability) >= 0.5
    expected = [
        (top.probability[side].mean(), good[side].mean(), side.sum())
        for side in (~half, half)
        if side.any()
    ]
    got = table[["predicted", "observed", "pairs"]].to_numpy(dtype=float)
    np.testing.assert_allclose(got, np.array(expected, dtype=float))
    shipped = reliability_table(tiny_engine)
    assert shipped.pairs.sum() > 100
    assert (shipped.predicted.diff().dropna() > 0).all()
    ax = plot_reliability(tiny_engine)
    assert ax.get_ylabel() == "share judged a good partner (grade 2-3)"
    assert len(ax.get_lines()) == 2 + 2  # diagonal, observed, two thresholds
