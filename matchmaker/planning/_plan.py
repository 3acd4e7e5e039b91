"""Mission plans: capacity-constrained shortlists, solved exactly.

Sixth step of the flow: weighted total -> shortlist -> **assignment** ->
explanation / export. A shortlist ranks candidates for one need; a mission
plan chooses candidates for every need at once, under limits: each UK
organisation can take only so many meetings, each need wants a few
candidates, some pairs must be kept apart and some must happen.

The plan maximises the total score of the chosen pairs. It is solved as a
0/1 integer programme with HiGHS (:func:`scipy.optimize.milp`); nothing
here is greedy. Large problems are first solved on each need's best
candidates, and every left-out pair is then checked with the dual bound of
the linear relaxation: a pair is dropped only when it provably cannot be
part of a better plan (reduced-cost fixing), so the answer is the optimum
of the whole problem, not of the pruned one.

Ties: the solver sees needs and offers in id order, so the same request
always gives the same plan, whatever order the ids were passed in. Among
plans whose totals differ by less than 5e-7 the solver is nudged towards
needs and offers earlier in id order.
"""

from __future__ import annotations

import argparse
import numbers
import sys
import time
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from ..catalogue._catalogue import Catalogue
from ..catalogue._schema import Profile
from ..ranking._weights import COMPONENTS

if TYPE_CHECKING:
    from ..ranking._engine import Matchmaker

__all__ = [
    "Limit",
    "MissionPlan",
    "PlanInfeasibleError",
    "add_plan_arguments",
    "plan_command",
    "plan_mission",
]

#: Strength labels from weakest to strongest.
STRENGTHS: tuple[str, ...] = ("weak", "moderate", "strong")
_STRENGTH_RANK = {s: i for i, s in enumerate(STRENGTHS)}

#: Solver costs are scores in millionths, so HiGHS's absolute tolerances
#: (about 1e-7) are far below any score difference that matters.
_SCALE = 1e6
#: Largest total tie-break bonus over a whole plan, in millionths of a point.
_TIE = 0.4
#: Up to this many candidate pairs the whole problem goes to HiGHS at once.
_DIRECT_PAIRS = 20_000
#: Slack, in solver units (millionths), when comparing bounds and optima.
_TOL = 1e-3
#: A solver value further than this from 0 or 1 is not whole.
_WHOLE = 1e-6

#: Profile fields a :class:`Limit` may group by name (one value per profile).
LIMIT_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "country",
    "kind",
    "city",
    "region",
    "postcode",
    "size",
    "china_presence",
    "intermediary",
)
_PERS = ("need", "plan")
PLAN_COLUMNS = [
    "need_id",
    "need_name",
    "offer_id",
    "offer_name",
    "score",
    "strength",
    "rank",
    "required",
    *COMPONENTS,
]
ALTERNATE_COLUMNS = [
    "need_id",
    "need_name",
    "offer_id",
    "offer_name",
    "score",
    "strength",
    "rank",
    "reason",
]
COST_COLUMNS = [
    "need_id",
    "need_name",
    "candidates",
    "assigned",
    "assigned_score",
    "best_score",
    "cost",
    "note",
]


class PlanInfeasibleError(ValueError):
    """The mission cannot be planned as asked; says what to relax and by how much.

    Attributes
    ----------
    problems : list of str
        Every problem found, each naming the constraint and the numbers.

    Examples
    --------
    >>> from matchmaker import Matchmaker, PlanInfeasibleError, load_catalogue, plan_mission
    >>> cat = load_catalogue()
    >>> try:
    ...     plan_mission(Matchmaker(cat), ["cn-demand-energy-saving-motors"],
    ...                  cat.filter(country="GB"), per_need=3, min_per_need=3,
    ...                  min_strength="strong")
    ... except PlanInfeasibleError as err:
    ...     print(err.problems[0])
    need 'cn-demand-energy-saving-motors' (Energy-saving motors) has no candidate ... Lower min_per_need to 0 or lower min_strength.
    """

    def __init__(self, problems: Sequence[str], hint: str = "") -> None:
        self.problems = list(problems)
        lines = [f"The mission cannot be planned as asked ({len(self.problems)} problem(s)):"]
        lines += [f"  - {p}" for p in self.problems]
        if hint:
            lines.append(hint)
        super().__init__("\n".join(lines))


# -- checks -------------------------------------------------------------------
def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _int_problem(value: object, name: str, where: str, minimum: int) -> str | None:
    if not _is_int(value) or int(value) < minimum:  # type: ignore[call-overload]
        return (
            f"The {name!r} parameter of {where} must be an int >= {minimum}. Got {value!r} instead."
        )
    return None


def _raise_problems(problems: Sequence[str]) -> None:
    if len(problems) == 1:
        raise ValueError(problems[0])
    if problems:
        raise ValueError(
            f"{len(problems)} problems with the arguments:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


# -- limits -------------------------------------------------------------------
@dataclass(frozen=True)
class Limit:
    """A limit on how many chosen partners may share a property.

    A limit counts chosen pairs whose **offer** (the UK side) falls in a
    group: the offer's ``by`` field (or ``by(profile)`` for a callable)
    equals ``value``. Profiles whose group value is ``None`` (an unknown
    region, say) belong to no group and are never counted.

    Parameters
    ----------
    by : str or callable
        A profile field (one of ``LIMIT_FIELDS``: ``"region"``, ``"kind"``,
        ``"size"``, ``"intermediary"``...) or a function of a
        :class:`Profile` returning a hashable group value.
    value : hashable or collection, optional
        The group the limit is about, or a list/set of values that together
        form one group. ``None`` (default) limits **each** group separately,
        e.g. "at most 2 per region".
    at_most, at_least : int, optional
        Bounds on the count; give at least one.
    per : {"need", "plan"}, default "need"
        Count within each need's candidates, or across the whole plan.

    Examples
    --------
    >>> Limit("kind", "research_group", at_least=1)
    Limit(at least 1 per need with kind = 'research_group')
    >>> Limit("region", at_most=4, per="plan")
    Limit(at most 4 per plan for each region)
    >>> Limit("region", at_most=-1)
    Traceback (most recent call last):
    ...
    ValueError: The 'at_most' parameter of Limit must be an int >= 0. Got -1 instead.
    """

    by: str | Callable[[Profile], Hashable]
    value: Any = None
    at_most: int | None = None
    at_least: int | None = None
    per: str = "need"

    def __post_init__(self) -> None:
        problems = []
        by: object = self.by
        if isinstance(by, str):
            if by not in LIMIT_FIELDS:
                problems.append(
                    f"The 'by' parameter of Limit must be one of {', '.join(LIMIT_FIELDS)} "
                    f"or a function of a Profile. Got {self.by!r} instead."
                )
        elif not callable(by):
            problems.append(
                f"The 'by' parameter of Limit must be a profile field name or a function of a "
                f"Profile. Got {self.by!r} instead."
            )
        for name in ("at_most", "at_least"):
            value = getattr(self, name)
            if value is not None:
                problem = _int_problem(value, name, "Limit", 0)
                if problem:
                    problems.append(problem)
        if self.at_most is None and self.at_least is None:
            problems.append("A Limit needs at_most, at_least or both. Got neither.")
        if (
            _is_int(self.at_most)
            and _is_int(self.at_least)
            and int(self.at_least) > int(self.at_most)  # type: ignore[arg-type]
        ):
            problems.append(
                f"A Limit's at_least must not exceed its at_most. "
                f"Got at_least={self.at_least} and at_most={self.at_most}."
            )
        if self.per not in _PERS:
            problems.append(
                f"The 'per' parameter of Limit must be 'need' or 'plan'. Got {self.per!r} instead."
            )
        if self.value is not None and not isinstance(self.value, Hashable | Collection):
            problems.append(
                f"The 'value' parameter of Limit must be a hashable value or a collection of "
                f"them. Got {self.value!r} instead."
            )
        _raise_problems(problems)

    def _values(self) -> frozenset[Hashable] | None:
        if self.value is None:
            return None
        if isinstance(self.value, list | tuple | set | frozenset):
            return frozenset(self.value)
        return frozenset([self.value])

    def group_of(self, profile: Profile) -> Hashable | None:
        """The group ``profile`` counts in for this limit, or ``None``.

        Examples
        --------
        >>> p = Profile(id="a", name="A", country="GB", kind="company", region="London",
        ...             offers=["x"], sources=[{"document": "d", "section": "s"}])
        >>> Limit("region", at_most=1).group_of(p), Limit("kind", "rto", at_most=1).group_of(p)
        ('London', None)
        """
        key = getattr(profile, self.by) if isinstance(self.by, str) else self.by(profile)
        if key is None:
            return None
        if not isinstance(key, Hashable):
            raise TypeError(
                f"{self}: the group value of profile {profile.id!r} must be hashable. "
                f"Got {key!r} ({type(key).__name__}) instead."
            )
        values = self._values()
        if values is None:
            return key
        return key if key in values else None

    def _by_name(self) -> str:
        if isinstance(self.by, str):
            return self.by
        return f"{getattr(self.by, '__name__', 'by')}(offer)"

    def describe(self) -> str:
        """The limit in words, e.g. ``at most 2 per need with region = 'London'``."""
        bounds = []
        if self.at_least is not None:
            bounds.append(f"at least {self.at_least}")
        if self.at_most is not None:
            bounds.append(f"at most {self.at_most}")
        values = self._values()
        if values is None:
            what = f"for each {self._by_name()}"
        elif len(values) == 1:
            what = f"with {self._by_name()} = {next(iter(values))!r}"
        else:
            listed = ", ".join(sorted(repr(v) for v in values))
            what = f"with {self._by_name()} in {{{listed}}}"
        return f"{' and '.join(bounds)} per {self.per} {what}"

    def __str__(self) -> str:
        return f"Limit({self.describe()})"

    __repr__ = __str__


@dataclass(frozen=True)
class _Group:
    """A limit resolved against the offers: one group label per offer (or None)."""

    name: str
    by: str
    labels: Sequence[Hashable | None]
    at_most: int | None = None
    at_least: int | None = None
    per: str = "need"
    wanted: tuple[Hashable, ...] | None = None  # the limit's values; None: every value seen

    @classmethod
    def from_limit(cls, limit: Limit, offers: Sequence[Profile]) -> _Group:
        values = limit._values()
        return cls(
            name=limit.describe(),
            by=limit._by_name(),
            labels=[limit.group_of(p) for p in offers],
            at_most=limit.at_most,
            at_least=limit.at_least,
            per=limit.per,
            wanted=None if values is None else tuple(values),
        )

    def values(self) -> list[Hashable]:
        seen = {v for v in self.labels if v is not None} if self.wanted is None else self.wanted
        return sorted(seen, key=repr)

    def members(self, value: Hashable) -> np.ndarray:
        return np.array([v is not None and v == value for v in self.labels], dtype=bool)


# -- the constraint system ------------------------------------------------------
@dataclass
class _System:
    """``A x <= b`` over candidate pairs ``(need_of[e], offer_of[e])``, with what each row means.

    Every row is one-sided (a lower bound ``l`` is stored as ``-A x <= -l``)
    so that rows can be relaxed one by one when explaining infeasibility.
    """

    A: sp.csc_matrix
    b: np.ndarray
    group: list[str]
    who: list[str]
    bound: list[str]
    upper: np.ndarray
    need_of: np.ndarray
    offer_of: np.ndarray
    need_labels: Sequence[str]
    offer_labels: Sequence[str]

    def pair(self, e: int) -> str:
        return f"({self.need_labels[self.need_of[e]]}, {self.offer_labels[self.offer_of[e]]})"


def _build_system(
    need_of: np.ndarray,
    offer_of: np.ndarray,
    shape: tuple[int, int],
    per_need: np.ndarray,
    per_offer: np.ndarray,
    min_per_need: int,
    groups: Sequence[_Group],
    need_labels: Sequence[str],
    offer_labels: Sequence[str],
) -> _System:
    n, m = shape
    E = len(need_of)
    blocks: list[sp.csr_matrix] = []
    b: list[np.ndarray] = []
    group: list[str] = []
    who: list[str] = []
    bound: list[str] = []
    upper: list[np.ndarray] = []

    def add(
        rows: np.ndarray,
        n_rows: int,
        keep: np.ndarray | None,
        limit: np.ndarray,
        is_upper: bool,
        name: str,
        row_who: list[str],
        row_bound: list[str],
    ) -> None:
        cols = np.arange(E)
        if keep is not None:
            rows, cols = rows[keep], cols[keep]
        sign = 1.0 if is_upper else -1.0
        data = np.full(len(cols), sign)
        blocks.append(sp.csr_matrix((data, (rows, cols)), shape=(n_rows, E)))
        b.append(sign * np.asarray(limit, dtype=float))
        group.extend([name] * n_rows)
        who.extend(row_who)
        bound.extend(row_bound)
        upper.append(np.full(n_rows, is_upper))

    need_who = [f"need {need_labels[i]}" for i in range(n)]
    add(need_of, n, None, per_need, True, "per_need", need_who, [f"per_need={c}" for c in per_need])
    if min_per_need > 0:
        add(
            need_of,
            n,
            None,
            np.full(n, min_per_need),
            False,
            "min_per_need",
            need_who,
            [f"min_per_need={min_per_need}"] * n,
        )
    add(
        offer_of,
        m,
        None,
        per_offer,
        True,
        "per_offer",
        [f"offer {offer_labels[j]}" for j in range(m)],
        [f"per_offer={c}" for c in per_offer],
    )
    for k, g in enumerate(groups, start=1):
        values = g.values()
        code_of = {v: c for c, v in enumerate(values)}
        codes = np.array([-1 if v is None else code_of[v] for v in g.labels], dtype=int)
        pair_codes = codes[offer_of] if len(codes) else np.zeros(E, dtype=int)
        inside = pair_codes >= 0
        n_codes = len(values)
        if g.per == "need":
            rows = need_of * n_codes + pair_codes
            n_rows = n * n_codes
            row_who = [f"need {need_labels[i]}, {g.by} = {v!r}" for i in range(n) for v in values]
        else:
            rows = pair_codes
            n_rows = n_codes
            row_who = [f"the plan, {g.by} = {v!r}" for v in values]
        if g.at_most is not None:
            add(
                rows,
                n_rows,
                inside,
                np.full(n_rows, g.at_most),
                True,
                f"limit {k} ({g.name})",
                row_who,
                [f"at_most={g.at_most}"] * n_rows,
            )
        if g.at_least:
            add(
                rows,
                n_rows,
                inside,
                np.full(n_rows, g.at_least),
                False,
                f"limit {k} ({g.name})",
                row_who,
                [f"at_least={g.at_least}"] * n_rows,
            )
    return _System(
        A=sp.vstack(blocks, format="csc"),
        b=np.concatenate(b),
        group=group,
        who=who,
        bound=bound,
        upper=np.concatenate(upper),
        need_of=need_of,
        offer_of=offer_of,
        need_labels=need_labels,
        offer_labels=offer_labels,
    )


# -- the solver core ------------------------------------------------------------
@dataclass
class _Solution:
    """An optimal choice of pairs: ``chosen[i, j]`` is True when need i gets offer j."""

    chosen: np.ndarray
    total: float
    stats: dict[str, Any] = field(default_factory=dict)


def _whole(x: np.ndarray) -> np.ndarray:
    """The 0/1 values of a solver answer; raises if any is fractional beyond 1e-6."""
    fractional = np.abs(x - np.round(x))
    if len(x) and float(fractional.max()) > _WHOLE:
        worst = int(np.argmax(fractional))
        raise RuntimeError(
            f"HiGHS returned the fractional value {float(x[worst])!r} for a 0/1 choice, so the answer "
            "is not whole-numbered. Please report this with the input that caused it."
        )
    return np.round(x).astype(bool)


def _run_milp(
    cost: np.ndarray, A: sp.csc_matrix, b: np.ndarray, lower: np.ndarray
) -> np.ndarray | None:
    """Maximise ``cost @ x`` over 0/1 ``x`` with ``A x <= b``; None if infeasible."""
    if len(cost) == 0:  # nothing to choose: feasible only if choosing nothing is
        return np.zeros(0, dtype=bool) if bool((b >= 0).all()) else None
    constraints = [LinearConstraint(A, -np.inf, b)] if A.shape[0] else []
    result = milp(
        -cost,
        integrality=np.ones(len(cost)),
        bounds=Bounds(lower, np.ones(len(cost))),
        constraints=constraints,
        options={"mip_rel_gap": 0.0},
    )
    if result.status == 2:
        return None
    if result.status != 0 or result.x is None:
        raise RuntimeError(f"HiGHS did not solve the problem: {result.message}")
    return _whole(np.asarray(result.x, dtype=float))


def _lp_duals(
    cost: np.ndarray, A: sp.csc_matrix, b: np.ndarray, lower: np.ndarray
) -> np.ndarray | None:
    """Row duals (<= 0, in minimisation form) of the linear relaxation; None if infeasible."""
    result = linprog(
        -cost,
        A_ub=A,
        b_ub=b,
        bounds=np.column_stack([lower, np.ones(len(cost))]),
        method="highs",
    )
    if result.status == 2:
        return None
    if result.status != 0:
        raise RuntimeError(f"HiGHS did not solve the linear relaxation: {result.message}")
    duals: np.ndarray = np.minimum(np.asarray(result.ineqlin.marginals, dtype=float), 0.0)
    return duals


def _top_per_need(need_of: np.ndarray, key: np.ndarray, cost: np.ndarray, depth: int) -> np.ndarray:
    """True for the ``depth`` best pairs (by cost) of each (need, key) block."""
    E = len(need_of)
    if E == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort((-cost, key, need_of))
    block = np.r_[True, (np.diff(need_of[order]) != 0) | (np.diff(key[order]) != 0)]
    starts = np.flatnonzero(block)
    counts = np.diff(np.r_[starts, E])
    position = np.arange(E) - np.repeat(starts, counts)
    keep = np.zeros(E, dtype=bool)
    keep[order] = position < depth
    return keep


def _start_columns(
    system: _System,
    cost: np.ndarray,
    per_need: np.ndarray,
    lower: np.ndarray,
    groups: Sequence[_Group],
) -> np.ndarray:
    """Each need's best few pairs, the required pairs, and the best few for each at_least."""
    depth = 4 * int(per_need.max(initial=1)) + 8
    keep: np.ndarray = (lower > 0) | _top_per_need(
        system.need_of, np.zeros(len(cost), dtype=int), cost, depth
    )
    for g in groups:
        if g.at_least:
            values = g.values()
            code_of = {v: c for c, v in enumerate(values)}
            codes = np.array([-1 if v is None else code_of[v] for v in g.labels], dtype=int)
            pair_codes = codes[system.offer_of]
            keep |= (pair_codes >= 0) & _top_per_need(
                system.need_of, pair_codes, cost, depth + g.at_least
            )
    return keep


def _solve(
    scores: np.ndarray,
    allowed: np.ndarray,
    *,
    per_need: int | np.ndarray,
    per_offer: int | np.ndarray,
    min_per_need: int = 0,
    required: np.ndarray | None = None,
    groups: Sequence[_Group] = (),
    need_labels: Sequence[str] | None = None,
    offer_labels: Sequence[str] | None = None,
    pool: str | Sequence[str] = "allowed",
    widen: str = "allow more pairs",
    direct: int = _DIRECT_PAIRS,
) -> _Solution:
    """Choose the pairs that maximise the total score, exactly.

    The solver core behind :func:`plan_mission`, on plain arrays.

    Parameters
    ----------
    scores : ndarray (n_needs, n_offers)
        Scores in [0, 1].
    allowed : ndarray of bool (n_needs, n_offers)
        Candidate pairs; no other pair is ever chosen.
    per_need, per_offer : int or ndarray of int
        Most pairs per need (row) and per offer (column).
    min_per_need : int, default 0
        Fewest pairs per need.
    required : ndarray of bool, optional
        Pairs that must be chosen; each must be allowed.
    groups : sequence of _Group
        Resolved :class:`Limit` objects.
    need_labels, offer_labels : sequence of str, optional
        How messages name needs and offers.
    pool : str or sequence of str
        What "allowed" means, for messages (one text per need, or one for all).
    widen : str
        How to get more candidates, for messages.
    direct : int
        Up to this many candidate pairs, solve in one go; above it, solve on
        each need's best pairs and add pairs until the dual bound proves no
        left-out pair can improve the plan.

    Returns
    -------
    _Solution

    Raises
    ------
    PlanInfeasibleError
        Naming the constraints to relax and by how much.

    Examples
    --------
    Greedy would give need 0 its best offer (0.9) and leave need 1 with 0.1;
    the optimum gives 0.8 + 0.7:

    >>> s = np.array([[0.9, 0.8], [0.7, 0.1]])
    >>> _solve(s, s > 0, per_need=1, per_offer=1).chosen.astype(int).tolist()
    [[0, 1], [1, 0]]
    """
    scores = np.asarray(scores, dtype=float)
    n, m = scores.shape
    allowed = np.asarray(allowed, dtype=bool)
    req = np.zeros((n, m), dtype=bool) if required is None else np.asarray(required, dtype=bool)
    need_caps = np.broadcast_to(np.asarray(per_need, dtype=int), (n,)).copy()
    offer_caps = np.broadcast_to(np.asarray(per_offer, dtype=int), (m,)).copy()
    need_labels = list(need_labels) if need_labels is not None else [f"#{i}" for i in range(n)]
    offer_labels = list(offer_labels) if offer_labels is not None else [f"#{j}" for j in range(m)]
    pools = [pool] * n if isinstance(pool, str) else list(pool)
    problems = _precheck(
        allowed,
        req,
        need_caps,
        offer_caps,
        min_per_need,
        groups,
        need_labels,
        offer_labels,
        pools,
        widen,
    )
    if problems:
        raise PlanInfeasibleError(problems)

    started = time.perf_counter()
    need_of, offer_of = np.nonzero(allowed)
    E = len(need_of)
    max_chosen = max(1, min(int(need_caps.sum()), int(offer_caps.sum())))
    # Tie-break: worth < _TIE millionths over the whole plan; favours earlier ids.
    cost = _SCALE * scores[need_of, offer_of] + _TIE / max_chosen * (1.0 - np.arange(E) / max(E, 1))
    lower = req[need_of, offer_of].astype(float)
    system = _build_system(
        need_of,
        offer_of,
        (n, m),
        need_caps,
        offer_caps,
        min_per_need,
        groups,
        need_labels,
        offer_labels,
    )
    stats: dict[str, Any] = {"candidate_pairs": E, "lp_solves": 0, "milp_solves": 0}
    active = np.ones(E, dtype=bool)
    if direct < E:
        active = _start_columns(system, cost, need_caps, lower, groups)
    while True:
        cols = np.flatnonzero(active)
        A = system.A[:, cols]
        if len(cols) == E:
            stats["milp_solves"] += 1
            x = _run_milp(cost, A, system.b, lower)
            if x is None:
                raise PlanInfeasibleError(
                    _diagnose(system, lower),
                    hint="Any one of these changes would make the plan feasible.",
                )
            break
        stats["lp_solves"] += 1
        duals = _lp_duals(cost[cols], A, system.b, lower[cols])
        x = None
        if duals is not None:
            stats["milp_solves"] += 1
            x = _run_milp(cost[cols], A, system.b, lower[cols])
        if duals is None or x is None:
            active[:] = True  # the best few per need are not enough: use every pair
            continue
        # Lagrangian bound from the duals, valid for every feasible plan: a
        # left-out pair can improve the plan only if, forced in, the bound
        # still beats the plan found.
        reduced = -cost - system.A.T @ duals
        bound = float(duals @ system.b + np.minimum(reduced * lower, reduced).sum())
        found = float(-cost[cols] @ x)
        could_help = ~active & (bound + np.maximum(reduced, 0.0) < found + _TOL)
        if not could_help.any():
            break
        active |= could_help
    stats["solved_pairs"] = len(cols)
    stats["seconds"] = time.perf_counter() - started
    chosen_pairs = np.zeros(E, dtype=bool)
    chosen_pairs[cols] = x
    _postcheck(system, chosen_pairs, lower)
    chosen = np.zeros((n, m), dtype=bool)
    chosen[need_of[chosen_pairs], offer_of[chosen_pairs]] = True
    return _Solution(chosen=chosen, total=float(scores[chosen].sum()), stats=stats)


def _postcheck(system: _System, x: np.ndarray, lower: np.ndarray) -> None:
    """Every constraint holds for the chosen pairs (a guard against solver bugs)."""
    load = system.A @ x.astype(float)
    broken = np.flatnonzero(load > system.b + _WHOLE)
    if len(broken):
        r = int(broken[0])
        raise RuntimeError(
            f"The solver's plan breaks {system.group[r]} ({system.bound[r]}) for "
            f"{system.who[r]}. Please report this with the input that caused it."
        )
    if (x < (lower > 0)).any():
        raise RuntimeError("The solver's plan drops a required pair. Please report this.")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _precheck(
    allowed: np.ndarray,
    required: np.ndarray,
    per_need: np.ndarray,
    per_offer: np.ndarray,
    min_per_need: int,
    groups: Sequence[_Group],
    need_labels: Sequence[str],
    offer_labels: Sequence[str],
    pools: Sequence[str],
    widen: str,
) -> list[str]:
    """The obvious reasons no plan exists, all of them, found before solving."""
    problems: list[str] = []
    n, m = allowed.shape
    for i, j in zip(*np.nonzero(required & ~allowed), strict=True):
        problems.append(
            f"required pair ({need_labels[i]}, {offer_labels[j]}) is not a candidate ({pools[i]})."
        )
    required = required & allowed
    candidates = allowed.sum(axis=1)
    for i in np.flatnonzero(candidates < min_per_need).tolist():
        k = int(candidates[i])
        has = f"only {_count(k, 'candidate')}" if k else "no candidate"
        problems.append(
            f"need {need_labels[i]} has {has} {pools[i]}; "
            f"min_per_need={min_per_need} asked. Lower min_per_need to {k} or {widen}."
        )
    for axis, caps, labels, what in (
        (1, per_need, need_labels, "per_need"),
        (0, per_offer, offer_labels, "per_offer"),
    ):
        asked = required.sum(axis=axis)
        for r in np.flatnonzero(asked > caps).tolist():
            prefix = "need" if what == "per_need" else "offer capacity:"
            problems.append(
                f"{prefix} {int(asked[r])} places asked by required pairs for {labels[r]} "
                f"but {what}={caps[r]}; raise {what} to {int(asked[r])} or drop "
                f"{int(asked[r] - caps[r])} of them."
            )
    if min_per_need > 0 and n * min_per_need > int(per_offer.sum()):
        problems.append(
            f"offer capacity: {_count(n, 'need')} with min_per_need={min_per_need} need at "
            f"least {n * min_per_need} places but the {_count(m, 'offer')} have "
            f"{int(per_offer.sum())} in all; raise per_offer to "
            f"{-(-n * min_per_need // max(m, 1))}, lower min_per_need or add offers."
        )
    for k, g in enumerate(groups, start=1):
        name = f"limit {k} ({g.name})"
        values = g.values()
        if g.at_least and g.per == "need" and g.at_least > int(per_need.min(initial=g.at_least)):
            problems.append(
                f"{name} asks for at least {g.at_least} per need but per_need="
                f"{int(per_need.min())}; raise per_need to {g.at_least} or lower at_least."
            )
        for v in values:
            inside = g.members(v)
            if g.at_least and not inside.any():
                problems.append(
                    f"{name}: no offer has {g.by} = {v!r}, so at_least={g.at_least} cannot be "
                    "met. Add such offers or drop the limit."
                )
                continue
            if g.at_least and g.per == "need":
                have = allowed[:, inside].sum(axis=1)
                for i in np.flatnonzero(have < g.at_least).tolist():
                    problems.append(
                        f"{name}: need {need_labels[i]} has only "
                        f"{_count(int(have[i]), 'candidate')} with {g.by} = {v!r} "
                        f"{pools[i].split(' (')[0]}; "
                        f"at_least={g.at_least} asked. Lower at_least or {widen}."
                    )
            if g.at_least and g.per == "plan":
                most = int(np.minimum(per_offer[inside], allowed[:, inside].sum(axis=0)).sum())
                if most < g.at_least:
                    problems.append(
                        f"{name}: offers with {g.by} = {v!r} can fill at most {most} places; "
                        f"at_least={g.at_least} asked. Lower at_least or {widen}."
                    )
            if g.at_most is not None:
                asked = required[:, inside].sum(axis=1)
                if g.per == "need":
                    for i in np.flatnonzero(asked > g.at_most).tolist():
                        problems.append(
                            f"{name}: need {need_labels[i]} has {int(asked[i])} required pairs "
                            f"with {g.by} = {v!r} but at_most={g.at_most}; raise at_most to "
                            f"{int(asked[i])} or drop {int(asked[i]) - g.at_most} of them."
                        )
                elif int(asked.sum()) > g.at_most:
                    problems.append(
                        f"{name}: {int(asked.sum())} required pairs have {g.by} = {v!r} but "
                        f"at_most={g.at_most}; raise at_most to {int(asked.sum())} or drop "
                        f"{int(asked.sum()) - g.at_most} of them."
                    )
    return problems


# -- explaining infeasibility ---------------------------------------------------
def _relax(system: _System, lower: np.ndarray, group: str) -> list[str] | None:
    """The least relaxation of one constraint group that allows a plan; None if none does."""
    E = len(lower)
    if group == "required":
        result = milp(
            -lower,
            integrality=np.ones(E),
            bounds=Bounds(np.zeros(E), np.ones(E)),
            constraints=[LinearConstraint(system.A, -np.inf, system.b)],
            options={"mip_rel_gap": 0.0},
        )
        if result.status != 0:
            return None
        kept = _whole(np.asarray(result.x, dtype=float))
        dropped = np.flatnonzero((lower > 0) & ~kept)
        return [f"drop required pair {system.pair(int(e))}" for e in dropped]
    rows = np.flatnonzero(np.array([g == group for g in system.group], dtype=bool))
    k = len(rows)
    slack = sp.csc_matrix((-np.ones(k), (rows, np.arange(k))), shape=(system.A.shape[0], k))
    result = milp(
        np.r_[np.zeros(E), np.ones(k)],
        integrality=np.ones(E + k),
        bounds=Bounds(np.r_[lower, np.zeros(k)], np.r_[np.ones(E), np.full(k, np.inf)]),
        constraints=[
            LinearConstraint(sp.hstack([system.A, slack], format="csc"), -np.inf, system.b)
        ],
        options={"mip_rel_gap": 0.0},
    )
    if result.status != 0:
        return None
    amounts = np.round(np.asarray(result.x, dtype=float)[E:]).astype(int)
    out = []
    for r, s in zip(rows, amounts, strict=True):
        if s > 0:
            limit = round(abs(float(system.b[r])))
            if system.upper[r]:
                out.append(f"{system.who[r]} needs {limit + s} ({system.bound[r]}, {s} more)")
            else:
                out.append(f"{system.who[r]} can get only {limit - s} ({system.bound[r]})")
    return out


def _diagnose(system: _System, lower: np.ndarray) -> list[str]:
    """Which constraint groups conflict: relax each alone and report what it takes."""
    groups = list(dict.fromkeys(system.group))
    if (lower > 0).any():
        groups.append("required")
    found = []
    verbs = {
        "per_need": "raise per_need",
        "min_per_need": "lower min_per_need",
        "per_offer": "raise per_offer",
        "required": "drop required pairs",
    }
    for g in groups:
        changes = _relax(system, lower, g)
        if changes:
            more = f" (and {len(changes) - 8} more)" if len(changes) > 8 else ""
            found.append(f"{verbs.get(g, 'relax ' + g)}: " + "; ".join(changes[:8]) + more)
    if not found:
        found.append(
            "the constraints conflict in combination: relaxing any one group alone ("
            + ", ".join(groups)
            + ") is not enough. Relax several together, e.g. per_offer and min_per_need."
        )
    return found


# -- the result -------------------------------------------------------------------
class MissionPlan:
    """The chosen partners of every need, the best alternates and what the limits cost.

    Build one with :func:`plan_mission`. Every table is a DataFrame; text
    and HTML are drawn from them.

    Attributes
    ----------
    assignments : DataFrame
        One row per chosen pair: ``need_id``, ``need_name``, ``offer_id``,
        ``offer_name``, ``score``, ``strength``, ``rank`` (the offer's rank
        in the need's own candidate list, 1 = best), ``required`` and one
        column per score component. Needs in the order given, best first.
    alternates : DataFrame
        The best candidates each need did not get, with the ``reason``.
    cost : DataFrame
        Per need: ``candidates``, ``assigned``, ``assigned_score``,
        ``best_score`` (the sum of its top ``per_need`` candidate scores,
        ignoring capacities and limits), ``cost`` (the difference) and a
        ``note`` for needs left short.
    total_score : float
        Sum of the chosen pairs' scores; the maximum possible under the limits.
    settings : dict
        The request: per_offer, per_need, min_per_need, min_strength, limits...
    skipped : DataFrame
        Profiles of a catalogue passed as ``needs``/``offers`` that were
        left out because they state nothing on that side (``id``, ``side``).
    stats : dict
        Solver figures: candidate pairs, pairs solved, solves, seconds.

    Examples
    --------
    >>> from matchmaker import Matchmaker, load_catalogue, plan_mission
    >>> cat = load_catalogue()
    >>> plan = plan_mission(Matchmaker(cat), cat.filter(kind="sector_demand"),
    ...                     cat.filter(country="GB"), per_offer=2, per_need=2, min_per_need=0)
    >>> int(plan.assignments.groupby("offer_id").size().max()) <= 2
    True
    >>> list(plan.cost.columns[:3])
    ['need_id', 'need_name', 'candidates']
    """

    def __init__(
        self,
        assignments: pd.DataFrame,
        alternates: pd.DataFrame,
        cost: pd.DataFrame,
        total_score: float,
        settings: dict[str, Any],
        skipped: pd.DataFrame,
        stats: dict[str, Any],
    ) -> None:
        self.assignments = assignments
        self.alternates = alternates
        self.cost = cost
        self.total_score = total_score
        self.settings = settings
        self.skipped = skipped
        self.stats = stats

    def __len__(self) -> int:
        return len(self.assignments)

    @property
    def best_score(self) -> float:
        """The total if every need got its top candidates regardless of limits."""
        return float(self.cost["best_score"].sum())

    @property
    def unmatched(self) -> list[str]:
        """Ids of needs left with nobody (only possible with ``min_per_need=0``)."""
        return [str(x) for x in self.cost.loc[self.cost["assigned"] == 0, "need_id"]]

    def to_frame(self) -> pd.DataFrame:
        """The chosen pairs (a copy of :attr:`assignments`)."""
        return self.assignments.copy()

    def export(self, path: str | Path, fmt: str | None = None, table: str = "assignments") -> str:
        """Write a table safely (no spreadsheet formulas) as CSV, XLSX, JSON or HTML.

        Parameters
        ----------
        path : str or Path
            The format follows the suffix unless ``fmt`` is given.
        fmt : {"csv", "xlsx", "json", "html", "table"}, optional
        table : {"assignments", "alternates", "cost"}, default "assignments"

        Returns
        -------
        str
            The path written.
        """
        from ..export._write import write_frame

        tables = {"assignments": self.assignments, "alternates": self.alternates, "cost": self.cost}
        if table not in tables:
            raise ValueError(
                f"The 'table' parameter of MissionPlan.export must be one of "
                f"{', '.join(tables)}. Got {table!r} instead."
            )
        return write_frame(tables[table], path, fmt)

    def headline(self) -> str:
        """Two lines: the totals, then the settings."""
        s = self.settings
        lines = [
            f"Mission plan: {_count(len(self.cost), 'need')}, {_count(len(self), 'pair')}, "
            f"total score {self.total_score:.4f} (best without limits {self.best_score:.4f}, "
            f"limits cost {self.best_score - self.total_score:.4f})",
            f"per_offer={s['per_offer']}, per_need={s['per_need']}, "
            f"min_per_need={s['min_per_need']}, min_strength={s['min_strength']!r}"
            + (f"; limits: {'; '.join(s['limits'])}" if s["limits"] else ""),
        ]
        if self.unmatched:
            lines.append(f"Left with nobody: {', '.join(self.unmatched)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        out = [self.headline()]
        chosen = self.assignments.groupby("need_id", sort=False)
        spare = self.alternates.groupby("need_id", sort=False)
        for row in self.cost.to_dict("records"):
            need = str(row["need_id"])
            out.append("")
            out.append(
                f"{row['need_name']} [{need}]: {row['assigned']} chosen, score "
                f"{row['assigned_score']:.4f} (best {row['best_score']:.4f}, "
                f"cost {row['cost']:.4f})" + (f" - {row['note']}" if row["note"] else "")
            )
            if need in chosen.groups:
                for a in chosen.get_group(need).to_dict("records"):
                    flag = ", required" if a["required"] else ""
                    out.append(
                        f"  + {a['offer_name']} [{a['offer_id']}] {a['score']:.4f} "
                        f"{a['strength']} (rank {a['rank']}{flag})"
                    )
            if need in spare.groups:
                for a in spare.get_group(need).to_dict("records"):
                    out.append(
                        f"  - {a['offer_name']} [{a['offer_id']}] {a['score']:.4f} "
                        f"{a['strength']}: {a['reason']}"
                    )
        return "\n".join(out)

    def __repr__(self) -> str:
        return (
            f"<MissionPlan: {_count(len(self.cost), 'need')}, {_count(len(self), 'pair')}, "
            f"total score {self.total_score:.4f}>"
        )

    def _repr_html_(self) -> str:
        head = "<br>".join(escape(line) for line in self.headline().split("\n"))
        return (
            f"<p><b>{head}</b></p>"
            + self.assignments.to_html(index=False, escape=True)
            + "<p><b>What the limits cost, per need</b></p>"
            + self.cost.to_html(index=False, escape=True)
        )


# -- planning ----------------------------------------------------------------------
def _ids_of(chosen: object, name: str, problems: list[str]) -> tuple[list[str], bool]:
    """Profile ids from a Catalogue or an iterable of ids; True if from a Catalogue."""
    if isinstance(chosen, Catalogue):
        return chosen.ids, True
    if isinstance(chosen, str) or not isinstance(chosen, Iterable):
        problems.append(
            f"The {name!r} parameter of plan_mission must be a list of profile ids or a "
            f"Catalogue. Got {chosen!r} instead."
        )
        return [], False
    ids = list(chosen)
    bad = [i for i in ids if not isinstance(i, str)]
    if bad:
        problems.append(
            f"The {name!r} parameter of plan_mission holds non-string ids: {bad[:5]!r}."
        )
    counts = Counter(i for i in ids if isinstance(i, str))
    twice = sorted(i for i, k in counts.items() if k > 1)
    if twice:
        problems.append(f"These ids appear more than once in {name!r}: {', '.join(twice)}.")
    return [i for i in dict.fromkeys(ids) if isinstance(i, str)], False


def _pairs_of(pairs: object, name: str, problems: list[str]) -> list[tuple[str, str]]:
    if isinstance(pairs, str) or not isinstance(pairs, Iterable):
        problems.append(
            f"The {name!r} parameter of plan_mission must be a list of (need_id, offer_id) "
            f"pairs. Got {pairs!r} instead."
        )
        return []
    out = []
    for item in pairs:
        if (
            isinstance(item, str)
            or not isinstance(item, Sequence)
            or len(item) != 2
            or not all(isinstance(x, str) for x in item)
        ):
            problems.append(
                f"Each item of {name!r} must be a (need_id, offer_id) pair of strings. "
                f"Got {item!r} instead."
            )
            continue
        out.append((str(item[0]), str(item[1])))
    return out


def _stating(engine: Matchmaker, ids: list[str], side: str) -> list[str]:
    """The ids whose profile states ``side`` (unknown ids are kept for the engine to report)."""
    engine._fitted()
    vectors = engine.needs_ if side == "needs" else engine.offers_
    return [i for i in ids if i not in engine.position_ or not vectors.empty[engine.position_[i]]]


def plan_mission(
    engine: Matchmaker,
    needs: Iterable[str] | Catalogue,
    offers: Iterable[str] | Catalogue,
    *,
    per_offer: int = 3,
    per_need: int = 3,
    min_per_need: int = 1,
    min_strength: str = "moderate",
    exclude: Iterable[tuple[str, str]] = (),
    require: Iterable[tuple[str, str]] = (),
    limits: Sequence[Limit] = (),
    alternates: int = 3,
) -> MissionPlan:
    """Choose partners for every need at once: the best total under the mission's limits.

    Maximises the sum of the chosen pairs' scores such that each offer
    (UK organisation) is chosen at most ``per_offer`` times, each need gets
    between ``min_per_need`` and ``per_need`` candidates, excluded pairs are
    absent, required pairs are present and every :class:`Limit` holds. Only
    pairs at or above ``min_strength`` are candidates. Solved exactly with
    HiGHS; never greedy, never a silently partial plan.

    Parameters
    ----------
    engine : Matchmaker
        Scores every pair (fitted on first use).
    needs : list of profile ids or Catalogue
        Profiles whose needs to plan for (Chinese demands, say). A Catalogue's
        profiles that state no needs are skipped and listed in ``skipped``;
        an id that states no needs is an error.
    offers : list of profile ids or Catalogue
        Profiles that may be chosen (UK organisations), likewise.
    per_offer : int, default 3
        Most needs any one offer is chosen for (its meetings).
    per_need : int, default 3
        Most candidates per need: "up to", the plan never pads a need with
        pairs it does not want.
    min_per_need : int, default 1
        Fewest candidates per need. With 1, a need that would be left with
        nobody makes the request infeasible and is named in the error; pass 0
        to plan the rest and see such needs in ``MissionPlan.unmatched``.
    min_strength : {"weak", "moderate", "strong"}, default "moderate"
        Weakest strength label a candidate pair may have.
    exclude : list of (need_id, offer_id)
        Pairs to keep apart (competitors, conflicts of interest).
    require : list of (need_id, offer_id)
        Pairs that must be in the plan; they count towards the capacities.
    limits : list of Limit
        Group limits, e.g. ``Limit("region", at_most=4, per="plan")`` or
        ``Limit("kind", "research_group", at_least=1)``.
    alternates : int, default 3
        Best unchosen candidates to list per need.

    Returns
    -------
    MissionPlan

    Raises
    ------
    ValueError
        For bad arguments, all listed together.
    PlanInfeasibleError
        When no plan meets the request; says which constraint to relax and by
        how much (obvious causes are found before solving; otherwise each
        constraint group is relaxed alone to find what conflicts).
    KeyError
        For ids that are not in the engine's catalogue.

    Examples
    --------
    >>> import matchmaker
    >>> engine = matchmaker.Matchmaker().fit()
    >>> cat = engine.catalogue_
    >>> demands = [p.id for p in cat if p.kind == "sector_demand"][:4]
    >>> plan = plan_mission(engine, demands, cat.filter(country="GB"),
    ...                     per_offer=1, min_per_need=0, min_strength="weak")
    >>> int(plan.assignments.groupby("offer_id").size().max())
    1
    >>> list(plan.cost.columns[:4])
    ['need_id', 'need_name', 'candidates', 'assigned']
    """
    problems: list[str] = []
    for name, value, minimum in (
        ("per_offer", per_offer, 1),
        ("per_need", per_need, 1),
        ("min_per_need", min_per_need, 0),
        ("alternates", alternates, 0),
    ):
        problem = _int_problem(value, name, "plan_mission", minimum)
        if problem:
            problems.append(problem)
    if _is_int(min_per_need) and _is_int(per_need) and min_per_need > per_need:
        problems.append(
            f"The 'min_per_need' parameter of plan_mission must not exceed per_need={per_need}. "
            f"Got {min_per_need!r} instead."
        )
    if min_strength not in STRENGTHS:
        problems.append(
            f"The 'min_strength' parameter of plan_mission must be one of "
            f"{', '.join(map(repr, STRENGTHS))}. Got {min_strength!r} instead."
        )
    if isinstance(limits, Limit) or not isinstance(limits, Sequence):
        problems.append(
            f"The 'limits' parameter of plan_mission must be a list of Limit. "
            f"Got {limits!r} instead."
        )
        limits = []
    given: list[object] = list(limits)
    for item in given:
        if not isinstance(item, Limit):
            problems.append(f"Each item of 'limits' must be a Limit. Got {item!r} instead.")
    need_ids, needs_from_catalogue = _ids_of(needs, "needs", problems)
    offer_ids, offers_from_catalogue = _ids_of(offers, "offers", problems)
    excluded = _pairs_of(exclude, "exclude", problems)
    required = _pairs_of(require, "require", problems)
    _raise_problems(problems)

    pairs = engine.score_pairs(
        _stating(engine, need_ids, "needs"), _stating(engine, offer_ids, "offers")
    )
    skipped = []
    for ids, kept, side, from_catalogue in (
        (need_ids, pairs.need_ids, "needs", needs_from_catalogue),
        (offer_ids, pairs.offer_ids, "offers", offers_from_catalogue),
    ):
        empty = sorted(set(ids) - set(kept))
        if empty and not from_catalogue:
            problems.append(
                f"These profiles state no {side}, so they cannot be planned as {side}: "
                f"{', '.join(map(repr, empty))}. Remove them from {side!r}."
            )
        skipped += [{"id": i, "side": side, "reason": f"states no {side}"} for i in empty]
    if not pairs.need_ids:
        problems.append("There are no needs to plan: 'needs' is empty.")
    if not pairs.offer_ids:
        problems.append("There are no offers to choose from: 'offers' is empty.")
    need_set, offer_set = set(pairs.need_ids), set(pairs.offer_ids)
    for name, items in (("exclude", excluded), ("require", required)):
        for a, b in items:
            if a not in need_set:
                problems.append(f"{name} pair ({a!r}, {b!r}): {a!r} is not one of the needs.")
            if b not in offer_set:
                problems.append(f"{name} pair ({a!r}, {b!r}): {b!r} is not one of the offers.")
    both = sorted(set(excluded) & set(required))
    if both:
        problems.append(
            f"These pairs are both excluded and required: {', '.join(map(str, both))}. "
            "Keep each in one list."
        )
    _raise_problems(problems)

    # Canonical order: the solver sees needs and offers sorted by id.
    need_order = np.argsort(np.array(pairs.need_ids, dtype=object), kind="stable")
    offer_order = np.argsort(np.array(pairs.offer_ids, dtype=object), kind="stable")
    nids = [pairs.need_ids[i] for i in need_order]
    oids = [pairs.offer_ids[j] for j in offer_order]
    grid = np.ix_(need_order, offer_order)
    total = np.asarray(pairs.total, dtype=float)[grid]
    strength = np.asarray(pairs.strength, dtype=object)[grid]
    components = {c: np.asarray(pairs.scores.components[c], dtype=float)[grid] for c in COMPONENTS}
    catalogue = engine.catalogue_
    need_profiles = [catalogue[i] for i in nids]
    offer_profiles = [catalogue[j] for j in oids]
    n_pos = {pid: i for i, pid in enumerate(nids)}
    o_pos = {pid: j for j, pid in enumerate(oids)}

    rank = np.vectorize(_STRENGTH_RANK.__getitem__, otypes=[int])(strength)
    strong_enough = rank >= _STRENGTH_RANK[min_strength]
    not_self = np.not_equal.outer(np.array(nids, dtype=object), np.array(oids, dtype=object))
    kept_apart = np.zeros(total.shape, dtype=bool)
    for a, b in excluded:
        kept_apart[n_pos[a], o_pos[b]] = True
    # A pair with a zero score shares nothing with the need: never a candidate.
    allowed = strong_enough & ~kept_apart & not_self & (total > 0)
    must = np.zeros(total.shape, dtype=bool)
    infeasible: list[str] = []
    for a, b in required:
        i, j = n_pos[a], o_pos[b]
        if a == b:
            infeasible.append(f"required pair ({a!r}, {b!r}) pairs a profile with itself.")
        elif total[i, j] <= 0:
            infeasible.append(
                f"required pair ({a!r}, {b!r}) has a zero score: the two share nothing to "
                "match on. Drop the pair."
            )
        elif not strong_enough[i, j]:
            infeasible.append(
                f"required pair ({a!r}, {b!r}) is below min_strength: it is {strength[i, j]!r} "
                f"(score {total[i, j]:.4f}) and min_strength={min_strength!r}. Lower "
                f"min_strength to {strength[i, j]!r} or drop the pair."
            )
        else:
            must[i, j] = True

    def label(p: Profile) -> str:
        return f"{p.id!r} ({p.name})"

    need_labels = [label(p) for p in need_profiles]
    offer_labels = [label(p) for p in offer_profiles]
    pools = []
    for i in range(len(nids)):
        below = int((~strong_enough[i] & not_self[i] & (total[i] > 0)).sum())
        out = int((kept_apart[i] & strong_enough[i]).sum())
        extra = [f"{below} more below it"] if below and min_strength != "weak" else []
        extra += [f"{out} excluded"] if out else []
        pools.append(
            f"at or above {min_strength!r} strength" + (f" ({', '.join(extra)})" if extra else "")
        )
    widen = "lower min_strength" if min_strength != "weak" else "add offers"
    groups = [_Group.from_limit(limit, offer_profiles) for limit in limits]
    infeasible += _precheck(
        allowed,
        must,
        np.full(len(nids), per_need),
        np.full(len(oids), per_offer),
        min_per_need,
        groups,
        need_labels,
        offer_labels,
        pools,
        widen,
    )
    if infeasible:
        raise PlanInfeasibleError(infeasible)
    solution = _solve(
        total,
        allowed,
        per_need=per_need,
        per_offer=per_offer,
        min_per_need=min_per_need,
        required=must,
        groups=groups,
        need_labels=need_labels,
        offer_labels=offer_labels,
        pool=pools,
        widen=widen,
    )
    chosen = solution.chosen

    # Each need's own ranking of its candidates: best score first, then id.
    offer_rank = np.zeros(total.shape, dtype=int)
    for i in range(len(nids)):
        cand = np.flatnonzero(allowed[i])
        ordered = cand[np.lexsort((cand, -np.round(total[i, cand], 12)))]
        offer_rank[i, ordered] = np.arange(1, len(ordered) + 1)

    offer_load = chosen.sum(axis=0)
    need_load = chosen.sum(axis=1)
    assigned_rows: list[dict[str, Any]] = []
    alternate_rows: list[dict[str, Any]] = []
    cost_rows: list[dict[str, Any]] = []
    user_order = [n_pos[pid] for pid in pairs.need_ids]
    for i in user_order:
        need = need_profiles[i]
        picked = np.flatnonzero(chosen[i])
        picked = picked[np.argsort(offer_rank[i, picked], kind="stable")]
        for j in picked.tolist():
            row: dict[str, Any] = {
                "need_id": need.id,
                "need_name": need.name,
                "offer_id": oids[j],
                "offer_name": offer_profiles[j].name,
                "score": round(float(total[i, j]), 4),
                "strength": str(strength[i, j]),
                "rank": int(offer_rank[i, j]),
                "required": bool(must[i, j]),
            }
            for c in COMPONENTS:
                row[c] = round(float(components[c][i, j]), 4)
            assigned_rows.append(row)
        spare = np.flatnonzero(allowed[i] & ~chosen[i])
        spare = spare[np.argsort(offer_rank[i, spare], kind="stable")][:alternates]
        for j in spare.tolist():
            alternate_rows.append(
                {
                    "need_id": need.id,
                    "need_name": need.name,
                    "offer_id": oids[j],
                    "offer_name": offer_profiles[j].name,
                    "score": round(float(total[i, j]), 4),
                    "strength": str(strength[i, j]),
                    "rank": int(offer_rank[i, j]),
                    "reason": _why_not(
                        i,
                        j,
                        chosen,
                        total,
                        offer_load,
                        need_load,
                        per_offer,
                        per_need,
                        groups,
                        offer_profiles[j].name,
                    ),
                }
            )
        candidates = np.flatnonzero(allowed[i])
        best = float(np.sort(total[i, candidates])[::-1][:per_need].sum())
        got = float(total[i, picked].sum())
        cost_rows.append(
            {
                "need_id": need.id,
                "need_name": need.name,
                "candidates": len(candidates),
                "assigned": len(picked),
                "assigned_score": round(got, 4),
                "best_score": round(best, 4),
                "cost": round(max(best - got, 0.0), 4),
                "note": _cost_note(len(candidates), len(picked), per_need, pools[i], best - got),
            }
        )
    settings = {
        "per_offer": per_offer,
        "per_need": per_need,
        "min_per_need": min_per_need,
        "min_strength": min_strength,
        "limits": [limit.describe() for limit in limits],
        "exclude": excluded,
        "require": required,
    }
    return MissionPlan(
        assignments=pd.DataFrame(assigned_rows, columns=PLAN_COLUMNS),
        alternates=pd.DataFrame(alternate_rows, columns=ALTERNATE_COLUMNS),
        cost=pd.DataFrame(cost_rows, columns=COST_COLUMNS),
        total_score=round(solution.total, 6),
        settings=settings,
        skipped=pd.DataFrame(skipped, columns=["id", "side", "reason"]),
        stats=solution.stats,
    )


def _why_not(
    i: int,
    j: int,
    chosen: np.ndarray,
    total: np.ndarray,
    offer_load: np.ndarray,
    need_load: np.ndarray,
    per_offer: int,
    per_need: int,
    groups: Sequence[_Group],
    offer_name: str,
) -> str:
    """Why a candidate was not chosen for a need, in words."""
    if offer_load[j] >= per_offer:
        return f"{offer_name} is full ({int(offer_load[j])} of per_offer={per_offer})"
    for g in groups:
        value = g.labels[j]
        if g.at_most is None or value is None:
            continue
        inside = g.members(value)
        used = chosen[i, inside].sum() if g.per == "need" else chosen[:, inside].sum()
        if used >= g.at_most:
            which = "" if g.wanted is not None and len(g.wanted) == 1 else f" ({g.by} = {value!r})"
            return f"limit reached: {g.name}{which}"
    if need_load[i] >= per_need:
        picked = total[i, chosen[i]]
        if picked.size and total[i, j] <= picked.min():
            return f"the {int(need_load[i])} chosen score at least as high (per_need={per_need})"
        return "a required pair or a trade-off with other needs keeps it out"
    return "choosing it would lower the plan total (its offer is worth more elsewhere)"


def _cost_note(candidates: int, assigned: int, per_need: int, pool: str, cost: float) -> str:
    if assigned == 0:
        if candidates == 0:
            return f"left with nobody: no candidate {pool}"
        return "left with nobody: its candidates are used by needs they serve better"
    if assigned < min(per_need, candidates):
        return f"{assigned} of per_need={per_need}: capacity went to other needs"
    if assigned < per_need:
        return f"only {_count(candidates, 'candidate')} {pool}"
    if cost > 5e-5:
        return "better candidates were taken by other needs, limits or required pairs"
    return ""


# -- command line -----------------------------------------------------------------
def _whole_number(minimum: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number >= {minimum}, got {value!r}"
            ) from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {value!r}")
        return number

    return parse


def add_plan_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``matchmaker plan`` options to a (sub)parser.

    Options: ``--per-offer``, ``--per-need``, ``--min-per-need``,
    ``--min-strength``, ``--top`` (alternates listed per demand) and
    ``--out``.

    Examples
    --------
    >>> parser = add_plan_arguments(argparse.ArgumentParser())
    >>> args = parser.parse_args(["--per-offer", "2"])
    >>> args.per_offer, args.per_need, args.min_strength, args.out
    (2, 3, 'moderate', 'matchmaker-plan.csv')
    """
    parser.add_argument(
        "--per-offer",
        type=_whole_number(1),
        default=3,
        help="most demands any one UK organisation is chosen for (default 3)",
    )
    parser.add_argument(
        "--per-need",
        type=_whole_number(1),
        default=3,
        help="most UK candidates per Chinese demand (default 3)",
    )
    parser.add_argument(
        "--min-per-need",
        type=_whole_number(0),
        default=0,
        help="fewest candidates per demand; with 1, a demand without a candidate stops the plan "
        "(default 0: such demands are planned as 'left with nobody' and listed)",
    )
    parser.add_argument(
        "--min-strength",
        choices=list(STRENGTHS),
        default="moderate",
        help="weakest match strength a candidate may have (default moderate)",
    )
    parser.add_argument(
        "--top",
        type=_whole_number(0),
        default=3,
        help="best unchosen alternates to list per demand (default 3)",
    )
    parser.add_argument(
        "--out",
        default="matchmaker-plan.csv",
        help="file for the plan: .csv, .xlsx, .json or .html (default matchmaker-plan.csv)",
    )
    return parser


def plan_command(args: argparse.Namespace) -> int:
    """Run ``matchmaker plan``: plan every Chinese demand against UK offers.

    Plans all Chinese ``sector_demand`` profiles against every GB profile
    that states offers, prints the plan, and writes the chosen pairs to
    ``args.out``. Uses ``args.catalogue`` and ``args.weights`` when present.

    Returns
    -------
    int
        0 on success, 1 when there is nothing to plan, 2 when the request
        cannot be met (the reasons go to standard error).
    """
    from ..cli._main import build_engine

    engine = build_engine(args)
    catalogue = engine.catalogue_
    demands = [p.id for p in catalogue if p.country == "CN" and p.kind == "sector_demand"]
    if not demands:
        print("The catalogue has no Chinese market demands (kind sector_demand).", file=sys.stderr)
        return 1
    uk = [p.id for p in catalogue if p.country == "GB"]
    offers = [pid for pid in uk if not engine.offers_.empty[engine.position_[pid]]]
    try:
        plan = plan_mission(
            engine,
            demands,
            offers,
            per_offer=args.per_offer,
            per_need=args.per_need,
            min_per_need=getattr(args, "min_per_need", 0),
            min_strength=args.min_strength,
            alternates=args.top,
        )
    except PlanInfeasibleError as exc:
        print(f"matchmaker plan: {exc}", file=sys.stderr)
        if getattr(args, "min_per_need", 0):
            print("Or pass --min-per-need 0 to plan the rest.", file=sys.stderr)
        return 2
    print(plan)
    written = plan.export(args.out)
    print(
        f"\n{len(plan)} pairs for {len(demands)} Chinese demands "
        f"({len(plan.unmatched)} left with nobody); plan written to {written}"
    )
    return 0
