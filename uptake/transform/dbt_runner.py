"""Run ``dbt build`` in-process with dbtRunner, configured only from :class:`Settings`.

On the DuckDB target the build holds the warehouse writer lock, so no extract or scoring step
writes at the same time. BI readers never see a half-built mart: every table model is built
under a temporary name and swapped in (rename) inside one transaction, on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from uptake.settings import Settings
from uptake.transform import unchanged_build
from uptake.transform.build_results import (
    STATUSES,
    DbtBuildError,
    DbtBuildResult,
    NodeFailure,
    summarize,
)
from uptake.warehouse import writer_lock

__all__ = [
    "ML_SOURCE_CONSUMERS",
    "DbtBuildError",
    "DbtBuildResult",
    "NodeFailure",
    "build_args",
    "dbt_args",
    "run_dbt_build",
    "warehouse_guard",
]

log = logging.getLogger(__name__)

# A build whose only errors the database asks to retry (build_results.TRANSIENT_ERRORS: a
# PostgreSQL deadlock between two dbt threads) is run again this many times before it fails.
TRANSIENT_RETRIES = 1

# Where a build records the fingerprint its unit tests passed on (under the dbt target dir).
UNIT_TESTS_PASSED = "unit_tests_passed.txt"

# The models that read tables uptake.ml writes after the main build (source `ml`: the
# personas), with their tests: the train step rebuilds them once it has written the tables.
ML_SOURCE_CONSUMERS = "source:ml+"


def dbt_args(
    settings: Settings,
    command: list[str],
    as_of_date: date | None,
    target_path: Path | None = None,
) -> list[str]:
    """A dbt command line: every path and the target come from settings."""
    args = [
        *command,
        "--project-dir",
        str(settings.dbt_project_dir),
        "--profiles-dir",
        str(settings.dbt_project_dir),
        "--target",
        settings.dbt_target,
        "--target-path",
        str(target_path or settings.dbt_target_dir),
        "--log-path",
        str(settings.dbt_log_dir),
    ]
    dbt_vars: dict[str, object] = {}
    if as_of_date is not None:
        dbt_vars["as_of_date"] = as_of_date.isoformat()
    if settings.cohort_min_accounts is not None:
        dbt_vars["cohort_min_accounts"] = settings.cohort_min_accounts
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    return args


def build_args(
    settings: Settings, as_of_date: date | None, select: str | None, full_refresh: bool = False
) -> list[str]:
    """The ``dbt build`` command line; ``--full-refresh`` when asked or set in settings."""
    args = dbt_args(settings, ["build"], as_of_date)
    if select:
        args += ["--select", select]
    if full_refresh or settings.dbt_full_refresh:
        args.append("--full-refresh")
    return args


def unit_test_fingerprint(settings: Settings, args: list[str]) -> str:
    """What dbt unit tests depend on: the project's files, dbt's version, the target and vars.

    Unit tests read fixtures from the schema files, never the warehouse, so while this is
    unchanged their last pass still holds.
    """
    from importlib.metadata import version

    digest = hashlib.sha256()
    project = settings.dbt_project_dir
    for path in sorted(project.rglob("*")):
        parts = path.relative_to(project).parts
        if path.is_file() and parts[0] not in ("target", "logs", "dbt_packages"):
            digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes())
    vars_json = args[args.index("--vars") + 1] if "--vars" in args else ""
    for part in (version("dbt-core"), settings.dbt_target, vars_json):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


def unit_tests_already_passed(settings: Settings, fingerprint: str) -> bool:
    stamp = settings.dbt_target_dir / UNIT_TESTS_PASSED
    return stamp.exists() and stamp.read_text().strip() == fingerprint


def _release_duckdb_file() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after a run.

    dbt-duckdb caches one environment per process (and only drops it at exit); while it is
    open no other process can write the file and this one cannot reopen it read-only.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        if environment is not None:
            environment.close()
        DuckDBConnectionManager.close_all_connections()


@contextmanager
def warehouse_guard(settings: Settings) -> Iterator[None]:
    """Around any dbt invocation that opens the warehouse (build, freshness, docs generate).

    DuckDB allows one writer per file (dbt-duckdb opens it read-write even to read), so the
    invocation holds the writer lock; PostgreSQL handles concurrency itself.
    """
    if settings.dbt_target != "duckdb":
        yield
        return
    with writer_lock(settings.warehouse_path):
        try:
            yield
        finally:
            _release_duckdb_file()


def _invoke(
    runner: Any, args: list[str], settings: Settings, as_of: date | None, started: float
) -> DbtBuildResult:
    """One ``dbt build``; ``elapsed_seconds`` counts from ``started`` (the first attempt)."""
    with warehouse_guard(settings):
        outcome = runner.invoke(args)
    node_results = list(getattr(outcome.result, "results", None) or [])
    invocation_error = None
    if outcome.exception is not None or (not outcome.success and not node_results):
        invocation_error = str(outcome.exception or "dbt build failed before running any node")
    return summarize(
        node_results,
        target=settings.dbt_target,
        as_of_date=as_of,
        elapsed_seconds=time.monotonic() - started,
        invocation_error=invocation_error,
    )


def run_dbt_build(
    settings: Settings,
    as_of_date: date | None = None,
    select: str | None = None,
    full_refresh: bool = False,
) -> DbtBuildResult:
    """Build (run + test) the dbt project; raise :class:`DbtBuildError` if any node errors.

    ``as_of_date`` defaults to ``settings.as_of_date``; when both are None the project takes
    the latest ``_delivery_date`` in raw (macro ``as_of_date``). The incremental event models
    recompute only their late-event window; ``full_refresh`` (or ``settings.dbt_full_refresh``)
    rebuilds them from raw.
    """
    from dbt.cli.main import dbtRunner  # heavy import (~3 s): only when a build runs

    effective_as_of = as_of_date or settings.as_of_date
    # profiles.yml reads env_var(): export this Settings' view of the environment first.
    settings.apply()
    settings.dbt_target_dir.mkdir(parents=True, exist_ok=True)
    settings.dbt_log_dir.mkdir(parents=True, exist_ok=True)
    args = build_args(settings, effective_as_of, select, full_refresh)
    fingerprint = unit_test_fingerprint(settings, args)
    # The personas' consumers (train step) are rebuilt after a full build of the same run.
    keyed = select is None or select == ML_SOURCE_CONSUMERS
    key = unchanged_build.build_key(settings, fingerprint) if keyed else None
    reuse = "--full-refresh" not in args
    previous = (
        unchanged_build.last_unchanged_build(settings, key) if reuse and select is None else None
    )
    if previous is not None:
        return DbtBuildResult(
            target=settings.dbt_target,
            as_of_date=effective_as_of,
            status_counts={status: 0 for status in STATUSES},
            counts_by_type={},
            unchanged_since=str(previous["built_at"]),
        )
    # A rerun of unchanged SQL need not rerun the unit tests (static fixtures, same verdict).
    skip_unit_tests = unit_tests_already_passed(settings, fingerprint)
    if skip_unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    started = time.monotonic()
    for attempt in range(1 + TRANSIENT_RETRIES):
        result = _invoke(dbtRunner(), args, settings, effective_as_of, started)
        if result.success or not result.failed_only_transiently or attempt == TRANSIENT_RETRIES:
            break
        # Every model is idempotent (views and tables replaced, incremental windows deleted
        # and inserted again), so building again is safe.
        failed = ", ".join(f.unique_id for f in result.failures)
        log.warning("dbt build: a deadlock in %s; building again", failed)
    if not result.success:
        unchanged_build.forget_build(settings)
        raise DbtBuildError(result)
    if select is None:
        unchanged_build.record_build(settings, key, {"as_of_date": effective_as_of})
    elif select == ML_SOURCE_CONSUMERS:
        unchanged_build.record_ml_rebuild(settings, key)
    if not skip_unit_tests and select is None and result.count("unit_test"):
        (settings.dbt_target_dir / UNIT_TESTS_PASSED).write_text(fingerprint)
    return result
