"""``matchmaker plan``: plan every Chinese demand against UK offers.

The options and their defaults come from the library's one set of defaults
(``matchmaker.planning._checks.DEFAULTS``), so the command and
:func:`matchmaker.plan_mission` always agree.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from ..planning._checks import DEFAULTS, STRENGTHS
from ..planning._diagnose import PlanInfeasibleError
from ..planning._plan import plan_mission
from ._terminal import wrap

__all__ = ["add_plan_arguments", "plan_command"]


def _whole_number(minimum: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number >= {minimum}, got {value!r}"
            ) from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {value!r}")
        return number

    return parse


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds > 0, got {value!r}"
        ) from None
    if not 0 < number < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {value!r}")
    return number


def add_plan_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``matchmaker plan`` options to a (sub)parser.

    Options: ``--per-offer``, ``--per-need``, ``--min-per-need``,
    ``--min-strength``, ``--top`` (alternates listed per demand),
    ``--time-limit`` and ``--out``; defaults are those of ``plan_mission``.

    Examples
    --------
    >>> parser = add_plan_arguments(argparse.ArgumentParser())
    >>> args = parser.parse_args(["--per-offer", "2"])
    >>> args.per_offer, args.per_need, args.min_per_need, args.min_strength, args.time_limit
    (2, 3, 0, 'moderate', 30.0)
    """
    d = DEFAULTS
    parser.add_argument(
        "--per-offer",
        type=_whole_number(1),
        default=d["per_offer"],
        help=f"most demands any one UK organisation is chosen for (default {d['per_offer']})",
    )
    parser.add_argument(
        "--per-need",
        type=_whole_number(1),
        default=d["per_need"],
        help=f"most UK candidates per Chinese demand (default {d['per_need']})",
    )
    parser.add_argument(
        "--min-per-need",
        type=_whole_number(0),
        default=d["min_per_need"],
        help="fewest candidates per demand; with 1, a demand without a candidate stops the plan "
        f"(default {d['min_per_need']}: such demands are planned as 'left with nobody' and listed)",
    )
    parser.add_argument(
        "--min-strength",
        choices=list(STRENGTHS),
        default=d["min_strength"],
        help=f"weakest match strength a candidate may have (default {d['min_strength']})",
    )
    parser.add_argument(
        "--top",
        type=_whole_number(0),
        default=d["alternates"],
        help=f"best unchosen alternates to list per demand (default {d['alternates']})",
    )
    parser.add_argument(
        "--time-limit",
        type=_seconds,
        default=d["time_limit"],
        help="seconds for the solver; when reached, the best plan found is written and marked "
        f"as not proven optimal, with its gap (default {d['time_limit']:g})",
    )
    parser.add_argument(
        "--out",
        default="matchmaker-plan.csv",
        help="file for the plan: .csv, .xlsx, .json or .html (default matchmaker-plan.csv)",
    )
    return parser


def plan_command(
    args: argparse.Namespace, *, build_engine: Callable[[argparse.Namespace], Any]
) -> int:
    """Run ``matchmaker plan``: plan every Chinese demand against UK offers.

    Plans all Chinese ``sector_demand`` profiles against every GB profile
    that states offers, prints the plan, and writes the chosen pairs to
    ``args.out``. ``build_engine`` turns the options into a fitted engine
    (the command line passes its own, so this module never imports it back).

    Returns
    -------
    int
        0 on success, 1 when there is nothing to plan, 2 when the request
        cannot be met (the reasons go to standard error).
    """
    engine = build_engine(args)
    catalogue = engine.catalogue_
    demands = [p.id for p in catalogue if p.country == "CN" and p.kind == "sector_demand"]
    if not demands:
        print("The catalogue has no Chinese market demands (kind sector_demand).", file=sys.stderr)
        return 1
    uk = [p.id for p in catalogue if p.country == "GB"]
    offers = [pid for pid in uk if not engine.offers_.empty[engine.position_[pid]]]
    try:
        plan = plan_mission(
            engine,
            demands,
            offers,
            per_offer=args.per_offer,
            per_need=args.per_need,
            min_per_need=args.min_per_need,
            min_strength=args.min_strength,
            alternates=args.top,
            time_limit=args.time_limit,
        )
    except PlanInfeasibleError as exc:
        print(f"matchmaker plan: {exc}", file=sys.stderr)
        if args.min_per_need:
            print("Or pass --min-per-need 0 to plan the rest.", file=sys.stderr)
        return 2
    print(wrap(str(plan)))
    from ..export._write import write

    # The file carries the whole request: the demands left with nobody too.
    written = write(plan, args.out, catalogue=catalogue)
    print()
    print(
        wrap(
            f"{len(plan)} pairs for {len(demands)} Chinese demands "
            f"({len(plan.unmatched)} left with nobody); {plan.status.describe()}; "
            f"plan written to {written}"
        )
    )
    return 0
