"""The same dbt project and fixture on PostgreSQL: it builds (contracts enforced), the marts agree
with DuckDB, descriptions are comments, and source freshness gives the same verdicts."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import duckdb
import pytest

from tests.dbt.fixtures import throwaway_postgres_database, write_postgres_raw
from tests.dbt.harness import BuiltWarehouse, isolated_settings
from uptake.settings import get_settings
from uptake.warehouse import schema_of

pytestmark = pytest.mark.postgres

COMPARED = {
    "account_feature_adoption": "account_id, feature_key, adoption_status, events_30d, "
    "active_users_30d, peer_adoption_rate, first_adopted_date",
    "account_adoption": "account_id, benchmark_cohort_key, adoption_depth_pct, weighted_depth_pct, "
    "license_utilization, dau_mau, time_to_value_days, usage_trend_30d, dormant_users, "
    "adoption_score, cohort_percentile, benchmark_band",
    "cohort_benchmarks": "cohort_key, feature_key, accounts, peer_adoption_rate, p25_events_30d, "
    "p50_events_30d, p90_events_30d",
    "fct_account_snapshots_every_30_days": "account_id, snapshot_date, plan, events_30d, "
    "features_adopted, tickets_30d, renewal_in_days",
    "fct_interventions": "intervention_id, is_adopted_within_60d, events_60d_before, "
    "events_60d_after",
    "fct_support_tickets": "ticket_id, account_id, feature_key, status",
}


def _server_dsn() -> str:
    return get_settings({}).pg_dsn


def _reachable(dsn: str) -> bool:
    import psycopg2

    try:
        psycopg2.connect(dsn, connect_timeout=3).close()
    except psycopg2.OperationalError:
        return False
    return True


def _normalize(value: Any) -> Any:
    return (
        round(float(value), 4)
        if isinstance(value, float | int) and not isinstance(value, bool)
        else value
    )


def _query(cursor: Any, table: str) -> list[tuple[Any, ...]]:
    cursor.execute(f"select {COMPARED[table]} from {schema_of(table)}.{table} order by 1, 2")
    return [tuple(_normalize(v) for v in row) for row in cursor.fetchall()]


def test_postgres_build_matches_duckdb(
    duckdb_build: BuiltWarehouse, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg2

    from uptake.transform import run_dbt_build, run_source_freshness

    server = _server_dsn()
    if not _reachable(server):
        pytest.skip(f"PostgreSQL not reachable at {server}")
    with throwaway_postgres_database(server) as dsn:
        write_postgres_raw(dsn)
        settings = isolated_settings(
            tmp_path / "home", monkeypatch, UPTAKE_DBT_TARGET="postgres", UPTAKE_PG_DSN=dsn
        )
        assert replace(settings, pg_dsn=dsn) == settings
        result = run_dbt_build(settings)
        assert result.success and result.target == "postgres"
        assert result.count("model") == duckdb_build.result.count("model")
        assert result.count("unit_test") == duckdb_build.result.count("unit_test")

        # Source freshness runs on PostgreSQL too, against the as-of date, with the same verdicts.
        freshness = run_source_freshness(settings)
        duckdb_freshness = run_source_freshness(
            isolated_settings(duckdb_build.settings.home, monkeypatch)
        )
        assert freshness.sources == duckdb_freshness.sources

        pg = psycopg2.connect(dsn)
        ddb = duckdb.connect(str(duckdb_build.settings.warehouse_path), read_only=True)
        try:
            with pg.cursor() as pg_cursor:
                for table in COMPARED:
                    expected = _query(ddb.cursor(), table)
                    assert expected, table
                    assert _query(pg_cursor, table) == expected, table
                # persist_docs: the schema-file descriptions are in pg_description.
                pg_cursor.execute(
                    """
                    select obj_description('marts.account_adoption'::regclass, 'pg_class'),
                           col_description('marts.account_adoption'::regclass, attnum)
                    from pg_attribute
                    where attrelid = 'marts.account_adoption'::regclass
                      and attname = 'adoption_score'
                    """
                )
                table_comment, column_comment = pg_cursor.fetchone()
                assert table_comment.startswith("One row per account with adoption depth")
                assert column_comment.startswith("0-100: 100 x (0.35 weighted depth")
        finally:
            pg.close()
            ddb.close()
