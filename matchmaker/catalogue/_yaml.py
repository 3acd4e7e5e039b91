"""Loading YAML safely: plain types only, no aliases, bounded nesting.

PyYAML's safe loader builds only plain types, but aliases multiply: a
700-byte file of nested aliases stands for billions of values, and anything
that walks the data (validation, an error message) walks them all. Before
anything is built, one pass over the parser's events (which never expands
an alias) refuses aliases outright (imported files), or counts the values
they stand for and refuses more than ``max_nodes`` (catalogue files, which
PyYAML's own ``safe_dump`` writes with aliases for repeated values); nesting
deeper than ``max_depth`` is refused too.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["YamlProblem", "load_yaml"]

# libyaml's safe loader when PyYAML was built with it (about 10x faster);
# either way only plain YAML types can be built, never Python objects.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SafeLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader, with integers too long for Python's int (4,300 digits) kept as text."""


def _integer(loader: Any, node: Any) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:
        return str(node.value)


_SafeLoader.add_constructor("tag:yaml.org,2002:int", _integer)


class YamlProblem(ValueError):
    """What is wrong with a YAML text, in one line (without the file name)."""


def load_yaml(
    text: str, *, max_depth: int = 50, aliases: bool = False, max_nodes: int = 5_000_000
) -> Any:
    """The data of a YAML text, refusing aliases (or too many values), deep nesting and tags.

    Raises
    ------
    YamlProblem
        For broken YAML, an alias, nesting deeper than ``max_depth`` or a
        Python tag.

    Examples
    --------
    >>> load_yaml("- {id: a, name: A}")
    [{'id': 'a', 'name': 'A'}]
    >>> load_yaml("a: &x [1, 2]\\nb: *x")
    Traceback (most recent call last):
    ...
    matchmaker.catalogue._yaml.YamlProblem: an alias (*x) at line 2, column 4: aliases are not read; write the values out in full
    >>> load_yaml("a: &x [1, 2]\\nb: *x", aliases=True)
    {'a': [1, 2], 'b': [1, 2]}
    >>> bomb = "a: &a [1, 1]\\nb: &b [*a, *a]\\nc: &c [*b, *b]\\nd: [*c, *c]"
    >>> load_yaml(bomb, aliases=True, max_nodes=20)
    Traceback (most recent call last):
    ...
    matchmaker.catalogue._yaml.YamlProblem: the aliases at line 3, column 14 stand for more than 20 values; write the values out instead of nesting aliases
    >>> load_yaml("[[[[1]]]]", max_depth=3)
    Traceback (most recent call last):
    ...
    matchmaker.catalogue._yaml.YamlProblem: nested 4 levels deep at line 1, column 4, more than the 3 allowed; flatten the data
    """
    sizes: dict[str, int] = {}  # anchor -> how many values it stands for
    stack: list[list[Any]] = []  # open collections: [anchor, values so far]
    try:
        for event in yaml.parse(text, Loader=_SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                if not aliases:
                    raise YamlProblem(
                        f"an alias (*{event.anchor}){_at(event.start_mark)}: aliases are not "
                        "read; write the values out in full"
                    )
                _add(stack, sizes.get(str(event.anchor), 1), max_nodes, event)
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor:
                    sizes[event.anchor] = 1
                _add(stack, 1, max_nodes, event)
            elif isinstance(event, yaml.CollectionStartEvent):
                stack.append([event.anchor, 1])
                if len(stack) > max_depth:
                    raise YamlProblem(
                        f"nested {len(stack)} levels deep{_at(event.start_mark)}, more than the "
                        f"{max_depth} allowed; flatten the data"
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, count = stack.pop()
                if anchor:
                    sizes[anchor] = count
                _add(stack, count, max_nodes, event)
        return yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = str(getattr(exc, "problem", None) or exc)[:200]
        if "maximum nesting depth" in problem:
            # libyaml's own cap (1,000 levels) can trip before the events reach us.
            raise YamlProblem(
                f"nested more than 1,000 levels deep{_at(mark)}, more than the {max_depth} "
                "allowed; flatten the data"
            ) from None
        raise YamlProblem(
            f"broken YAML{_at(mark)}: {problem}; fix the syntax (only plain YAML is read: no "
            "tags such as !!python)"
        ) from None


def _add(stack: list[list[Any]], count: int, max_nodes: int, event: Any) -> None:
    if stack:
        stack[-1][1] += count
        if stack[-1][1] > max_nodes:
            raise YamlProblem(
                f"the aliases{_at(event.start_mark)} stand for more than {max_nodes:,} values; "
                "write the values out instead of nesting aliases"
            )


def _at(mark: Any) -> str:
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
