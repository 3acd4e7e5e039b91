"""Meeting schedules of 10 to 40 participants: time to optimal or to the limit, and the gap.

Round robins (everyone meets everyone) in two families: equal scores (the
hardest for the solver: every schedule of the same size ties) and random
scores (seeded). Slots: n - 1 + 2 when n is even (two spare slots beyond a
perfect round robin), tables n // 2. Reported: meetings held of requested,
slots used, whether the total is proven optimal and the tie-breaks too, and
the proven gap, under the library's default time limit (30 s).

Run: python benchmarks/bench_schedule.py [--sizes 10,16,20,30,40] [--time-limit 30]
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
from _bench import print_table

from matchmaker import schedule_meetings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10,16,20,30,40")
    parser.add_argument("--time-limit", type=float, default=30.0)
    args = parser.parse_args()
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        people = [f"p{i:02d}" for i in range(n)]
        pairs = list(itertools.combinations(people, 2))
        slots = [f"s{k:02d}" for k in range(n + 1)]
        for family in ("equal", "random"):
            rng = np.random.default_rng(n)
            scores = (
                np.ones(len(pairs)) if family == "equal" else np.round(rng.random(len(pairs)), 3)
            )
            requests = [(a, b, float(s)) for (a, b), s in zip(pairs, scores, strict=True)]
            started = time.perf_counter()
            day = schedule_meetings(requests, slots, tables=n // 2, time_limit=args.time_limit)
            seconds = time.perf_counter() - started
            rows.append(
                {
                    "participants": n,
                    "scores": family,
                    "held": f"{len(day)} of {len(pairs)}",
                    "slots_used": int(day.meetings.slot.nunique()),
                    "optimal": day.optimal,
                    "tie_breaks": day.status.tie_breaks,
                    "gap": day.gap,
                    "seconds": round(seconds, 2),
                }
            )
    print_table(f"Round-robin schedules, time limit {args.time_limit:g} s", rows)


if __name__ == "__main__":
    main()
