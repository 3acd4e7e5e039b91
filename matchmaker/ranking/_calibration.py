"""Strength as a calibrated probability: how likely a candidate is a good partner.

Weighted total -> **probability** -> strength label. The probability that a
candidate is a good partner (judged grade 2 or 3) is a logistic function of
its total score, fitted on graded queries with cross-validation over queries
(``scripts/fit_calibration.py``) and shipped as data
(``matchmaker/data/calibration.yaml``), once for the engine with a meaning
encoder and once without. Because it rises with the total, a label never
rises as rank falls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

__all__ = ["Calibration", "load_calibration"]


@dataclass(frozen=True)
class Calibration:
    """A logistic map from total score to the probability of a good partner.

    Attributes
    ----------
    intercept, slope : float
        ``probability = 1 / (1 + exp(-(intercept + slope * total)))``.
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
    >>> c = Calibration(intercept=-4.0, slope=10.0)
    >>> c.probability(np.array([0.0, 0.4, 1.0])).round(3).tolist()
    [0.018, 0.5, 0.998]
    """

    intercept: float
    slope: float
    strong: float = 0.5
    moderate: float = 0.15
    setting: str = "meaning"
    fitted_on: str = ""
    weights: dict[str, float] = field(default_factory=dict)
    bands: dict[str, dict[str, float]] = field(default_factory=dict)
    reliability: tuple[dict[str, float], ...] = ()

    def probability(self, total: np.ndarray) -> np.ndarray:
        """Probability of a good partner for each total score, rounded to 1e-6."""
        z = self.intercept + self.slope * np.asarray(total, dtype=float)
        out: np.ndarray = np.round(1.0 / (1.0 + np.exp(-z)), 6)
        return out

    def total_for(self, probability: float) -> float:
        """The total score at which the probability reaches ``probability``."""
        if not 0.0 < probability < 1.0 or self.slope <= 0:
            return math.nan
        return (math.log(probability / (1 - probability)) - self.intercept) / self.slope

    def to_dict(self) -> dict[str, Any]:
        """Plain data, as stored in the calibration file."""
        return {
            "intercept": self.intercept,
            "slope": self.slope,
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
    return Calibration(
        intercept=float(entry["intercept"]),
        slope=float(entry["slope"]),
        strong=float(entry["strong"]),
        moderate=float(entry["moderate"]),
        setting=setting,
        fitted_on=str(entry.get("fitted_on", "")),
        weights={k: float(v) for k, v in entry.get("weights", {}).items()},
        bands={k: dict(v) for k, v in entry.get("bands", {}).items()},
        reliability=tuple(dict(r) for r in entry.get("reliability", [])),
    )
