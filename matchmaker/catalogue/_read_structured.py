"""Reading JSON and YAML lists of records into a :class:`Table`, within :class:`Limits`.

JSON nesting is measured before parsing (a file nested 100,000 deep would
otherwise end in ``RecursionError``); YAML is read by :func:`._yaml.load_yaml`
(no aliases, bounded nesting).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ._read_csv import read_text
from ._table import Deadline, InputFileError, Limits, Table
from ._yaml import YamlProblem, load_yaml

__all__ = ["json_depth", "read_structured", "records_table"]

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_LIST_KEYS = ("profiles", "organisations", "organizations", "records", "rows", "data")


def json_depth(text: str) -> int:
    """How deeply lists and objects nest in a JSON text (strings ignored).

    Examples
    --------
    >>> json_depth('[{"a": "[[[["}, [1]]'), json_depth("1")
    (2, 0)
    """
    import numpy as np

    brackets = _JSON_STRING.sub("", text).encode("utf-8", "replace")
    codes = np.frombuffer(brackets, dtype=np.uint8)
    step = np.isin(codes, (91, 123)).astype(np.int64) - np.isin(codes, (93, 125))
    return int(np.cumsum(step).max(initial=0))


def _integer(digits: str) -> int | str:
    """A JSON integer; one too long for Python's int (4,300 digits) stays text.

    The cell is then refused in its row (a name cannot be a number, and no
    cell holds 4,300 characters), not the whole file.
    """
    try:
        return int(digits)
    except ValueError:
        return digits


def read_structured(
    path: Path,
    document: str,
    fmt: str,
    *,
    encoding: str | None,
    limits: Limits,
    deadline: Deadline,
) -> Table:
    """A ``.json`` or ``.yaml`` file of records as a table; records numbered from 1."""
    text, used = read_text(path, document, encoding, limits)
    if not text.strip():
        raise InputFileError(document, ["the file is empty; nothing to import"])
    if fmt == "json":
        depth = json_depth(text)
        if depth > limits.max_depth:
            raise limits.exceeded(document, "max_depth", f"the JSON nests {depth:,} levels deep")
        try:
            data = json.loads(text, parse_int=_integer)
        except json.JSONDecodeError as exc:
            raise InputFileError(
                document,
                [f"broken JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; fix it"],
            ) from None
    else:
        try:
            data = load_yaml(text, max_depth=limits.max_depth)
        except YamlProblem as exc:
            if str(exc).startswith("nested"):
                raise limits.exceeded(document, "max_depth", f"the YAML is {exc}") from None
            raise InputFileError(document, [str(exc)]) from None
    deadline.check("reading the file")
    return records_table(data, document, used, limits)


def records_table(data: Any, document: str, encoding: str | None, limits: Limits) -> Table:
    """A list of mappings (or a mapping holding one) as a table."""
    if isinstance(data, dict):
        for key in _LIST_KEYS:
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list):
        got = (
            f"a mapping with keys {', '.join(repr(str(k)[:40]) for k in list(data)[:8])}"
            if isinstance(data, dict)
            else type(data).__name__
        )
        raise InputFileError(
            document,
            [f"expected a list of records (or a mapping with a 'profiles' list); got {got}"],
        )
    if not data:
        raise InputFileError(document, ["the file holds no records; nothing to import"])
    if len(data) > limits.max_rows:
        raise limits.exceeded(document, "max_rows", f"the file holds {len(data):,} records")
    headers: dict[str, None] = {}
    for record in data:
        if isinstance(record, dict):
            headers.update(dict.fromkeys(str(k) for k in record))
            if len(headers) > limits.max_columns:
                raise limits.exceeded(
                    document, "max_columns", f"the records use {len(headers):,} different fields"
                )
    names = list(headers)
    table = Table(document, list(names), [], encoding=encoding, lettered=False)
    for number, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            table.row_problems.setdefault(number, []).append(
                f"expected a mapping of field to value; got {type(record).__name__} "
                f"{str(record)[:60]!r}"
            )
            table.rows.append((number, [None] * len(names)))
            continue
        keyed = {str(k): v for k, v in record.items()}
        table.rows.append((number, [keyed.get(name) for name in names]))
    return table
