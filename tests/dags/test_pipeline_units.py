"""uptake.orchestration.dags_test_runner without Airflow.

The as-of date, the failure excerpt, the subprocess env."""

from __future__ import annotations

import sys
import types
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from uptake.orchestration import dags_test_runner
from uptake.orchestration.dags_test_runner import (
    PipelineError,
    airflow_env,
    log_tail,
    resolve_as_of_date,
)
from uptake.settings import Settings

FAILED_LOG = """\
2026-11-23T14:21:16Z [info     ] starting task load_landing_zone
Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/airflow/sdk/execution_time/task_runner.py", line 9
    result = _execute_task(context=context, ti=ti, log=log)
             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/home/ops/uptake/dags/uptake_extract.py", line 33, in load_landing_zone
    return tasks.load_landing_zone(context)
  File "/home/ops/uptake/uptake/extract/load.py", line 12, in extract_all
    raise ValueError("landing zone unreadable")
ValueError: landing zone unreadable:
  crm/dt=2026-03-01/accounts.csv is not UTF-8
2026-11-23T14:21:36Z [info     ] Task instance state updated new_state=failed
2026-11-23T14:21:36Z [info     ] DagRun Finished: dag_id=uptake_extract state=failed
DagRun failed
"""


def test_log_tail_keeps_our_frames_and_the_error() -> None:
    tail = log_tail(FAILED_LOG)

    lines = tail.splitlines()
    assert lines[0].startswith("Traceback")
    assert "site-packages" not in tail
    assert 'File "/home/ops/uptake/uptake/extract/load.py"' in tail
    assert "ValueError: landing zone unreadable:" in lines
    assert "  crm/dt=2026-03-01/accounts.csv is not UTF-8" in lines  # multi-line message kept
    assert lines[-1] == "DagRun failed"


def test_log_tail_without_traceback_is_the_last_lines() -> None:
    text = "\n".join(f"line {i}" for i in range(100))
    assert log_tail(text, lines=3) == "line 97\nline 98\nline 99"


def test_as_of_date_precedence(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_latest: dict[str, date | None] = {"value": date(2026, 3, 4)}
    fake = types.ModuleType("uptake.extract")
    fake.latest_delivery_date = lambda landing_dir: fake_latest["value"]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "uptake.extract", fake)

    assert resolve_as_of_date(settings, date(2026, 3, 5)) == date(2026, 3, 5)
    pinned = replace(settings, as_of_date=date(2026, 2, 1))
    assert resolve_as_of_date(pinned) == date(2026, 2, 1)
    assert resolve_as_of_date(settings) == date(2026, 3, 4)
    # Years back is as good as this week: nothing but the landing zone decides the day.
    fake_latest["value"] = date(1995, 7, 14)
    assert resolve_as_of_date(settings) == date(1995, 7, 14)

    # No delivery at all is an error, even with a date given: the run could only build nothing.
    fake_latest["value"] = None
    for given in (None, date(2026, 3, 5)):
        with pytest.raises(PipelineError, match="no deliveries"):
            resolve_as_of_date(settings, given)
    with pytest.raises(PipelineError, match="no deliveries"):
        resolve_as_of_date(pinned)


def test_airflow_env_points_airflow_at_the_uptake_home(settings: Settings) -> None:
    env = airflow_env(settings)

    assert env["AIRFLOW_HOME"] == str(settings.airflow_home)
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(settings.dags_dir)
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("sqlite:///")
    for key in ("AIRFLOW__LOGGING__BASE_LOG_FOLDER", dags_test_runner.PROCESSOR_LOG_VARIABLE):
        assert Path(env[key]).is_relative_to(settings.logs_dir)
    assert env["DO_NOT_TRACK"] == "1"
    assert "PATH" in env


def test_airflow_executable_is_the_venv_one() -> None:
    executable = dags_test_runner.airflow_executable()
    assert executable.name == "airflow" and executable.is_file()


@pytest.mark.parametrize("hour", [0, 1, 12, 23])
def test_unpausing_the_extract_at_any_hour_starts_no_run(monkeypatch, hour: int) -> None:
    """The daily schedule fires at midnight only: unpaused at 00:30 (within the 2.4 hours in
    which "@daily" would start a run at once) or at any other hour, the first scheduled run is
    the next midnight, never one in the past."""
    import pendulum
    from airflow.timetables import trigger
    from airflow.timetables.base import TimeRestriction

    from uptake.orchestration.tasks import DAILY_AT_MIDNIGHT_UTC

    now = pendulum.datetime(2026, 12, 1, hour, 30, tz="UTC")
    monkeypatch.setattr(trigger, "utcnow", lambda: now)
    first = DAILY_AT_MIDNIGHT_UTC.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=None, latest=None, catchup=False),
    )
    assert first is not None
    assert first.run_after == pendulum.datetime(2026, 12, 2, tz="UTC")
