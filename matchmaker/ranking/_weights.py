"""Weights and thresholds: the one settings object a person edits.

Loads from keyword arguments, a dict, or a YAML/JSON file, and validates
every value with a message in scikit-learn's form.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

__all__ = ["COMPONENTS", "Weights"]

#: Score components, in the order tables show them.
COMPONENTS: tuple[str, ...] = ("concept", "focus", "text", "sector", "readiness")


class Weights(BaseModel):
    """Component weights and strength thresholds.

    Weights are relative: the total score is the weighted mean of the
    components, so it stays between 0 and 1 whatever the weights add up to.

    Parameters
    ----------
    concept : float, default 0.5
        Weight of concept overlap (share of the need's concepts the
        candidate covers, with partial credit through the taxonomy).
    focus : float, default 0.1
        Weight of concept focus: how much of what the candidate does is
        about the need (cosine of the two capability concept vectors), so a
        specialist ranks above a generalist who mentions the need once.
    text : float, default 0.2
        Weight of TF-IDF text similarity (English word n-grams and Chinese
        character n-grams).
    sector : float, default 0.15
        Weight of industry/sector fit.
    readiness : float, default 0.05
        Weight of the small prior for evidence of readiness (awards, funded
        projects, presence in China); it counts only for a candidate that
        shares a capability concept with the need.
    strong, moderate : float
        Lowest total score for a ``strong`` / ``moderate`` label.
    strong_coverage, moderate_coverage : float
        Lowest share of the whole need (capabilities plus the products and
        sectors it names) the candidate must cover for a ``strong`` /
        ``moderate`` label. A candidate sharing no capability concept with
        the need is always ``weak``.

    Examples
    --------
    >>> w = Weights(text=0.3)
    >>> round(w.normalised()["concept"], 3)
    0.455
    >>> Weights.load({"concept": 1, "text": 0}).text
    0.0
    >>> Weights(concept=-1)
    Traceback (most recent call last):
    ...
    ValueError: The 'concept' weight must be a finite float >= 0. Got -1.0 instead.
    >>> Weights.load({"txt": 0.4})
    Traceback (most recent call last):
    ...
    ValueError: Unknown weight or threshold 'txt'. Valid names: concept, focus, text, sector, readiness, strong, moderate, strong_coverage, moderate_coverage.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    concept: float = 0.5
    focus: float = 0.1
    text: float = 0.2
    sector: float = 0.15
    readiness: float = 0.05
    strong: float = 0.45
    moderate: float = 0.25
    strong_coverage: float = 0.6
    moderate_coverage: float = 0.4

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise ValueError(_plain(exc)) from None

    @field_validator(*COMPONENTS)
    @classmethod
    def _check_weight(cls, value: float, info: Any) -> float:
        if not math.isfinite(value) or value < 0:
            raise ValueError(
                f"The {info.field_name!r} weight must be a finite float >= 0. Got {value!r} instead."
            )
        return value

    @field_validator("strong", "moderate", "strong_coverage", "moderate_coverage")
    @classmethod
    def _check_threshold(cls, value: float, info: Any) -> float:
        if not (0.0 <= value <= 1.0):
            raise ValueError(
                f"The {info.field_name!r} threshold must be a float in [0, 1]. "
                f"Got {value!r} instead."
            )
        return value

    @model_validator(mode="after")
    def _check_total(self) -> Weights:
        if sum(getattr(self, c) for c in COMPONENTS) <= 0:
            raise ValueError("At least one component weight must be > 0. Got all zero.")
        if self.moderate > self.strong:
            raise ValueError(
                f"The 'moderate' threshold ({self.moderate}) must not exceed 'strong' "
                f"({self.strong})."
            )
        if self.moderate_coverage > self.strong_coverage:
            raise ValueError(
                f"The 'moderate_coverage' threshold ({self.moderate_coverage}) must not exceed "
                f"'strong_coverage' ({self.strong_coverage})."
            )
        return self

    def normalised(self) -> dict[str, float]:
        """Component weights scaled to add up to 1."""
        total = sum(getattr(self, c) for c in COMPONENTS)
        return {c: getattr(self, c) / total for c in COMPONENTS}

    @classmethod
    def load(cls, source: Weights | dict[str, Any] | str | Path | None) -> Weights:
        """Build weights from a Weights, a dict, or a YAML/JSON file path.

        ``None`` gives the defaults.
        """
        if source is None:
            return cls()
        if isinstance(source, Weights):
            return source
        if isinstance(source, dict):
            return cls(**source)
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"No weights file at {path}: pass a YAML or JSON file.")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))  # JSON is YAML too
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping of weight names to numbers.")
        try:
            return cls(**data)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None

    def replace(self, **changes: Any) -> Weights:
        """A copy with some weights or thresholds changed, validated like the constructor.

        Examples
        --------
        >>> Weights().replace(text=0.4).text
        0.4
        """
        return type(self)(**{**self.model_dump(), **changes})


def _plain(error: ValidationError) -> str:
    """Pydantic's errors as scikit-learn-style sentences, without its URLs."""
    names = ", ".join(Weights.model_fields)
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        if item["type"] == "extra_forbidden":
            lines.append(f"Unknown weight or threshold {where!r}. Valid names: {names}.")
        elif item["type"] == "value_error":
            lines.append(str(item["msg"]).removeprefix("Value error, "))
        else:
            lines.append(
                f"The {where!r} setting must be a number. Got {item.get('input')!r} instead."
                if where
                else str(item["msg"])
            )
    return " ".join(dict.fromkeys(lines))
