"""run_dbt_build's command line and result folding, without starting dbt."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from pathlib import Path

import pytest

from uptake.settings import Settings, get_settings
from uptake.transform.build_results import DbtBuildError, normalize_status, summarize
from uptake.transform.dbt_runner import (
    UNIT_TESTS_PASSED,
    build_args,
    unit_test_fingerprint,
    unit_tests_already_passed,
)


class _Kind(Enum):
    MODEL = "model"
    TEST = "test"
    UNIT = "unit_test"


@dataclass
class _Node:
    unique_id: str
    resource_type: _Kind


@dataclass
class _Result:
    node: _Node
    status: str
    message: str | None = None


def test_build_args_come_from_settings(settings: Settings) -> None:
    args = build_args(settings, date(2026, 3, 31), "marts")
    assert args[0] == "build"
    assert args[args.index("--project-dir") + 1] == str(settings.dbt_project_dir)
    assert args[args.index("--profiles-dir") + 1] == str(settings.dbt_project_dir)
    assert args[args.index("--target") + 1] == settings.dbt_target
    assert args[args.index("--target-path") + 1] == str(settings.dbt_target_dir)
    assert args[args.index("--log-path") + 1] == str(settings.dbt_log_dir)
    assert json.loads(args[args.index("--vars") + 1]) == {"as_of_date": "2026-03-31"}
    assert args[args.index("--select") + 1] == "marts"
    assert "--vars" not in build_args(settings, None, None)


def test_the_cohort_minimum_reaches_dbt_only_when_set(settings: Settings) -> None:
    assert get_settings({"UPTAKE_COHORT_MIN_ACCOUNTS": "5"}).cohort_min_accounts == 5
    assert get_settings({}).cohort_min_accounts is None
    with pytest.raises(ValueError, match=">= 1"):
        get_settings({"UPTAKE_COHORT_MIN_ACCOUNTS": "0"})
    args = build_args(replace(settings, cohort_min_accounts=5), None, None)
    assert json.loads(args[args.index("--vars") + 1]) == {"cohort_min_accounts": 5}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("success", "pass"),
        ("pass", "pass"),
        ("warn", "warn"),
        ("fail", "error"),
        ("error", "error"),
        ("skipped", "skip"),
        ("something new", "error"),
    ],
)
def test_statuses_fold_into_four(raw: str, expected: str) -> None:
    assert normalize_status(raw) == expected


def test_summarize_counts_and_failures() -> None:
    results = [
        _Result(_Node("model.uptake.a", _Kind.MODEL), "success"),
        _Result(_Node("model.uptake.b", _Kind.MODEL), "skipped"),
        _Result(
            _Node("test.uptake.t1", _Kind.TEST), "fail", "Got 2 results, configured to fail if != 0"
        ),
        _Result(_Node("test.uptake.t2", _Kind.TEST), "warn", "Got 1 result"),
        _Result(_Node("unit_test.uptake.u", _Kind.UNIT), "pass"),
    ]
    result = summarize(results, target="duckdb", as_of_date=None, elapsed_seconds=1.0)
    assert result.status_counts == {"pass": 2, "warn": 1, "error": 1, "skip": 1}
    assert result.count("model") == 1 and result.count("model", "skip") == 1
    assert result.count("unit_test") == 1
    assert [f.unique_id for f in result.failures] == ["test.uptake.t1"]
    assert [w.unique_id for w in result.warnings] == ["test.uptake.t2"]
    assert not result.success
    error = DbtBuildError(result)
    assert "test.uptake.t1 [fail]: Got 2 results" in str(error)


def test_invocation_error_is_a_failure() -> None:
    result = summarize(
        [],
        target="postgres",
        as_of_date=None,
        elapsed_seconds=0.1,
        invocation_error="Parsing Error",
    )
    assert not result.success
    assert result.failures[0].message == "Parsing Error"


def test_a_full_refresh_comes_from_the_argument_or_the_setting(settings: Settings) -> None:
    assert "--full-refresh" not in build_args(settings, None, None)
    assert "--full-refresh" in build_args(settings, None, None, full_refresh=True)
    flagged = get_settings({"UPTAKE_DBT_FULL_REFRESH": "true"})
    assert flagged.dbt_full_refresh
    assert flagged.tool_env()["UPTAKE_DBT_FULL_REFRESH"] == "true"
    assert "--full-refresh" in build_args(flagged, None, None)
    assert not get_settings({"UPTAKE_DBT_FULL_REFRESH": "0"}).dbt_full_refresh
    assert "UPTAKE_DBT_FULL_REFRESH" not in get_settings({}).tool_env()
    with pytest.raises(ValueError, match="true or false"):
        get_settings({"UPTAKE_DBT_FULL_REFRESH": "sometimes"})


def test_unit_tests_are_skipped_only_while_project_and_vars_are_unchanged(
    settings: Settings, tmp_path: Path
) -> None:
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "models" / "a.sql").write_text("select 1 as a")
    (project / "target").mkdir()
    local = replace(settings, project_root=tmp_path)
    args = build_args(local, date(2026, 3, 31), None)
    fingerprint = unit_test_fingerprint(local, args)
    assert not unit_tests_already_passed(local, fingerprint)
    local.dbt_target_dir.mkdir(parents=True)
    (local.dbt_target_dir / UNIT_TESTS_PASSED).write_text(fingerprint)
    assert unit_tests_already_passed(local, fingerprint)
    # dbt's own output folder does not count; a model, the vars and the target do.
    (project / "target" / "manifest.json").write_text("{}")
    assert unit_test_fingerprint(local, args) == fingerprint
    assert unit_test_fingerprint(local, build_args(local, date(2026, 4, 1), None)) != fingerprint
    assert unit_test_fingerprint(replace(local, dbt_target="postgres"), args) != fingerprint
    (project / "models" / "a.sql").write_text("select 2 as a")
    assert not unit_tests_already_passed(local, unit_test_fingerprint(local, args))
