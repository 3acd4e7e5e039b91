"""Saving a catalogue's profiles and partnerships as YAML that loads back unchanged.

Takes profiles and links as arguments; imports neither the catalogue nor
the importer. Nothing is overwritten: every file that would be written is
checked first, and the save is refused if any exists.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ._schema import Profile

__all__ = ["write_yaml"]

_SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def write_yaml(
    profiles: Sequence[Profile], links: Iterable[Mapping[str, Any]], folder: str | Path
) -> Path:
    """Write ``folder/catalogue/profiles.yaml`` and ``folder/partnerships.yaml``; return the folder.

    Raises
    ------
    FileExistsError
        If either file, or any other YAML file in ``folder/catalogue`` (which
        loading would read together with the saved profiles), exists.
    NotADirectoryError
        If ``folder`` or ``folder/catalogue`` is a file.
    """
    root = Path(folder)
    profiles_dir = root / "catalogue"
    targets = [profiles_dir / "profiles.yaml", root / "partnerships.yaml"]
    for where in (root, profiles_dir):
        if where.exists() and not where.is_dir():
            raise NotADirectoryError(
                f"Cannot save the catalogue: {where} is a file, not a folder. Choose a new folder."
            )
    existing = [str(p) for p in targets if p.exists()]
    if profiles_dir.is_dir():
        existing += sorted(
            str(p)
            for p in [*profiles_dir.glob("*.yaml"), *profiles_dir.glob("*.yml")]
            if p not in targets
        )
    if existing:
        raise FileExistsError(
            f"Cannot save the catalogue into {root}: {', '.join(existing)} already "
            "exist(s), and nothing is overwritten. Choose a new folder."
        )
    records = [p.model_dump(mode="json") for p in profiles]
    out = []
    for link in links:
        out.append(
            {
                "source_id": link["source_id"],
                "target_id": link["target_id"],
                "relation": _text_or(link.get("relation"), "partners"),
                "description": _text_or(link.get("description"), ""),
                "source": {"document": link["document"], "section": link["section"]},
            }
        )
    profiles_dir.mkdir(parents=True, exist_ok=True)
    _dump(records, targets[0])
    _dump(out, targets[1])
    return root


def _text_or(value: Any, default: str) -> str:
    blank = value is None or (isinstance(value, float) and math.isnan(value)) or value == ""
    return default if blank else str(value)


def _dump(data: Any, path: Path) -> None:
    text = yaml.dump(data, Dumper=_SafeDumper, allow_unicode=True, sort_keys=False, width=100)
    with path.open("x", encoding="utf-8") as fh:
        fh.write(text)
