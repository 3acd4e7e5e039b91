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
COMPONENTS: tuple[str, ...] = ("concept", "focus", "text", "meaning", "sector", "readiness")


class Weights(BaseModel):
    """Component weights and strength thresholds.

    Weights are relative: the total score is the weighted mean of the
    components, so it stays between 0 and 1 whatever the weights add up to.
    A component that cannot be measured for a pair (no sector named, or no
    meaning encoder installed) gives its weight to the others instead of
    counting as zero. Each attribute is also a keyword argument; the
    defaults were chosen by cross-validation over queries.

    Attributes
    ----------
    concept : float, default 0.5
        Weight of concept overlap (share of the need's concepts the
        candidate covers, with partial credit through the taxonomy).
    focus : float, default 0.1
        Weight of concept focus: how much of what the candidate does is
        about the need (cosine of the two capability concept vectors), so a
        specialist ranks above a generalist who mentions the need once.
    text : float, default 0.3
        Weight of shared wording: TF-IDF similarity of English word n-grams
        and Chinese character n-grams.
    meaning : float, default 0.8
        Weight of closeness in meaning: how unusually close the need is to
        the candidate's closest statement, read by a multilingual sentence
        model (see :class:`~matchmaker.Matchmaker`'s ``encoder``).
    sector : float, default 0.15
        Weight of industry/sector fit.
    readiness : float, default 0.05
        Weight of the small prior for evidence of readiness (awards, funded
        projects, presence in China); it counts only for a candidate that
        shares a capability concept with the need.
    strong, moderate : float, optional
        Lowest calibrated probability that the candidate is a good partner
        for a ``strong`` / ``moderate`` label; below ``moderate`` it is
        ``weak``. None (default): the thresholds fitted with the calibration
        (see :attr:`Matchmaker.calibration_` and docs/matching.md).

    Examples
    --------
    >>> w = Weights(concept=1, focus=0, text=1, meaning=2, sector=0, readiness=0)
    >>> w.normalised()["meaning"]
    0.5
    >>> Weights.load({"concept": 1, "text": 0}).text
    0.0
    >>> Weights(concept=-1)
    Traceback (most recent call last):
    ...
    ValueError: The 'concept' weight must be a finite float >= 0. Got -1.0 instead.
    >>> Weights.load({"txt": 0.4})
    Traceback (most recent call last):
    ...
    ValueError: Unknown weight or threshold 'txt'. Valid names: concept, focus, text, meaning, sector, readiness, strong, moderate.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    # Chosen by cross-validation over queries (scripts/fit_calibration.py).
    concept: float = 0.5
    focus: float = 0.1
    text: float = 0.3
    meaning: float = 0.8
    sector: float = 0.15
    readiness: float = 0.05
    strong: float | None = None
    moderate: float | None = None

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

    @field_validator("strong", "moderate")
    @classmethod
    def _check_threshold(cls, value: float | None, info: Any) -> float | None:
        if value is not None and not (0.0 <= value <= 1.0):
            raise ValueError(
                f"The {info.field_name!r} threshold must be a float in [0, 1]. "
                f"Got {value!r} instead."
            )
        return value

    @model_validator(mode="after")
    def _check_total(self) -> Weights:
        if sum(getattr(self, c) for c in COMPONENTS) <= 0:
            raise ValueError("At least one component weight must be > 0. Got all zero.")
        if self.moderate is not None and self.strong is not None and self.moderate > self.strong:
            raise ValueError(
                f"The 'moderate' threshold ({self.moderate}) must not exceed 'strong' "
                f"({self.strong})."
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
