"""What a finished run must show: every task a success, every contract table filled."""

from __future__ import annotations

from pathlib import Path

import duckdb

from uptake.orchestration.run_checks import (
    CONTRACT_TABLES,
    contract_table_problems,
    task_state_problems,
)
from uptake.settings import get_settings


def test_a_run_without_task_instances_ran_nothing() -> None:
    assert task_state_problems("uptake_extract", "success", []) == [
        "uptake_extract: the DAG run (success) ran no task"
    ]


def test_every_task_must_succeed() -> None:
    states = [("build_marts", "success"), ("check_marts", "skipped"), ("other", None)]
    assert task_state_problems("uptake_transform", "success", states) == [
        "uptake_transform.check_marts: skipped",
        "uptake_transform.other: never ran",
    ]
    assert task_state_problems("uptake_transform", "success", [("build_marts", "success")]) == []
    assert task_state_problems("uptake_transform", "failed", [("build_marts", "success")]) == [
        "uptake_transform: DAG run state failed"
    ]


def test_contract_tables_missing_or_empty_are_named(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    settings = get_settings({"UPTAKE_HOME": str(tmp_path), "UPTAKE_WAREHOUSE": str(warehouse)})
    assert contract_table_problems(settings) == [f"the warehouse {warehouse} was never created"]

    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts")
    for table in CONTRACT_TABLES[1:]:
        con.execute(f"create table marts.{table} as select 1 as id")
    con.execute("delete from marts.adoption_alerts")
    con.close()
    assert contract_table_problems(settings) == [
        "marts.dim_accounts is missing",
        "marts.adoption_alerts is empty",
    ]

    con = duckdb.connect(str(warehouse))
    con.execute("create table marts.dim_accounts as select 1 as id")
    con.execute("insert into marts.adoption_alerts values (1)")
    con.close()
    assert contract_table_problems(settings) == []
