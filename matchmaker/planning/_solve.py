"""The plan's solver core: the best total score under the limits, with exact tie-breaks.

Works on plain arrays (scores, candidate pairs, capacities), so it is tested
on tiny hand-written matrices; :func:`plan_mission` builds those arrays from
an engine.

The preferences, in order, each optimised exactly among the optima of the
ones before (:func:`solve_lexicographic`):

1. the total score of the chosen pairs, in millionths (so scores that agree
   to six decimals count as equal);
2. the fewest rank places in all: among equally good plans, each need gets
   candidates higher in its own ranking (by score, then id);
3. pairs earlier in (need id, offer id) order.

Large problems (more than :data:`DIRECT_PAIRS` candidate pairs) are first
solved on each need's best pairs; the dual bound of the linear relaxation
then proves which left-out pairs cannot be part of a plan as good (reduced-
cost fixing), and any other pair is added and the problem solved again. The
tie-breaks are then settled among the pairs kept, which hold every plan of
the optimal total.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._checks import DEFAULTS
from ._diagnose import PlanInfeasibleError, diagnose, postcheck, precheck
from ._highs import SCALE, SolveStatus, _LPTimeout, lp_row_duals, solve_lexicographic
from ._limits import _Group
from ._model import _System, build_system, start_columns

__all__ = ["DIRECT_PAIRS", "solve_plan"]

#: Up to this many candidate pairs the whole problem goes to HiGHS at once.
DIRECT_PAIRS = 20_000
#: Slack, in solver units (millionths), when comparing bounds and optima.
_TOL = 1e-3


@dataclass
class _Solution:
    """A choice of pairs: ``chosen[i, j]`` is True when need i gets offer j."""

    chosen: np.ndarray
    total: float
    status: SolveStatus
    stats: dict[str, Any] = field(default_factory=dict)


def candidate_ranks(scores: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Each need's own ranking of its candidates (1 = best): score, then offer position.

    Examples
    --------
    >>> candidate_ranks(np.array([[0.2, 0.9, 0.2]]), np.array([[True, True, True]])).tolist()
    [[2, 1, 3]]
    """
    rank = np.zeros(scores.shape, dtype=int)
    for i in range(scores.shape[0]):
        cand = np.flatnonzero(allowed[i])
        ordered = cand[np.lexsort((cand, -np.round(scores[i, cand], 12)))]
        rank[i, ordered] = np.arange(1, len(ordered) + 1)
    return rank


def _no_plan_in_time(time_limit: float) -> PlanInfeasibleError:
    return PlanInfeasibleError(
        [
            f"no plan was found within the time limit of {time_limit:g} s (the request was not "
            "proven infeasible either). Raise time_limit, or lower per_need or the number of "
            "candidates (min_strength)."
        ]
    )


def _bound_of_full(
    system: _System, cost: np.ndarray, lower: np.ndarray, duals: np.ndarray, active: np.ndarray
) -> tuple[float, np.ndarray]:
    """A Lagrangian bound (minimisation form) valid for every plan, and each pair's reduced cost."""
    reduced = -cost - system.A.T @ duals
    bound = float(duals @ system.b + np.minimum(reduced * lower, reduced).sum())
    return bound, reduced


def solve_plan(
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
    direct: int = DIRECT_PAIRS,
    time_limit: float = float(DEFAULTS["time_limit"]),  # type: ignore[arg-type]
) -> _Solution:
    """Choose the pairs that maximise the total score, then the tie-breaks, exactly.

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
    time_limit : float
        Seconds for the whole solve. When reached, the best plan found is
        returned with ``status.optimal`` False and the proven gap.

    Returns
    -------
    _Solution

    Raises
    ------
    PlanInfeasibleError
        Naming the constraints to relax and by how much; or when no plan was
        found within the time limit.

    Examples
    --------
    Greedy would give need 0 its best offer (0.9) and leave need 1 with 0.1;
    the optimum gives 0.8 + 0.7:

    >>> s = np.array([[0.9, 0.8], [0.7, 0.1]])
    >>> solution = solve_plan(s, s > 0, per_need=1, per_offer=1)
    >>> solution.chosen.astype(int).tolist(), solution.status.optimal
    ([[0, 1], [1, 0]], True)
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
    problems = precheck(
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
    ranks = candidate_ranks(scores, allowed)[need_of, offer_of]
    cost = np.round(SCALE * scores[need_of, offer_of])
    objectives = [cost, -ranks.astype(float), -np.arange(E, dtype=float)]
    lower = req[need_of, offer_of].astype(float)
    system = build_system(
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

    def left() -> float:
        return time_limit - (time.perf_counter() - started)

    active = np.ones(E, dtype=bool)
    if direct < E:
        active = start_columns(system, cost, need_caps, lower, groups)
    x_start: np.ndarray | None = None
    bound_note: float | None = None  # a bound on the whole problem when stopped early
    while not active.all():
        cols = np.flatnonzero(active)
        A = system.A[:, cols]
        stats["lp_solves"] += 1
        try:
            duals = lp_row_duals(cost[cols], A, system.b, lower[cols], time_limit=left())
        except _LPTimeout:
            if x_start is None:
                raise _no_plan_in_time(time_limit) from None
            break  # keep the last plan; its bound is the one computed before
        if duals is None:
            active[:] = True  # the best few per need are not enough: use every pair
            break
        stats["milp_solves"] += 1
        restricted = solve_lexicographic(
            [cost[cols]], A, system.b, lower[cols], time_limit=max(left(), 0.0)
        )
        if restricted.x is None and restricted.infeasible:
            active[:] = True
            break
        if restricted.x is None:
            raise _no_plan_in_time(time_limit)
        x_start = np.zeros(E)
        x_start[cols] = restricted.x
        # Lagrangian bound from the duals, valid for every feasible plan: a
        # left-out pair can improve the plan only if, forced in, the bound
        # still beats the plan found.
        bound, reduced = _bound_of_full(system, cost, lower, duals, active)
        found = -float(restricted.values[0])
        could_help = ~active & (bound + np.maximum(reduced, 0.0) < found + _TOL)
        if restricted.timed_out:
            # Best over the kept pairs is at most restricted.bound; a plan using a
            # left-out pair e is at most -(bound + reduced[e]).
            outside = -(bound + np.maximum(reduced[~active], 0.0).min(initial=np.inf))
            bound_note = max(restricted.bound, outside)
            break
        if not could_help.any():
            break
        active |= could_help
    cols = np.flatnonzero(active)
    if bound_note is not None or left() <= 0:
        assert x_start is not None
        x = x_start[cols]
        outcome_values = [float(o[cols] @ x) for o in objectives]
        upper = bound_note if bound_note is not None else float("inf")
        status = SolveStatus(
            optimal=False,
            gap=round(max(upper - outcome_values[0], 0.0) / SCALE, 6),
            tie_breaks=False,
            time_limit=float(time_limit),
            seconds=0.0,
        )
    else:
        stats["milp_solves"] += 1
        outcome = solve_lexicographic(
            [o[cols] for o in objectives],
            system.A[:, cols],
            system.b,
            lower[cols],
            time_limit=max(left(), 1e-3),
            start=None if x_start is None else x_start[cols],
        )
        if outcome.infeasible:
            raise PlanInfeasibleError(
                diagnose(system, lower),
                hint="Any one of these changes would make the plan feasible.",
            )
        if outcome.x is None:
            raise _no_plan_in_time(time_limit)
        x = outcome.x
        status = outcome.status(len(objectives), time_limit)
    seconds = time.perf_counter() - started
    status = SolveStatus(
        optimal=status.optimal,
        gap=status.gap,
        tie_breaks=status.tie_breaks,
        time_limit=status.time_limit,
        seconds=round(seconds, 3),
    )
    stats["solved_pairs"] = len(cols)
    stats["seconds"] = seconds
    chosen_pairs = np.zeros(E, dtype=bool)
    chosen_pairs[cols] = x > 0.5
    postcheck(system, chosen_pairs, lower)
    chosen = np.zeros((n, m), dtype=bool)
    chosen[need_of[chosen_pairs], offer_of[chosen_pairs]] = True
    return _Solution(chosen=chosen, total=float(scores[chosen].sum()), status=status, stats=stats)
