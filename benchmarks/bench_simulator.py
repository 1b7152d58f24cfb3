"""Time the source simulator on its presets: `python benchmarks/bench_simulator.py [preset ...]`.

Defaults to tiny and demo; pass `large` explicitly (about 15 M events, minutes, several GB).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from uptake.simulation import PRESETS, simulate


def main(presets: list[str]) -> None:
    print(f"{'preset':8} {'accounts':>8} {'months':>6} {'events':>10} {'lines':>10} {'seconds':>8}")
    for name in presets:
        with tempfile.TemporaryDirectory(prefix=f"uptake-bench-{name}-") as folder:
            started = time.perf_counter()
            summary = simulate(Path(folder), seed=7, **PRESETS[name])
            seconds = time.perf_counter() - started
            lines = summary.rows["product_event_lines"]
            print(
                f"{name:8} {summary.accounts:>8} {PRESETS[name]['months']:>6} "
                f"{summary.events:>10} {lines:>10} {seconds:>8.2f}"
            )


if __name__ == "__main__":
    main(sys.argv[1:] or ["tiny", "demo"])
