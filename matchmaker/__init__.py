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
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("sino-uk-matchmaker")
except PackageNotFoundError:  # pragma: no cover - running from a checkout without installing
    __version__ = "0+unknown"

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
    "write",
]

_LAZY = {
    "Catalogue": ".catalogue._catalogue",
    "load_catalogue": ".catalogue._catalogue",
    "CatalogueError": "._errors",
    "Profile": ".catalogue._schema",
    "Weights": ".ranking._weights",
    "ProfileVectorizer": ".vectors._vectorizer",
    "Matchmaker": ".ranking._engine",
    "Shortlist": ".ranking._shortlist",
    "Explanation": ".ranking._explain",
    "evaluate": ".evaluation._evaluate",
    "load_judgements": ".evaluation._evaluate",
    "read_profiles": ".catalogue._import",
    "ImportResult": ".catalogue._import",
    "InputFileError": ".catalogue._import",
    "plan_mission": ".planning._plan",
    "MissionPlan": ".planning._plan",
    "Limit": ".planning._plan",
    "PlanInfeasibleError": ".planning._plan",
    "schedule_meetings": ".planning._schedule",
    "build_consortia": ".planning._consortia",
    "tune": ".evaluation._tune",
    "ranking_scorer": ".evaluation._scorer",
    "fit_weights": ".evaluation._fit_weights",
    "OutcomeLog": ".evaluation._outcomes",
    "write": ".export._write",
}

if TYPE_CHECKING:
    from ._errors import CatalogueError
    from .catalogue._catalogue import Catalogue, load_catalogue
    from .catalogue._import import ImportResult, InputFileError, read_profiles
    from .catalogue._schema import Profile
    from .evaluation._evaluate import evaluate, load_judgements
    from .evaluation._fit_weights import fit_weights
    from .evaluation._outcomes import OutcomeLog
    from .evaluation._scorer import ranking_scorer
    from .evaluation._tune import tune
    from .export._write import write
    from .planning._consortia import build_consortia
    from .planning._plan import Limit, MissionPlan, PlanInfeasibleError, plan_mission
    from .planning._schedule import schedule_meetings
    from .ranking._engine import Matchmaker
    from .ranking._explain import Explanation
    from .ranking._shortlist import Shortlist
    from .ranking._weights import Weights
    from .vectors._vectorizer import ProfileVectorizer


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'matchmaker' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])
