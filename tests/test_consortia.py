"""Consortia: complementary bundles beat redundant ones, and say why."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matchmaker import Catalogue, Matchmaker, Profile, ProfileVectorizer
from matchmaker.planning._consortia import Consortia, _rank_bundles, _Role, build_consortia
from matchmaker.vectors._taxonomy import Taxonomy

from .conftest import SRC


# -- the ranking on hand-made vectors --------------------------------------------------
def role(ids: list[str], cover: list[list[float]], score: list[float] | None = None) -> _Role:
    return _Role(ids, np.array(cover, dtype=float), np.array(score or [0.5] * len(ids)))


def test_complementary_beats_redundant() -> None:
    w = np.array([1.0, 1.0])
    company = role(["acme"], [[1.0, 0.0]])
    research = role(["same-lab", "other-lab"], [[1.0, 0.0], [0.0, 1.0]])
    top = _rank_bundles(w, company, research, None, k=5)
    assert top.r.tolist() == [1, 0]
    best, worst = top.iloc[0], top.iloc[1]
    assert best.coverage == pytest.approx(1.0)
    assert best.complementarity == pytest.approx(0.5)
    assert best.overlap == pytest.approx(0.0)
    assert worst.coverage == pytest.approx(0.5)
    assert worst.complementarity == pytest.approx(0.0)
    assert worst.overlap == pytest.approx(0.5)
    # score = coverage + 0.5 * complementarity - 0.5 * overlap + 0.2 * pair_score
    assert best.score == pytest.approx(1.0 + 0.25 - 0.0 + 0.1)
    assert worst.score == pytest.approx(0.5 + 0.0 - 0.25 + 0.1)


def test_complementarity_outweighs_a_better_engine_score() -> None:
    w = np.array([2.0, 1.0])
    company = role(["acme"], [[1.0, 0.0]], [0.6])
    # The redundant lab matches the need better overall, but adds nothing.
    research = role(["redundant", "complement"], [[1.0, 0.0], [0.0, 1.0]], [0.9, 0.3])
    top = _rank_bundles(w, company, research, None, k=2)
    assert top.r.iloc[0] == 1


def test_weights_decide_which_part_matters() -> None:
    w = np.array([3.0, 1.0, 0.0])
    company = role(["acme"], [[0.0, 0.0, 1.0]])
    research = role(["big", "small"], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    top = _rank_bundles(w, company, research, None, k=2)
    assert top.r.tolist() == [0, 1]
    assert top.coverage.tolist() == pytest.approx([0.75, 0.25])


def test_best_intermediary_joins_each_bundle() -> None:
    w = np.array([1.0, 1.0, 1.0])
    company = role(["acme"], [[1.0, 0.0, 0.0]])
    research = role(["lab"], [[0.0, 1.0, 0.0]])
    brokers = role(["net-a", "net-b", "net-c"], [[0, 0, 0], [0, 0, 0.5], [0, 0, 0.5]])
    top = _rank_bundles(w, company, research, brokers, k=1)
    assert top.i.iloc[0] == 1  # covers the third concept; ties with net-c go to the id
    assert top.coverage.iloc[0] == pytest.approx(2.5 / 3)


def test_ties_go_to_ids_and_a_profile_never_pairs_with_itself() -> None:
    w = np.array([1.0, 1.0])
    company = role(["acme", "both"], [[1.0, 0.0], [1.0, 0.0]])
    research = role(["lab-b", "lab-a", "both"], [[0.0, 1.0], [0.0, 1.0], [0.0, 1.0]])
    top = _rank_bundles(w, company, research, None, k=10)
    pairs = [(company.ids[c], research.ids[r]) for c, r in zip(top.c, top.r, strict=True)]
    assert ("both", "both") not in pairs
    assert pairs[:3] == [("acme", "both"), ("acme", "lab-a"), ("acme", "lab-b")]


# -- a tiny hand-made world through the engine ---------------------------------------------
@pytest.fixture
def world(tiny_taxonomy: Taxonomy) -> Matchmaker:
    def p(pid: str, **kw: object) -> Profile:
        base = {"id": pid, "name": pid.title(), "country": "GB", "kind": "company",
                "sources": SRC}  # fmt: skip
        return Profile.model_validate(base | kw)

    profiles = [
        p("need-surface", country="CN", kind="sector_demand",
          needs=["Laser cladding and thermal spraying to repair worn parts"]),
        p("need-vague", country="CN", kind="sector_demand", needs=["Business partners wanted"]),
        p("clad-co", offers=["Laser cladding repair services"], name="<b>Clad</b> Co"),
        p("printer-co", offers=["Sells laser printers"]),
        p("clad-lab", kind="research_group", offers=["Laser cladding research"]),
        p("spray-lab", kind="research_group", offers=["Thermal spraying research"]),
        p("paper-lab", kind="research_group", offers=["Office paper research"]),
        p("surface-net", kind="association", intermediary=True,
          offers=["Network of laser cladding and thermal spraying firms"]),
        p("water-net", kind="association", intermediary=True,
          offers=["Wastewater treatment network"]),
    ]  # fmt: skip
    vec = ProfileVectorizer(taxonomy=tiny_taxonomy)
    # Meaning off: the answers are known from the tiny taxonomy alone.
    return Matchmaker(Catalogue(profiles), vectorizer=vec, encoder=None).fit()


def test_complementary_bundle_wins_in_a_tiny_world(world: Matchmaker) -> None:
    result = build_consortia(world, "need-surface")
    assert isinstance(result, Consortia)
    top = result.bundles.iloc[0]
    assert (top.company_id, top.research_id) == ("clad-co", "spray-lab")
    assert top.intermediary_id == "surface-net"  # shares something with the need
    assert top.coverage == pytest.approx(1.0)
    assert top.overlap == pytest.approx(0.0)
    second = result.bundles.iloc[1]
    assert second.research_id == "clad-lab"
    assert second.overlap > 0
    assert second.score < top.score
    # printer-co and paper-lab cover none of the need's concepts: never candidates
    assert not result.bundles.company_id.eq("printer-co").any()
    assert not result.bundles.research_id.eq("paper-lab").any()
    table = result.explain(1).set_index("concept")
    assert table.loc["laser-cladding", "covered_by"].startswith("company")
    assert table.loc["thermal-spraying", "covered_by"].startswith("research")
    assert table.loc["laser-cladding", "label"] == "laser cladding (激光熔覆)"
    assert "covers laser cladding (激光熔覆) 100%" in top.explanation
    assert "together 100% of the need" in top.explanation


def test_two_member_bundles_and_order_invariance(world: Matchmaker) -> None:
    result = build_consortia(world, "need-surface", intermediaries=[], k=5)
    assert (result.bundles.intermediary_id == "").all()
    assert result.bundles.intermediary_score.isna().all()
    again = build_consortia(
        world, "need-surface", intermediaries=[], k=5,
        companies=["printer-co", "clad-co"], research_groups=["spray-lab", "clad-lab"],
    )  # fmt: skip
    assert again.bundles.research_id.tolist() == result.bundles.research_id.tolist()


def test_errors_name_the_problem(world: Matchmaker) -> None:
    with pytest.raises(ValueError, match="name no capability concept"):
        build_consortia(world, "need-vague")
    with pytest.raises(ValueError, match="No candidate research group covers any") as info:
        build_consortia(world, "need-surface", research_groups=["paper-lab"])
    assert "laser cladding (激光熔覆)" in str(info.value)
    with pytest.raises(ValueError, match="2 problems") as info:
        build_consortia(world, "need-surface", k=0, candidates=-1)
    assert "The 'k' parameter of build_consortia must be an int >= 1. Got 0 instead." in str(
        info.value
    )
    with pytest.raises(ValueError, match="Unknown profile ids in 'companies': 'nobody'"):
        build_consortia(world, "need-surface", companies=["nobody"])
    with pytest.raises(ValueError, match="state no offers"):
        build_consortia(world, "need-surface", companies=["need-vague"])
    with pytest.raises(KeyError, match="No profile has id"):
        build_consortia(world, "no-such-need")
    result = build_consortia(world, "need-surface")
    with pytest.raises(IndexError, match="outside these"):
        result.explain(99)


def test_export_and_html_are_safe(world: Matchmaker, tmp_path: Path) -> None:
    result = build_consortia(world, "need-surface", k=2)
    html = result._repr_html_()
    assert "&lt;b&gt;Clad&lt;/b&gt; Co" in html
    assert "<b>Clad</b>" not in html
    assert Path(result.export(tmp_path / "c.csv")).exists()
    assert Path(result.export(tmp_path / "c.xlsx", table="concepts")).exists()
    text = str(result)
    assert text.startswith("Consortia for: Need-Surface [need-surface] (2 bundles)")
    assert repr(result) == "<Consortia of 2 bundles for 'need-surface'>"


def test_bundled_engine_consortia(engine: Matchmaker) -> None:
    demands = [p.id for p in engine.catalogue_ if p.kind == "sector_demand"]
    built = 0
    for need in demands:
        try:
            result = build_consortia(engine, need, k=5)
        except ValueError:
            continue  # this need names no capability concept, or no role covers it
        built += 1
        b = result.bundles
        assert (b.score.diff().dropna() <= 1e-12).all()
        assert (b.company_id != b.research_id).all()
        assert b.coverage.between(0, 1).all()
        assert (b.complementarity >= -1e-12).all()
        assert (b.coverage + 1e-9 >= b.complementarity).all()
    assert built > 0
