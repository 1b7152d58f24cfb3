"""Scoring's declared inputs: optional CRM fields empty for everyone are scored; a missing
table or column fails with its name instead of a silent default."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from mart_fixtures import build_marts, write_marts

from uptake.scoring import score_all
from uptake.scoring.inputs import ScoringInputError
from uptake.settings import Settings, get_settings

OPTIONAL_CRM_FIELDS = ("use_case", "industry", "employees", "employee_band", "csm_owner")


def _settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = get_settings({"UPTAKE_HOME": str(tmp_path / "home")})
    for key, value in settings.tool_env().items():
        monkeypatch.setenv(key, value)
    settings.mlflow_artifacts_dir.mkdir(parents=True, exist_ok=True)
    return replace(settings, alert_cap_per_csm=5, champions="optional")  # never trained


def test_optional_crm_fields_empty_for_every_account_are_scored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, monkeypatch)
    frames = build_marts()
    accounts = frames["dim_accounts"]
    for column in OPTIONAL_CRM_FIELDS:
        if column in accounts.columns:
            accounts[column] = None
    write_marts(settings.warehouse_path, frames)

    summary = score_all(settings)

    assert summary.rows["adoption_gaps"] > 0
    assert summary.rows["account_scores"] == len(accounts)
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        owners = con.execute("select distinct csm_owner from marts.adoption_alerts").fetchall()
    finally:
        con.close()
    assert owners == [(None,)]  # alerts still written, owned by nobody yet


@pytest.mark.parametrize(
    ("table", "column"),
    [("dim_accounts", "use_case"), ("account_feature_adoption", "expected_days_to_adopt")],
)
def test_a_missing_column_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: str, column: str
) -> None:
    settings = _settings(tmp_path, monkeypatch)
    frames = build_marts()
    frames[table] = frames[table].drop(columns=column)
    write_marts(settings.warehouse_path, frames)

    with pytest.raises(ScoringInputError, match=f"marts.{table} lacks column.*{column}"):
        score_all(settings)


def test_a_missing_table_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(tmp_path, monkeypatch)
    frames = build_marts()
    del frames["fct_cs_notes"]
    write_marts(settings.warehouse_path, frames)

    with pytest.raises(ScoringInputError, match=r"ml_inputs\.fct_cs_notes, which does not exist"):
        score_all(settings)
