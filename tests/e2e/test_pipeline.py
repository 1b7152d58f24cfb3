"""End to end: a tiny simulated landing zone through Airflow into every contract table.

Runs the real DAGs with `airflow dags test` (through uptake.orchestration.dags_test_runner), so
it is the slowest test of the suite; it shares one run across the assertions.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from uptake.settings import Settings, get_settings

pytestmark = pytest.mark.e2e

CONTRACT_TABLES: dict[str, list[str]] = {
    "dim_accounts": ["account_id"],
    "fct_feature_usage_daily": ["account_id", "feature_key", "usage_date"],
    "account_feature_adoption": ["account_id", "feature_key"],
    "account_adoption": ["account_id"],
    "cohort_benchmarks": ["cohort_key", "feature_key"],
    "account_scores": ["account_id"],
    "adoption_gaps": ["account_id", "feature_key"],
    "adoption_alerts": ["alert_id"],
}

# docs/contract.md section 2: the columns each table must carry at least.
CONTRACT_COLUMNS: dict[str, str] = {
    "dim_accounts": "account_id account_name industry employee_band use_case plan seats arr "
    "contract_start renewal_date csm_owner tenure_days cohort_key",
    "fct_feature_usage_daily": "account_id feature_key usage_date events active_users",
    "account_feature_adoption": "account_id feature_key category is_entitled first_used_at "
    "last_used_at events_30d users_30d feature_adoption_rate adoption_status peer_adoption_rate",
    "account_adoption": "account_id as_of_date adoption_depth_pct weighted_depth_pct "
    "license_utilization dau_mau time_to_value_days adoption_velocity_days usage_trend_30d "
    "dormant_users adoption_score cohort_percentile benchmark_band",
    "cohort_benchmarks": "cohort_key feature_key accounts peer_adoption_rate p25_events_30d "
    "p50_events_30d p75_events_30d p90_events_30d",
    "account_scores": "account_id scored_at churn_probability risk_tier top_risk_drivers "
    "model_name model_version",
    "adoption_gaps": "account_id feature_key gap_type root_cause root_cause_confidence evidence "
    "priority_score severity arr_at_risk adoption_probability_if_engaged recommended_action "
    "summary model_version scored_at",
    "adoption_alerts": "alert_id account_id feature_key severity csm_owner first_seen_at "
    "last_seen_at status summary",
}


def _home_settings(home: Path, landing: Path) -> Settings:
    settings = replace(get_settings({"UPTAKE_HOME": str(home)}), landing_dir=landing.resolve())
    settings.apply()
    return settings


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Path]]:
    from uptake.orchestration.dags_test_runner import run_pipeline
    from uptake.simulation import simulate

    root = tmp_path_factory.mktemp("e2e")
    landing = root / "landing"
    simulate(landing, accounts=40, months=8, seed=11)
    settings = _home_settings(root / "home", landing)
    run_pipeline(settings)
    yield settings, landing


def _frame(settings: Settings, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


@pytest.mark.parametrize("table", sorted(CONTRACT_TABLES))
def test_contract_tables_are_present_keyed_and_filled(pipeline_run, table: str) -> None:
    settings, _ = pipeline_run
    keys = CONTRACT_TABLES[table]
    frame = _frame(settings, f"select * from marts.{table}")
    assert set(CONTRACT_COLUMNS[table].split()) <= set(frame.columns)
    assert len(frame) > 0
    assert not frame[keys].isna().any().any()
    assert not frame.duplicated(subset=keys).any()


def test_loads_reconcile_and_planted_mess_is_quarantined(pipeline_run) -> None:
    settings, landing = pipeline_run
    audit = _frame(settings, "select * from raw.load_audit")
    assert (audit.rows_in == audit.rows_loaded + audit.rows_quarantined).all()
    quarantined = _frame(settings, "select count(*) as n from raw.quarantine").n.iloc[0]
    assert audit.rows_quarantined.sum() == quarantined
    # Exactly what the simulator planted: every broken event line and bad CRM value is
    # quarantined, every repeated messageId is counted as a duplicate.
    mess = json.loads((landing / "_truth" / "mess.json").read_text())
    events = audit[audit.source == "product_events"]
    assert events.rows_quarantined.sum() == mess["product_events"]["malformed_lines"]["total"]
    assert events.rows_duplicate.sum() == mess["product_events"]["duplicate_message_ids"]["total"]
    crm = audit[audit.source == "crm"]
    assert crm.rows_quarantined.sum() == mess["crm_bad_value_count"]


def test_a_planted_training_gap_is_found_as_a_gap(pipeline_run) -> None:
    settings, landing = pipeline_run
    truth = pd.read_csv(landing / "_truth" / "feature_truth.csv", dtype=str)
    training = truth[(truth.truth_status == "gap") & (truth.root_cause == "training")]
    assert len(training) > 0
    gaps = _frame(
        settings,
        "select account_id, feature_key, root_cause as found_cause from marts.adoption_gaps",
    )
    found = training.merge(gaps, on=["account_id", "feature_key"])
    assert len(found) >= 1
    assert (found.found_cause == "training").any()


def test_only_active_customers_have_gaps(pipeline_run) -> None:
    settings, _ = pipeline_run
    statuses = _frame(
        settings,
        """select distinct a.subscription_status from marts.adoption_gaps g
           join marts.dim_accounts a using (account_id)""",
    )
    assert list(statuses.subscription_status) == ["Active"]


def test_scores_and_gaps_carry_contract_values(pipeline_run) -> None:
    settings, _ = pipeline_run
    scores = _frame(settings, "select * from marts.account_scores")
    assert scores.churn_probability.between(0, 1).all()
    assert scores.churn_probability.nunique() > 1
    # Tiny data rarely beats the prior: then scores say so instead of naming a model of its own.
    champion = scores.model_name.iloc[0] == "uptake-churn"
    assert champion or set(scores.model_name) == {"uptake-churn-prior"}
    assert set(scores.risk_tier) <= {"high", "medium", "low"}
    gaps = _frame(settings, "select * from marts.adoption_gaps")
    assert set(gaps.root_cause) <= {"training", "product_fit", "urgency", "not_relevant"}
    assert set(gaps.severity) <= {"critical", "warning", "info"}
    assert gaps.summary.str.len().min() > 40


def test_rerun_is_idempotent_while_a_bi_reader_holds_the_copy(pipeline_run) -> None:
    """A BI reader keeps querying the BI copy during a whole run: neither blocks the other."""
    from uptake.orchestration.dags_test_runner import run_pipeline

    settings, _ = pipeline_run
    before = {t: _frame(settings, f"select * from marts.{t} order by all") for t in CONTRACT_TABLES}
    reader = duckdb.connect(str(settings.bi_warehouse_path), read_only=True)
    stop = threading.Event()
    answers: list[int] = []
    errors: list[BaseException] = []

    def query_until_stopped() -> None:
        try:
            while not stop.is_set():
                answers.append(
                    reader.execute("select count(*) from marts.adoption_gaps").fetchone()[0]
                )
                time.sleep(0.2)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    thread = threading.Thread(target=query_until_stopped)
    thread.start()
    try:
        run_pipeline(settings)
    finally:
        stop.set()
        thread.join()
        reader.close()
    assert errors == []
    assert len(answers) > 10 and len(set(answers)) == 1  # the old copy, consistent throughout
    for table, frame in before.items():
        after = _frame(settings, f"select * from marts.{table} order by all")
        pd.testing.assert_frame_equal(frame, after, check_dtype=False)
    # A new reader sees the copy of this run, equal to the warehouse's marts.
    con = duckdb.connect(str(settings.bi_warehouse_path), read_only=True)
    try:
        for table, frame in before.items():
            copied = con.execute(f"select * from marts.{table} order by all").df()
            pd.testing.assert_frame_equal(frame, copied, check_dtype=False)
    finally:
        con.close()


def test_detection_quality_against_the_planted_truth(pipeline_run) -> None:
    from uptake.simulation.evaluation import evaluate_run

    settings, landing = pipeline_run
    result = evaluate_run(settings, landing / "_truth")
    assert result.pairs > 100 and result.real_gaps > 0
    # The bounds catch a broken detector (nothing flagged, everything flagged, causes at random),
    # not seed noise; the quality figures themselves come from benchmarks/bench_quality.py.
    assert result.model.flagged_precision >= 0.4
    assert result.model.flagged_recall >= 0.4
    assert result.model.root_cause_macro_f1 >= 0.3
    assert 0.0 <= result.baseline.flagged_f1 <= 1.0


# Compared between the DuckDB run and the PostgreSQL run of the same landing zone: the contract
# tables, the score history, and the ML inputs the models trained on.
SAME_ON_POSTGRES: dict[str, list[str]] = {
    **CONTRACT_TABLES,
    "account_scores_history": ["scored_at", "account_id"],
    "adoption_gaps_history": ["scored_at", "account_id", "feature_key"],
    "account_personas": ["account_id"],
    "fct_gap_candidates_every_30_days": ["snapshot_date", "account_id", "feature_key"],
}


def _differences(table: str, keys: list[str], duck: pd.DataFrame, pg: pd.DataFrame) -> list[str]:
    """What differs beyond rounding (floats agree to 1e-6 relative)."""
    if sorted(duck.columns) != sorted(pg.columns):
        return [f"{table}: columns {sorted(set(duck.columns) ^ set(pg.columns))} differ"]
    duck = duck.sort_values(keys).reset_index(drop=True)
    pg = pg[duck.columns].sort_values(keys).reset_index(drop=True)
    if len(duck) != len(pg) or not duck[keys].astype(str).equals(pg[keys].astype(str)):
        return [f"{table}: {len(duck)} rows on DuckDB, {len(pg)} on PostgreSQL, keys differ"]
    problems = []
    for column in duck.columns:
        left, right = duck[column], pg[column]
        if pd.api.types.is_numeric_dtype(left) and pd.api.types.is_numeric_dtype(right):
            same = np.isclose(left.astype(float), right.astype(float), rtol=1e-6, equal_nan=True)
        elif pd.api.types.is_datetime64_any_dtype(left):
            same = (pd.to_datetime(left) == pd.to_datetime(right)) | (left.isna() & right.isna())
        else:
            same = (left.astype(str) == right.astype(str)) | (left.isna() & right.isna())
        if not same.all():
            row = int(np.argmin(same))
            problems.append(f"{table}.{column}: {left.iloc[row]!r} vs {right.iloc[row]!r}")
    return problems


def _pg_value(dsn: str, sql: str) -> str:
    from uptake.postgres_warehouse import connect_postgres

    with connect_postgres(dsn, read_only=True) as pg:
        (value,) = pg.execute(sql).fetchone()
    return str(value)


@pytest.mark.postgres
def test_postgresql_as_the_whole_warehouse_gives_the_same_marts(
    pipeline_run, tmp_path: Path
) -> None:
    """UPTAKE_WAREHOUSE=postgresql://...: extract, dbt, the gate, training and scoring all on
    PostgreSQL, through Airflow; every mart equals the DuckDB run's of the same landing zone."""
    from tests.dbt.fixtures import postgres_server_or_skip, throwaway_postgres_database
    from uptake.orchestration.dags_test_runner import run_pipeline
    from uptake.postgres_warehouse import connect_postgres
    from uptake.warehouse import schema_of

    duck_settings, landing = pipeline_run
    server = postgres_server_or_skip()
    environ = dict(os.environ)
    with throwaway_postgres_database(server) as dsn:
        settings = replace(
            get_settings({"UPTAKE_HOME": str(tmp_path / "home"), "UPTAKE_WAREHOUSE": dsn}),
            landing_dir=landing.resolve(),
        )
        try:
            settings.apply()
            run_pipeline(settings)
        finally:
            os.environ.clear()
            os.environ.update(environ)
        # The DuckDB file held only the extract's work: every later step wrote PostgreSQL.
        staging = duckdb.connect(str(settings.warehouse_path), read_only=True)
        try:
            schemas = {
                row[0]
                for row in staging.execute("select schema_name from duckdb_schemas()").fetchall()
            }
        finally:
            staging.close()
        assert "raw" in schemas and not schemas & {"marts", "ml_inputs", "intermediate"}
        assert not settings.bi_warehouse_path.exists()

        problems = []
        with connect_postgres(dsn, read_only=True) as pg:
            for table, keys in SAME_ON_POSTGRES.items():
                sql = f"select * from {schema_of(table)}.{table}"
                pg_frame = pg.execute(sql).fetchdf()
                assert len(pg_frame) > 0, table
                problems += _differences(table, keys, _frame(duck_settings, sql), pg_frame)
            (quarantined,) = pg.execute("select count(*) from raw.quarantine").fetchone()
        assert not problems, "\n".join(problems)
        # What reads the warehouse after a run reads PostgreSQL too: the run report, the
        # gaps of one account, the evaluation against the planted truth.
        from uptake.gaps_view import gaps_for
        from uptake.run_report import build_report
        from uptake.simulation.evaluation import evaluate_run

        report = build_report(settings)
        assert report.complete, report.unavailable
        account = _pg_value(dsn, "select account_id from marts.adoption_gaps limit 1")
        assert gaps_for(settings, account_id=account)
        duck_eval = evaluate_run(duck_settings, landing / "_truth").as_dict()
        assert evaluate_run(settings, landing / "_truth").as_dict().keys() == duck_eval.keys()
        assert quarantined == _frame(duck_settings, "select count(*) as n from raw.quarantine").n[0]
