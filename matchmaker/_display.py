"""Notebook display shared by every result object: an escaped heading, lines, tables."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any


def html_block(title: str, lines: Iterable[str] = (), tables: Iterable[Any] = ()) -> str:
    """HTML for a notebook: a bold title, plain lines, then DataFrames as tables.

    Every piece of text is escaped, so profile text cannot inject markup.

    Examples
    --------
    >>> html_block("A <b>", ["x & y"])
    '<div><p><b>A &lt;b&gt;</b></p><p>x &amp; y</p></div>'
    """
    parts = [f"<p><b>{escape(title)}</b></p>"]
    parts += [f"<p>{escape(line)}</p>" for line in lines if line]
    parts += [table.to_html(index=False, escape=True) for table in tables]
    return "<div>" + "".join(parts) + "</div>"
