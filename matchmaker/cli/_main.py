"""The ``matchmaker`` command line: the parser, the dispatch and the one-line errors.

Building the parser imports nothing heavy (no pandas, scipy or
scikit-learn), so ``matchmaker --help`` is instant; each command imports
what it needs when it runs. Every error a user can cause, and every
``OSError`` (a folder given as a file, a full disk, no permission), becomes
one line on standard error and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._engine import build_engine

__all__ = ["build_engine", "main"]

_FILES = ".csv, .json, .xlsx or .html"


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value!r}")
    return number


def _parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="matchmaker",
        description="Explained Sino-UK partnership matchmaking on the bundled catalogue.",
    )
    parser.add_argument(
        "--catalogue", help="folder or YAML file of profiles (default: the bundled catalogue)"
    )
    parser.add_argument("--weights", help="YAML or JSON file of weights and thresholds")
    parser.add_argument(
        "--encoder",
        metavar="MODEL",
        default="default",
        help="sentence model for the meaning component: 'default' (multilingual-e5-small, "
        "when installed), 'none' to turn meaning off, or a local model folder "
        "(see docs/matching.md)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser(
        "demo", help="shortlist UK partners for every Chinese market demand in the catalogue"
    )
    demo.add_argument("--top", type=_positive, default=5, help="candidates per demand (default 5)")
    demo.add_argument(
        "--out",
        default="matchmaker-demo.csv",
        help=f"file for the full table: {_FILES} (default matchmaker-demo.csv)",
    )

    short = sub.add_parser(
        "shortlist", help="rank partners for one need (text, a profile id or a profile's name)"
    )
    short.add_argument("query", help="free text in English or Chinese, a profile id or name")
    short.add_argument("--country", help="keep candidates of this country: GB (or UK) or CN")
    short.add_argument("--kind", action="append", help="keep candidates of this kind (repeatable)")
    short.add_argument("--top", type=_positive, default=10, help="shortlist length (default 10)")
    short.add_argument(
        "--direction",
        choices=["needs", "offers"],
        default="needs",
        help="'offers' treats the query as an offer and ranks who needs it",
    )
    short.add_argument(
        "--format",
        choices=["table", "csv", "json", "xlsx", "html"],
        help="output format (default: from the --out suffix; a table on the terminal)",
    )
    short.add_argument(
        "--out", help=f"write to this file ({_FILES}; .html is a printable briefing page)"
    )
    short.add_argument(
        "--explain", type=_positive, metavar="RANK", help="also explain the candidate at RANK"
    )

    plan = sub.add_parser(
        "plan",
        help="plan a trade mission: capacity-limited pairs of Chinese demands and UK partners",
    )
    if len(argv) and "plan" in argv:
        # The plan options come with the planner, which imports scipy: only
        # when the plan command is asked for, so that --help stays light.
        from ._plan import add_plan_arguments

        add_plan_arguments(plan)

    from ._import import add_import_arguments

    add_import_arguments(
        sub.add_parser(
            "import",
            help="import an organisation list (CSV, XLSX, JSON, YAML) against the catalogue",
        )
    )
    return parser


def _one_line(exc: BaseException) -> str:
    """The error's message on one line (a list of problems joined with '; ')."""
    message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    own = isinstance(exc, FileNotFoundError | IsADirectoryError)
    if isinstance(exc, OSError) and not own and exc.filename and exc.strerror:
        message = f"cannot use {exc.filename!s}: {exc.strerror}"
    lines = [line.strip().removeprefix("- ") for line in str(message).splitlines() if line.strip()]
    return "; ".join(lines) or type(exc).__name__


def _run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from ._demo import demo_command

        return demo_command(args)
    if args.command == "plan":
        from ._plan import plan_command

        return plan_command(args, build_engine=build_engine)
    if args.command == "import":
        from ._import import run

        return run(args)
    from ._shortlist import shortlist_command

    return shortlist_command(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser(argv).parse_args(argv)
    try:
        return _run(args)
    except (ValueError, KeyError, IndexError, ImportError, OSError) as exc:
        # ValueError covers CatalogueError, PlanInfeasibleError and bad input files.
        print(f"matchmaker: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("matchmaker: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
