"""The mission briefing: one standalone HTML page per report, drawn with Jinja2.

Templates live beside this module (``templates/*.html.j2``, shipped as
package data). Autoescaping is on for every template, so profile text can
never become markup; characters HTML cannot hold are replaced
(:func:`clean_text`); a website becomes a link only when it is ``http`` or
``https``. The page has no external assets (styles inline, no scripts), a
print stylesheet for A4, headings in English and Chinese, and Chinese names
and concept labels wherever the data has them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ._cells import clean_text
from ._report import Report

__all__ = ["to_html"]

_TEMPLATES = {"shortlist": "shortlist.html.j2", "plan": "plan.html.j2", "schedule": "plan.html.j2"}


def _finalize(value: Any) -> Any:
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return clean_text(value)
    return value


@lru_cache(maxsize=1)
def _environment() -> Any:
    try:
        import jinja2
    except ImportError as exc:  # pragma: no cover - jinja2 is a core dependency
        raise ImportError("Writing HTML needs Jinja2: pip install jinja2") from exc
    return jinja2.Environment(
        loader=jinja2.PackageLoader("matchmaker.export", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def to_html(report: Report) -> bytes:
    """The briefing page of ``report``, as UTF-8 bytes.

    Examples
    --------
    >>> import pandas as pd
    >>> from matchmaker.export._report import build_report
    >>> page = to_html(build_report(pd.DataFrame({"name": ["<b>Acme</b>"]}))).decode()
    >>> page.startswith("<!DOCTYPE html>"), "&lt;b&gt;Acme&lt;/b&gt;" in page
    (True, True)
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("sino-uk-matchmaker")
    except PackageNotFoundError:  # pragma: no cover - a checkout that was never installed
        __version__ = "0+unknown"

    template = _environment().get_template(_TEMPLATES.get(report.kind, "table.html.j2"))
    return str(template.render(report=report, version=__version__)).encode("utf-8")
