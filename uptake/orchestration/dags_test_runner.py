"""Run the pipeline through Airflow itself: ``airflow dags test`` for each DAG, in order.

The embedded default needs no scheduler: Airflow runs on a SQLite metadata database under
``$UPTAKE_HOME/airflow`` and ``dags test`` executes one DAG run in-process with the same task
code, pools, XComs and asset events a scheduler would use. The DAGs are run in the order the
assets chain them (extract -> transform -> train -> score), all for the same logical date, so
every task sees the same as-of date. Each run's full output goes to a log file under
``settings.logs_dir``; a failure stops the pipeline with the tail of that log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path

from uptake.orchestration.run_checks import contract_table_problems, dag_run_problems
from uptake.orchestration.run_progress import LogWatcher, Report
from uptake.settings import Settings
from uptake.warehouse import WRITER_POOL

DAG_SEQUENCE = ("uptake_extract", "uptake_transform", "uptake_train", "uptake_score")
BOOTSTRAP_MARKER = "uptake-bootstrap.json"
DAG_TIMEOUT_SECONDS = 2 * 60 * 60
TAIL_LINES = 60
POLL_SECONDS = 1.0  # how often a running airflow subprocess's log is read for progress
# An embedded run has a person waiting: retry a failed task after seconds, not minutes.
EMBEDDED_RETRY_DELAY_SECONDS = 10
PROCESSOR_LOG_VARIABLE = "AIRFLOW__LOGGING__DAG_PROCESSOR_CHILD_PROCESS_LOG_DIRECTORY"


class PipelineError(RuntimeError):
    """A pipeline step failed; the message says which and shows the end of its log."""


@dataclass(frozen=True)
class DagRunTiming:
    dag_id: str
    seconds: float
    log_path: Path


@dataclass(frozen=True)
class PipelineResult:
    as_of_date: date
    bootstrap_seconds: float
    dags: tuple[DagRunTiming, ...]

    @property
    def total_seconds(self) -> float:
        return self.bootstrap_seconds + sum(run.seconds for run in self.dags)

    def as_dict(self) -> dict[str, object]:
        return {
            "as_of_date": self.as_of_date.isoformat(),
            "bootstrap_seconds": round(self.bootstrap_seconds, 1),
            "dags": {run.dag_id: round(run.seconds, 1) for run in self.dags},
            "total_seconds": round(self.total_seconds, 1),
        }


def airflow_executable() -> Path:
    """The ``airflow`` script of the running interpreter's environment (the project .venv)."""
    return Path(sys.executable).parent / "airflow"


def resolve_as_of_date(settings: Settings, as_of_date: date | None = None) -> date:
    """The day to run: the argument, else UPTAKE_AS_OF_DATE, else the latest delivery.

    A landing zone without any delivery is an error whatever the date: a run over it could
    only build empty marts.
    """
    from uptake.extract import latest_delivery_date

    latest = latest_delivery_date(settings.landing_dir)
    if latest is None:
        raise PipelineError(
            f"no deliveries (dt=YYYY-MM-DD folders holding a contract file) in the landing zone "
            f"{settings.landing_dir}; point UPTAKE_LANDING_DIR at a landing zone"
        )
    if as_of_date is not None:
        return as_of_date
    if settings.as_of_date is not None:
        return settings.as_of_date
    return latest


def log_tail(text: str, lines: int = TAIL_LINES) -> str:
    """What a person needs from a failed run's log: the error and where in our code it arose.

    That is the last traceback without the frames inside installed packages (Airflow's task
    runner), followed by the log's last lines; without a traceback, the last ``lines`` lines.
    """
    all_lines = text.rstrip().splitlines()
    starts = [i for i, line in enumerate(all_lines) if line.startswith("Traceback (most recent")]
    if not starts:
        return "\n".join(all_lines[-lines:])
    start = starts[-1]
    end = next(
        (i for i in range(start + 1, len(all_lines)) if not all_lines[i][:1].isspace()),
        len(all_lines) - 1,
    )
    frames: list[str] = []
    keep = True
    for line in all_lines[start + 1 : end]:
        # A frame is its "File ..." line plus the indented source lines up to the next frame.
        if line.lstrip().startswith('File "'):
            keep = "/site-packages/" not in line
        if keep:
            frames.append(line)
    # The exception line, and its message's continuation lines (indented), e.g. a gate report.
    error = [all_lines[end]] if end < len(all_lines) else []
    for line in all_lines[end + 1 :]:
        if not line[:1].isspace():
            break
        error.append(line)
    excerpt = [all_lines[start], *frames, *error, "...", *all_lines[-3:]]
    return "\n".join(excerpt[-lines:])


def airflow_env(settings: Settings) -> dict[str, str]:
    """The environment of the airflow subprocesses: inherited, plus the settings' tool env."""
    env = dict(os.environ)  # passed through as a child inherits it (PATH, HOME, locale)
    env.update(settings.tool_env())
    env.update(
        {
            "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": str(EMBEDDED_RETRY_DELAY_SECONDS),
            PROCESSOR_LOG_VARIABLE: str(settings.logs_dir / "airflow" / "dag_processor"),
        }
    )
    return env


def _run_airflow(
    settings: Settings,
    args: list[str],
    log_path: Path,
    timeout: float,
    watcher: LogWatcher | None = None,
) -> tuple[int, float]:
    """Run ``airflow ARGS`` with its output in ``log_path``; (exit code, seconds)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(airflow_executable()), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=airflow_env(settings),
        )
        while True:
            elapsed = time.perf_counter() - started
            try:
                code = process.wait(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if elapsed > timeout:
                    process.kill()
                    process.wait()
                    log.write(
                        f"\nuptake: airflow {' '.join(args)} timed out after {timeout:.0f} s\n"
                    )
                    code = -1
                    break
            if watcher is not None:
                watcher.poll(elapsed)
    if watcher is not None:
        watcher.poll(time.perf_counter() - started)
    return code, time.perf_counter() - started


def _fail(what: str, code: int, log_path: Path) -> PipelineError:
    tail = log_tail(log_path.read_text(errors="replace")) if log_path.exists() else ""
    return PipelineError(
        f"{what} failed (exit code {code}); full log: {log_path}\n--- end of log ---\n{tail}"
    )


def _marker_content() -> dict[str, str]:
    return {"airflow_version": version("apache-airflow"), "pool": WRITER_POOL}


def bootstrap_airflow(settings: Settings) -> float:
    """Create the metadata DB and the writer pool once; seconds spent (0 when already done)."""
    marker = settings.airflow_home / BOOTSTRAP_MARKER
    database = settings.airflow_home / "airflow.db"
    expected = _marker_content()
    if marker.exists() and database.exists() and json.loads(marker.read_text()) == expected:
        return 0.0
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    log_path = settings.logs_dir / "airflow" / "bootstrap.log"
    code, migrate_seconds = _run_airflow(settings, ["db", "migrate"], log_path, DAG_TIMEOUT_SECONDS)
    if code != 0:
        raise _fail("airflow db migrate", code, log_path)
    pool_log = settings.logs_dir / "airflow" / "pools.log"
    description = "DuckDB allows one writer: every warehouse task takes this slot"
    code, pool_seconds = _run_airflow(
        settings, ["pools", "set", WRITER_POOL, "1", description], pool_log, DAG_TIMEOUT_SECONDS
    )
    if code != 0:
        raise _fail(f"airflow pools set {WRITER_POOL}", code, pool_log)
    marker.write_text(json.dumps(expected))
    return migrate_seconds + pool_seconds


def run_dag_test(
    settings: Settings,
    dag_id: str,
    day: date,
    *,
    timeout: float = DAG_TIMEOUT_SECONDS,
    progress: Report | None = None,
) -> DagRunTiming:
    """``airflow dags test DAG DAY``: one run whose logical date (the tasks' as-of) is DAY."""
    log_path = settings.logs_dir / "airflow" / "dags_test" / day.isoformat() / f"{dag_id}.log"
    watcher = LogWatcher(log_path, dag_id, progress) if progress is not None else None
    code, seconds = _run_airflow(
        settings, ["dags", "test", dag_id, day.isoformat()], log_path, timeout, watcher
    )
    if code != 0:
        raise _fail(f"DAG {dag_id} for {day.isoformat()}", code, log_path)
    # Exit code 0 also covers a run in which no task ran: the task instances say what happened.
    problems = dag_run_problems(settings.airflow_home / "airflow.db", dag_id, day)
    if problems:
        raise PipelineError(
            f"DAG {dag_id} for {day.isoformat()} did not run every task to success: "
            + "; ".join(problems)
            + f"; full log: {log_path}"
        )
    return DagRunTiming(dag_id=dag_id, seconds=seconds, log_path=log_path)


def run_pipeline(
    settings: Settings,
    as_of_date: date | None = None,
    dag_ids: tuple[str, ...] = DAG_SEQUENCE,
    progress: Report | None = None,
) -> PipelineResult:
    """Run ``dag_ids`` through Airflow for one day; raise :class:`PipelineError` on a failure.

    ``progress`` receives one line whenever a task starts or ends, and a heartbeat while one
    runs long (``uptake run`` prints them).
    """
    from uptake.orchestration.run_log import clear_steps

    day = resolve_as_of_date(settings, as_of_date)
    clear_steps(settings)  # the report must describe this run only
    bootstrap_seconds = bootstrap_airflow(settings)
    runs = []
    for dag_id in dag_ids:
        runs.append(run_dag_test(settings, dag_id, day, progress=progress))
    if dag_ids[-1] == DAG_SEQUENCE[-1]:
        problems = contract_table_problems(settings)
        if problems:
            raise PipelineError(
                f"the run for {day.isoformat()} finished but did not fill the contract tables: "
                + "; ".join(problems)
            )
    return PipelineResult(as_of_date=day, bootstrap_seconds=bootstrap_seconds, dags=tuple(runs))


def run_backfill(
    settings: Settings,
    start: date,
    end: date,
    on_day: Callable[[PipelineResult], None] | None = None,
    progress: Report | None = None,
) -> list[PipelineResult]:
    """Run the whole pipeline once per day from ``start`` to ``end``, oldest first.

    Each day is a full run as of that day, exactly what the daily schedule would have done,
    so the marts as of ``end`` equal those of one run as of ``end``. Stops at the first
    failing day (its :class:`PipelineError` names the day).
    """
    if end < start:
        raise PipelineError(f"backfill end {end} is before its start {start}")
    results = []
    day = start
    while day <= end:
        result = run_pipeline(settings, as_of_date=day, progress=progress)
        results.append(result)
        if on_day is not None:
            on_day(result)
        day += timedelta(days=1)
    return results
