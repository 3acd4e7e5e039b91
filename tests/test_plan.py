"""Mission plans: exact assignment under capacities, limits and required pairs."""

from __future__ import annotations

import argparse
import itertools
import random
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matchmaker
from matchmaker import Catalogue, Matchmaker, Profile, ProfileVectorizer
from matchmaker.cli._main import build_engine
from matchmaker.cli._plan import add_plan_arguments, plan_command
from matchmaker.planning._limits import _Group
from matchmaker.planning._plan import Limit, MissionPlan, PlanInfeasibleError, plan_mission
from matchmaker.planning._solve import _Solution
from matchmaker.planning._solve import solve_plan as _solve
from matchmaker.vectors._taxonomy import Taxonomy

from .conftest import SRC, tiny_profiles


# -- tiny matrices with known answers ------------------------------------------------
def chosen(scores: list[list[float]], **kw: object) -> list[list[int]]:
    s = np.array(scores)
    allowed = kw.pop("allowed", s > 0)
    out: list[list[int]] = _solve(s, allowed, **kw).chosen.astype(int).tolist()  # type: ignore[arg-type]
    return out


def test_exact_beats_greedy() -> None:
    # Greedy gives need 0 its best offer (0.9) and leaves need 1 with 0.1: 1.0.
    # The optimum swaps: 0.8 + 0.7 = 1.5.
    s = np.array([[0.9, 0.8], [0.7, 0.1]])
    solution = _solve(s, s > 0, per_need=1, per_offer=1)
    assert solution.chosen.astype(int).tolist() == [[0, 1], [1, 0]]
    assert solution.total == pytest.approx(1.5)


def test_exact_beats_greedy_with_several_per_need() -> None:
    # Offer 0 can serve one need. Need 0 has a good second choice, need 1 not.
    s = [[0.9, 0.85, 0.0], [0.8, 0.0, 0.2]]
    assert chosen(s, per_need=1, per_offer=1) == [[0, 1, 0], [1, 0, 0]]
    # With two places each, 0.9 + 0.85 + 0.2 = 1.95 beats 0.85 + 0.8 + 0.2 = 1.85.
    assert chosen(s, per_need=2, per_offer=1) == [[1, 1, 0], [0, 0, 1]]


def test_per_need_is_up_to_not_exact() -> None:
    # Only one candidate: the need gets one, not padded to per_need.
    assert chosen([[0.5, 0.0, 0.0]], per_need=3, per_offer=1) == [[1, 0, 0]]


def test_min_per_need_changes_the_optimum() -> None:
    s = [[0.9, 0.8], [0.3, 0.0]]
    assert chosen(s, per_need=2, per_offer=1) == [[1, 1], [0, 0]]
    assert chosen(s, per_need=2, per_offer=1, min_per_need=1) == [[0, 1], [1, 0]]


def test_required_and_excluded_pairs() -> None:
    s = np.array([[0.9, 0.8], [0.7, 0.6]])
    required = np.array([[True, False], [False, False]])
    out = _solve(s, s > 0, per_need=1, per_offer=1, required=required).chosen
    assert out.astype(int).tolist() == [[1, 0], [0, 1]]
    allowed = (s > 0) & ~np.array([[False, True], [False, False]])
    out = _solve(s, allowed, per_need=1, per_offer=1).chosen
    assert out.astype(int).tolist() == [[1, 0], [0, 1]]


def test_group_limits_per_need_and_per_plan() -> None:
    s = np.array([[0.9, 0.8, 0.3], [0.9, 0.8, 0.3]])
    region = ["london", "london", "wales"]
    at_most_one = _Group("at most 1 per need", "region", region, at_most=1, per="need")
    out = _solve(s, s > 0, per_need=2, per_offer=2, groups=[at_most_one]).chosen
    assert out.astype(int).tolist() == [[1, 0, 1], [1, 0, 1]]
    plan_cap = _Group("at most 3 in the plan", "region", region, at_most=3, per="plan")
    out = _solve(s, s > 0, per_need=2, per_offer=2, groups=[plan_cap]).chosen
    assert out[:, :2].sum() == 3
    assert out.sum() == 4
    kind = ["company", "company", "research_group"]
    need_research = _Group("research", "kind", [None, None, "research_group"], at_least=1)
    out = _solve(s, s > 0, per_need=1, per_offer=2, groups=[need_research]).chosen
    assert out.astype(int).tolist() == [[0, 0, 1], [0, 0, 1]]
    del kind


def test_ties_are_broken_towards_earlier_ids() -> None:
    # Equal totals and equal rank sums: the earliest (need, offer) pairs win.
    s = np.full((1, 3), 0.5)
    out = _solve(s, s > 0, per_need=1, per_offer=1).chosen
    assert out.astype(int).tolist() == [[1, 0, 0]]


def test_tie_break_prefers_each_needs_own_better_candidates() -> None:
    # Both plans score 1.0 + 0.5 = 1.5 (a tie a nudge below the gap could lose).
    # Need 0 ranks offer 0 first (0.6 > 0.4 is not the question: equal totals);
    # plan A: n0-o0 (rank 1), n1-o1 (rank 2); plan B: n0-o1 (rank 2), n1-o0 (rank 1).
    # Brute force over the tie-break: a true 3-way tie of totals broken by ranks.
    s = np.array([[0.75, 0.25, 0.5], [0.5, 0.75, 0.0]])
    solution = _solve(s, s > 0, per_need=1, per_offer=1)
    best = brute_force_lex(s, s > 0, 1, 1)
    assert lex_value(s, s > 0, solution.chosen) == best
    assert solution.status.optimal
    assert solution.status.tie_breaks


def test_result_is_whole_numbered_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    import matchmaker.planning._highs as highs_module

    def fake_run(h: object, seconds: float) -> tuple[str, np.ndarray, float]:
        return "optimal", highs_module._whole(np.array([0.5, 0.5])), float("nan")

    monkeypatch.setattr(highs_module, "_run", fake_run)
    with pytest.raises(RuntimeError, match=r"fractional value 0\.5"):
        _solve(np.array([[0.5, 0.4]]), np.ones((1, 2), bool), per_need=1, per_offer=1)


# -- infeasibility explained --------------------------------------------------------
def test_too_few_candidates_is_named_with_numbers() -> None:
    s = np.array([[0.9, 0.8, 0.0], [0.5, 0.4, 0.3]])
    with pytest.raises(PlanInfeasibleError) as info:
        _solve(s, s > 0, per_need=3, per_offer=2, min_per_need=3, need_labels=["'x'", "'y'"])
    message = str(info.value)
    assert "need 'x' has only 2 candidates allowed; min_per_need=3 asked" in message
    assert "Lower min_per_need to 2" in message
    assert len(info.value.problems) == 1


def test_required_pairs_over_capacity_are_named() -> None:
    s = np.full((3, 2), 0.5)
    required = np.array([[True, False], [True, False], [True, False]])
    with pytest.raises(PlanInfeasibleError) as info:
        _solve(s, s > 0, per_need=1, per_offer=2, required=required, offer_labels=["'a'", "'b'"])
    assert (
        "offer capacity: 3 places asked by required pairs for 'a' but per_offer=2; "
        "raise per_offer to 3 or drop 1 of them." in str(info.value)
    )


def test_all_obvious_problems_are_reported_together() -> None:
    s = np.array([[0.9, 0.0], [0.0, 0.0]])
    required = np.array([[False, True], [False, False]])
    with pytest.raises(PlanInfeasibleError) as info:
        _solve(s, s > 0, per_need=1, per_offer=1, min_per_need=1, required=required)
    assert len(info.value.problems) == 2
    assert "is not a candidate" in info.value.problems[0]
    assert "has no candidate" in info.value.problems[1]


def test_hidden_conflict_is_diagnosed_by_relaxing_each_group() -> None:
    # Three needs can only use offers 0 and 1 (one place each); offer 2 is free
    # but nobody's candidate, so the simple capacity count passes.
    s = np.array([[0.5, 0.4, 0.0], [0.6, 0.3, 0.0], [0.2, 0.7, 0.0]])
    with pytest.raises(PlanInfeasibleError) as info:
        _solve(
            s, s > 0, per_need=1, per_offer=1, min_per_need=1,
            need_labels=["'n0'", "'n1'", "'n2'"], offer_labels=["'o0'", "'o1'", "'o2'"],
        )  # fmt: skip
    message = str(info.value)
    # Leaving any one of the three needs empty is an equally small change.
    assert re.search(
        r"lower min_per_need: need 'n[012]' can get only 0 \(min_per_need=1\)", message
    )
    assert "raise per_offer: offer 'o0' needs 2 (per_offer=1, 1 more)" in message
    assert "Any one of these changes would make the plan feasible." in message


def test_limit_that_cannot_be_met_is_named() -> None:
    s = np.array([[0.9, 0.8]])
    group = _Group("at least 1 per need with kind = 'rto'", "kind", [None, None], at_least=1,
                   wanted=("rto",))  # fmt: skip
    with pytest.raises(PlanInfeasibleError, match="no offer has kind = 'rto', so at_least=1"):
        _solve(s, s > 0, per_need=2, per_offer=1, groups=[group])
    group = _Group("at least 1 per need with kind = 'rto'", "kind", ["rto", None], at_least=1)
    with pytest.raises(PlanInfeasibleError, match=r"has only 0 candidates with kind = 'rto'"):
        _solve(s, np.array([[False, True]]), per_need=2, per_offer=1, groups=[group])


# -- random instances against brute force ----------------------------------------------
def brute_force(
    s: np.ndarray,
    allowed: np.ndarray,
    per_need: int,
    per_offer: int,
    min_per_need: int,
    required: np.ndarray,
    group: _Group | None,
) -> float | None:
    """The best total by trying every subset of candidate pairs (None if none is feasible)."""
    n, m = s.shape
    rows, cols = np.nonzero(allowed)
    E = len(rows)
    masks = (np.arange(2**E)[:, None] >> np.arange(E)) & 1
    need_load = masks @ (rows[:, None] == np.arange(n))
    offer_load = masks @ (cols[:, None] == np.arange(m))
    ok = (need_load <= per_need).all(1) & (need_load >= min_per_need).all(1)
    ok &= (offer_load <= per_offer).all(1)
    ok &= (masks[:, required[rows, cols]] == 1).all(1)
    if group is not None:
        for value in {v for v in group.labels if v is not None}:
            inside = np.array([lab == value for lab in group.labels])[cols]
            if group.per == "need":
                counts = masks @ ((rows[:, None] == np.arange(n)) & inside[:, None])
            else:
                counts = masks[:, inside].sum(1, keepdims=True)
            if group.at_most is not None:
                ok &= (counts <= group.at_most).all(1)
            if group.at_least:
                ok &= (counts >= group.at_least).all(1)
    if not ok.any():
        return None
    return float((masks[ok] @ s[rows, cols]).max())


def lex_value(s: np.ndarray, allowed: np.ndarray, x: np.ndarray) -> tuple[int, int, int]:
    """The documented order of preferences: score (millionths), -rank sum, -pair position sum."""
    from matchmaker.planning._solve import candidate_ranks

    rank = candidate_ranks(s, allowed)
    position = np.zeros(s.shape, dtype=int)
    rows, cols = np.nonzero(allowed)
    position[rows, cols] = np.arange(len(rows))
    return (
        int(np.round(s * 1e6)[x].sum()),
        -int(rank[x].sum()),
        -int(position[x].sum()),
    )


def brute_force_lex(
    s: np.ndarray, allowed: np.ndarray, per_need: int, per_offer: int
) -> tuple[int, int, int]:
    """The lexicographic optimum by trying every subset of candidate pairs."""
    rows, cols = np.nonzero(allowed)
    best: tuple[int, int, int] | None = None
    for bits in itertools.product([False, True], repeat=len(rows)):
        x = np.zeros(s.shape, dtype=bool)
        x[rows[list(bits)], cols[list(bits)]] = True
        if (x.sum(1) <= per_need).all() and (x.sum(0) <= per_offer).all():
            value = lex_value(s, allowed, x)
            best = value if best is None or value > best else best
    assert best is not None
    return best


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from([0.25, 0.5, 0.5, 0.75]), min_size=6, max_size=6),
    st.integers(1, 2),
    st.integers(1, 2),
)
def test_tie_breaks_equal_brute_force(values: list[float], per_need: int, per_offer: int) -> None:
    s = np.array(values).reshape(2, 3)
    solution = _solve(s, s > 0, per_need=per_need, per_offer=per_offer)
    assert lex_value(s, s > 0, solution.chosen) == brute_force_lex(s, s > 0, per_need, per_offer)
    assert solution.status.tie_breaks


@dataclass
class Case:
    """A random planning problem small enough to solve by trying every subset."""

    s: np.ndarray
    allowed: np.ndarray
    per_need: int
    per_offer: int
    min_per_need: int
    required: np.ndarray
    group: _Group | None

    def solve(self, direct: int = 20_000) -> _Solution:
        return _solve(
            self.s,
            self.allowed,
            per_need=self.per_need,
            per_offer=self.per_offer,
            min_per_need=self.min_per_need,
            required=self.required,
            groups=[self.group] if self.group else [],
            direct=direct,
        )


@st.composite
def instances(draw: st.DrawFn, max_side: int = 3) -> Case:
    n = draw(st.integers(1, max_side))
    m = draw(st.integers(1, 4))
    values = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5, 0.75, 1.0])
    s = np.array(draw(st.lists(values, min_size=n * m, max_size=n * m))).reshape(n, m)
    allowed = s > 0
    required = np.zeros((n, m), bool)
    if bool(allowed.any()) and draw(st.booleans()):
        rows, cols = np.nonzero(allowed)
        k = draw(st.integers(0, len(rows) - 1))
        required[rows[k], cols[k]] = True
    group = None
    if draw(st.booleans()):
        labels = draw(st.lists(st.sampled_from(["a", "b", None]), min_size=m, max_size=m))
        at_most = draw(st.one_of(st.none(), st.integers(0, 2)))
        at_least = 1 if at_most is None else draw(st.integers(0, 1))
        per = draw(st.sampled_from(["need", "plan"]))
        group = _Group("g", "region", labels, at_most=at_most, at_least=at_least, per=per)
    return Case(
        s=s,
        allowed=allowed,
        per_need=draw(st.integers(1, 3)),
        per_offer=draw(st.integers(1, 3)),
        min_per_need=draw(st.integers(0, 1)),
        required=required,
        group=group,
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_milp_equals_brute_force(case: Case) -> None:
    best = brute_force(
        case.s, case.allowed, case.per_need, case.per_offer, case.min_per_need,
        case.required, case.group,
    )  # fmt: skip
    if best is None:
        with pytest.raises(PlanInfeasibleError):
            case.solve()
        return
    solution = case.solve()
    assert solution.total == pytest.approx(best, abs=1e-9)
    x = solution.chosen
    assert not (x & ~case.allowed).any()
    assert (x.sum(1) <= case.per_need).all()
    assert (x.sum(1) >= case.min_per_need).all()
    assert (x.sum(0) <= case.per_offer).all()
    assert x[case.required].all()
    # The pruned path (best pairs per need + dual-bound check) gives the same optimum.
    assert case.solve(direct=0).total == pytest.approx(best, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    per_need=st.integers(1, 3),
    per_offer=st.integers(1, 4),
    with_limit=st.booleans(),
)
def test_pruned_solve_is_exact_on_bigger_instances(
    seed: int, per_need: int, per_offer: int, with_limit: bool
) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(10, 40)), int(rng.integers(30, 60))
    s = np.round(rng.random((n, m)) ** 3, 3)
    allowed = rng.random((n, m)) < 0.8
    groups = []
    if with_limit:
        labels = list(rng.choice(np.array(["a", "b", "c"], dtype=object), m))
        groups = [_Group("g", "region", labels, at_most=1, per="need")]
    full = _solve(s, allowed, per_need=per_need, per_offer=per_offer, groups=groups)
    pruned = _solve(s, allowed, per_need=per_need, per_offer=per_offer, groups=groups, direct=0)
    assert pruned.total == pytest.approx(full.total, abs=1e-9)
    assert pruned.stats["solved_pairs"] <= full.stats["solved_pairs"]
    x = pruned.chosen
    assert (x.sum(1) <= per_need).all()
    assert (x.sum(0) <= per_offer).all()
    assert not (x & ~allowed).any()


# -- Limit -----------------------------------------------------------------------------
def test_limit_checks_collect_every_problem() -> None:
    with pytest.raises(ValueError, match="3 problems") as info:
        Limit("colour", at_most=1, at_least=2, per="day")
    message = str(info.value)
    assert "'by' parameter of Limit must be one of" in message
    assert "at_least must not exceed its at_most" in message
    assert "'per' parameter of Limit must be 'need' or 'plan'. Got 'day' instead." in message
    with pytest.raises(ValueError, match="needs at_most, at_least or both"):
        Limit("region")


def test_limit_groups_and_descriptions() -> None:
    p = Profile(id="a", name="A", country="GB", kind="company", size="sme", offers=["x"],
                sources=SRC)  # fmt: skip
    assert Limit("kind", ["company", "rto"], at_most=1).group_of(p) == "company"
    assert Limit("region", at_most=1).group_of(p) is None  # unknown region: no group

    def small(profile: Profile) -> bool:
        return profile.size in ("micro", "sme")

    limit = Limit(small, True, at_least=1)
    assert limit.group_of(p) is True
    assert str(limit) == "Limit(at least 1 per need with small(offer) = True)"
    assert Limit("kind", ["rto", "company"], at_most=2, per="plan").describe() == (
        "at most 2 per plan with kind in {'company', 'rto'}"
    )


# -- plans on a tiny engine -------------------------------------------------------------
@pytest.fixture
def world(tiny_taxonomy: Taxonomy) -> Matchmaker:
    """The tiny world plus UK offers in two regions and a name with a formula."""

    def p(pid: str, **kw: object) -> Profile:
        base = {"id": pid, "name": pid.title(), "country": "GB", "kind": "company",
                "sources": SRC}  # fmt: skip
        return Profile.model_validate(base | kw)

    extra = [
        p("clad-lab", kind="research_group", region="Wales",
          offers=["Laser cladding research for aerospace repair"]),
        p("clad-two", region="London", name="=HYPERLINK(\"http://x\") <b>Clad</b>",
          offers=["Laser cladding of turbine parts"], industries=["aerospace"]),
        p("clad-three", region="London", offers=["Laser cladding and surface engineering"]),
        p("need-reman", country="CN", kind="sector_demand",
          needs=["Engine remanufacturing with laser cladding"]),
    ]  # fmt: skip
    vec = ProfileVectorizer(taxonomy=tiny_taxonomy)
    return Matchmaker(Catalogue([*tiny_profiles(), *extra]), vectorizer=vec).fit()


NEEDS = ["need-clad", "need-reman", "need-water"]


def uk(world: Matchmaker) -> Catalogue:
    return world.catalogue_.filter(country="GB")


def test_plan_tables_and_constraints(world: Matchmaker) -> None:
    plan = plan_mission(world, NEEDS, uk(world), per_offer=1, per_need=2, min_strength="weak")
    frame = plan.assignments
    assert list(frame.columns[:8]) == [
        "need_id", "need_name", "offer_id", "offer_name", "score", "strength", "rank", "required",
    ]  # fmt: skip
    assert {"concept", "text", "sector", "readiness"} <= set(frame.columns)
    assert frame.groupby("offer_id").size().max() == 1
    assert frame.groupby("need_id").size().max() <= 2
    assert list(dict.fromkeys(frame.need_id)) == NEEDS  # needs in the order given
    assert plan.total_score == pytest.approx(frame.score.sum(), abs=1e-3)
    cost = plan.cost.set_index("need_id")
    assert (cost.cost >= 0).all()
    assert cost.cost.sum() == pytest.approx(plan.best_score - plan.total_score, abs=1e-3)
    assert set(plan.alternates.need_id) <= set(NEEDS)
    assert plan.alternates.reason.str.len().min() > 0
    assert len(plan) == len(frame)
    text = str(plan)
    assert text.startswith("Mission plan: 3 needs")
    assert "is full (1 of per_offer=1)" in text


def test_plan_beats_independent_shortlists(world: Matchmaker) -> None:
    plan = plan_mission(world, NEEDS, uk(world), per_offer=1, per_need=1, min_strength="weak")
    # Brute force over every assignment of distinct offers to the three needs.
    pairs = world.score_pairs(NEEDS, uk(world))
    total = np.where(
        np.array(pairs.offer_ids)[None, :] == np.array(NEEDS)[:, None], 0.0, pairs.total
    )
    best = 0.0
    for cols in itertools.permutations(range(len(pairs.offer_ids)), len(NEEDS)):
        best = max(best, sum(float(total[i, j]) for i, j in enumerate(cols)))
    assert plan.total_score == pytest.approx(best, abs=1e-6)


def test_input_order_does_not_change_the_plan(world: Matchmaker) -> None:
    offers = uk(world).ids
    base = plan_mission(world, NEEDS, offers, per_offer=1, per_need=2, min_strength="weak")
    for seed in range(3):
        needs, shuffled = NEEDS[:], offers[:]
        random.Random(seed).shuffle(needs)
        random.Random(seed + 1).shuffle(shuffled)
        other = plan_mission(world, needs, shuffled, per_offer=1, per_need=2, min_strength="weak")
        key = ["need_id", "offer_id"]
        pd.testing.assert_frame_equal(
            base.assignments.sort_values(key).reset_index(drop=True),
            other.assignments.sort_values(key).reset_index(drop=True),
        )


def test_required_excluded_and_limits_on_a_plan(world: Matchmaker) -> None:
    plan = plan_mission(
        world, NEEDS, uk(world), per_offer=2, per_need=2, min_strength="weak",
        exclude=[("need-clad", "cladder")], require=[("need-reman", "clad-three")],
        limits=[Limit("region", "London", at_most=1, per="plan")],
    )  # fmt: skip
    pairs = set(zip(plan.assignments.need_id, plan.assignments.offer_id, strict=True))
    assert ("need-clad", "cladder") not in pairs
    assert ("need-reman", "clad-three") in pairs
    assert plan.assignments.set_index(["need_id", "offer_id"]).loc[
        ("need-reman", "clad-three"), "required"
    ]
    london = plan.assignments.offer_id.isin(["clad-two", "clad-three"]).sum()
    assert london <= 1
    assert "at most 1 per plan with region = 'London'" in plan.headline()


def test_required_pair_below_strength_is_honoured_and_flagged(world: Matchmaker) -> None:
    plan = plan_mission(world, NEEDS, uk(world), require=[("need-clad", "sprayer")])
    row = plan.assignments.set_index(["need_id", "offer_id"]).loc[("need-clad", "sprayer")]
    assert bool(row["required"])
    assert row["flag"] == "required by you; strength weak, below min_strength='moderate'"
    assert "required by you; strength weak" in str(plan)
    summary = dict(plan.summary().itertuples(index=False))
    assert summary["required_pairs"] == 1
    assert summary["required_flagged"] == 1
    # It counts against the capacities: with per_offer=1 nobody else gets the sprayer.
    plan = plan_mission(world, NEEDS, uk(world), per_offer=1, min_strength="weak",
                        require=[("need-clad", "sprayer")])  # fmt: skip
    assert (plan.assignments.offer_id == "sprayer").sum() == 1


def test_required_pair_that_breaks_a_capacity_is_an_error(world: Matchmaker) -> None:
    with pytest.raises(PlanInfeasibleError, match="per_need=1"):
        plan_mission(world, ["need-clad"], uk(world), per_need=1,
                     require=[("need-clad", "sprayer"), ("need-clad", "clad-two")])  # fmt: skip


def test_need_without_candidates_is_reported_not_hidden(world: Matchmaker) -> None:
    with pytest.raises(PlanInfeasibleError) as info:
        plan_mission(world, NEEDS, ["printers", "sprayer"], min_strength="strong", min_per_need=1)
    assert "need 'need-clad' (Need Clad) has no candidate at or above 'strong' strength" in str(
        info.value
    )
    assert "Lower min_per_need to 0 or lower min_strength." in str(info.value)
    plan = plan_mission(world, NEEDS, ["printers", "sprayer"], min_strength="strong")  # default 0
    assert plan.unmatched == NEEDS
    assert plan.unmatched_needs.need_id.tolist() == NEEDS
    assert plan.unmatched_needs.reason.str.startswith("left with nobody").all()
    assert "Left with nobody" in plan.headline()
    assert plan.cost.note.str.startswith("left with nobody").all()


def test_argument_problems_are_collected(world: Matchmaker) -> None:
    with pytest.raises(ValueError, match="problems with the arguments") as info:
        plan_mission(
            world,
            NEEDS,
            uk(world),
            per_offer=0,
            per_need=-1,
            min_strength="great",
            limits=[Limit("region", at_most=1), "no"],  # type: ignore[list-item]
        )
    message = str(info.value)
    assert (
        "The 'per_offer' parameter of plan_mission must be an int >= 1. Got 0 instead." in message
    )
    assert (
        "The 'per_need' parameter of plan_mission must be an int >= 1. Got -1 instead." in message
    )
    assert "Got 'great' instead." in message
    assert "Each item of 'limits' must be a Limit. Got 'no' instead." in message


def test_bad_ids_and_pairs(world: Matchmaker) -> None:
    with pytest.raises(ValueError, match="state no needs") as info:
        plan_mission(world, ["need-clad", "printers"], uk(world))
    assert "'printers'" in str(info.value)
    with pytest.raises(ValueError, match="appear more than once"):
        plan_mission(world, ["need-clad", "need-clad"], uk(world))
    with pytest.raises(ValueError, match="'nobody' is not one of the offers"):
        plan_mission(world, NEEDS, uk(world), exclude=[("need-clad", "nobody")])
    with pytest.raises(ValueError, match="both excluded and required"):
        plan_mission(world, NEEDS, uk(world), exclude=[("need-clad", "cladder")],
                     require=[("need-clad", "cladder")])  # fmt: skip
    with pytest.raises(KeyError):
        plan_mission(world, ["no-such-profile"], uk(world))


def test_catalogue_profiles_without_a_side_are_skipped_and_listed(world: Matchmaker) -> None:
    plan = plan_mission(world, world.catalogue_.filter(country="CN"), uk(world),
                        min_per_need=0, min_strength="weak")  # fmt: skip
    assert plan.skipped.empty  # every CN profile here states needs
    plan = plan_mission(world, NEEDS, world.catalogue_, min_per_need=0, min_strength="weak")
    assert set(plan.skipped.id) == {"need-clad", "need-water", "need-reman"}
    assert set(plan.skipped.side) == {"offers"}


def test_exports_are_formula_safe_and_html_escaped(world: Matchmaker, tmp_path: Path) -> None:
    plan = plan_mission(world, ["need-clad"], ["clad-two"], min_strength="weak")
    text = matchmaker.write(plan, tmp_path / "plan.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text
    matchmaker.write(plan, tmp_path / "plan.xlsx")
    # XLSX stores text as text: no apostrophe shows and no formula can run
    cell = pd.read_excel(tmp_path / "plan.xlsx", sheet_name="Pairs").offer_name.iloc[0]
    assert cell.startswith("=HYPERLINK")
    one = matchmaker.write(plan.assignments, tmp_path / "pairs.csv")
    assert "'=HYPERLINK" in one.read_text(encoding="utf-8-sig")
    html = plan._repr_html_()
    assert "&lt;b&gt;Clad&lt;/b&gt;" in html
    assert "<b>Clad</b>" not in html
    assert repr(plan).startswith("<MissionPlan: 1 need, 1 pair")
    assert isinstance(plan, MissionPlan)


# -- the command line and the bundled engine ------------------------------------------
def test_plan_arguments_and_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = add_plan_arguments(argparse.ArgumentParser())
    out = tmp_path / "plan.csv"
    args = parser.parse_args(["--per-offer", "2", "--top", "1", "--out", str(out)])
    assert plan_command(args, build_engine=build_engine) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Mission plan:")
    assert f"plan written to {out}" in " ".join(printed.split())  # wrapped to the terminal
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert frame.groupby("offer_id").size().max() <= 2
    assert {"optimal", "gap", "flag"} <= set(frame.columns)
    with pytest.raises(SystemExit):
        parser.parse_args(["--per-need", "0"])


def test_bundled_engine_plan_with_limits(engine: Matchmaker) -> None:
    cat = engine.catalogue_
    demands = [p.id for p in cat if p.country == "CN" and p.kind == "sector_demand"]
    plan = plan_mission(
        engine, demands, cat.filter(country="GB"), per_offer=2, per_need=3, min_per_need=0,
        min_strength="weak", limits=[Limit("region", at_most=4, per="plan")],
    )  # fmt: skip
    frame = plan.assignments
    assert frame.groupby("offer_id").size().max() <= 2
    assert frame.groupby("need_id").size().max() <= 3
    regions = frame.offer_id.map(lambda i: cat[i].region).dropna()
    assert regions.value_counts().max() <= 4
    assert plan.total_score <= plan.best_score + 1e-9
    assert len(plan.cost) == len(demands)
