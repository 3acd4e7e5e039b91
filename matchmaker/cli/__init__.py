"""The ``matchmaker`` command line: a thin shell over the public API.

One module per command; argument parsing lives here and nowhere else. Every
error a user can cause becomes one line on standard error and exit status 2.
"""

from ._main import main

__all__ = ["main"]
