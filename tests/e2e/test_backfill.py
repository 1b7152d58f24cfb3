"""A landing zone from years back, run through Airflow, and a backfill that equals one run.

The simulated company lives in 2019: nothing in the DAGs may decide that its days are too old
to run. Backfilling the last days one by one must leave the same marts, as of the last day, as
one run as of that day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from uptake.orchestration.run_checks import CONTRACT_TABLES
from uptake.settings import Settings, get_settings

pytestmark = [pytest.mark.e2e, pytest.mark.slow]  # about 10 min: `make test-slow`, run by CI

START = date(2019, 6, 1)
LAST_DAY = date(2019, 11, 30)  # six months from START
# Marts built by dbt alone: a day's build depends only on the deliveries up to that day.
DBT_MARTS = {
    "dim_accounts": "account_id",
    "fct_feature_usage_daily": "account_id, feature_key, usage_date",
    "account_feature_adoption": "account_id, feature_key",
    "account_adoption": "account_id",
    "cohort_benchmarks": "cohort_key, feature_key",
}


def _settings(home: Path, landing: Path) -> Settings:
    settings = replace(get_settings({"UPTAKE_HOME": str(home)}), landing_dir=landing)
    settings.apply()
    return settings


def _frame(settings: Settings, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def test_a_2019_landing_zone_backfilled_equals_one_run(tmp_path: Path) -> None:
    from uptake.orchestration.dags_test_runner import run_backfill, run_pipeline
    from uptake.simulation import simulate

    landing = tmp_path / "landing"
    simulate(landing, accounts=30, months=6, seed=19, start_date=START)

    once = _settings(tmp_path / "once", landing)
    single = run_pipeline(once)  # the as-of date is the latest delivery, in 2019
    assert single.as_of_date == LAST_DAY
    for table in CONTRACT_TABLES:
        assert len(_frame(once, f"select * from marts.{table} limit 1")) == 1, table
    as_of = _frame(once, "select distinct as_of_date from marts.account_adoption")
    assert [d.date() for d in pd.to_datetime(as_of["as_of_date"])] == [LAST_DAY]

    daily = _settings(tmp_path / "daily", landing)
    results = run_backfill(daily, date(2019, 11, 29), LAST_DAY)
    assert [r.as_of_date for r in results] == [date(2019, 11, 29), LAST_DAY]
    for table, key in DBT_MARTS.items():
        sql = f"select * from marts.{table} order by {key}"
        pd.testing.assert_frame_equal(_frame(daily, sql), _frame(once, sql), obj=table)
    # Scored tables: the same gaps and accounts (model versions and first-seen dates differ:
    # the backfill trained and alerted on each day).
    for table, key in (
        ("adoption_gaps", "account_id, feature_key"),
        ("account_scores", "account_id"),
    ):
        sql = f"select {key} from marts.{table} order by {key}"
        pd.testing.assert_frame_equal(_frame(daily, sql), _frame(once, sql), obj=table)

    # Backfilling the first day again: the latest tables keep the second day, the history
    # holds both days once each.
    run_pipeline(daily, as_of_date=date(2019, 11, 29))
    latest = _frame(daily, "select distinct scored_at from marts.account_scores")
    assert [d.date() for d in pd.to_datetime(latest["scored_at"])] == [LAST_DAY]
    for history, key in (
        ("account_scores_history", "account_id"),
        ("adoption_gaps_history", "account_id, feature_key"),
        ("account_adoption_history", "account_id"),
    ):
        days = _frame(daily, f"select distinct scored_at from marts.{history} order by 1")
        assert [d.date() for d in pd.to_datetime(days["scored_at"])] == [
            date(2019, 11, 29),
            LAST_DAY,
        ], history
        duplicated = _frame(
            daily,
            f"select count(*) as n from (select {key}, scored_at from marts.{history} "
            f"group by all having count(*) > 1)",
        )
        assert duplicated["n"].iloc[0] == 0, history
