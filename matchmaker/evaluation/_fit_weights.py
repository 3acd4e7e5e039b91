"""Weights learned from the outcomes log with a non-negative logistic regression.

Component scores of logged pairs -> **weights**: which components tell the
pairs that led somewhere from those that did not.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from ..ranking._weights import COMPONENTS, Weights
from ._outcomes import STATUSES, OutcomeLog
from ._tune import _check_int

if TYPE_CHECKING:
    from ..ranking._engine import Matchmaker

__all__ = ["WeightsFit", "fit_weights"]


# -- weights from outcomes ---------------------------------------------------------------------------
@dataclass(frozen=True)
class WeightsFit:
    """Weights learned from logged outcomes, and how far to trust them.

    Attributes
    ----------
    weights : Weights
        Normalised non-negative coefficients as component weights; the
        thresholds are the engine's.
    coefficients : DataFrame
        One row per component: ``coefficient`` (on the raw 0-1 component
        score), ``weight`` (normalised), ``low`` and ``high`` (bootstrap
        percentile interval of the weight) and ``current`` (the engine's
        normalised weight).
    intercept : float
    n_pairs, n_positive, n_negative, n_ignored : int
        Labelled pairs, of which positive and negative; logged pairs whose
        latest status is neither (e.g. still only contacted).
    positive_share : float
        Class balance: share of labelled pairs that are positive.
    cv_auc, cv_auc_std : float
        Area under the ROC curve of the model on held-out pairs
        (stratified K-fold): 0.5 is chance, 1 perfect.
    baseline_auc : float
        AUC of the engine's current total score on the same pairs.
    n_bootstrap, interval : int, float
        Bootstrap resamples behind ``low`` and ``high``, and their coverage.
    """

    weights: Weights
    coefficients: pd.DataFrame
    intercept: float
    n_pairs: int
    n_positive: int
    n_negative: int
    n_ignored: int
    positive_share: float
    cv_auc: float
    cv_auc_std: float
    baseline_auc: float
    n_bootstrap: int
    interval: float

    def __repr__(self) -> str:
        table = self.coefficients.copy()
        for col in ("coefficient", "weight", "low", "high", "current"):
            table[col] = table[col].map(lambda v: f"{v:.3f}")
        return "\n".join(
            [
                f"WeightsFit from {self.n_pairs} labelled pairs ({self.n_positive} positive, "
                f"{self.n_negative} negative, {self.positive_share:.0%} positive; "
                f"{self.n_ignored} ignored)",
                f"  cross-validated AUC {self.cv_auc:.3f} +/- {self.cv_auc_std:.3f} "
                f"(current weights' total: {self.baseline_auc:.3f})",
                f"  weights with {self.interval:.0%} bootstrap intervals "
                f"({self.n_bootstrap} resamples):",
                "  " + table.to_string().replace("\n", "\n  "),
            ]
        )

    def _repr_html_(self) -> str:
        from .._display import html_block

        lines = repr(self).splitlines()
        table = self.coefficients.rename_axis("component").reset_index()
        return html_block(lines[0], lines[1:3], [table.round(3)])


def _check_float(value: object, name: str, what: str, ok: Callable[[float], bool]) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(float(value))
        or not ok(float(value))
    ):
        raise ValueError(
            f"The {name!r} parameter of fit_weights must be {what}. Got {value!r} instead."
        )
    return float(value)


def _fit_nonnegative_logistic(X: np.ndarray, y: np.ndarray, C: float) -> np.ndarray:
    """L2-penalised logistic regression with coefficients >= 0; intercept last.

    Minimises the objective of scikit-learn's ``LogisticRegression(C=C)``,
    ``C * sum(log(1 + exp(-s * (X @ w + b)))) + ||w||^2 / 2`` with ``s`` = +-1,
    under ``w >= 0`` (L-BFGS-B bounds). Constraining the fit, rather than
    clipping an unconstrained one, lets the other coefficients adjust.
    """
    n_features = X.shape[1]
    sign = 2.0 * y - 1.0

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:n_features], theta[n_features]
        margin = sign * (X @ w + b)
        grad_margin = -sign * expit(-margin)
        loss = C * float(np.logaddexp(0.0, -margin).sum()) + 0.5 * float(w @ w)
        grad = np.concatenate([C * (X.T @ grad_margin) + w, [C * grad_margin.sum()]])
        return loss, grad

    bounds = [(0.0, None)] * n_features + [(None, None)]
    result = minimize(
        objective, np.zeros(n_features + 1), jac=True, method="L-BFGS-B", bounds=bounds
    )
    if not result.success:  # pragma: no cover - a convex problem on a handful of features
        raise RuntimeError(f"The non-negative logistic fit did not converge: {result.message}")
    theta: np.ndarray = result.x
    return theta


def _fit_scaled(X: np.ndarray, y: np.ndarray, C: float) -> tuple[np.ndarray, float]:
    """Non-negative logistic fit on features divided by their spread; raw-scale coefficients."""
    spread = X.std(axis=0)
    varies = spread > 1e-12
    coef = np.zeros(X.shape[1])
    theta = _fit_nonnegative_logistic(X[:, varies] / spread[varies], y, C)
    coef[varies] = theta[:-1] / spread[varies]
    return coef, float(theta[-1])


def _outcome_frame(outcomes: OutcomeLog | pd.DataFrame) -> pd.DataFrame:
    if isinstance(outcomes, OutcomeLog):
        return outcomes.to_frame()
    if isinstance(outcomes, pd.DataFrame):
        missing = [c for c in ("need_id", "offer_id", "status") if c not in outcomes.columns]
        if missing:
            raise ValueError(
                f"The outcomes table lacks column(s) {missing}; it needs need_id, offer_id and "
                "status (as OutcomeLog.to_frame gives)."
            )
        frame = outcomes.reset_index(drop=True)
        problems = [
            f"row {i + 1}: status {value!r}"
            for i, value in enumerate(frame["status"])
            if value not in STATUSES
        ]
        if problems:
            raise ValueError(
                f"{len(problems)} outcome(s) have an unknown status (statuses: "
                f"{', '.join(STATUSES)}): " + "; ".join(problems[:20])
            )
        if "date" in frame.columns:
            try:
                dates = pd.to_datetime(frame["date"])
            except (ValueError, TypeError) as err:
                raise ValueError(
                    f"The outcomes table's 'date' column must hold dates: {err}"
                ) from err
            frame = frame.assign(date=dates)
        return frame
    raise TypeError(
        f"The 'outcomes' parameter of fit_weights must be an OutcomeLog or a DataFrame. "
        f"Got {type(outcomes).__name__} instead."
    )


def _check_statuses(positive: Sequence[str], negative: Sequence[str]) -> None:
    problems = []
    for name, chosen in (("positive", positive), ("negative", negative)):
        if isinstance(chosen, str) or not chosen:
            problems.append(f"{name!r} must be a non-empty list of statuses, got {chosen!r}.")
            continue
        unknown = [s for s in chosen if s not in STATUSES]
        if unknown:
            problems.append(
                f"{name!r} holds unknown status(es) {unknown} (statuses: {', '.join(STATUSES)})."
            )
    if not problems and set(positive) & set(negative):
        problems.append(
            f"status(es) {sorted(set(positive) & set(negative))} are both positive and negative."
        )
    if problems:
        raise ValueError("Invalid labels for fit_weights: " + " ".join(problems))


def fit_weights(
    engine: Matchmaker,
    outcomes: OutcomeLog | pd.DataFrame,
    *,
    positive: Sequence[str] = ("met", "agreement"),
    negative: Sequence[str] = ("declined",),
    C: float = 1.0,
    min_pairs: int = 20,
    cv: int = 5,
    n_bootstrap: int = 200,
    interval: float = 0.95,
    random_state: int | None = 0,
) -> WeightsFit:
    """Learn component weights from what happened to suggested matches.

    Each logged pair is labelled by its latest status (by date, then by
    order of recording): positive for ``positive`` statuses, negative for
    ``negative`` ones; pairs whose latest status is neither (shortlisted or
    contacted, by default) are left out. A logistic regression on the
    pairs' component scores, with coefficients constrained to be >= 0 (a
    component that helps can only add to the score), gives the weights:
    its coefficients, normalised to add up to 1.

    Parameters
    ----------
    engine : Matchmaker
        Scores the pairs; every id in the log must be in its catalogue.
    outcomes : OutcomeLog or DataFrame
        With ``need_id``, ``offer_id``, ``status`` and optionally ``date``
        (as :meth:`OutcomeLog.to_frame` gives).
    positive, negative : list of str
        Statuses that count as a good or a bad match.
    C : float, default 1.0
        Inverse strength of the L2 penalty, as in ``LogisticRegression``.
    min_pairs : int, default 20
        Fewest labelled pairs to fit on; each class needs at least ``cv``.
    cv : int, default 5
        Folds of the stratified cross-validated AUC.
    n_bootstrap : int, default 200
        Resamples of pairs for the coefficient intervals.
    interval : float, default 0.95
    random_state : int, optional
        Seeds the folds and the bootstrap.

    Returns
    -------
    WeightsFit

    Raises
    ------
    ValueError
        When there is not enough data (fewer than ``min_pairs`` labelled
        pairs or fewer than ``cv`` of a class), for ids the engine does not
        know or profiles without needs/offers (all listed), and when no
        component separates good from bad matches.

    Notes
    -----
    scikit-learn's ``LogisticRegression`` cannot constrain signs, and
    clipping its negative coefficients afterwards would leave the others
    fitted for a model that no longer exists. So the same penalised
    objective is minimised directly with ``scipy.optimize`` under
    non-negativity bounds. The component scores are divided by their
    standard deviation for the fit, so the penalty does not favour
    components with a wide range (concept) over narrow ones (text), and the
    coefficients are scaled back to the raw 0-1 scores, where they are
    directly comparable weights. A need that names no sector has a sector
    score of 0.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from matchmaker import Matchmaker
    >>> mm = Matchmaker().fit()
    >>> needs = ["cn-demand-energy-saving-motors", "cn-demand-remanufacturing-equipment"]
    >>> pairs = mm.match(needs, mm.catalogue_.filter(country="GB"), k=15)
    >>> good = pairs["rank"] <= 5  # synthetic: pretend the top five met
    >>> log = pd.DataFrame({"need_id": pairs.need_id, "offer_id": pairs.offer_id,
    ...                     "status": np.where(good, "met", "declined")})
    >>> fit = fit_weights(mm, log, n_bootstrap=20)
    >>> fit.n_pairs, fit.n_positive
    (30, 10)
    >>> bool(fit.cv_auc > 0.5), round(sum(fit.weights.normalised().values()), 6)
    (True, 1.0)
    """
    _check_statuses(positive, negative)
    min_pairs = _check_int(min_pairs, "min_pairs", "fit_weights", 2)
    cv = _check_int(cv, "cv", "fit_weights", 2)
    n_bootstrap = _check_int(n_bootstrap, "n_bootstrap", "fit_weights", 0)
    C = _check_float(C, "C", "a float > 0", lambda v: v > 0)
    interval = _check_float(interval, "interval", "a float in (0, 1)", lambda v: 0 < v < 1)
    frame = _outcome_frame(outcomes)
    engine._fitted()

    order = [c for c in ("date", "id") if c in frame.columns]
    latest = (
        frame.reset_index(drop=True)
        .rename_axis("_row")
        .reset_index()
        .sort_values([*order, "_row"], kind="stable", na_position="first")
        .groupby(["need_id", "offer_id"], sort=True)
        .tail(1)
        .sort_values(["need_id", "offer_id"])
    )
    labelled = latest[latest.status.isin([*positive, *negative])]
    n_ignored = len(latest) - len(labelled)
    y = labelled.status.isin(list(positive)).to_numpy(dtype=float)
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    if len(y) < min_pairs or min(n_pos, n_neg) < cv:
        raise ValueError(
            f"Not enough data to fit weights: {len(y)} labelled pair(s) ({n_pos} "
            f"{'/'.join(positive)}, {n_neg} {'/'.join(negative)}; {n_ignored} other pair(s) "
            f"ignored). fit_weights needs at least min_pairs={min_pairs} labelled pairs and "
            f"at least cv={cv} of each kind. Keep logging outcomes, or keep the current weights."
        )

    need_ids = labelled.need_id.astype(str).tolist()
    offer_ids = labelled.offer_id.astype(str).tolist()
    problems = []
    for a, b in zip(need_ids, offer_ids, strict=True):
        for pid, side in ((a, "needs"), (b, "offers")):
            if pid not in engine.position_:
                problems.append(f"({a!r}, {b!r}): {pid!r} is not in the engine's catalogue")
            elif (engine.needs_ if side == "needs" else engine.offers_).empty[
                engine.position_[pid]
            ]:
                problems.append(f"({a!r}, {b!r}): profile {pid!r} states no {side}")
        if a == b:
            problems.append(f"({a!r}, {b!r}): a profile paired with itself")
    if problems:
        raise ValueError(
            f"{len(problems)} logged pair(s) cannot be scored:\n  "
            + "\n  ".join(dict.fromkeys(problems[:50]))
            + "\nFit on an engine whose catalogue holds them, or drop those rows from the "
            "outcomes table."
        )
    unique_needs, unique_offers = sorted(set(need_ids)), sorted(set(offer_ids))
    pairs = engine.score_pairs(unique_needs, unique_offers)
    rows = [pairs.need_ids.index(a) for a in need_ids]
    cols = [pairs.offer_ids.index(b) for b in offer_ids]
    X = np.column_stack([pairs.scores.components[c][rows, cols] for c in COMPONENTS])
    baseline_total = pairs.total[rows, cols]

    coef, intercept = _fit_scaled(X, y, C)
    if coef.sum() <= 0:
        raise ValueError(
            f"No component separates good from bad matches in these {len(y)} pairs (every "
            "fitted coefficient is 0): the outcomes give no reason to change the weights."
        )
    weights = coef / coef.sum()

    splitter = StratifiedKFold(cv, shuffle=True, random_state=random_state)
    aucs = []
    for train, test in splitter.split(X, y):
        fold_coef, _ = _fit_scaled(X[train], y[train], C)
        aucs.append(roc_auc_score(y[test], X[test] @ fold_coef))

    rng = np.random.default_rng(random_state)
    boot = []
    for _ in range(n_bootstrap):
        idx = rng.integers(0, len(y), len(y))
        if y[idx].min() == y[idx].max():
            continue
        c, _ = _fit_scaled(X[idx], y[idx], C)
        boot.append(c / c.sum() if c.sum() > 0 else np.full(len(COMPONENTS), np.nan))
    tail = (1 - float(interval)) / 2 * 100
    if boot and not np.isnan(np.asarray(boot)).all():
        low, high = np.nanpercentile(np.asarray(boot), [tail, 100 - tail], axis=0)
    else:
        low = high = np.full(len(COMPONENTS), np.nan)
    current = engine.weights_.normalised()
    coefficients = pd.DataFrame(
        {
            "coefficient": coef,
            "weight": weights,
            "low": low,
            "high": high,
            "current": [current[c] for c in COMPONENTS],
        },
        index=pd.Index(COMPONENTS, name="component"),
    )
    new = Weights.model_validate(
        engine.weights_.model_dump() | dict(zip(COMPONENTS, map(float, weights), strict=True))
    )
    return WeightsFit(
        weights=new,
        coefficients=coefficients,
        intercept=intercept,
        n_pairs=len(y),
        n_positive=n_pos,
        n_negative=n_neg,
        n_ignored=int(n_ignored),
        positive_share=n_pos / len(y),
        cv_auc=float(np.mean(aucs)),
        cv_auc_std=float(np.std(aucs)),
        baseline_auc=float(roc_auc_score(y, baseline_total)),
        n_bootstrap=len(boot),
        interval=float(interval),
    )
