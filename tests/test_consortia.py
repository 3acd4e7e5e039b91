"""Consortia: complementary bundles beat redundant ones, and say why."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import matchmaker
from matchmaker import Catalogue, Matchmaker, Profile, ProfileVectorizer
from matchmaker.planning._consortia import Consortia, _rank_bundles, _Role, build_consortia
from matchmaker.vectors._taxonomy import Taxonomy

from .conftest import SRC


# -- the ranking on hand-made vectors --------------------------------------------------
def role(ids: list[str], cover: list[list[float]], score: list[float] | None = None) -> _Role:
    return _Role(ids, np.array(cover, dtype=float), np.array(score or [0.5] * len(ids)))


def test_redundant_bundles_are_never_offered() -> None:
    w = np.array([1.0, 1.0])
    company = role(["acme"], [[1.0, 0.0]])
    research = role(["same-lab", "other-lab"], [[1.0, 0.0], [0.0, 1.0]])
    top = _rank_bundles(w, company, research, None, k=5)
    assert top.r.tolist() == [1]  # same-lab covers nothing acme does not
    best = top.iloc[0]
    assert best.coverage == pytest.approx(1.0)
    assert best.complementarity == pytest.approx(0.5)
    assert best.overlap == pytest.approx(0.0)
    assert best.score == pytest.approx(0.5)  # the members' mean probability


def test_a_weak_member_with_broad_side_coverage_does_not_win() -> None:
    # The JLR case: a company touching many side concepts but weak for the need.
    w = np.array([3.0, 1.0, 1.0, 1.0])
    company = role(["broad-but-weak", "focused"], [[0, 1, 1, 1], [1, 0, 0, 0]], [0.01, 0.4])
    research = role(["lab"], [[0.5, 1, 0, 0]], [0.3])
    top = _rank_bundles(w, company, research, None, k=2)
    assert top.c.tolist() == [1, 0]
    assert top.coverage.iloc[1] > top.coverage.iloc[0]  # broader, yet ranked lower
    assert top.score.tolist() == pytest.approx([0.35, 0.155])


def test_strength_beats_complementarity_then_coverage_breaks_ties() -> None:
    w = np.array([2.0, 1.0])
    company = role(["acme"], [[1.0, 0.0]], [0.6])
    research = role(["strong-part", "weak-all"], [[0.5, 0.5], [0.0, 1.0]], [0.9, 0.3])
    top = _rank_bundles(w, company, research, None, k=2)
    assert top.r.tolist() == [0, 1]
    w = np.array([3.0, 1.0, 1.0])
    company = role(["acme"], [[0.0, 0.0, 1.0]])
    research = role(["big", "small"], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    top = _rank_bundles(w, company, research, None, k=2)
    assert top.r.tolist() == [0, 1]  # equal strength: more coverage first
    assert top.coverage.tolist() == pytest.approx([0.8, 0.4])


@pytest.mark.parametrize("seed", range(30))
def test_ranking_equals_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    K = int(rng.integers(2, 5))
    w = rng.integers(0, 3, K).astype(float)
    w[0] = max(w[0], 1.0)

    def make(prefix: str, n: int) -> _Role:
        cover = rng.choice([0.0, 0.5, 1.0], size=(n, K))
        return _Role([f"{prefix}{j}" for j in range(n)], cover, rng.choice([0.1, 0.3, 0.5], n))

    company, research, brokers = make("c", 3), make("r", 3), make("i", 2)
    with_brokers = bool(seed % 2)
    top = _rank_bundles(w, company, research, brokers if with_brokers else None, k=100)
    share = w / w.sum()
    expected = []
    for c in range(3):
        for r in range(3):
            options = [None, *range(2)] if with_brokers else [None]
            best = None
            for i in options:
                covers = [company.cover[c], research.cover[r]]
                probs = [company.score[c], research.score[r]]
                if i is not None:
                    covers.append(brokers.cover[i])
                    probs.append(brokers.score[i])
                cov = float(np.max(covers, axis=0) @ share)
                comp = cov - max(float(x @ share) for x in covers)
                if comp <= 1e-9:
                    continue
                key = (-round(float(np.mean(probs)), 12), -round(cov, 12), f"i{i}")
                if i is None and best is not None:
                    continue  # two members only when no intermediary qualifies
                if best is None or best[0] is None or key < best[1]:
                    best = (i, key)
            if best is not None:
                overlap = float(np.minimum(company.cover[c], research.cover[r]) @ share)
                key = (*best[1][:2], round(overlap, 12), f"c{c}", f"r{r}")
                expected.append((key, c, r, -1 if best[0] is None else best[0]))
    expected.sort()
    got = list(zip(top.c, top.r, top.i, strict=True))
    assert got == [(c, r, i) for _, c, r, i in expected]


def test_best_intermediary_joins_each_bundle() -> None:
    w = np.array([1.0, 1.0, 1.0])
    company = role(["acme"], [[1.0, 0.0, 0.0]])
    research = role(["lab"], [[0.0, 1.0, 0.0]])
    brokers = role(["net-a", "net-b", "net-c"], [[0, 0, 0], [0, 0, 0.5], [0, 0, 0.5]])
    top = _rank_bundles(w, company, research, brokers, k=1)
    assert top.i.iloc[0] == 1  # covers the third concept; ties with net-c go to the id
    assert top.coverage.iloc[0] == pytest.approx(2.5 / 3)
    # An intermediary that covers the whole need alone never joins (the bundle would not
    # beat it); the company and research group are then offered on their own.
    brokers = role(["net-all"], [[1.0, 1.0, 1.0]], [0.9])
    top = _rank_bundles(w, company, research, brokers, k=1)
    assert top.i.iloc[0] == -1
    assert top.score.iloc[0] == pytest.approx(0.5)


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
    # surface-net alone covers the whole need, so no bundle with it beats its best member;
    # clad-co + clad-lab cover the same part twice: neither is offered.
    assert top.intermediary_id == ""
    assert top.coverage == pytest.approx(1.0)
    assert top.complementarity > 0
    assert top.overlap == pytest.approx(0.0)
    assert len(result) == 1
    pairs = world.score_pairs(["need-surface"], ["clad-co", "spray-lab"])
    assert top.company_score == pytest.approx(round(float(pairs.probability[0, 0]), 4))
    assert top.score == pytest.approx(float(pairs.probability[0].mean()), abs=1e-4)
    # printer-co and paper-lab cover none of the need's concepts: never candidates
    assert not result.bundles.company_id.eq("printer-co").any()
    assert not result.bundles.research_id.eq("paper-lab").any()
    table = result.explain(1).set_index("concept")
    assert table.loc["laser-cladding", "covered_by"].startswith("company")
    assert table.loc["thermal-spraying", "covered_by"].startswith("research")
    assert table.loc["laser-cladding", "label"] == "laser cladding (激光熔覆)"
    assert "covers laser cladding (激光熔覆) 100%" in top.explanation
    assert "together 100% of the need" in top.explanation
    assert "adds laser cladding (激光熔覆)" in top.explanation
    assert "(company, strong" in top.explanation


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
    assert len(result) == 1
    html = result._repr_html_()
    assert "&lt;b&gt;Clad&lt;/b&gt; Co" in html
    assert "<b>Clad</b>" not in html
    csv = matchmaker.write(result, tmp_path / "c.csv").read_text(encoding="utf-8-sig")
    assert "Clad" in csv
    assert "<b>" in csv  # CSV keeps the text as typed; only HTML escapes it
    matchmaker.write(result, tmp_path / "c.xlsx")
    sheets = pd.read_excel(tmp_path / "c.xlsx", sheet_name=None)
    assert list(sheets) == ["About this list", "Bundles", "Concepts"]
    assert len(sheets["Bundles"]) == 1
    page = matchmaker.write(result, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;Clad&lt;/b&gt;" in page
    assert "<b>Clad</b>" not in page
    text = str(result)
    assert text.startswith("Consortia for: Need-Surface [need-surface] (1 bundles)")
    assert repr(result) == "<Consortia of 1 bundles for 'need-surface'>"


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


def test_machine_tool_remanufacturing_is_not_led_by_a_car_maker(engine: Matchmaker) -> None:
    need = "cn-reman-machine-tools"
    result = build_consortia(engine, need)
    top = result.bundles.iloc[0]
    assert "jaguar-land-rover" not in (top.company_id, top.research_id, top.intermediary_id)
    assert (result.bundles.complementarity > 0).all()
    # Each member's score is the probability its shortlist shows.
    shown = engine.shortlist(need, k=200).to_frame().set_index("id")
    for role in ("company", "research"):
        member = top[f"{role}_id"]
        if member in shown.index:
            assert top[f"{role}_score"] == pytest.approx(shown.loc[member, "probability"], abs=1e-4)
    assert "adds" in top.explanation
