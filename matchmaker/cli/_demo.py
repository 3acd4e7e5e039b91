"""``matchmaker demo``: shortlist UK partners for every Chinese market demand."""

from __future__ import annotations

import argparse
import sys

from ._terminal import wrap

__all__ = ["demo_command"]


def demo_command(args: argparse.Namespace) -> int:
    """Print every demand's shortlist and write the full table to ``args.out``."""
    import pandas as pd

    from ..export._write import check_format, write
    from ._engine import build_engine
    from ._shortlist import render_shortlist

    check_format(args.out)  # refuse a bad suffix before any work
    engine = build_engine(args)
    demands = [p for p in engine.catalogue_ if p.country == "CN" and p.kind == "sector_demand"]
    if not demands:
        print("The catalogue has no Chinese market demands (kind sector_demand).", file=sys.stderr)
        return 1
    frames, weak = [], 0
    for demand in demands:
        shortlist = engine.shortlist(demand.id, k=args.top, country="GB")
        weak += shortlist.no_good_match
        print(render_shortlist(shortlist), end="\n\n")
        frame = shortlist.to_frame()
        frame.insert(0, "demand_name", demand.name)
        frame.insert(1, "demand_id", demand.id)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    written = write(table, args.out)
    print(
        wrap(
            f"{len(demands)} Chinese demands shortlisted ({weak} without a good UK match); "
            f"full table written to {written}"
        )
    )
    return 0
