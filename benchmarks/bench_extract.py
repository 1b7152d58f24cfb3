"""Benchmark the event load of ``uptake.extract``: events per second and peak memory.

Writes N synthetic Segment lines (gzipped JSONL, one file per day, about 1% bad lines and 2%
re-sent messages) into a temporary landing zone, runs ``extract_all`` into a fresh DuckDB file,
then runs it again (every file unchanged). Its own tiny generator: no simulator needed.

    .venv/bin/python benchmarks/bench_extract.py --events 1000000 --days 365
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from uptake.extract import extract_all
from uptake.settings import Settings

EVENT_NAMES = ("Report Exported", "Dashboard Viewed", "Alert Created", "Sync Started")


def _message(rng: random.Random, number: int, day: date) -> str:
    moment = datetime.combine(day, datetime.min.time()) + timedelta(seconds=rng.randrange(86400))
    stamp = moment.isoformat(timespec="milliseconds") + "Z"
    user = f"u-{rng.randrange(5000)}"
    roll = rng.random()
    if roll < 0.005:
        return "{not json"
    if roll < 0.01:
        return json.dumps({"type": "track", "messageId": f"m-{number}", "timestamp": "soon"})
    if roll < 0.9:
        return json.dumps(
            {
                "type": "track",
                "messageId": f"m-{number}",
                "timestamp": stamp,
                "userId": user,
                "event": rng.choice(EVENT_NAMES),
                "properties": {"plan": "pro", "rows": rng.randrange(1000)},
                "context": {"groupId": f"001A{rng.randrange(500):04d}", "library": {"name": "js"}},
            }
        )
    if roll < 0.95:
        traits = {"email": f"{user}@example.com", "role": "admin"}
        return json.dumps(
            {"type": "identify", "messageId": f"m-{number}", "timestamp": stamp,
             "userId": user, "traits": traits}
        )  # fmt: skip
    return json.dumps(
        {"type": "group", "messageId": f"m-{number}", "timestamp": stamp, "userId": user,
         "groupId": f"001A{rng.randrange(500):04d}", "traits": {"name": "Acme"}}
    )  # fmt: skip


def write_landing_zone(root: Path, events: int, days: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (root / "catalog").mkdir(parents=True)
    (root / "catalog" / "features.csv").write_text(
        "feature_key,feature_name,category,events,active_min_events_30d,"
        "expected_days_to_adopt,value_weight\n"
        "reports,Reports,core,Report Exported,3,14,1.0\n"
    )
    first_day = date(2026, 1, 1)
    per_day = max(1, events // days)
    number = 0
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        count = per_day if offset < days - 1 else events - number
        lines = []
        for _ in range(count):
            # At-least-once delivery: about 2% of lines re-send an earlier message.
            resend = number > 0 and rng.random() < 0.02
            lines.append(_message(rng, rng.randrange(number) if resend else number, day))
            number += 1
        folder = root / "product_events" / f"dt={day.isoformat()}"
        folder.mkdir(parents=True)
        with gzip.open(folder / "events.jsonl.gz", "wt", compresslevel=6) as handle:
            handle.write("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--days", type=int, default=180)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="uptake-bench-") as tmp:
        home = Path(tmp)
        landing = home / "landing"
        started = time.perf_counter()
        write_landing_zone(landing, args.events, args.days)
        print(f"generated {args.events} events in {args.days} files: "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        settings = Settings(home=home, landing_dir=landing, warehouse_path=home / "w.duckdb")
        # pyarrow imports pandas on first use: a one-off start-up cost, not load throughput.
        import pandas  # noqa: F401

        started, cpu_started = time.perf_counter(), time.process_time()
        summary = extract_all(settings)
        first, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        events = summary.entity("product_events", "events")
        started = time.perf_counter()
        again = extract_all(settings).entity("product_events", "events")
        rerun = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = events.rows_in / first
    print(f"load:  {events.rows_in} events in {first:.2f} s = {rate:,.0f} events/s "
          f"({events.rows_loaded} loaded, {events.rows_quarantined} quarantined, "
          f"{events.rows_duplicate} duplicates)")  # fmt: skip
    # CPU seconds over all threads: on a shared machine wall time also measures the neighbours.
    print(
        f"cpu:   {cpu:.2f} s over all threads = {events.rows_in / cpu:,.0f} events per CPU-second"
    )
    print(f"rerun: {again.files_skipped_unchanged} unchanged files skipped in {rerun:.2f} s")
    print(f"peak RSS: {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
