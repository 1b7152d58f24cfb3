"""A real `airflow dags test` of uptake_extract through
uptake.orchestration.dags_test_runner, with a fake extractor.

The fake replaces ``uptake.extract`` inside the Airflow subprocess (a ``sitecustomize`` on
PYTHONPATH), so this checks the wiring end to end: bootstrap (migrate + pool), the DAG parse,
the logical date reaching the task as its as-of date, the run log, and failure reporting.
"""

from __future__ import annotations

import sqlite3
import textwrap
from datetime import date
from pathlib import Path

import pytest

from uptake.orchestration.dags_test_runner import PipelineError, bootstrap_airflow, run_pipeline
from uptake.orchestration.run_checks import dag_run_problems
from uptake.orchestration.run_log import read_step
from uptake.settings import Settings

FAKE_EXTRACT = textwrap.dedent(
    """
    import os
    import sys
    import types
    from datetime import date

    class _Summary:
        pulls = []
        future_deliveries = []
        raw_copy = None

        def totals(self):
            return {"files": 2, "rows_loaded": 10, "rows_quarantined": 1}

        def as_rows(self):
            return [{"file_path": "crm/dt=2026-03-01/accounts.csv", "rows_loaded": 10}]

    def extract_all(settings, as_of=None):
        if os.environ.get("UPTAKE_FAKE_EXTRACT_ERROR"):
            # Not retried (a retry would add the retry delay to this test).
            from airflow.sdk.exceptions import AirflowFailException

            raise AirflowFailException(os.environ["UPTAKE_FAKE_EXTRACT_ERROR"])
        return _Summary()

    def latest_delivery_date(landing_dir):
        return date(2026, 3, 1)

    fake = types.ModuleType("uptake.extract")
    fake.extract_all = extract_all
    fake.latest_delivery_date = latest_delivery_date
    sys.modules["uptake.extract"] = fake
    """
)


@pytest.fixture
def fake_extract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    # The pipeline refuses a landing zone without deliveries before it starts Airflow.
    delivery = settings.landing_dir / "crm" / "dt=2026-03-01"
    delivery.mkdir(parents=True)
    (delivery / "accounts.csv").write_text("Id,Name\n001A,Acme\n")
    fakes = tmp_path / "fakes"
    fakes.mkdir()
    (fakes / "sitecustomize.py").write_text(FAKE_EXTRACT)
    monkeypatch.setenv("PYTHONPATH", str(fakes))


def test_dags_test_passes_the_logical_date_and_stops_on_failure(
    settings: Settings, fake_extract: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_pipeline(settings, as_of_date=date(2026, 3, 2), dag_ids=("uptake_extract",))

    assert result.as_of_date == date(2026, 3, 2)
    assert [run.dag_id for run in result.dags] == ["uptake_extract"]
    assert result.bootstrap_seconds > 0
    assert result.dags[0].log_path.is_file()
    assert settings.logs_dir in result.dags[0].log_path.parents
    step = read_step(settings, "extract")
    assert step is not None
    # The task got the date given to `dags test`, not today's date.
    assert step["as_of_date"] == "2026-03-02"
    assert step["totals"] == {"files": 2, "rows_loaded": 10, "rows_quarantined": 1}
    assert bootstrap_airflow(settings) == 0.0  # migrated once, skipped afterwards
    airflow_db = settings.airflow_home / "airflow.db"
    assert dag_run_problems(airflow_db, "uptake_extract", date(2026, 3, 2)) == []

    monkeypatch.setenv("UPTAKE_FAKE_EXTRACT_ERROR", "landing zone unreadable")
    with pytest.raises(PipelineError) as raised:
        run_pipeline(settings, as_of_date=date(2026, 3, 3), dag_ids=("uptake_extract",))
    message = str(raised.value)
    assert "uptake_extract" in message and "2026-03-03" in message
    assert "landing zone unreadable" in message
    assert read_step(settings, "extract") is None  # the failed run left no stale summary


def test_a_run_from_years_back_runs_its_tasks(
    settings: Settings, fake_extract: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A logical date long before the DAGs were written still runs every task (no start_date
    decides it), and a run whose task instances are gone is reported, not taken for a pass."""
    result = run_pipeline(settings, as_of_date=date(1995, 7, 14), dag_ids=("uptake_extract",))
    step = read_step(settings, "extract")
    assert step is not None and step["as_of_date"] == "1995-07-14"
    assert result.as_of_date == date(1995, 7, 14)

    airflow_db = settings.airflow_home / "airflow.db"
    with sqlite3.connect(airflow_db) as db:
        db.execute("DELETE FROM task_instance WHERE dag_id = 'uptake_extract'")
    problems = dag_run_problems(airflow_db, "uptake_extract", date(1995, 7, 14))
    assert problems == ["uptake_extract: the DAG run (success) ran no task"]
    assert dag_run_problems(airflow_db, "uptake_extract", date(1990, 1, 1)) == [
        "uptake_extract: no DAG run for 1990-01-01"
    ]
