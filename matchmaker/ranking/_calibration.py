"""Strength as a calibrated probability: how likely a candidate is a good partner.

Component scores -> **probability** -> strength label. The probability that
a candidate is a good partner (judged grade 2 or 3) is a logistic function of
its total score, the components that say most about a good partner (concept,
text, meaning, coverage) and how far the candidate stands above the rest of
its ranking (``lead``: above the mean of the candidates ranked 2 to 11;
``margin``: above the 11th). A total of 0.3 means little when every
candidate scores 0.3, and much when the next best scores 0.1. Fitted on
graded queries with cross-validation over queries
(``scripts/fit_calibration.py``) and shipped as data
(``matchmaker/data/calibration.yaml``), once for the engine with a meaning
encoder and once without.

Down one ranking the probability shown never rises (:func:`never_rising`),
so a label never rises as rank falls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

__all__ = ["FEATURES", "Calibration", "load_calibration", "never_rising", "ranking_reference"]

#: What the probability is a function of, in the order the calibration file stores them.
FEATURES = ("total", "concept", "text", "meaning", "coverage", "lead", "margin")

#: The candidates ranked 2 to ``1 + PACK`` form the pack a candidate's lead is measured on.
PACK = 10


def ranking_reference(ranked_totals: np.ndarray) -> tuple[float, float]:
    """The pack and the tail of one ranking, from its totals best first.

    ``pack`` is the mean total of the candidates ranked 2 to 11 and ``tail``
    the total of the 11th (0 where the ranking is shorter).

    Examples
    --------
    >>> ranking_reference(np.array([0.9, 0.5, 0.3]))
    (0.08, 0.0)
    """
    t = np.asarray(ranked_totals, dtype=float)
    pack = np.zeros(PACK)
    rest = t[1 : PACK + 1]
    pack[: len(rest)] = rest
    tail = float(t[PACK]) if len(t) > PACK else 0.0
    return round(float(pack.mean()), 12), tail


def never_rising(probability: np.ndarray) -> np.ndarray:
    """Probabilities in rank order, each capped by the ones above it.

    A candidate ranked below another is never shown as a likelier partner.

    Examples
    --------
    >>> never_rising(np.array([0.8, 0.3, 0.5, 0.1])).tolist()
    [0.8, 0.3, 0.3, 0.1]
    """
    out: np.ndarray = np.minimum.accumulate(np.asarray(probability, dtype=float))
    return out


@dataclass(frozen=True)
class Calibration:
    """A logistic map from component scores to the probability of a good partner.

    Attributes
    ----------
    intercept : float
    coefficients : dict of str to float
        One per name in :data:`FEATURES`; ``probability = 1 / (1 +
        exp(-(intercept + sum of coefficient * feature)))``. A feature not
        given counts 0.
    setting : str
        ``"meaning"`` or ``"no meaning"``: which engine it was fitted for.
    fitted_on : str
        The queries it was fitted on, in words.
    weights : dict
        The component weights it was fitted with; other weights give other
        totals, so the probability is then only approximate.
    strong, moderate : float
        Thresholds on the probability for the ``strong`` and ``moderate``
        labels, chosen out of fold (see ``scripts/fit_calibration.py``).
    reliability : tuple of dict
        Out-of-fold reliability: for bins of predicted probability, the mean
        prediction, the share observed good and the number of pairs
        (:func:`matchmaker.charts.plot_reliability` draws it).
    bands : dict
        For each label, the precision it had on held-out queries (share of
        the pairs so labelled that were judged grade 2 or 3) and how many
        pairs that is.

    Examples
    --------
    >>> c = Calibration(intercept=-4.0, coefficients={"total": 10.0})
    >>> c.probability(total=np.array([0.0, 0.4, 1.0])).round(3).tolist()
    [0.018, 0.5, 0.998]
    >>> c = Calibration(intercept=-4.0, coefficients={"total": 5.0, "lead": 5.0})
    >>> c.probability(total=np.array([0.4, 0.4]), pack=np.array([0.4, 0.0])).round(3).tolist()
    [0.119, 0.5]
    """

    intercept: float
    coefficients: dict[str, float] = field(default_factory=dict)
    strong: float = 0.5
    moderate: float = 0.15
    setting: str = "meaning"
    fitted_on: str = ""
    weights: dict[str, float] = field(default_factory=dict)
    bands: dict[str, dict[str, float]] = field(default_factory=dict)
    reliability: tuple[dict[str, float], ...] = ()

    def probability(
        self,
        *,
        total: np.ndarray,
        concept: np.ndarray | float = 0.0,
        text: np.ndarray | float = 0.0,
        meaning: np.ndarray | float = 0.0,
        coverage: np.ndarray | float = 0.0,
        pack: np.ndarray | float = 0.0,
        tail: np.ndarray | float = 0.0,
    ) -> np.ndarray:
        """Probability of a good partner for each pair, rounded to 1e-6.

        Element-wise over broadcastable arrays; ``pack`` and ``tail`` come
        from :func:`ranking_reference` of the ranking the pair belongs to.
        It is not capped down the ranking: :func:`never_rising` does that.
        """
        t = np.asarray(total, dtype=float)
        values = {
            "total": t,
            "concept": concept,
            "text": text,
            "meaning": meaning,
            "coverage": coverage,
            "lead": t - np.asarray(pack, dtype=float),
            "margin": t - np.asarray(tail, dtype=float),
        }
        z = np.full(t.shape, self.intercept, dtype=float)
        for name, coef in self.coefficients.items():
            z = z + coef * np.asarray(values[name], dtype=float)
        out: np.ndarray = np.round(1.0 / (1.0 + np.exp(-z)), 6)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain data, as stored in the calibration file."""
        return {
            "intercept": self.intercept,
            "coefficients": dict(self.coefficients),
            "strong": self.strong,
            "moderate": self.moderate,
            "fitted_on": self.fitted_on,
            "weights": dict(self.weights),
            "bands": {k: dict(v) for k, v in self.bands.items()},
            "reliability": [dict(r) for r in self.reliability],
        }


def calibration_path() -> Path:
    """The shipped calibration file."""
    return Path(str(resources.files("matchmaker"))) / "data" / "calibration.yaml"


@lru_cache(maxsize=2)
def load_calibration(meaning: bool) -> Calibration:
    """The shipped calibration for an engine with (or without) a meaning encoder.

    Examples
    --------
    >>> load_calibration(True).setting
    'meaning'
    """
    setting = "meaning" if meaning else "no meaning"
    path = calibration_path()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = data.get(setting) if isinstance(data, dict) else None
    if not isinstance(entry, dict):
        raise ValueError(f"{path}: no calibration for {setting!r}; reinstall the package.")
    unknown = sorted(set(entry.get("coefficients", {})) - set(FEATURES))
    if unknown:
        raise ValueError(
            f"{path}: unknown calibration features {unknown} for {setting!r}; "
            f"valid: {list(FEATURES)}. Refit with scripts/fit_calibration.py --write."
        )
    return Calibration(
        intercept=float(entry["intercept"]),
        coefficients={str(k): float(v) for k, v in entry["coefficients"].items()},
        strong=float(entry["strong"]),
        moderate=float(entry["moderate"]),
        setting=setting,
        fitted_on=str(entry.get("fitted_on", "")),
        weights={k: float(v) for k, v in entry.get("weights", {}).items()},
        bands={k: dict(v) for k, v in entry.get("bands", {}).items()},
        reliability=tuple(dict(r) for r in entry.get("reliability", [])),
    )
