"""The catalogue: a validated, immutable collection of profiles.

Loads profile YAML files (safe loader only), validates every record, and
reports all problems at once. Also holds the documented partnerships that
ship with the bundled catalogue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .._errors import CatalogueError, Problem, problems_from_validation
from .._normalise import normalise_name
from ._schema import COUNTRIES, KINDS, Profile
from ._yaml import YamlProblem, load_yaml

if TYPE_CHECKING:
    import pandas as pd

    from ._merge import ImportChanges

__all__ = ["Catalogue", "bundled_dir", "load_catalogue"]

#: Deepest nesting of lists and mappings read in a catalogue file.
_MAX_DEPTH = 20

#: Columns of :meth:`Catalogue.to_frame`: the profile fields, in schema order.
FRAME_COLUMNS = list(Profile.model_fields)
_LINK_COLUMNS = ["source_id", "target_id", "relation", "description", "document", "section"]


def bundled_dir() -> Path:
    """Return the folder of the bundled catalogue.

    In an installed wheel the catalogue lives in ``matchmaker/profiles``; in a
    source checkout it is the repository's top-level ``profiles/``.
    """
    packaged = Path(str(resources.files("matchmaker"))) / "profiles"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "profiles"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"The bundled catalogue is missing: looked in {packaged} and {checkout}. "
        "Reinstall the package with `pip install sino-uk-matchmaker`."
    )


class Catalogue:
    """An immutable, validated collection of :class:`Profile` objects.

    Build one with :func:`load_catalogue` or from profiles directly.

    Parameters
    ----------
    profiles : iterable of Profile
        Profiles with unique ids. Order is kept; ties elsewhere break by id.
    partnerships : DataFrame or iterable of dict, optional
        Documented links between profiles (``source_id``, ``target_id``,
        ``relation``, ``description``, ``document``, ``section``).

    Examples
    --------
    >>> from matchmaker import Profile
    >>> src = [{"document": "Example", "section": "Table 1"}]
    >>> cat = Catalogue([
    ...     Profile(id="a", name="Acme Ltd", country="GB", kind="company",
    ...             offers=["laser cladding"], sources=src),
    ...     Profile(id="b", name="Beta", country="CN", kind="sector_demand",
    ...             needs=["engine repair"], sources=src),
    ... ])
    >>> len(cat), cat["a"].name, [p.id for p in cat.filter(country="CN")]
    (2, 'Acme Ltd', ['b'])
    """

    def __init__(
        self,
        profiles: Iterable[Profile],
        partnerships: pd.DataFrame | Iterable[Mapping[str, Any]] | None = None,
    ) -> None:
        self._profiles: tuple[Profile, ...] = tuple(profiles)
        self._index: dict[str, Profile] = {}
        duplicates = []
        for p in self._profiles:
            if p.id in self._index:
                duplicates.append(p.id)
            self._index[p.id] = p
        if duplicates:
            raise ValueError(
                f"Profile ids must be unique; these appear more than once: "
                f"{', '.join(sorted(set(duplicates)))}. Rename or merge them."
            )
        # Kept as plain records so that loading a catalogue does not import
        # pandas; the DataFrame is built on first use.
        if partnerships is None:
            records: list[dict[str, Any]] = []
        elif hasattr(partnerships, "to_dict"):
            records = [{str(k): v for k, v in r.items()} for r in partnerships.to_dict("records")]
        else:
            records = [dict(link) for link in partnerships]
        self._links = records
        self._links_frame: pd.DataFrame | None = None

    @property
    def partnerships(self) -> pd.DataFrame:
        """Documented links between profiles of this catalogue, each with its source.

        Columns ``source_id``, ``target_id``, ``relation``, ``description``,
        ``document`` and ``section``.
        """
        if self._links_frame is None:
            import pandas as pd

            self._links_frame = pd.DataFrame(self._links, columns=_LINK_COLUMNS)
        return self._links_frame

    # -- container protocol -------------------------------------------------
    def __len__(self) -> int:
        return len(self._profiles)

    def __iter__(self) -> Iterator[Profile]:
        return iter(self._profiles)

    def __contains__(self, profile_id: object) -> bool:
        return profile_id in self._index

    def __getitem__(self, profile_id: str) -> Profile:
        try:
            return self._index[profile_id]
        except KeyError:
            hints = self.find(str(profile_id), k=3)
            close = ", ".join(f"{r.id!r} ({r.name})" for r in hints.itertuples())
            msg = f"No profile has id {profile_id!r}."
            if close:
                msg += f" Closest names: {close}."
            raise KeyError(msg) from None

    def __repr__(self) -> str:
        counts = Counter(p.country for p in self._profiles)
        detail = ", ".join(f"{c}: {n}" for c, n in sorted(counts.items()))
        return f"<Catalogue of {len(self)} profiles ({detail})>"

    def _repr_html_(self) -> str:
        import pandas as pd

        from .._display import html_block

        counts = Counter((p.country, p.kind) for p in self._profiles)
        table = pd.DataFrame(
            [{"country": c, "kind": k, "profiles": n} for (c, k), n in sorted(counts.items())],
            columns=["country", "kind", "profiles"],
        )
        links = len(self._links)
        lines = [f"{links} documented partnerships"] if links else []
        return html_block(f"Catalogue of {len(self)} profiles", lines, [table])

    @property
    def ids(self) -> list[str]:
        """Profile ids in catalogue order."""
        return [p.id for p in self._profiles]

    # -- queries ------------------------------------------------------------
    def filter(
        self,
        country: str | Sequence[str] | None = None,
        kind: str | Sequence[str] | None = None,
    ) -> Catalogue:
        """Return the profiles of the given countries and kinds.

        Parameters
        ----------
        country : str or list of str, optional
            ISO codes, e.g. ``"GB"`` or ``["GB", "CN"]``; ``"UK"`` means GB.
        kind : str or list of str, optional
            Profile kinds, e.g. ``"company"``.

        Raises
        ------
        ValueError
            For a country or kind that no profile can have.

        Examples
        --------
        >>> cat = load_catalogue()
        >>> all(p.kind == "company" for p in cat.filter(country="UK", kind="company"))
        True
        """
        countries = check_countries(country)
        kinds = check_kinds(kind)
        keep = [
            p
            for p in self._profiles
            if (countries is None or p.country in countries) and (kinds is None or p.kind in kinds)
        ]
        ids = {p.id for p in keep}
        links = [r for r in self._links if r["source_id"] in ids and r["target_id"] in ids]
        return Catalogue(keep, links)

    def find(self, name: str, *, k: int = 5, min_score: float = 60.0) -> pd.DataFrame:
        """Fuzzy look-up by name, alias or Chinese name.

        Parameters
        ----------
        name : str
            Any spelling: "TWI Ltd", "Oakdene Hollins Limited", "中国汽车再制造".
        k : int, default 5
            Most matches to return.
        min_score : float, default 60
            Lowest similarity (0-100) to keep.

        Returns
        -------
        DataFrame
            Columns ``id``, ``name``, ``matched`` (the name or alias that
            matched) and ``score`` (0-100), best first, ties broken by id.

        Examples
        --------
        >>> load_catalogue().find("Autocraft Solutions Group Ltd", k=1).id.tolist()
        ['autocraft-solutions']
        """
        import pandas as pd
        from rapidfuzz import fuzz, process

        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"The 'k' parameter of find must be an int >= 1. Got {k!r} instead.")
        query = normalise_name(name)
        if not query:
            return pd.DataFrame(columns=["id", "name", "matched", "score"])
        keys, owners = self._name_keys()
        hits = process.extract(query, keys, scorer=fuzz.WRatio, limit=None, score_cutoff=min_score)
        best: dict[str, tuple[float, str]] = {}
        for _key, score, idx in hits:
            pid, shown = owners[idx]
            # Exact acronym hits ("TWI", "BSI") beat partial-ratio noise.
            if keys[idx] == query:
                score = 100.0
            if pid not in best or score > best[pid][0]:
                best[pid] = (float(score), shown)
        rows = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:k]
        return pd.DataFrame(
            [
                {"id": pid, "name": self._index[pid].name, "matched": shown, "score": round(s, 1)}
                for pid, (s, shown) in rows
            ],
            columns=["id", "name", "matched", "score"],
        )

    def _name_keys(self) -> tuple[list[str], list[tuple[str, str]]]:
        cached: tuple[list[str], list[tuple[str, str]]] | None = getattr(self, "_keys", None)
        if cached is None:
            keys, owners = [], []
            for p in self._profiles:
                for shown in (*p.names, p.id.replace("-", " ")):
                    key = normalise_name(shown)
                    if key:
                        keys.append(key)
                        owners.append((p.id, shown))
            cached = (keys, owners)
            self._keys = cached
        return cached

    def merge(self, result: ImportChanges) -> Catalogue:
        """A new catalogue with an import's profiles added and its merges applied.

        Parameters
        ----------
        result : ImportResult
            From :func:`matchmaker.read_profiles`, read against this catalogue.

        Returns
        -------
        Catalogue
            Merged profiles replaced in place, new profiles appended,
            partnerships kept; this catalogue is unchanged. Merged rows keep
            the provenance of both records (the catalogue profile gains the
            row as a source).

        Raises
        ------
        ValueError
            If the result was imported against a different catalogue (a
            merged profile is missing or has changed, or a new id is taken).
        """
        from ._merge import apply_import

        return Catalogue(apply_import(self._index, result), self._links)

    def to_yaml(self, folder: str | Path) -> Path:
        """Save as a folder that :func:`load_catalogue` reloads unchanged.

        Writes ``folder/catalogue/profiles.yaml`` and
        ``folder/partnerships.yaml``; returns the folder.

        Raises
        ------
        FileExistsError
            If either file (or another YAML file in ``folder/catalogue``)
            exists: nothing is overwritten.
        """
        from ._save import write_yaml

        return write_yaml(self._profiles, self._links, folder)

    def to_frame(self) -> pd.DataFrame:
        """One row per profile; list fields are joined with ``"; "``.

        Examples
        --------
        >>> frame = load_catalogue().to_frame()
        >>> {"id", "name", "name_zh", "country", "kind", "city", "summary"} <= set(frame.columns)
        True
        """
        import pandas as pd

        rows = []
        for p in self._profiles:
            row: dict[str, Any] = p.model_dump()
            for key in ("aliases", "offers", "needs", "industries", "technologies", "evidence"):
                row[key] = "; ".join(row[key])
            row["sources"] = "; ".join(f"{s.document}, {s.section}" for s in p.sources)
            rows.append(row)
        return pd.DataFrame(rows, columns=FRAME_COLUMNS)


def check_countries(country: str | Sequence[str] | None) -> set[str] | None:
    """Validate a country filter, returning ISO codes (or None for no filter)."""
    if country is None:
        return None
    values = [country] if isinstance(country, str) else list(country)
    aliases = {"UK": "GB"}
    out = set()
    for value in values:
        code = aliases.get(str(value).upper(), str(value).upper())
        if code not in COUNTRIES:
            raise ValueError(
                f"The 'country' parameter must be one of {', '.join(COUNTRIES)} (or UK). "
                f"Got {value!r} instead."
            )
        out.add(code)
    return out


def check_kinds(kind: str | Sequence[str] | None) -> set[str] | None:
    """Validate a kind filter (or None for no filter)."""
    if kind is None:
        return None
    values = [kind] if isinstance(kind, str) else list(kind)
    for value in values:
        if value not in KINDS:
            raise ValueError(
                f"The 'kind' parameter must be one of {', '.join(KINDS)}. Got {value!r} instead."
            )
    return set(values)


# -- loading ------------------------------------------------------------------


def _problem(path: Path, message: str, row: int | None = None, value: Any = None) -> Problem:
    return Problem(str(path), row, None, None, value, message)


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(
            _problem(path, f"not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8")
        )
        return None
    except IsADirectoryError:
        problems.append(_problem(path, "a folder, not a YAML file; rename or move it"))
        return None
    except PermissionError:
        problems.append(_problem(path, "permission denied; check that you may read it"))
        return None
    except OSError as exc:
        problems.append(_problem(path, f"cannot be read ({exc.strerror or exc}); check the file"))
        return None
    try:
        return load_yaml(text, max_depth=_MAX_DEPTH, aliases=True)
    except YamlProblem as exc:
        problems.append(_problem(path, str(exc)))
        return None


def _read_profiles(files: Sequence[Path], problems: list[Problem]) -> list[Profile]:
    profiles: list[Profile] = []
    seen: dict[str, str] = {}
    for path in files:
        data = _read_yaml(path, problems)
        if data is None:
            continue
        if isinstance(data, dict) and "profiles" in data:
            data = data["profiles"]
        if not isinstance(data, list):
            problems.append(
                _problem(path, f"expected a YAML list of profiles; got {type(data).__name__}")
            )
            continue
        for row, record in enumerate(data, start=1):
            if not isinstance(record, dict):
                problems.append(
                    Problem(
                        str(path),
                        row,
                        None,
                        None,
                        repr(record)[:80],
                        "expected a mapping of fields",
                    )
                )
                continue
            pid = record.get("id") if isinstance(record.get("id"), str) else None
            try:
                profile = Profile.model_validate(record)
            except ValidationError as exc:
                problems += problems_from_validation(
                    exc.errors(), file=str(path), row=row, profile=pid
                )
                continue
            where = f"{path} profile {row}"
            if profile.id in seen:
                problems.append(
                    Problem(
                        str(path),
                        row,
                        profile.id,
                        "id",
                        profile.id,
                        f"duplicate id, first used at {seen[profile.id]}; give each profile "
                        "its own id or merge the two",
                    )
                )
                continue
            seen[profile.id] = where
            profiles.append(profile)
    return profiles


def _read_links(path: Path, ids: set[str], problems: list[Problem]) -> list[dict[str, Any]]:
    data = _read_yaml(path, problems)
    if data is None:
        return []
    if isinstance(data, dict) and "partnerships" in data:
        data = data["partnerships"]
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(
            _problem(
                path,
                f"expected a list of partnerships (source_id, target_id, relation, source); "
                f"got {type(data).__name__} {str(data)[:60]!r}",
            )
        )
        return []
    rows = []
    for row, link in enumerate(data, start=1):
        if not isinstance(link, dict):
            problems.append(
                Problem(str(path), row, None, None, repr(link)[:80], "expected a mapping")
            )
            continue
        bad = False
        for key in ("source_id", "target_id"):
            if link.get(key) not in ids:
                problems.append(
                    Problem(
                        str(path),
                        row,
                        None,
                        key,
                        link.get(key),
                        "not a catalogue id; fix the id or add the profile",
                    )
                )
                bad = True
        source = link.get("source") or {}
        if not (isinstance(source, dict) and source.get("document") and source.get("section")):
            problems.append(
                Problem(str(path), row, None, "source", source, "cite a document and section")
            )
            bad = True
        if not bad:
            rows.append(
                {
                    "source_id": link["source_id"],
                    "target_id": link["target_id"],
                    "relation": link.get("relation", "partners"),
                    "description": link.get("description", ""),
                    "document": source["document"],
                    "section": source["section"],
                }
            )
    return rows


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load and validate a catalogue of profiles.

    Parameters
    ----------
    path : str or Path, optional
        A YAML file holding a list of profiles, or a folder of such files
        (``*.yaml``, ``*.yml``). A folder laid out like the bundled one
        (``catalogue/`` plus ``partnerships.yaml``) loads its partnerships
        too. Defaults to the bundled catalogue.

    Returns
    -------
    Catalogue

    Raises
    ------
    CatalogueError
        Listing every problem in every file (missing or unknown fields,
        unknown country or kind, duplicate ids, broken YAML). Nothing is
        loaded when any problem is found.

    Examples
    --------
    >>> cat = load_catalogue()
    >>> cat["autocraft-solutions"].country
    'GB'
    """
    root = bundled_dir() if path is None else Path(path)
    if not root.exists():
        raise FileNotFoundError(f"No catalogue at {root}: pass a YAML file or a folder of them.")
    links_file = None
    if root.is_dir() and (root / "catalogue").is_dir():
        links_file = root / "partnerships.yaml"
        root = root / "catalogue"
    problems: list[Problem] = []
    if root.is_dir():
        try:
            entries = sorted(root.iterdir())
        except OSError as exc:
            raise CatalogueError(
                [_problem(root, f"cannot list this folder ({exc.strerror or exc}); check it")]
            ) from None
        files = [e for e in entries if e.suffix.lower() in (".yaml", ".yml")]
    else:
        files = [root]
    if not files:
        raise CatalogueError(
            [_problem(root, "no .yaml or .yml files in this folder: the catalogue is empty")],
            hint="Point to a folder of profile YAML files (see docs/catalogue.md).",
        )
    profiles = _read_profiles(files, problems)
    links = None
    if links_file is not None and (links_file.exists() or links_file.is_symlink()):
        links = _read_links(links_file, {p.id for p in profiles}, problems)
    if not profiles and not problems:
        problems.append(_problem(root, "the files hold no profiles: the catalogue is empty"))
    if problems:
        raise CatalogueError(problems, hint="Fix these and load again.")
    return Catalogue(profiles, links)
