"""``uptake trigger`` and ``uptake status``: start and follow runs on the running stack.

A trigger starts ``uptake_extract`` with ``{"as_of_date": DAY}`` in its conf; the scheduler runs
transform, train and score as the assets chain them, each reading the day from the asset events'
extra (``uptake.orchestration.tasks.as_of_date``). Waiting follows the runs created since the
trigger until ``uptake_score`` succeeded or any of them failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from uptake.orchestration.dags_test_runner import DAG_SEQUENCE
from uptake.orchestration.server.airflow_api import AirflowApi

AS_OF_KEY = (
    "as_of_date"  # uptake.orchestration.tasks.AS_OF_KEY; not imported, it would load Airflow
)

WAIT_TIMEOUT_SECONDS = 2 * 60 * 60
POLL_SECONDS = 3.0
FAILED = "failed"
SUCCESS = "success"


@dataclass(frozen=True)
class RunLine:
    dag_id: str
    run_id: str | None
    state: str | None
    run_type: str | None
    run_after: str | None
    end_date: str | None

    def format(self) -> str:
        if self.run_id is None:
            return f"{self.dag_id:<17} no run"
        ended = f" ended {self.end_date[:19]}" if self.end_date else ""
        return (
            f"{self.dag_id:<17} {self.state or '-':<8} {self.run_type or '':<15} "
            f"{self.run_id}  (run after {(self.run_after or '')[:19]}{ended})"
        )


class RunFailed(RuntimeError):
    """A DAG run of the chain failed, or the chain did not finish in time."""


def trigger(api: AirflowApi, day: date) -> dict[str, Any]:
    """Start ``uptake_extract`` for ``day``; the created run."""
    return api.trigger(DAG_SEQUENCE[0], {AS_OF_KEY: day.isoformat()})


def latest_runs(api: AirflowApi, since: str | None = None) -> list[RunLine]:
    """The latest run of each DAG of the chain (only runs after ``since`` when given)."""
    lines = []
    for dag_id in DAG_SEQUENCE:
        run = api.latest_run(dag_id, since)
        if run is None:
            lines.append(RunLine(dag_id, None, None, None, None, None))
        else:
            lines.append(
                RunLine(
                    dag_id,
                    run["dag_run_id"],
                    run["state"],
                    run["run_type"],
                    run["run_after"],
                    run.get("end_date"),
                )
            )
    return lines


def failed(lines: list[RunLine]) -> list[RunLine]:
    return [line for line in lines if line.state == FAILED]


def wait_for_score(
    api: AirflowApi,
    since: str,
    timeout: float = WAIT_TIMEOUT_SECONDS,
    on_change: Callable[[list[RunLine]], None] | None = None,
) -> list[RunLine]:
    """Poll the runs created since ``since`` until ``uptake_score`` succeeded.

    Raises :class:`RunFailed` naming the DAG and its failed tasks when a run of the chain
    fails, or when ``timeout`` passes first.
    """
    deadline = time.monotonic() + timeout
    previous: list[RunLine] | None = None
    while True:
        lines = latest_runs(api, since)
        if on_change is not None and lines != previous:
            on_change(lines)
        previous = lines
        if broken := failed(lines):
            raise RunFailed("; ".join(_failure(api, line) for line in broken))
        if lines[-1].state == SUCCESS:
            return lines
        if time.monotonic() > deadline:
            waiting = [line.dag_id for line in lines if line.state != SUCCESS]
            raise RunFailed(f"not finished after {timeout:.0f} s: {', '.join(waiting)}")
        time.sleep(POLL_SECONDS)


def _failure(api: AirflowApi, line: RunLine) -> str:
    assert line.run_id is not None
    states = api.task_states(line.dag_id, line.run_id)
    bad = [f"{task} {state or 'never ran'}" for task, state in states.items() if state != SUCCESS]
    return f"{line.dag_id} run {line.run_id} failed ({', '.join(bad) or 'no task ran'})"
