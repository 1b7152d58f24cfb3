"""The bodies of ``uptake trigger`` and ``uptake status`` (exit codes and printed lines)."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from uptake.orchestration.dags_test_runner import PipelineError, resolve_as_of_date
from uptake.orchestration.server.airflow_api import AirflowApiError
from uptake.orchestration.server.control import (
    RunFailed,
    RunLine,
    failed,
    latest_runs,
    trigger,
    wait_for_score,
)
from uptake.orchestration.server.stack import StackError, api_for, read_state
from uptake.settings import Settings


def _print_lines(lines: list[RunLine]) -> None:
    for line in lines:
        print(f"  {line.format()}", flush=True)
    print(flush=True)


def trigger_command(settings: Settings, as_of: date | None, wait: bool, timeout: float) -> int:
    try:
        state = read_state(settings)
        # The default day is the latest delivery of the landing zone the stack reads.
        stack_settings = replace(settings, landing_dir=Path(state.landing_dir))
        day = resolve_as_of_date(stack_settings, as_of)
        api = api_for(settings, state)
        run = trigger(api, day)
        print(f"triggered uptake_extract for {day.isoformat()}: run {run['dag_run_id']}")
        print(f"  follow it: uptake status --wait, or {state.airflow_url}/dags/uptake_extract")
        if not wait:
            return 0
        lines = wait_for_score(api, run["run_after"], timeout=timeout, on_change=_print_lines)
    except (StackError, PipelineError, AirflowApiError, RunFailed) as error:
        print(f"uptake trigger failed: {error}", file=sys.stderr)
        return 1
    print(f"uptake_score succeeded for {day.isoformat()} ({lines[-1].run_id})")
    return 0


def status_command(settings: Settings, wait: bool, timeout: float) -> int:
    try:
        state = read_state(settings)
        api = api_for(settings, state)
        lines = latest_runs(api)
        print(f"stack {state.airflow_url} ({state.executor}), latest run of each DAG:")
        _print_lines(lines)
        if wait and lines[0].run_after is not None:
            lines = wait_for_score(api, lines[0].run_after, timeout=timeout, on_change=_print_lines)
            print(f"uptake_score succeeded ({lines[-1].run_id})")
    except (StackError, AirflowApiError, RunFailed) as error:
        print(f"uptake status: {error}", file=sys.stderr)
        return 1
    if broken := failed(lines):
        names = ", ".join(line.dag_id for line in broken)
        print(f"uptake status: the latest run failed for {names}", file=sys.stderr)
        return 1
    return 0
