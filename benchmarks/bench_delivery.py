"""Benchmark ``publish_reports`` (HTML report, digests, CRM export) on an existing warehouse.

Copies the warehouse of a finished run (``uptake demo`` leaves one in $UPTAKE_HOME) into a
temporary home, so the run's own home is not written, and publishes twice (the second run has
MLflow imported already, as inside the score task). The MLflow store of the source home is
read for the calibration plot. No webhook, no PostgreSQL.

    UPTAKE_HOME=/tmp/demo .venv/bin/uptake demo
    .venv/bin/python benchmarks/bench_delivery.py --home /tmp/demo
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from uptake.delivery import publish_reports
from uptake.settings import get_settings


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="UPTAKE_HOME of a finished run")
    args = parser.parse_args()
    source = get_settings({"UPTAKE_HOME": str(args.home)})
    if not source.warehouse_path.exists():
        print(f"no warehouse at {source.warehouse_path}: run `uptake demo` first", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(
            get_settings({"UPTAKE_HOME": folder}),
            mlflow_tracking_uri=source.mlflow_tracking_uri,
            alert_webhook_url="",
            crm_source="",
        )
        settings.apply()
        shutil.copy(source.warehouse_path, settings.warehouse_path)
        print(f"machine: {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.2f}")
        for label in ("first run", "second run"):
            started, cpu = time.perf_counter(), time.process_time()
            summary = publish_reports(settings)
            total, cpu = time.perf_counter() - started, time.process_time() - cpu
            per_page = 1000 * summary.seconds["html_report"] / max(1, summary.report_pages)
            # Wall times depend on the machine's load (printed above); CPU time much less.
            print(
                f"{label}: {total:.1f} s wall, {cpu:.1f} s CPU; {summary.report_pages} pages, "
                f"{summary.report_plots} plots, {per_page:.0f} ms per page; "
                f"{_size(settings.reports_dir) / 1e6:.1f} MB; steps {summary.seconds}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
