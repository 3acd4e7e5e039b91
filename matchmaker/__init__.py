"""matchmaker: explained Sino-UK partnership matchmaking.

Load the bundled catalogue of UK and Chinese profiles, rank candidate
partners for a need in English or Chinese, and explain every score.

>>> import matchmaker
>>> cat = matchmaker.load_catalogue()
>>> top = matchmaker.Matchmaker(cat).shortlist("laser cladding repair", k=3, country="GB")
>>> len(top)
3

The heavy modules (scikit-learn, the engine) load on first use, so a bare
``import matchmaker`` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Catalogue",
    "CatalogueError",
    "Explanation",
    "ImportResult",
    "InputFileError",
    "Limit",
    "Matchmaker",
    "MissionPlan",
    "OutcomeLog",
    "PlanInfeasibleError",
    "Profile",
    "ProfileVectorizer",
    "Shortlist",
    "Weights",
    "build_consortia",
    "evaluate",
    "fit_weights",
    "load_catalogue",
    "load_judgements",
    "plan_mission",
    "ranking_scorer",
    "read_profiles",
    "schedule_meetings",
    "tune",
]

_LAZY = {
    "Catalogue": "._catalogue",
    "load_catalogue": "._catalogue",
    "CatalogueError": "._errors",
    "Profile": "._schema",
    "Weights": "._weights",
    "ProfileVectorizer": "._vectorize",
    "Matchmaker": "._engine",
    "Shortlist": "._shortlist",
    "Explanation": "._explain",
    "evaluate": "._evaluate",
    "load_judgements": "._evaluate",
    "read_profiles": "._import",
    "ImportResult": "._import",
    "InputFileError": "._import",
    "plan_mission": "._plan",
    "MissionPlan": "._plan",
    "Limit": "._plan",
    "PlanInfeasibleError": "._plan",
    "schedule_meetings": "._schedule",
    "build_consortia": "._consortia",
    "tune": "._tune",
    "ranking_scorer": "._tune",
    "fit_weights": "._tune",
    "OutcomeLog": "._outcomes",
}

if TYPE_CHECKING:
    from ._catalogue import Catalogue, load_catalogue
    from ._consortia import build_consortia
    from ._engine import Matchmaker
    from ._errors import CatalogueError
    from ._evaluate import evaluate, load_judgements
    from ._explain import Explanation
    from ._import import ImportResult, InputFileError, read_profiles
    from ._outcomes import OutcomeLog
    from ._plan import Limit, MissionPlan, PlanInfeasibleError, plan_mission
    from ._schedule import schedule_meetings
    from ._schema import Profile
    from ._shortlist import Shortlist
    from ._tune import fit_weights, ranking_scorer, tune
    from ._vectorize import ProfileVectorizer
    from ._weights import Weights


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'matchmaker' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])
