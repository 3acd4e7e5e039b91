"""Synthetic catalogues of any size whose texts recombine the bundled statements.

Shared by the benchmarks (and usable from tests): every profile copies the
kind, country and summary of a bundled profile drawn at random, and fills
each of its lists (offers, needs, technologies, industries) with as many
statements as that profile has, drawn from the pool of that field over the
whole bundled catalogue. So the shape of the catalogue (share of profiles
with needs, statements per profile, languages) stays that of the bundled
one while the texts are new combinations. Seeded: the same ``n`` and
``seed`` give the same catalogue.
"""

from __future__ import annotations

import numpy as np

from matchmaker import Catalogue, Profile, load_catalogue

__all__ = ["synthetic_catalogue"]

_FIELDS = ("offers", "needs", "technologies", "industries")


def synthetic_catalogue(n: int, seed: int = 0, source: Catalogue | None = None) -> Catalogue:
    """``n`` profiles recombining the statements of ``source`` (the bundled catalogue).

    Examples
    --------
    >>> cat = synthetic_catalogue(50, seed=1)
    >>> len(cat), cat.ids[0]
    (50, 'syn-000000')
    >>> synthetic_catalogue(50, seed=1).ids == cat.ids
    True
    """
    bundled = list(source if source is not None else load_catalogue())
    pools = {f: sorted({s for p in bundled for s in getattr(p, f)}) for f in _FIELDS}
    rng = np.random.default_rng(seed)
    templates = rng.integers(len(bundled), size=n)
    document = [{"document": "Synthetic catalogue", "section": "generated"}]
    profiles = []
    for i, t in enumerate(templates):
        template = bundled[int(t)]
        fields = {}
        for f in _FIELDS:
            count = len(getattr(template, f))
            picks = rng.choice(len(pools[f]), size=count, replace=False) if count else []
            fields[f] = tuple(pools[f][int(j)] for j in picks)
        profiles.append(
            Profile(
                id=f"syn-{i:06d}",
                name=f"{template.name} {i}",
                country=template.country,
                kind=template.kind,
                summary=template.summary,
                sources=document,
                **fields,
            )
        )
    return Catalogue(profiles)
