"""The ``matchmaker`` command line: the main job and quick look-ups.

``matchmaker demo`` shortlists UK partners for every Chinese market demand
of the bundled catalogue; ``matchmaker shortlist TEXT_OR_ID`` ranks partners
for one need.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd

__all__ = ["main"]


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value!r}")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="matchmaker",
        description="Explained Sino-UK partnership matchmaking on the bundled catalogue.",
    )
    parser.add_argument(
        "--catalogue", help="folder or YAML file of profiles (default: the bundled catalogue)"
    )
    parser.add_argument("--weights", help="YAML or JSON file of weights and thresholds")
    parser.add_argument(
        "--semantic-model",
        metavar="FOLDER",
        help="local sentence-embedding model (e.g. all-MiniLM-L6-v2): compare meaning, not "
        "only shared words; needs the 'semantic' extra (see docs/matching.md)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser(
        "demo", help="shortlist UK partners for every Chinese market demand in the catalogue"
    )
    demo.add_argument("--top", type=_positive, default=5, help="candidates per demand (default 5)")
    demo.add_argument(
        "--out",
        default="matchmaker-demo.csv",
        help="file for the full table: .csv, .xlsx, .json or .html (default matchmaker-demo.csv)",
    )

    short = sub.add_parser("shortlist", help="rank partners for one need (text or profile id)")
    short.add_argument("query", help="free text in English or Chinese, or a profile id")
    short.add_argument("--country", help="keep candidates of this country: GB (or UK) or CN")
    short.add_argument("--kind", action="append", help="keep candidates of this kind (repeatable)")
    short.add_argument("--top", type=_positive, default=10, help="shortlist length (default 10)")
    short.add_argument(
        "--direction",
        choices=["needs", "offers"],
        default="needs",
        help="'offers' treats the query as an offer and ranks who needs it",
    )
    short.add_argument("--format", choices=["table", "csv", "json", "xlsx", "html"])
    short.add_argument("--out", help="write to this file instead of the terminal")
    short.add_argument(
        "--explain", type=_positive, metavar="RANK", help="also explain the candidate at RANK"
    )
    from ._plan import add_plan_arguments

    add_plan_arguments(
        sub.add_parser(
            "plan",
            help="plan a trade mission: capacity-limited pairs of Chinese demands and UK partners",
        )
    )

    imp = sub.add_parser(
        "import", help="import an organisation list (CSV, XLSX, JSON, YAML) against the catalogue"
    )
    imp.add_argument("file", help="the spreadsheet or data file to import")
    imp.add_argument("--report", help="write the row-by-row report here (.csv, .xlsx, ...)")
    imp.add_argument("--country", help="country for rows that give none: GB (or UK) or CN")
    imp.add_argument("--kind", help="kind for rows that give none, e.g. company")
    imp.add_argument("--sheet", help="name of the XLSX sheet to read (default: the first)")
    imp.add_argument(
        "--save", metavar="FOLDER", help="write the catalogue with the import merged in here"
    )
    return parser


def build_engine(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The fitted engine the command-line options ask for (catalogue, weights, model)."""
    from ..catalogue._catalogue import load_catalogue
    from ..ranking._engine import Matchmaker
    from ..vectors._vectorizer import ProfileVectorizer

    catalogue = load_catalogue(getattr(args, "catalogue", None))
    vectorizer = ProfileVectorizer(semantic_model=getattr(args, "semantic_model", None))
    return Matchmaker(
        catalogue, weights=getattr(args, "weights", None), vectorizer=vectorizer
    ).fit()


def _demo(args: argparse.Namespace) -> int:
    from ..export._write import write_frame

    engine = build_engine(args)
    demands = [p for p in engine.catalogue_ if p.country == "CN" and p.kind == "sector_demand"]
    if not demands:
        print("The catalogue has no Chinese market demands (kind sector_demand).", file=sys.stderr)
        return 1
    frames, weak = [], 0
    for demand in demands:
        shortlist = engine.shortlist(demand.id, k=args.top, country="GB")
        weak += shortlist.no_good_match
        print(str(shortlist), end="\n\n")
        frame = shortlist.to_frame()
        frame.insert(0, "demand_name", demand.name)
        frame.insert(0, "demand_id", demand.id)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    written = write_frame(table, args.out)
    print(
        f"{len(demands)} Chinese demands shortlisted ({weak} without a good UK match); "
        f"full table written to {written}"
    )
    return 0


def _shortlist(args: argparse.Namespace) -> int:
    from ..export._write import write_frame

    engine = build_engine(args)
    shortlist = engine.shortlist(
        args.query,
        k=args.top,
        country=args.country,
        kinds=args.kind,
        direction=args.direction,
    )
    fmt = args.format
    if (fmt in (None, "table")) and not args.out:
        print(shortlist)
    else:
        written = write_frame(shortlist.to_frame(), args.out, fmt)
        # How the query was read goes beside the file, never into a piped table.
        print(shortlist.headline(), file=sys.stderr if written == "-" else sys.stdout)
        if written != "-":
            print(f"{len(shortlist)} candidates written to {written}")
    if args.explain:
        print()
        print(shortlist.explain(args.explain))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    from .._errors import CatalogueError

    try:
        if args.command == "demo":
            return _demo(args)
        if args.command == "plan":
            from ._plan import plan_command

            return plan_command(args, build_engine=build_engine)
        if args.command == "import":
            from ..catalogue._import import import_command

            return import_command(
                args.file,
                args.report,
                args.country,
                args.kind,
                catalogue=args.catalogue,
                sheet=args.sheet,
                save=args.save,
            )
        return _shortlist(args)
    except (
        CatalogueError,
        ValueError,
        KeyError,
        IndexError,
        ImportError,
        FileNotFoundError,
    ) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"matchmaker: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
