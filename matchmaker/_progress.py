"""Progress bars for work that takes more than a couple of seconds.

A thin wrapper over tqdm, shared by every stage. A bar is shown in a
terminal and in a Jupyter notebook (as a widget where ipywidgets is
installed, as tqdm.auto does), and nowhere else: not in a log file, a pipe
or a test run. It appears only once the work has taken ``delay`` seconds, so
quick calls print nothing. Turn bars off everywhere with the environment
variable ``MATCHMAKER_PROGRESS=0`` (``1`` forces them on), or per call with
``enabled``.

tqdm is imported only when a bar is shown, so ``import matchmaker`` stays light.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterable
from typing import IO, Any, TypeVar

__all__ = ["ENV_VAR", "progress", "progress_enabled"]

ENV_VAR = "MATCHMAKER_PROGRESS"
_OFF = ("0", "false", "no", "off")
_ON = ("1", "true", "yes", "on")

T = TypeVar("T")


def progress_enabled(enabled: bool | None = None, file: IO[str] | None = None) -> bool:
    """Whether a bar would be shown.

    Parameters
    ----------
    enabled : bool, optional
        True or False decides; None (default) asks the environment variable
        ``MATCHMAKER_PROGRESS``, and when it is unset shows bars only if
        ``file`` is a terminal or the code runs in a Jupyter kernel.
    file : file-like, optional
        Where the bar would go; standard error by default.

    Raises
    ------
    ValueError
        For an ``enabled`` that is not a bool or None, or an environment
        variable that is neither on nor off.

    Examples
    --------
    >>> import io
    >>> progress_enabled(False), progress_enabled(True)
    (False, True)
    >>> progress_enabled(file=io.StringIO())  # not a terminal
    False
    """
    if enabled is not None and not isinstance(enabled, bool):
        raise ValueError(
            f"The 'progress' parameter must be True, False or None (automatic). "
            f"Got {enabled!r} instead."
        )
    if enabled is not None:
        return enabled
    setting = os.environ.get(ENV_VAR)
    if setting is not None and setting.strip():
        value = setting.strip().lower()
        if value in _OFF:
            return False
        if value in _ON:
            return True
        raise ValueError(
            f"The environment variable {ENV_VAR} must be 0 (no progress bars) or 1 (always). "
            f"Got {setting!r} instead."
        )
    stream = sys.stderr if file is None else file
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty()) or _in_notebook()


def progress(
    iterable: Iterable[T],
    *,
    total: int | None = None,
    desc: str | None = None,
    unit: str = "it",
    enabled: bool | None = None,
    file: IO[str] | None = None,
    delay: float = 2.0,
) -> Iterable[T]:
    """Iterate over ``iterable`` with a progress bar when one should be shown.

    Parameters
    ----------
    iterable : iterable
    total : int, optional
        Number of items; ``len(iterable)`` when it has one.
    desc : str, optional
        What is being done, e.g. ``"Tagging texts"``.
    unit : str, default "it"
        What one item is, e.g. ``"text"``.
    enabled : bool, optional
        See :func:`progress_enabled`.
    file : file-like, optional
        Where the bar goes; standard error by default.
    delay : float, default 2.0
        Seconds of work before the bar appears; quicker work shows nothing.

    Returns
    -------
    iterable
        ``iterable`` itself when no bar is shown, else a tqdm bar over it.

    Examples
    --------
    >>> import io
    >>> list(progress(range(3), enabled=False))
    [0, 1, 2]
    >>> out = io.StringIO()
    >>> list(progress(range(3), desc="Counting", enabled=True, file=out, delay=0))
    [0, 1, 2]
    >>> "Counting" in out.getvalue() and "3/3" in out.getvalue()
    True
    """
    if not progress_enabled(enabled, file):
        return iterable
    bar: Iterable[T] = _bar_class()(
        iterable,
        total=total,
        desc=desc,
        unit=unit,
        file=file,
        delay=delay,
        dynamic_ncols=True,
    )
    return bar


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (never imports IPython itself)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _bar_class() -> Any:
    # tqdm.auto's choice, without its warning when ipywidgets is missing:
    # the notebook widget needs ipywidgets; the text bar works everywhere.
    if _in_notebook() and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm as notebook_bar

        return notebook_bar
    from tqdm.std import tqdm as text_bar

    return text_bar
