"""The marts gate against a temporary DuckDB: passes on good marts, stops on a bad row."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from uptake.quality import FAIL, WARN, QualityGateFailed, run_quality_gate
from uptake.settings import Settings


def test_good_marts_pass_and_build_data_docs(
    settings: Settings, build_marts: Callable[..., None]
) -> None:
    build_marts()

    result = run_quality_gate(settings)

    assert result.success
    assert result.checkpoint == "marts_gate"
    assert {table.table for table in result.tables} >= {
        "marts.dim_accounts",
        "marts.account_adoption",
        "marts.account_feature_adoption",
    }
    by_table = {table.table: table for table in result.tables}
    assert by_table["marts.dim_accounts"].rows == 2
    assert all(table.evaluated > 0 for table in result.tables)
    assert result.failures == []
    assert result.data_docs_index is not None
    index = Path(result.data_docs_index.removeprefix("file://"))
    assert index.is_file() and settings.gx_dir in index.parents


def test_bad_row_fails_and_names_the_expectation(
    settings: Settings, build_marts: Callable[..., None]
) -> None:
    build_marts(
        "update marts.account_adoption set adoption_score = 140 where account_id = '001B'",
        "update marts.account_feature_adoption set adoption_status = 'maybe' "
        "where feature_key = 'sso'",
    )

    with pytest.raises(QualityGateFailed) as raised:
        run_quality_gate(settings)

    failures = raised.value.result.failures
    described = {(f.table, f.expectation, f.column) for f in failures}
    assert ("marts.account_adoption", "expect_column_values_to_be_between", "adoption_score") in (
        described
    )
    assert (
        "marts.account_feature_adoption",
        "expect_column_values_to_be_in_set",
        "adoption_status",
    ) in described
    score_failure = next(f for f in failures if f.column == "adoption_score")
    assert score_failure.unexpected_count == 1 and score_failure.sample == [140.0]
    assert "adoption_score" in str(raised.value) and "adoption_status" in str(raised.value)


def test_warn_level_failures_are_reported_but_do_not_stop(
    settings: Settings, build_marts: Callable[..., None]
) -> None:
    build_marts(
        "update marts.account_adoption set license_utilization = 1.3 where account_id = '001A'",
    )

    result = run_quality_gate(settings)

    assert result.success
    assert [(w.table, w.column, w.severity) for w in result.warnings] == [
        ("marts.account_adoption", "license_utilization", WARN)
    ]
    assert result.counts()["warnings"] == 1


def test_duplicate_key_and_missing_table_fail(
    settings: Settings, build_marts: Callable[..., None]
) -> None:
    build_marts(
        "insert into marts.dim_accounts select * from marts.dim_accounts where account_id = '001A'",
        "drop table marts.cohort_benchmarks",
    )

    with pytest.raises(QualityGateFailed) as raised:
        run_quality_gate(settings)

    failed = {(f.table, f.expectation, f.severity) for f in raised.value.result.failures}
    assert ("marts.dim_accounts", "expect_column_values_to_be_unique", FAIL) in failed
    assert ("marts.cohort_benchmarks", "table_exists", FAIL) in failed


def test_missing_contract_column_fails(
    settings: Settings, build_marts: Callable[..., None]
) -> None:
    build_marts("alter table marts.dim_accounts drop column csm_owner")

    with pytest.raises(QualityGateFailed) as raised:
        run_quality_gate(settings)

    expectations = {
        f.expectation for f in raised.value.result.failures if "dim_accounts" in f.table
    }
    assert "expect_table_columns_to_match_set" in expectations


def test_rerun_reuses_the_context_and_sees_fixed_data(
    settings: Settings, build_marts: Callable[..., None]
) -> None:
    build_marts("update marts.account_adoption set dau_mau = 2 where account_id = '001A'")
    with pytest.raises(QualityGateFailed):
        run_quality_gate(settings)

    build_marts()  # the next dbt build fixed the row
    result = run_quality_gate(settings)

    assert result.success
    assert (settings.gx_dir / "gx" / "checkpoints").is_dir()


def test_result_as_dict_is_json_ready_for_the_report(
    settings: Settings, build_marts: Callable[..., None]
) -> None:
    build_marts("update marts.account_adoption set dau_mau = 1.5 where account_id = '001B'")
    with pytest.raises(QualityGateFailed) as raised:
        run_quality_gate(settings)

    payload = json.loads(json.dumps(raised.value.result.as_dict(), default=str))

    assert payload["success"] is False and payload["failed"] == 1
    adoption = next(t for t in payload["tables"] if t["table"] == "marts.account_adoption")
    assert adoption["success"] is False
    assert adoption["failed"] == [
        "[fail] marts.account_adoption.dau_mau: expect_column_values_to_be_between "
        "(1 unexpected, e.g. [1.5])"
    ]
    assert adoption["details"][0]["kwargs"] == {
        "column": "dau_mau",
        "min_value": 0.0,
        "max_value": 1.0,
    }


def test_no_entitled_feature_ever_used_fails_the_gate(
    settings: Settings, build_marts: Callable[..., None]
) -> None:
    build_marts("update marts.account_feature_adoption set first_used_at = null")

    with pytest.raises(QualityGateFailed) as raised:
        run_quality_gate(settings)

    failed = {(f.table, f.column) for f in raised.value.result.failures}
    assert failed == {("marts.account_feature_adoption", "first_used_at")}
    assert "observed 0.0" in str(raised.value)  # not np.float64(0.0)
