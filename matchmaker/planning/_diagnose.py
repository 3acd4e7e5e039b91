"""Why a plan cannot be made: obvious causes before solving, conflicts after.

:func:`precheck` lists every obvious reason (too few candidates, required
pairs beyond a capacity, limits no candidate can meet) without solving.
When the integer programme is infeasible all the same, :func:`diagnose`
relaxes each constraint group alone, with whole-number slack, and reports
the least change that makes a plan exist.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ._checks import count as _count
from ._highs import solve_lexicographic
from ._limits import _Group
from ._model import _System

__all__ = ["PlanInfeasibleError", "diagnose", "postcheck", "precheck"]

#: Seconds each relaxation may take when explaining infeasibility.
_RELAX_SECONDS = 10.0


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


def precheck(
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
        out = solve_lexicographic(
            [lower], system.A, system.b, np.zeros(E), time_limit=_RELAX_SECONDS
        )
        if out.x is None or out.timed_out:
            return None
        dropped = np.flatnonzero((lower > 0) & (out.x < 0.5))
        return [f"drop required pair {system.pair(int(e))}" for e in dropped]
    rows = np.flatnonzero(np.array([g == group for g in system.group], dtype=bool))
    k = len(rows)
    slack = sp.csc_matrix((-np.ones(k), (rows, np.arange(k))), shape=(system.A.shape[0], k))
    out = solve_lexicographic(
        [-np.r_[np.zeros(E), np.ones(k)]],
        sp.hstack([system.A, slack], format="csc"),
        system.b,
        np.r_[lower, np.zeros(k)],
        np.r_[np.ones(E), np.full(k, np.inf)],
        time_limit=_RELAX_SECONDS,
    )
    if out.x is None or out.timed_out:
        return None
    amounts = np.round(out.x[E:]).astype(int)
    found = []
    for r, s in zip(rows, amounts, strict=True):
        if s > 0:
            limit = round(abs(float(system.b[r])))
            if system.upper[r]:
                found.append(f"{system.who[r]} needs {limit + s} ({system.bound[r]}, {s} more)")
            else:
                found.append(f"{system.who[r]} can get only {limit - s} ({system.bound[r]})")
    return found


def diagnose(system: _System, lower: np.ndarray) -> list[str]:
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


def postcheck(system: _System, x: np.ndarray, lower: np.ndarray) -> None:
    """Every constraint holds for the chosen pairs (a guard against solver bugs)."""
    load = system.A @ x.astype(float)
    broken = np.flatnonzero(load > system.b + 1e-6)
    if len(broken):
        r = int(broken[0])
        raise RuntimeError(
            f"The solver's plan breaks {system.group[r]} ({system.bound[r]}) for "
            f"{system.who[r]}. Please report this with the input that caused it."
        )
    if (x < (lower > 0)).any():
        raise RuntimeError("The solver's plan drops a required pair. Please report this.")
