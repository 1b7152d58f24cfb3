"""DAG integrity: every DAG parses fast, without heavy imports, wired by assets as designed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from uptake.settings import get_settings
from uptake.warehouse import WRITER_POOL

INSPECTOR = Path(__file__).with_name("inspect_dags.py")
EXPECTED_DAGS = {"uptake_extract", "uptake_transform", "uptake_train", "uptake_score"}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    settings = get_settings({"UPTAKE_HOME": str(tmp_path_factory.mktemp("uptake_home"))})
    env = {**os.environ, **settings.tool_env()}
    done = subprocess.run(
        [sys.executable, str(INSPECTOR), str(settings.dags_dir), WRITER_POOL],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("INSPECT "))
    return json.loads(line.removeprefix("INSPECT "))


def test_every_dag_loads_without_import_errors(report: dict[str, Any]) -> None:
    assert report["import_errors"] == {}
    assert set(report["dags"]) == EXPECTED_DAGS
    assert {dag["file"] for dag in report["dags"].values()} == {
        f"{dag_id}.py" for dag_id in EXPECTED_DAGS
    }


def test_each_file_parses_in_under_two_seconds(report: dict[str, Any]) -> None:
    slow = {name: seconds for name, seconds in report["parse_seconds"].items() if seconds >= 2}
    assert slow == {}
    assert len(report["parse_seconds"]) == len(EXPECTED_DAGS)


def test_parsing_imports_no_heavy_library(report: dict[str, Any]) -> None:
    assert report["heavy_before_parse"] == []  # else the check below would prove nothing
    assert report["heavy_after_parse"] == []


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_dag_defaults(report: dict[str, Any], dag_id: str) -> None:
    dag = report["dags"][dag_id]
    assert "uptake" in dag["tags"] and len(dag["tags"]) >= 2
    assert dag["owner"] and dag["owner"] != "airflow"
    assert dag["retries"] >= 1
    assert dag["catchup"] is False
    # A landing zone may hold any period: no start_date may decide whether a day's tasks run.
    assert dag["start_date"] is None
    param = dag["params"]["as_of_date"]
    assert param["value"] is None and param["schema"]["format"] == "date"
    assert dag["max_active_runs"] == 1
    assert dag["doc_md"]
    for task_id, task in dag["tasks"].items():
        assert task["retries"] >= 1, task_id
        # Every task opens the DuckDB warehouse, which has one writer: one pool slot for all.
        assert task["pool"] == WRITER_POOL, task_id
        assert task["start_date"] is None, task_id


def _acyclic(tasks: dict[str, Any]) -> bool:
    state: dict[str, str] = {}

    def visit(task_id: str) -> bool:
        if state.get(task_id) == "open":
            return False
        if state.get(task_id) == "done":
            return True
        state[task_id] = "open"
        ok = all(visit(child) for child in tasks[task_id]["downstream"])
        state[task_id] = "done"
        return ok

    return all(visit(task_id) for task_id in tasks)


def test_no_cycles(report: dict[str, Any]) -> None:
    for dag_id, dag in report["dags"].items():
        assert _acyclic(dag["tasks"]), dag_id


def test_assets_connect_the_dags(report: dict[str, Any]) -> None:
    dags = report["dags"]
    extract, transform = dags["uptake_extract"], dags["uptake_transform"]
    train, score = dags["uptake_train"], dags["uptake_score"]

    assert extract["schedule"] == {"kind": "CronTriggerTimetable", "assets": []}
    assert extract["tasks"]["load_landing_zone"]["outlets"] == ["uptake_raw"]

    assert transform["schedule"]["assets"] == ["uptake_raw"]
    assert transform["tasks"]["build_marts"]["downstream"] == ["check_marts"]
    # Only the gate publishes the marts: a failed gate means no downstream run.
    assert transform["tasks"]["build_marts"]["outlets"] == []
    assert transform["tasks"]["check_marts"]["outlets"] == ["uptake_marts"]

    assert train["schedule"]["assets"] == ["uptake_marts"]
    assert train["tasks"]["train_models"]["outlets"] == ["uptake_models"]

    assert score["schedule"] == {"kind": "AssetAll", "assets": ["uptake_marts", "uptake_models"]}
    assert score["tasks"]["score_accounts"]["outlets"] == ["uptake_scored"]
