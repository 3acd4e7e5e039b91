"""HiGHS through highspy: integer programmes with exact lexicographic objectives and a time limit.

The one place that talks to the solver; plans, schedules and the
infeasibility diagnosis all go through :func:`solve_lexicographic`.

Exactness. Every objective is made of whole numbers (scores are counted in
millionths, :data:`SCALE`), so a proven gap below 1 means the answer is
optimal, and HiGHS is told to stop only then (``mip_rel_gap = 0``,
``mip_abs_gap < 1``). A later objective is optimised only among the answers
that keep every earlier objective at its optimum (an extra row
``objective >= optimum``), so the order of preferences is exact, not a
matter of small nudges that a solver tolerance can swallow.

Time. The whole solve shares one time limit. When it is reached, the best
answer found so far is returned with the proven gap of the first objective;
a later objective that runs out of time keeps the answer of the one before
(and says that the tie-break is not proven).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp

__all__ = ["SCALE", "Outcome", "SolveStatus", "Solved", "lp_row_duals", "solve_lexicographic"]

#: Scores enter the solver in millionths, rounded to whole numbers.
SCALE = 1e6
#: Absolute MIP gap: the objectives are whole numbers, so any gap below 1 is optimal.
_ABS_GAP = 1.0 - 1e-6
#: A solver value further than this from a whole number is not whole.
_WHOLE = 1e-6
#: Share of the remaining time each objective but the last may use.
_SHARE = 0.5
#: Further HiGHS options for the integer programmes.
_OPTIONS: dict[str, bool | float | str | int] = {}


@dataclass(frozen=True)
class SolveStatus:
    """How good an answer is, as the solver proved it.

    Attributes
    ----------
    optimal : bool
        True when the main objective (the total score) is proven optimal.
    gap : float
        Proven gap of the total score, in score points: no answer scores
        more than ``total + gap``. 0 when optimal.
    tie_breaks : bool
        True when every tie-break after the score was also proven optimal.
    time_limit : float
        The time limit given, in seconds.
    seconds : float
        Time the solver took.
    """

    optimal: bool
    gap: float
    tie_breaks: bool
    time_limit: float
    seconds: float

    def describe(self) -> str:
        """The status in words, e.g. ``optimal (proven; tie-breaks proven)``.

        Examples
        --------
        >>> SolveStatus(True, 0.0, True, 30.0, 0.1).describe()
        'optimal (proven, tie-breaks too)'
        >>> SolveStatus(False, 0.25, False, 30.0, 30.0).describe()
        'NOT proven optimal: time limit of 30 s reached; the best possible total is at most 0.2500 higher'
        """
        if not self.optimal:
            return (
                f"NOT proven optimal: time limit of {self.time_limit:g} s reached; the best "
                f"possible total is at most {self.gap:.4f} higher"
            )
        if not self.tie_breaks:
            return (
                f"optimal total (proven); time limit of {self.time_limit:g} s reached before "
                "the tie-breaks were proven"
            )
        return "optimal (proven, tie-breaks too)"


class Solved:
    """Shortcuts a result object with a ``status`` (:class:`SolveStatus`) offers."""

    status: SolveStatus

    @property
    def optimal(self) -> bool:
        """True when the total score is proven to be the maximum (see ``status``)."""
        return self.status.optimal

    @property
    def gap(self) -> float:
        """Proven gap in score points: no answer scores more than ``total_score + gap``."""
        return self.status.gap

    @property
    def time_limit(self) -> float:
        """The time limit the answer was solved under, in seconds."""
        return self.status.time_limit


@dataclass
class Outcome:
    """What :func:`solve_lexicographic` found.

    ``x`` is None when no feasible answer was found: ``infeasible`` says
    whether none exists or the time ran out first.
    """

    x: np.ndarray | None
    infeasible: bool = False
    timed_out: bool = False
    stages: int = 0
    values: list[float] = field(default_factory=list)
    bound: float = float("nan")
    seconds: float = 0.0

    @property
    def optimal(self) -> bool:
        """True when the first objective is proven optimal."""
        return self.x is not None and self.stages >= 1

    def status(self, n_objectives: int, time_limit: float) -> SolveStatus:
        """The :class:`SolveStatus` of this outcome, the gap in score points."""
        gap = 0.0 if self.optimal else max(self.bound - self.values[0], 0.0) / SCALE
        return SolveStatus(
            optimal=self.optimal,
            gap=round(gap, 6),
            tie_breaks=self.stages >= n_objectives,
            time_limit=float(time_limit),
            seconds=round(self.seconds, 3),
        )


class _Quiet(highspy.Highs):
    """A ``highspy.Highs`` that prints nothing, not even the banner of its first run."""

    def __init__(self) -> None:
        # highspy.Highs.__init__ starts its callbacks while output is still on, which
        # prints a banner to standard output; switch output off first, then start them.
        super(highspy.Highs, self).__init__()
        self.setOptionValue("output_flag", False)
        kinds = range(int(highspy.cb.HighsCallbackType.kCallbackMax) + 1)
        self.callbacks = [
            highspy.HighsCallback(highspy.cb.HighsCallbackType(k), self) for k in kinds
        ]
        self.enableCallbacks()  # type: ignore[no-untyped-call]


def _model(
    cost: np.ndarray,
    A: sp.csc_matrix,
    b: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    integer: bool,
) -> highspy.HighsLp:
    lp = highspy.HighsLp()
    n_rows, n_cols = A.shape
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(upper, dtype=np.float64)
    lp.row_lower_ = np.full(n_rows, -highspy.kHighsInf)
    lp.row_upper_ = np.asarray(b, dtype=np.float64)
    matrix = sp.csc_matrix(A)
    matrix.sort_indices()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n_cols
    return lp


def _whole(x: np.ndarray) -> np.ndarray:
    """The whole-number values of a solver answer; raises if any is fractional beyond 1e-6."""
    fractional = np.abs(x - np.round(x))
    if len(x) and float(fractional.max()) > _WHOLE:
        worst = int(np.argmax(fractional))
        raise RuntimeError(
            f"HiGHS returned the fractional value {float(x[worst])!r} for a whole-number "
            "choice, so the answer is not whole-numbered. Please report this with the input "
            "that caused it."
        )
    return np.round(x) + 0.0  # + 0.0 turns -0.0 into 0.0


def _run(h: highspy.Highs, seconds: float) -> tuple[str, np.ndarray | None, float]:
    """One solve: ('optimal' | 'infeasible' | 'limit'), the answer if any, the dual bound."""
    h.setOptionValue("time_limit", max(float(seconds), 1e-3))
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    solution = h.getSolution()
    has = bool(solution.value_valid) and int(info.primal_solution_status) == 2
    x = _whole(np.asarray(solution.col_value, dtype=float)) if has else None
    if status == highspy.HighsModelStatus.kOptimal:
        return "optimal", x, float("nan")
    if status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible", None, float("nan")
    if status in (
        highspy.HighsModelStatus.kTimeLimit,
        highspy.HighsModelStatus.kInterrupt,
        highspy.HighsModelStatus.kSolutionLimit,
        highspy.HighsModelStatus.kIterationLimit,
    ):
        return "limit", x, -float(info.mip_dual_bound)
    raise RuntimeError(
        f"HiGHS did not solve the problem: {h.modelStatusToString(status)}. Please report "
        "this with the input that caused it."
    )


def solve_lexicographic(
    objectives: Sequence[np.ndarray],
    A: sp.spmatrix,
    b: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray | None = None,
    *,
    time_limit: float,
    start: np.ndarray | None = None,
) -> Outcome:
    """Maximise ``objectives[0] @ x``, then ``objectives[1] @ x`` among the optima, and so on.

    Over whole-number ``x`` with ``lower <= x <= upper`` (default 1) and
    ``A x <= b``. Each objective must have whole-number coefficients.

    Parameters
    ----------
    objectives : sequence of ndarray
        In order of preference.
    A, b, lower, upper : the constraints.
    time_limit : float
        Seconds for all the objectives together.
    start : ndarray, optional
        A feasible answer to start from (kept if nothing better is found).

    Returns
    -------
    Outcome

    Examples
    --------
    At most two columns: the first and third score 3, as do the second and third; the
    second objective prefers the first column:

    >>> A = sp.csc_matrix(np.ones((1, 3)))
    >>> out = solve_lexicographic([np.array([1.0, 1.0, 2.0]), np.array([1.0, 0.0, 0.0])],
    ...                           A, np.array([2.0]), np.zeros(3), time_limit=5)
    >>> out.x.tolist(), out.values, out.stages
    ([1.0, 0.0, 1.0], [3.0, 1.0], 2)
    """
    started = time.perf_counter()
    A = sp.csc_matrix(A)
    n = A.shape[1]
    hi = np.ones(n) if upper is None else np.asarray(upper, dtype=float)
    objs = [np.asarray(o, dtype=float) for o in objectives]
    for o in objs:
        if len(o) and not np.array_equal(o, np.round(o)):
            raise ValueError("solve_lexicographic needs whole-number objective coefficients.")
    if n == 0:  # nothing to choose: feasible only if choosing nothing is
        if bool((np.asarray(b) >= 0).all()):
            return Outcome(np.zeros(0), stages=len(objs), values=[0.0] * len(objs))
        return Outcome(None, infeasible=True)
    outcome = Outcome(None)
    every = np.arange(n, dtype=np.int32)
    x: np.ndarray | None = None if start is None else np.asarray(start, dtype=float)
    rows, bounds = A, np.asarray(b, dtype=float)
    for k, objective in enumerate(objs):
        if k:
            # Keep the earlier objective at its optimum (whole numbers: -0.5 is exact).
            rows = sp.vstack([rows, sp.csr_matrix(-objs[k - 1][None, :])], format="csc")
            bounds = np.r_[bounds, -(outcome.values[k - 1] - 0.5)]
        # A fresh solver per objective: HiGHS 1.16 may keep a presolve of the
        # previous objective and call a worse answer optimal.
        h = _Quiet()
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", _ABS_GAP)
        if k:
            # HiGHS 1.16's presolve can mis-handle the row that keeps an earlier
            # objective at its optimum and call a worse answer optimal (found by
            # the brute-force tests), so the tie-break solves go without it.
            h.setOptionValue("presolve", "off")
        for key, value in _OPTIONS.items():
            h.setOptionValue(key, value)
        h.passModel(_model(-objective, rows, bounds, lower, hi, integer=True))
        if x is not None:
            h.setSolution(n, every, x.astype(np.float64))
        remaining = time_limit - (time.perf_counter() - started)
        if remaining <= 0:
            outcome.timed_out = True
            break
        share = 1.0 if k == len(objs) - 1 else _SHARE
        state, found, bound = _run(h, remaining * share)
        if state == "infeasible":
            if k == 0:
                outcome.infeasible = True
            break  # (k > 0 cannot happen: the previous answer is feasible)
        if (
            found is not None
            and k
            and not all(float(objs[j] @ found) >= outcome.values[j] - 0.5 for j in range(k))
        ):
            found = None  # a tolerance let an earlier objective slip: keep the earlier answer
        if state == "optimal" and found is not None:
            x = found
            outcome.stages = k + 1
            outcome.values.append(float(objective @ x))
            continue
        outcome.timed_out = True
        if k == 0:
            if found is not None:
                x = found
            if x is not None:
                outcome.values.append(float(objective @ x))
                outcome.bound = max(bound, outcome.values[0]) if bound == bound else bound
        elif found is not None:
            x = found
        break
    if outcome.stages < len(objs) and x is not None and outcome.values:
        outcome.values += [float(o @ x) for o in objs[len(outcome.values) :]]
    outcome.x = None if outcome.infeasible else x
    if outcome.x is not None and not outcome.values:
        outcome.values = [float(o @ outcome.x) for o in objs]
    outcome.seconds = time.perf_counter() - started
    return outcome


def lp_row_duals(
    cost: np.ndarray, A: sp.spmatrix, b: np.ndarray, lower: np.ndarray, *, time_limit: float
) -> np.ndarray | None:
    """Row duals (<= 0) of ``min -cost @ x`` over ``A x <= b``, ``lower <= x <= 1``.

    None if the relaxation is infeasible. Used for the dual bound that
    proves left-out pairs cannot improve a plan.
    """
    A = sp.csc_matrix(A)
    h = _Quiet()
    h.passModel(_model(-np.asarray(cost, dtype=float), A, b, lower, np.ones(A.shape[1]), False))
    h.setOptionValue("time_limit", max(float(time_limit), 1e-3))
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    if status != highspy.HighsModelStatus.kOptimal:
        raise _LPTimeout(h.modelStatusToString(status))
    duals: np.ndarray = np.minimum(np.asarray(h.getSolution().row_dual, dtype=float), 0.0)
    return duals


class _LPTimeout(RuntimeError):
    """The linear relaxation did not finish (time limit)."""
