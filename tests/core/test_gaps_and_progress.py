"""`uptake gaps` over the marts, `--json` on the read commands, and live run progress."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from uptake.cli import main
from uptake.orchestration.run_progress import LogWatcher
from uptake.outputs import output_locations
from uptake.settings import Settings


def _marts(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        """create table marts.dim_accounts as select * from (values
           ('001A', 'Acme', 'csm-1'), ('002B', 'Beta', 'csm-2')) t(account_id, account_name,
           csm_owner)"""
    )
    con.execute(
        """create table marts.adoption_gaps as select * from (values
           ('001A', 'sso', 'critical', 'training', 0.8, 90.0, 1200.0, 'training', 'Acme: SSO.'),
           ('001A', 'api', 'warning', 'urgency', 0.6, 40.0, 300.0, 'success_plan', 'Acme: API.'),
           ('002B', 'sso', 'info', 'not_relevant', 0.7, 5.0, 0.0, 'none', 'Beta: SSO.')
           ) t(account_id, feature_key, severity, root_cause, root_cause_confidence,
               priority_score, arr_at_risk, recommended_action, summary)"""
    )
    con.close()


def test_gaps_by_account_and_by_csm(settings: Settings, capsys: pytest.CaptureFixture) -> None:
    _marts(settings.warehouse_path)

    assert main(["gaps", "--account", "001A", "--json"]) == 0
    gaps = json.loads(capsys.readouterr().out)
    assert [(g["feature_key"], g["severity"]) for g in gaps] == [
        ("sso", "critical"),
        ("api", "warning"),
    ]
    assert main(["gaps", "--csm", "csm-2"]) == 0
    out = capsys.readouterr().out
    assert "002B" in out and "Beta: SSO." in out and "001A" not in out
    assert main(["gaps"]) == 2


def test_gaps_prefer_the_bi_copy(settings: Settings, capsys: pytest.CaptureFixture) -> None:
    _marts(settings.bi_warehouse_path)  # the warehouse itself does not exist (or is busy)
    assert main(["gaps", "--account", "002B", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["feature_key"] == "sso"


def test_report_and_evaluate_json(settings: Settings, capsys: pytest.CaptureFixture) -> None:
    assert main(["report", "--json"]) == 1  # nothing ran yet: every section unavailable
    report = json.loads(capsys.readouterr().out)
    assert "Adoption gaps" in report["unavailable"]
    assert report["sections"]["Adoption gaps"].startswith("unavailable")


def test_progress_follows_the_dags_test_log(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    lines: list[str] = []
    watcher = LogWatcher(log, "uptake_transform", lines.append, heartbeat_seconds=10)
    watcher.poll(0.5)  # no log yet
    log.write_text("[info] [DAG TEST] starting task_id=build_marts map_index=-1\n[info] par")
    watcher.poll(1.0)
    watcher.poll(12.0)  # long-running: a heartbeat
    with log.open("a") as handle:
        handle.write("tial\n[info] [DAG TEST] end task task_id=build_marts map_index=-1\n")
    watcher.poll(14.0)
    assert lines == [
        "[    1 s] uptake_transform > build_marts started",
        "[   12 s] uptake_transform > build_marts running for 11 s",
        "[   14 s] uptake_transform > build_marts ended after 13 s",
    ]


def test_output_locations_name_every_output(settings: Settings) -> None:
    places = dict(output_locations(settings))
    assert places["warehouse (DuckDB)"] == str(settings.warehouse_path)
    assert places["BI copy (read-only, for BI tools)"] == str(settings.bi_warehouse_path)
    assert places["MLflow UI"].startswith("mlflow ui --backend-store-uri ")
