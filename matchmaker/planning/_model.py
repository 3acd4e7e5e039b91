"""The plan as a 0/1 programme: one column per candidate pair, one row per constraint.

Every row is one-sided and named (which constraint, for whom, which bound),
so the diagnosis can relax rows group by group and say what to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._limits import _Group

__all__ = ["build_system", "start_columns"]


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


def build_system(
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


def start_columns(
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
