"""Time the whole pipeline on a simulated landing zone, as multiples of DuckDB's scan of its
events.

Simulates a landing zone (default 370 accounts x 12 months: about 1.6 M events), then times on
it:

- DuckDB's own scan: ``read_json`` of every ``product_events`` file, counting distinct
  ``messageId`` (decompress + parse, nothing written), as in bench_extract.py; best of three;
- the whole run, in a fresh home: the task bodies the four DAGs call
  (uptake.orchestration.tasks), in DAG
  order, in this process, with the context a DAG run gives them: extract (load_landing_zone),
  transform (build_marts: dbt source freshness + dbt build with every data and unit test;
  check_marts: the Great Expectations gate), train (train_models, including the rebuild of the
  models that read the personas) and score (score_accounts, deliver_reports, publish_bi_copy);
- the rerun with nothing new: the same tasks again for the same day (unchanged files are
  skipped by hash, dbt recomputes only the incremental models' late-event window, a model whose
  training data fingerprint is unchanged is not retrained);
- with ``--airflow``: ``uptake run`` twice in another fresh home (``airflow dags test`` per DAG,
  Airflow bootstrap included in the first).

It prints each stage, the dbt nodes that dominate each build, and the totals as multiples of the
scan. Targets (issue "Incremental work"): whole run <= 60x the scan, rerun <= 30x.

.venv/bin/python benchmarks/bench_pipeline.py --accounts 370 --months 12 --airflow
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench_extract import Timed, duckdb_scan, load_average, machine, timed

from uptake.settings import get_settings
from uptake.simulation import simulate

RUN_TARGET, RERUN_TARGET = 60, 30
# (stage, task body) in the order the DAGs run them.
STAGES = (
    ("extract", "load_landing_zone"),
    ("dbt freshness + build", "build_marts"),
    ("quality gate", "check_marts"),
    ("train", "train_models"),
    ("score", "score_accounts"),
    ("deliver reports", "deliver_reports"),
    ("BI copy", "publish_bi_copy"),
)


def dbt_profile(target_dir: Path, top: int) -> list[str]:
    """The build's slowest nodes and its time by resource type, from run_results.json."""
    results = json.loads((target_dir / "run_results.json").read_text())
    nodes = results["results"]
    by_type: dict[str, list[float]] = defaultdict(list)
    for node in nodes:
        by_type[node["unique_id"].split(".")[0]].append(node["execution_time"])
    spent = sum(node["execution_time"] for node in nodes)
    lines = [
        f"    dbt: {results['elapsed_time']:.1f} s elapsed, {spent:.1f} s in {len(nodes)} nodes ("
        + ", ".join(f"{kind} {len(t)}: {sum(t):.1f} s" for kind, t in sorted(by_type.items()))
        + ")"
    ]
    for node in sorted(nodes, key=lambda n: -n["execution_time"])[:top]:
        lines.append(f"      {node['execution_time']:6.2f} s  {node['unique_id']}")
    return lines


@contextmanager
def output_to(log: Path) -> Iterator[None]:
    """The tasks' own output (dbt, GX, MLflow, warnings) into ``log``, at the file descriptors."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log, "a") as handle:
        os.dup2(handle.fileno(), 1)
        os.dup2(handle.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def run_tasks(
    day: datetime, top: int, log: Path
) -> tuple[float, list[tuple[str, float]], list[str]]:
    """Every DAG task body once for ``day``; (total s, [(stage, s)], dbt profile lines)."""
    from uptake.orchestration import tasks

    context: dict[str, Any] = {
        "logical_date": day,
        "params": {},
        "outlet_events": defaultdict(SimpleNamespace),
    }
    stages, profile = [], []
    for label, name in STAGES:
        body: Callable[[dict[str, Any]], Any] = getattr(tasks, name)
        with output_to(log):
            spent, _ = timed(lambda body=body: body(context))
        stages.append((label, spent.wall))
        if name == "build_marts":
            profile = dbt_profile(get_settings().dbt_target_dir, top)
    return sum(s for _, s in stages), stages, profile


def uptake_run(home: Path, landing: Path, day: datetime) -> float:
    env = {
        **os.environ,
        "UPTAKE_HOME": str(home),
        "UPTAKE_LANDING_DIR": str(landing),
        "UPTAKE_AS_OF_DATE": day.date().isoformat(),
    }
    command = [str(Path(sys.executable).parent / "uptake"), "run"]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"uptake run failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


# The pipeline proper; the score DAG's delivery tasks (HTML report, digests, CRM export, BI
# copy) are timed and shown too, but apart: they render files for people, not data.
DELIVERY = ("deliver reports", "BI copy")


def pipeline_seconds(stages: list[tuple[str, float]]) -> float:
    return sum(seconds for stage, seconds in stages if stage not in DELIVERY)


def report(label: str, total: float, stages: list[tuple[str, float]], scan: Timed) -> None:
    core = pipeline_seconds(stages)
    print(
        f"{label}: extract + transform + gate + train + score {core:.1f} s = "
        f"{core / scan.wall:.1f}x the scan; with delivery and BI copy {total:.1f} s = "
        f"{total / scan.wall:.1f}x"
    )
    for stage, seconds in stages:
        print(f"    {stage:<22} {seconds:7.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=370)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--top", type=int, default=8, help="slowest dbt nodes shown per build")
    parser.add_argument("--airflow", action="store_true", help="also time `uptake run` twice")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="uptake-bench-pipeline-") as tmp:
        root = Path(tmp)
        landing = root / "landing"
        spent, summary = timed(lambda: simulate(landing, args.accounts, args.months, args.seed))
        files = list((landing / "product_events").rglob("*.jsonl.gz"))
        size = sum(p.stat().st_size for p in files) / 2**20
        print(
            f"simulated {args.accounts} accounts x {args.months} months: "
            f"{summary.events:,} events in {len(files)} gzipped files ({size:.0f} MiB), "  # type: ignore[attr-defined]
            f"{spent.wall:.0f} s"
        )
        scans = [duckdb_scan(landing)[0] for _ in range(3)]
        scan = min(scans, key=lambda s: s.wall)  # the fastest: the strictest yardstick
        print(
            f"duckdb scan of the event files: {scan.wall:.2f} s (best of "
            + ", ".join(f"{s.wall:.2f}" for s in scans)
            + f"), {scan.cpu:.2f} CPU-s; load average {load_average()}"
        )
        day = datetime.fromisoformat(max(p.parent.name[3:] for p in files))
        os.environ.update(
            {"UPTAKE_HOME": str(root / "home"), "UPTAKE_LANDING_DIR": str(landing)}
        )  # the task bodies read their settings from the environment, as in a worker
        os.environ.pop("UPTAKE_AS_OF_DATE", None)
        print(f"as-of date {day.date()}; task bodies in this process:")
        log = root / "tasks.log"
        first, first_stages, first_profile = run_tasks(day, args.top, log)
        report("  whole run", first, first_stages, scan)
        print("\n".join(first_profile))
        again, again_stages, again_profile = run_tasks(day, args.top, log)
        report("  rerun, nothing new", again, again_stages, scan)
        print("\n".join(again_profile))
        if args.airflow:
            print("through Airflow (uptake run: airflow dags test per DAG), another fresh home:")
            home = root / "airflow-home"
            run = uptake_run(home, landing, day)
            print(f"  uptake run:              {run:6.1f} s = {run / scan.wall:.1f}x the scan")
            rerun = uptake_run(home, landing, day)
            print(f"  uptake run, nothing new: {rerun:6.1f} s = {rerun / scan.wall:.1f}x the scan")
        late = duckdb_scan(landing)[0]
        print(f"duckdb scan again after the runs: {late.wall:.2f} s; load average {load_average()}")
        run_x = pipeline_seconds(first_stages) / scan.wall
        rerun_x = pipeline_seconds(again_stages) / scan.wall
        print(
            f"targets (extract + transform + gate + train + score, task bodies): whole run <= "
            f"{RUN_TARGET}x the scan: {run_x:.1f}x "
            + ("met" if run_x <= RUN_TARGET else "NOT met")
            + f"; rerun <= {RERUN_TARGET}x: {rerun_x:.1f}x "
            + ("met" if rerun_x <= RERUN_TARGET else "NOT met")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
