"""Consortia: UK bundles whose members cover complementary parts of one need.

A branch of the flow after component scores: vectors -> **bundles** ->
explanation / export. Joint research calls want a UK company and a UK
research group (and often an intermediary) for one Chinese partner. A good
bundle covers more of the need together than any member alone, and its
members do not cover the same part twice.

For a need with capability-concept weights ``w`` and members with coverage
vectors ``c_m`` (partial credit through the taxonomy, as in the concept
score):

* ``coverage = sum(w * max_m c_m) / sum(w)``: the share of the need the
  bundle covers together;
* ``complementarity = coverage - max_m coverage(m)``: what the bundle covers
  beyond its best single member;
* ``overlap = sum(w * min(c_company, c_research)) / sum(w)``: the share the
  company and the research group both cover;
* ``strength`` of a member: its calibrated probability of being a good
  partner for the need, read exactly as the need's shortlist reads it
  (``Matchmaker.score_pairs(...).probability``); a bundle's ``strength``
  label is its weakest member's.

Only bundles that cover the need better than their best single member
(``complementarity > 0``) are offered. They are ranked by ``score``, the
mean ``strength``,
then ``coverage``, then fewer overlaps, then ids in alphabetical order, so
a member the shortlist calls weak pulls its bundle down however many side
concepts it touches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..catalogue._catalogue import Catalogue
from ..catalogue._schema import Profile
from ..ranking._scores import strengths
from ._checks import int_problem as _int_problem
from ._checks import raise_problems as _raise_problems

if TYPE_CHECKING:
    from ..ranking._engine import Matchmaker

__all__ = ["Consortia", "build_consortia"]

#: A bundle must cover more than its best single member by more than this.
MIN_COMPLEMENTARITY = 1e-9
#: Kinds that can fill the research role by default.
RESEARCH_KINDS: tuple[str, ...] = ("research_group", "research_centre", "university", "rto")
ROLES: tuple[str, ...] = ("company", "research", "intermediary")

BUNDLE_COLUMNS = [
    "rank",
    "company_id",
    "company_name",
    "research_id",
    "research_name",
    "intermediary_id",
    "intermediary_name",
    "score",
    "strength",
    "coverage",
    "complementarity",
    "overlap",
    "company_score",
    "research_score",
    "intermediary_score",
    "explanation",
]
CONCEPT_COLUMNS = [
    "rank",
    "concept",
    "label",
    "weight",
    "company",
    "research",
    "intermediary",
    "covered_by",
]


@dataclass(frozen=True)
class _Role:
    """The candidates for one role: ids, coverage of the need's concepts, engine scores."""

    ids: list[str]
    cover: np.ndarray
    score: np.ndarray


def _rank_bundles(
    weight: np.ndarray, company: _Role, research: _Role, intermediary: _Role | None, k: int
) -> pd.DataFrame:
    """Score every (company, research[, intermediary]) bundle and keep the best ``k``.

    Parameters
    ----------
    weight : ndarray (n_concepts,)
        The need's weight on each capability concept (zeros allowed).
    company, research : _Role
        Candidates with ``cover`` of shape (n_candidates, n_concepts) and
        ``score``, their calibrated probability against the need.
    intermediary : _Role, optional
        With candidates, every bundle gets the intermediary that ranks it
        highest among those that leave it better than its best single
        member (none if no intermediary does); without, bundles have two
        members.
    k : int

    Returns
    -------
    DataFrame
        Row positions ``c``, ``r``, ``i`` (-1 for no intermediary) and the
        metrics (``score`` is the members' mean probability), best first;
        only bundles that cover more than their best single member.

    Examples
    --------
    Two concepts of equal weight. Company 0 covers the first; research 0
    covers the first too (redundant: never offered), research 1 the second:

    >>> w = np.array([1.0, 1.0])
    >>> comp = _Role(["acme"], np.array([[1.0, 0.0]]), np.array([0.5]))
    >>> res = _Role(["lab-a", "lab-b"], np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0.9, 0.3]))
    >>> top = _rank_bundles(w, comp, res, None, k=2)
    >>> top[["r", "score", "coverage", "complementarity", "overlap"]].values.tolist()
    [[1.0, 0.4, 1.0, 0.5, 0.0]]
    """
    total = float(weight.sum())
    w = weight / total
    cc, cr = company.cover, research.cover  # (C, K), (R, K)
    both = np.maximum(cc[:, None, :], cr[None, :, :])  # (C, R, K)
    overlap = np.minimum(cc[:, None, :], cr[None, :, :]) @ w  # (C, R)
    single_c, single_r = cc @ w, cr @ w
    if intermediary is not None and len(intermediary.ids):
        ci = intermediary.cover
        coverage = np.maximum(both[:, :, None, :], ci[None, None, :, :]) @ w  # (C, R, I)
        single = np.maximum(
            np.maximum(single_c[:, None, None], single_r[None, :, None]), (ci @ w)[None, None, :]
        )
        score = (
            company.score[:, None, None] + research.score[None, :, None] + intermediary.score
        ) / 3.0
        ok = coverage - single > MIN_COMPLEMENTARITY
        # Each (company, research) pair keeps its best intermediary among those that leave
        # the bundle better than its best member: strongest, then most coverage, then id.
        inter_ids = np.array(intermediary.ids, dtype=object)
        order = np.lexsort(
            (
                np.broadcast_to(inter_ids, score.shape),
                -np.round(coverage, 12),
                -np.round(np.where(ok, score, -1.0), 12),
                ~ok,
            ),
            axis=-1,
        )
        pick = order[:, :, :1]
        found = np.take_along_axis(ok, pick, -1)[:, :, 0]
        # Where no intermediary qualifies, the company and research group alone.
        coverage = np.where(found, np.take_along_axis(coverage, pick, -1)[:, :, 0], both @ w)
        single = np.where(
            found,
            np.take_along_axis(single, pick, -1)[:, :, 0],
            np.maximum(single_c[:, None], single_r[None, :]),
        )
        score = np.where(
            found,
            np.take_along_axis(score, pick, -1)[:, :, 0],
            (company.score[:, None] + research.score[None, :]) / 2.0,
        )
        inter = np.where(found, pick[:, :, 0], -1)
    else:
        coverage = both @ w
        single = np.maximum(single_c[:, None], single_r[None, :])
        score = (company.score[:, None] + research.score[None, :]) / 2.0
        inter = np.full(score.shape, -1)
    c_idx, r_idx = np.meshgrid(
        np.arange(len(company.ids)), np.arange(len(research.ids)), indexing="ij"
    )
    frame = pd.DataFrame(
        {
            "c": c_idx.ravel(),
            "r": r_idx.ravel(),
            "i": inter.ravel(),
            "score": score.ravel(),
            "coverage": coverage.ravel(),
            "complementarity": (coverage - single).ravel(),
            "overlap": overlap.ravel(),
        }
    )
    company_ids = np.array(company.ids, dtype=object)
    research_ids = np.array(research.ids, dtype=object)
    frame = frame.loc[
        (company_ids[frame["c"]] != research_ids[frame["r"]])
        & (frame["complementarity"] > MIN_COMPLEMENTARITY)
    ]
    frame = frame.assign(
        _key=-frame["score"].round(12),
        _cov=-frame["coverage"].round(12),
        _ov=frame["overlap"].round(12),
        _c=company_ids[frame["c"]],
        _r=research_ids[frame["r"]],
    )
    frame = frame.sort_values(["_key", "_cov", "_ov", "_c", "_r"], kind="stable").head(k)
    ranked: pd.DataFrame = frame.drop(columns=["_key", "_cov", "_ov", "_c", "_r"])
    return ranked.reset_index(drop=True)


class Consortia:
    """Ranked UK bundles for one need, each explained concept by concept.

    Build one with :func:`build_consortia`.

    Attributes
    ----------
    need_id, need_name : str
    bundles : DataFrame
        One row per bundle, best first: members (``company_*``,
        ``research_*``, ``intermediary_*``), ``score`` (the members' mean
        calibrated probability, as their shortlists show it), ``strength``
        (the weakest member's label), ``coverage``, ``complementarity``
        (always > 0), ``overlap``, each member's probability
        (``*_score``) and a one-line ``explanation`` naming, for each
        member, its strength, the need concepts it covers and what only it
        adds.
    concepts : DataFrame
        One row per (bundle, need concept): the concept's ``weight`` in the
        need, each member's coverage of it and ``covered_by`` (the roles that
        cover it best, or ``nobody``).
    """

    def __init__(
        self, need_id: str, need_name: str, bundles: pd.DataFrame, concepts: pd.DataFrame
    ) -> None:
        self.need_id = need_id
        self.need_name = need_name
        self.bundles = bundles
        self.concepts = concepts

    def __len__(self) -> int:
        return len(self.bundles)

    def explain(self, rank: int) -> pd.DataFrame:
        """The concept table of the bundle at ``rank`` (1 = best).

        Raises
        ------
        IndexError
            If ``rank`` is outside 1..len(consortia).
        """
        if isinstance(rank, bool) or not isinstance(rank, int) or not 1 <= rank <= len(self):
            raise IndexError(
                f"Rank {rank!r} is outside these {len(self)} bundles (ranks start at 1)."
            )
        table = self.concepts[self.concepts["rank"] == rank]
        return table.drop(columns="rank").reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """The bundles (a copy of :attr:`bundles`)."""
        return self.bundles.copy()

    def headline(self) -> str:
        """One line: what the bundles are for (and why there are none, if so)."""
        line = f"Consortia for: {self.need_name} [{self.need_id}] ({len(self)} bundles)"
        if not len(self):
            line += "; no bundle covers the need better than its best single member"
        return line

    def __str__(self) -> str:
        out = [self.headline()]
        for row in self.bundles.to_dict("records"):
            members = [row["company_name"], row["research_name"]]
            if row["intermediary_id"]:
                members.append(row["intermediary_name"])
            out.append(f"{row['rank']:>3}. {' + '.join(members)}  score {row['score']:.3f}")
            out.append(f"     {row['explanation']}")
        return "\n".join(out)

    def __repr__(self) -> str:
        return f"<Consortia of {len(self)} bundles for {self.need_id!r}>"

    def _repr_html_(self) -> str:
        return f"<p><b>{escape(self.headline())}</b></p>" + self.bundles.to_html(
            index=False, escape=True
        )


def _members(
    engine: Matchmaker,
    chosen: Iterable[str] | Catalogue | None,
    default: list[Profile],
    name: str,
    problems: list[str],
) -> list[str]:
    """Ids for one role; a Catalogue's profiles without offers are skipped."""
    if chosen is None:
        return [p.id for p in default]
    from_catalogue = isinstance(chosen, Catalogue)
    if isinstance(chosen, Catalogue):
        ids = chosen.ids
    elif isinstance(chosen, str) or not isinstance(chosen, Iterable):
        problems.append(
            f"The {name!r} parameter of build_consortia must be a list of profile ids or a "
            f"Catalogue. Got {chosen!r} instead."
        )
        return []
    else:
        ids = list(dict.fromkeys(chosen))
    unknown = [i for i in ids if i not in engine.position_]
    if unknown:
        problems.append(f"Unknown profile ids in {name!r}: {', '.join(map(repr, unknown[:10]))}.")
    known = [i for i in ids if i in engine.position_]
    silent = [i for i in known if engine.offers_.empty[engine.position_[i]]]
    if silent and not from_catalogue:
        problems.append(
            f"These profiles in {name!r} state no offers, so they cannot cover the need: "
            f"{', '.join(map(repr, silent))}. Remove them."
        )
    return [i for i in known if i not in silent]


def build_consortia(
    engine: Matchmaker,
    need: str,
    *,
    companies: Iterable[str] | Catalogue | None = None,
    research_groups: Iterable[str] | Catalogue | None = None,
    intermediaries: Iterable[str] | Catalogue | None = None,
    k: int = 10,
    candidates: int = 15,
) -> Consortia:
    """Rank UK bundles whose members cover complementary parts of one need.

    Each bundle is a UK company and a UK research group, plus the UK
    intermediary that ranks the bundle highest (among those that keep it
    better than its best single member; none if no intermediary does).
    Only bundles whose members together cover the need better than
    the best of them alone are offered; they are ranked by the members'
    mean calibrated probability (the strength their shortlists show), then
    by coverage, fewer overlaps and ids (see :mod:`matchmaker.planning._consortia`),
    so a member the shortlist calls weak pulls its bundle down however many
    side concepts it touches.

    Parameters
    ----------
    engine : Matchmaker
    need : str
        Id of the profile whose needs the bundle serves (a Chinese demand).
    companies : list of ids or Catalogue, optional
        Default: GB profiles of kind ``company`` that state offers and are
        not intermediaries.
    research_groups : list of ids or Catalogue, optional
        Default: GB profiles of kind research_group, research_centre,
        university or rto that state offers and are not intermediaries.
    intermediaries : list of ids or Catalogue, optional
        Default: GB profiles with ``intermediary=True`` that state offers and
        share something with the need (a positive engine score). Pass ``[]``
        for two-member bundles.
    k : int, default 10
        Bundles to return.
    candidates : int, default 15
        Only each role's best ``candidates`` by probability are combined,
        so the search stays fast.

    Returns
    -------
    Consortia

    Raises
    ------
    KeyError
        For an unknown need id.
    ValueError
        For bad arguments (all listed), a need that names no capability
        concept, or a role with no candidates.

    Examples
    --------
    >>> import matchmaker
    >>> engine = matchmaker.Matchmaker().fit()
    >>> need = "cn-demand-resource-recycling-equipment"
    >>> bundles = build_consortia(engine, need, k=3).bundles
    >>> len(bundles), list(bundles.columns[:3])
    (3, ['rank', 'company_id', 'company_name'])
    >>> bool((bundles.score.diff().dropna() <= 0).all()), bool((bundles.complementarity > 0).all())
    (True, True)
    """
    if not hasattr(engine, "catalogue_"):
        engine.fit()
    problems: list[str] = []
    for name, value in (("k", k), ("candidates", candidates)):
        problem = _int_problem(value, name, "build_consortia", 1)
        if problem:
            problems.append(problem)
    if not isinstance(need, str):
        raise TypeError(
            f"The 'need' parameter of build_consortia must be a profile id. Got {need!r}."
        )
    profile = engine.catalogue_[need]  # KeyError naming the closest profiles
    position = engine.position_[need]
    if engine.needs_.empty[position]:
        problems.append(f"Profile {need!r} states no needs, so there is nothing to cover.")
    capability = np.asarray(engine.capability_, dtype=bool)
    weight = np.asarray(engine.needs_.weight[position, capability], dtype=float)
    if not engine.needs_.empty[position] and weight.sum() <= 0:
        problems.append(
            f"The needs of {need!r} name no capability concept the taxonomy knows, so there is "
            "nothing to split between partners. Use engine.shortlist for text matches."
        )
    uk = [
        p
        for p in engine.catalogue_
        if p.country == "GB" and p.id != need and not engine.offers_.empty[engine.position_[p.id]]
    ]
    role_ids = {
        "company": _members(
            engine,
            companies,
            [p for p in uk if p.kind == "company" and not p.intermediary],
            "companies",
            problems,
        ),
        "research": _members(
            engine,
            research_groups,
            [p for p in uk if p.kind in RESEARCH_KINDS and not p.intermediary],
            "research_groups",
            problems,
        ),
        "intermediary": _members(
            engine, intermediaries, [p for p in uk if p.intermediary], "intermediaries", problems
        ),
    }
    for role, label in (("company", "companies"), ("research", "research_groups")):
        if not role_ids[role] and not any(label in p for p in problems):
            problems.append(f"There are no {label.replace('_', ' ')} to choose from.")
    _raise_problems(problems)

    taxonomy = engine.vectorizer_.taxonomy_
    ids = np.array(taxonomy.ids, dtype=object)[capability]
    roles: dict[str, _Role] = {}
    for role, role_members in role_ids.items():
        if not role_members:
            continue
        pairs = engine.score_pairs([need], role_members)
        total = np.asarray(pairs.total[0], dtype=float)
        # The calibrated probability the need's shortlist shows for each member.
        score = np.asarray(pairs.probability[0], dtype=float)
        member_ids = np.array(pairs.offer_ids, dtype=object)
        rows = [engine.position_[str(m)] for m in member_ids]
        cover = np.asarray(engine.offers_.cover[rows][:, capability], dtype=float).reshape(
            len(rows), int(capability.sum())
        )
        if role == "intermediary":
            # A broker need not cover a concept, but it must share something with the need.
            useful = total > 0 if intermediaries is None else np.ones(len(rows), dtype=bool)
        else:
            # A member that covers none of the need's concepts adds nothing to split.
            useful = cover @ weight > 0
            if not useful.any():
                wanted = ", ".join(taxonomy.label(str(c)) for c in ids[weight > 0][:6])
                problems.append(
                    f"No candidate {role.replace('research', 'research group')} covers any "
                    f"capability concept of {need!r} ({wanted}), so no bundle can split the need."
                )
                continue
        keep = np.lexsort((member_ids, -np.round(total, 12), -np.round(score, 12)))
        keep = keep[useful[keep]][:candidates]
        roles[role] = _Role([str(member_ids[j]) for j in keep], cover[keep], score[keep])
    _raise_problems(problems)
    top = _rank_bundles(weight, roles["company"], roles["research"], roles.get("intermediary"), k)

    names = {p.id: p.name for p in engine.catalogue_}
    cuts = engine.thresholds()

    def label_of(probability: float) -> str:
        return str(strengths(np.array([probability]), **cuts)[0])

    concepts = np.flatnonzero(weight > 0)
    concepts = concepts[np.lexsort((ids[concepts], -weight[concepts]))]
    share = weight / weight.sum()
    bundle_rows: list[dict[str, Any]] = []
    concept_rows: list[dict[str, Any]] = []
    for rank, row in enumerate(top.to_dict("records"), start=1):
        members: dict[str, tuple[str, np.ndarray, float] | None] = {}
        for role, col in (("company", "c"), ("research", "r"), ("intermediary", "i")):
            j = int(row[col])
            if j < 0 or role not in roles:
                members[role] = None
            else:
                r = roles[role]
                members[role] = (r.ids[j], r.cover[j], float(r.score[j]))
        for cid in concepts:
            values = {
                role: (float(m[1][cid]) if m is not None else float("nan"))
                for role, m in members.items()
            }
            best = max((v for v in values.values() if v == v), default=0.0)
            covered_by = (
                ", ".join(role for role, v in values.items() if v == v and v == best)
                if best > 0
                else "nobody"
            )
            concept_rows.append(
                {
                    "rank": rank,
                    "concept": str(ids[cid]),
                    "label": taxonomy.label(str(ids[cid])),
                    "weight": round(float(share[cid]), 4),
                    "company": round(values["company"], 4),
                    "research": round(values["research"], 4),
                    "intermediary": round(values["intermediary"], 4),
                    "covered_by": covered_by,
                }
            )
        out: dict[str, Any] = {"rank": rank}
        for role in ROLES:
            m = members[role]
            out[f"{role}_id"] = m[0] if m is not None else ""
            out[f"{role}_name"] = names[m[0]] if m is not None else ""
        for metric in ("score", "coverage", "complementarity", "overlap"):
            out[metric] = round(float(row[metric]), 4)
        # A bundle is called no stronger than its weakest member.
        out["strength"] = label_of(min(m[2] for m in members.values() if m is not None))
        for role in ROLES:
            m = members[role]
            out[f"{role}_score"] = round(m[2], 4) if m is not None else float("nan")
        out["explanation"] = _explain(members, names, concepts, ids, taxonomy.label, label_of, out)
        bundle_rows.append(out)
    return Consortia(
        need_id=need,
        need_name=profile.name,
        bundles=pd.DataFrame(bundle_rows, columns=BUNDLE_COLUMNS),
        concepts=pd.DataFrame(concept_rows, columns=CONCEPT_COLUMNS),
    )


def _explain(
    members: dict[str, tuple[str, np.ndarray, float] | None],
    names: dict[str, str],
    concepts: np.ndarray,
    ids: np.ndarray,
    label: Any,
    label_of: Any,
    metrics: dict[str, Any],
) -> str:
    """One line: each member's strength, the need concepts it covers and what only it adds."""
    parts = []
    present = {role: m for role, m in members.items() if m is not None}
    for role, m in present.items():
        others = [o[1] for r, o in present.items() if r != role]
        rest = np.max(others, axis=0) if others else np.zeros_like(m[1])
        who = f"{names[m[0]]} ({role}, {label_of(m[2])} {m[2]:.2f})"
        covered = [cid for cid in concepts if m[1][cid] > 0]
        if not covered:
            parts.append(f"{who} covers none of the need's concepts")
            continue
        what = ", ".join(f"{label(str(ids[c]))} {m[1][c]:.0%}" for c in covered[:4])
        more = f" and {len(covered) - 4} more" if len(covered) > 4 else ""
        adds = [cid for cid in covered if m[1][cid] > rest[cid] + 1e-12]
        extra = (
            "adds "
            + ", ".join(label(str(ids[c])) for c in adds[:3])
            + (f" and {len(adds) - 3} more" if len(adds) > 3 else "")
            if adds
            else "adds nothing the others do not cover"
        )
        parts.append(f"{who} covers {what}{more}; {extra}")
    parts.append(
        f"together {metrics['coverage']:.0%} of the need "
        f"({metrics['complementarity']:+.0%} over the best single member), "
        f"overlap {metrics['overlap']:.0%}; mean strength {metrics['score']:.2f}, "
        f"{metrics['strength']} as its weakest member"
    )
    return "; ".join(parts)
