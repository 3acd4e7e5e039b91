"""The profile schema: one validated record per organisation or demand.

Profiles are the first step of the one-way flow
``profiles -> vectors -> component scores -> ranking -> plans -> exports``.
Nothing here knows about matching.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

__all__ = ["COUNTRIES", "KINDS", "Profile", "Source"]

#: Organisation kinds a profile may have. ``sector_demand`` is a market need
#: (no organisation behind it); ``policy_priority`` is a government priority.
KINDS: tuple[str, ...] = (
    "company",
    "research_group",
    "university",
    "research_centre",
    "rto",
    "government",
    "association",
    "industrial_zone",
    "sector_demand",
    "policy_priority",
)

#: ISO 3166-1 alpha-2 codes accepted for ``country``.
COUNTRIES: tuple[str, ...] = ("GB", "CN")

_COUNTRY_ALIASES = {
    "GB": "GB",
    "UK": "GB",
    "UNITED KINGDOM": "GB",
    "GREAT BRITAIN": "GB",
    "BRITAIN": "GB",
    "ENGLAND": "GB",
    "SCOTLAND": "GB",
    "WALES": "GB",
    "NORTHERN IRELAND": "GB",
    "英国": "GB",
    "CN": "CN",
    "CHN": "CN",
    "CHINA": "CN",
    "PRC": "CN",
    "中国": "CN",
}

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _text_list(value: object) -> object:
    """Accept a single string where a list of strings is expected."""
    if isinstance(value, str):
        return [value]
    return value


class Source(BaseModel):
    """Where a profile's facts come from: a document title and a place in it.

    Examples
    --------
    >>> Source(document="China-UK Green Manufacturing Report", section="Table 8")
    Source(document='China-UK Green Manufacturing Report', section='Table 8')
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    document: Text
    section: Text


class Profile(BaseModel):
    """One organisation, research line or market demand.

    A profile says what it **offers** (capability statements) and what it
    **needs** (need statements), in English or Chinese. Every profile cites at
    least one :class:`Source`.

    Examples
    --------
    >>> p = Profile(
    ...     id="acme-reman",
    ...     name="Acme Reman Ltd",
    ...     country="UK",
    ...     kind="company",
    ...     offers=["Remanufactures diesel engines"],
    ...     sources=[{"document": "Example", "section": "Table 1"}],
    ... )
    >>> p.country
    'GB'
    >>> p.offers
    ('Remanufactures diesel engines',)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(description="Stable slug: lower-case letters, digits and hyphens.")
    name: Text
    name_zh: str | None = None
    aliases: tuple[Text, ...] = ()
    country: str = Field(description="ISO code GB or CN; 'UK' is accepted and stored as GB.")
    kind: str
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    website: str | None = None
    summary: str = ""
    offers: tuple[Text, ...] = ()
    needs: tuple[Text, ...] = ()
    industries: tuple[Text, ...] = ()
    technologies: tuple[Text, ...] = ()
    evidence: tuple[Text, ...] = ()
    size: Literal["micro", "sme", "large"] | None = None
    china_presence: bool | None = None
    intermediary: bool = Field(
        default=False,
        description="True for bodies that broker partnerships (standards bodies, networks).",
    )
    sources: tuple[Source, ...] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(
                f"id must be a slug of lower-case letters, digits and single hyphens "
                f"(e.g. 'oakdene-hollins'). Got {value!r} instead."
            )
        return value

    @field_validator("country", mode="before")
    @classmethod
    def _check_country(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        code = _COUNTRY_ALIASES.get(value.strip().upper())
        if code is None:
            raise ValueError(
                f"country must be one of {', '.join(COUNTRIES)} (UK is accepted as GB). "
                f"Got {value!r} instead."
            )
        return code

    @field_validator("kind", mode="before")
    @classmethod
    def _check_kind(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower().replace(" ", "_").replace("-", "_")
            if value not in KINDS:
                raise ValueError(f"kind must be one of {', '.join(KINDS)}. Got {value!r} instead.")
        return value

    @field_validator(
        "aliases", "offers", "needs", "industries", "technologies", "evidence", mode="before"
    )
    @classmethod
    def _listify(cls, value: object) -> object:
        return _text_list(value)

    @field_validator("name_zh", "city", "region", "postcode", "website", mode="after")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _has_content(self) -> Profile:
        if not (self.offers or self.needs or self.summary):
            raise ValueError("a profile needs at least one of offers, needs or summary")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        """All names the profile is known by: name, Chinese name and aliases."""
        extra = (self.name_zh,) if self.name_zh else ()
        return (self.name, *extra, *self.aliases)
