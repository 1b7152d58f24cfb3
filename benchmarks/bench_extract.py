"""Benchmark the event load of ``uptake.extract`` against DuckDB's own scan of the same files.

Writes N synthetic Segment lines (gzipped JSONL, one file per day, about 1% bad lines and 2%
re-sent messages) into a temporary landing zone. Each round then times, on the same files:

- DuckDB's own scan: ``read_json`` of every event file, counting distinct ``messageId``
  (decompress + parse, nothing written): the speed of the engine the loader runs on;
- ``extract_all`` into a fresh DuckDB file (read, hash, check, type, quarantine, write,
  audit, duplicate recount, commit);
- ``extract_all`` again on the unchanged landing zone (every file hashed and skipped).

It prints events/s, CPU-seconds over all threads (the machine may be shared: wall time also
measures the neighbours), the load average, the ingest/scan ratio and the rerun as a share of
the first load. The figures of the best round (fastest first load) come last.

    .venv/bin/python benchmarks/bench_extract.py --events 1000000 --days 365 --rounds 3
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

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
    # A past year: a delivery dated after today is quarantined, not loaded (the extract rule).
    first_day = date(2025, 1, 1)
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


# The columns the loader extracts, typed as text the way it reads them.
SCAN_COLUMNS = (
    "{messageId: 'VARCHAR', timestamp: 'VARCHAR', type: 'VARCHAR', userId: 'VARCHAR', "
    "event: 'VARCHAR', context: 'STRUCT(groupId VARCHAR)', groupId: 'VARCHAR', "
    "properties: 'JSON', traits: 'JSON'}"
)


@dataclass
class Timed:
    wall: float
    cpu: float  # seconds over all threads of this process

    def rate(self, events: int) -> float:
        return events / self.wall


def timed(action) -> tuple[Timed, object]:
    started, cpu_started = time.perf_counter(), time.process_time()
    result = action()
    return Timed(time.perf_counter() - started, time.process_time() - cpu_started), result


def duckdb_scan(landing: Path, into: Path | None = None) -> tuple[Timed, int]:
    """DuckDB alone: decompress and parse every event file, count distinct messageId.

    With ``into``: the same files copied into a table of a fresh DuckDB file instead (no
    checks, no quarantine): what persisting them costs DuckDB itself.
    """
    pattern = (landing / "product_events" / "**" / "*.jsonl.gz").as_posix()
    source = (
        f"read_json('{pattern}', format = 'newline_delimited', ignore_errors = true, "
        f"columns = {SCAN_COLUMNS})"
    )
    con = duckdb.connect(str(into) if into else ":memory:")
    if into is None:
        spent, rows = timed(lambda: con.execute(f"SELECT count(DISTINCT messageId) FROM {source}"))
        rows = rows.fetchone()[0]  # type: ignore[attr-defined]
    else:
        spent, _ = timed(
            lambda: (con.execute(f"CREATE TABLE events AS FROM {source}"), con.close())
        )
        with duckdb.connect(str(into)) as check:
            rows = check.execute("SELECT count(*) FROM events").fetchone()[0]
        into.unlink()
    con.close()
    return spent, rows


def machine() -> str:
    model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPUs ({model}), {memory:.0f} GiB RAM, DuckDB {duckdb.__version__}"


def load_average() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def one_round(home: Path, landing: Path, number: int) -> dict[str, object]:
    scan, distinct = duckdb_scan(landing)
    copy, _ = duckdb_scan(landing, into=home / f"copy-{number}.duckdb")
    warehouse = home / f"round-{number}.duckdb"
    settings = Settings(home=home, landing_dir=landing, warehouse_path=warehouse)
    load_before = load_average()
    first, summary = timed(lambda: extract_all(settings))
    rerun, again = timed(lambda: extract_all(settings))
    events = summary.entity("product_events", "events")  # type: ignore[attr-defined]
    skipped = again.entity("product_events", "events").files_skipped_unchanged  # type: ignore[attr-defined]
    warehouse.unlink()
    return {
        "scan": scan,
        "copy": copy,
        "distinct": distinct,
        "first": first,
        "rerun": rerun,
        "events": events,
        "skipped": skipped,
        "load": f"{load_before} -> {load_average()}",
    }


def report(result: dict[str, object], label: str) -> None:
    scan, first, rerun = result["scan"], result["first"], result["rerun"]
    events = result["events"]
    count = events.rows_in  # type: ignore[attr-defined]
    assert isinstance(scan, Timed) and isinstance(first, Timed) and isinstance(rerun, Timed)
    print(f"{label} (load average 1/5/15 min: {result['load']})")
    print(
        f"  duckdb scan:  {count} lines in {scan.wall:.2f} s = {scan.rate(count):>9,.0f} "
        f"events/s, {scan.cpu:.2f} CPU-s ({result['distinct']} distinct messageId)"
    )
    copy = result["copy"]
    assert isinstance(copy, Timed)
    print(f"  duckdb copy:  {count} lines in {copy.wall:.2f} s = {copy.rate(count):>9,.0f} "
          f"events/s, {copy.cpu:.2f} CPU-s (CREATE TABLE AS read_json, into a file)")  # fmt: skip
    print(f"  extract_all:  {count} lines in {first.wall:.2f} s = {first.rate(count):>9,.0f} "
          f"events/s, {first.cpu:.2f} CPU-s = {count / first.cpu:,.0f} events per CPU-second "
          f"({events.rows_loaded} loaded, {events.rows_quarantined} quarantined, "  # type: ignore[attr-defined]
          f"{events.rows_duplicate} duplicates)")  # type: ignore[attr-defined]  # fmt: skip
    print(f"  ratio:        ingest / scan = {scan.wall / first.wall:.2f} "
          f"(CPU-s: {scan.cpu / first.cpu:.2f}); ingest / copy = {copy.wall / first.wall:.2f} "
          f"(CPU-s: {copy.cpu / first.cpu:.2f})")  # fmt: skip
    print(f"  second load:  {result['skipped']} unchanged files skipped in {rerun.wall:.3f} s = "
          f"{100 * rerun.wall / first.wall:.1f} % of the first")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rounds", type=int, default=3, help="scan + load rounds; best shown")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="uptake-bench-") as tmp:
        home = Path(tmp)
        landing = home / "landing"
        spent, _ = timed(lambda: write_landing_zone(landing, args.events, args.days))
        size = sum(p.stat().st_size for p in landing.rglob("*.gz")) / 2**20
        print(f"generated {args.events} events in {args.days} gzipped files ({size:.0f} MiB): "
              f"{spent.wall:.1f} s")  # fmt: skip
        # pyarrow imports pandas on first use: a one-off start-up cost, not load throughput.
        import pandas  # noqa: F401

        results = []
        for number in range(1, args.rounds + 1):
            results.append(one_round(home, landing, number))
            report(results[-1], f"round {number}")
    best = min(results, key=lambda r: r["first"].wall)  # type: ignore[attr-defined]
    report(best, "best round")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the whole benchmark: {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
