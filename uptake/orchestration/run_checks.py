"""What a finished pipeline run must show before it counts as a success.

``airflow dags test`` exits 0 for a DAG run in which no task ran at all (for example when a
task's start date lies after the run's logical date, or every task was skipped), and a run can
"succeed" while publishing nothing. These checks read the evidence instead of trusting exit
codes: the task instances of the run in Airflow's metadata database, and the contract tables
in the warehouse.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from uptake.settings import Settings
from uptake.warehouse import open_warehouse

# The warehouse tables the project promises to BI tools (docs/contract.md, section 2).
CONTRACT_TABLES: tuple[str, ...] = (
    "dim_accounts",
    "fct_feature_usage_daily",
    "account_feature_adoption",
    "account_adoption",
    "cohort_benchmarks",
    "account_scores",
    "adoption_gaps",
    "adoption_alerts",
)


def dag_run_problems(airflow_db: Path, dag_id: str, logical_date: date) -> list[str]:
    """Why the latest run of ``dag_id`` for ``logical_date`` is not a full success (empty: it is).

    Reads the embedded SQLite metadata database directly: one query, no Airflow import.
    """
    if not airflow_db.exists():
        return [f"{dag_id}: no Airflow metadata database at {airflow_db}"]
    uri = f"file:{airflow_db}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        run = db.execute(
            "SELECT run_id, state FROM dag_run WHERE dag_id = ? AND date(logical_date) = ? "
            "ORDER BY id DESC LIMIT 1",
            (dag_id, logical_date.isoformat()),
        ).fetchone()
        if run is None:
            return [f"{dag_id}: no DAG run for {logical_date.isoformat()}"]
        run_id, run_state = run
        states = db.execute(
            "SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ? "
            "ORDER BY task_id",
            (dag_id, run_id),
        ).fetchall()
    return task_state_problems(dag_id, run_state, states)


def task_state_problems(
    dag_id: str, run_state: str | None, states: Sequence[tuple[str, str | None]]
) -> list[str]:
    """Problems of one DAG run given its state and ``(task_id, state)`` of its task instances."""
    if not states:
        return [f"{dag_id}: the DAG run ({run_state}) ran no task"]
    problems = [
        f"{dag_id}.{task_id}: {state or 'never ran'}"
        for task_id, state in states
        if state != "success"
    ]
    if not problems and run_state != "success":
        problems.append(f"{dag_id}: DAG run state {run_state}")
    return problems


def contract_table_problems(settings: Settings) -> list[str]:
    """Contract tables missing or empty in the warehouse (empty list: all present and filled)."""
    if not settings.warehouse_on_postgres and not settings.warehouse_path.exists():
        return [f"the warehouse {settings.warehouse_path} was never created"]
    problems = []
    with open_warehouse(settings, read_only=True) as con:
        present = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
            ).fetchall()
        }
        for table in CONTRACT_TABLES:
            if table not in present:
                problems.append(f"marts.{table} is missing")
                continue
            (rows,) = con.execute(f"SELECT count(*) FROM marts.{table}").fetchone()
            if rows == 0:
                problems.append(f"marts.{table} is empty")
    return problems
