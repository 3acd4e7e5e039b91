"""Loading and validating the bundled catalogue (target: well under 0.5 s).

Run: python benchmarks/bench_catalogue.py
"""

from __future__ import annotations

import subprocess
import sys

from _bench import peak_mib, print_table, timed

from matchmaker import load_catalogue


def main() -> None:
    count = len(load_catalogue())
    warm = timed(load_catalogue, repeat=10)
    cold_code = "import time; t=time.perf_counter(); import matchmaker; matchmaker.load_catalogue(); print((time.perf_counter()-t)*1000)"
    cold = [float(subprocess.check_output([sys.executable, "-c", cold_code])) for _ in range(3)]
    print_table(
        "Catalogue load and validation",
        [
            {
                "case": f"load_catalogue() warm ({count} profiles)",
                **warm,
                "peak_MiB": peak_mib(load_catalogue),
                "target_ms": 500.0,
            },
            {
                "case": "import + load_catalogue() in a new process",
                "median_ms": sorted(cold)[1],
                "best_ms": min(cold),
                "peak_MiB": float("nan"),
                "target_ms": 500.0,
            },
        ],
    )


if __name__ == "__main__":
    main()
