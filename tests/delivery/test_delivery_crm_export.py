"""Account health back to the CRM: the upsert CSV and the PostgreSQL upsert."""

from __future__ import annotations

import csv
import uuid
from dataclasses import replace

import duckdb
import pandas as pd
import psycopg2
import pytest
from delivery_fixtures import INACTIVE_IDS

from uptake.delivery import crm_export, publish_reports
from uptake.delivery.marts import load_desk
from uptake.delivery.views import build_views
from uptake.settings import get_settings

SERVER = get_settings({}).pg_dsn  # the local test server


def _rows(path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _marts(settings, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql).fetchdf()
    finally:
        con.close()


def test_one_row_per_active_account_in_salesforce_upsert_shape(published):
    settings, summary = published
    path = settings.exports_dir / "crm_account_health.csv"
    assert summary.crm_export == path
    rows = _rows(path)
    assert list(rows[0]) == list(crm_export.FIELDS)
    active = _marts(settings, "select account_id from marts.dim_accounts where is_active_customer")
    assert [r["Id"] for r in rows] == sorted(active["account_id"])
    assert not set(INACTIVE_IDS) & {r["Id"] for r in rows}
    assert summary.crm_rows == len(rows)


def test_values_are_the_marts_values(published):
    settings, _ = published
    rows = {r["Id"]: r for r in _rows(settings.exports_dir / "crm_account_health.csv")}
    joined = _marts(
        settings,
        "select * from marts.account_adoption join marts.account_scores using (account_id)",
    )
    gaps = _marts(
        settings,
        "select * from marts.adoption_gaps where root_cause <> 'not_relevant' "
        "order by priority_score desc, account_id, feature_key",
    )
    top = gaps.drop_duplicates("account_id").set_index("account_id")
    checked = 0
    for _, mart in joined.iterrows():
        row = rows.get(mart["account_id"])
        if row is None:
            continue
        assert float(row["Uptake_Adoption_Score__c"]) == pytest.approx(
            mart["adoption_score"], abs=0.05
        )
        assert float(row["Uptake_Cohort_Percentile__c"]) == pytest.approx(
            mart["cohort_percentile"], abs=0.05
        )
        assert row["Uptake_Churn_Risk_Tier__c"] == mart["risk_tier"]
        assert float(row["Uptake_Churn_Probability__c"]) == pytest.approx(
            mart["churn_probability"], abs=5e-5
        )
        assert row["Uptake_Scored_Date__c"] == "2026-06-30"
        if mart["account_id"] in top.index:
            gap = top.loc[mart["account_id"]]
            assert row["Uptake_Top_Gap_Action__c"] == gap["recommended_action"]
            assert row["Uptake_Top_Gap__c"]  # the feature's display name
        else:
            assert row["Uptake_Top_Gap__c"] == row["Uptake_Top_Gap_Action__c"] == ""
        checked += 1
    assert checked == len(rows)


def test_rerun_writes_the_same_bytes_atomically(published, tmp_path):
    settings, _ = published
    path = settings.exports_dir / "crm_account_health.csv"
    first = path.read_bytes()
    again = tmp_path / "again" / "crm_account_health.csv"
    views = build_views(load_desk(settings))
    crm_export.write_csv(crm_export.health_rows(views), again)
    crm_export.write_csv(crm_export.health_rows(views), again)  # over an existing file
    assert again.read_bytes() == first
    assert [p.name for p in again.parent.iterdir()] == ["crm_account_health.csv"]


def _schema() -> str:
    return f"delivery_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def pg_schema():
    try:
        conn = psycopg2.connect(SERVER, connect_timeout=3)
    except psycopg2.OperationalError as exc:
        pytest.skip(f"local PostgreSQL not reachable: {exc}")
    schema = _schema()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield conn, schema
    finally:
        with conn.cursor() as cur:
            cur.execute(f'DROP SCHEMA "{schema}" CASCADE')
        conn.close()


def _table(conn, schema: str) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(
            f'SELECT "Id", "Uptake_Churn_Risk_Tier__c", "Uptake_Churn_Probability__c", '
            f'"Uptake_Scored_Date__c"::text FROM "{schema}".uptake_account_health ORDER BY "Id"'
        )
        return cur.fetchall()


@pytest.mark.postgres
def test_postgres_upsert_inserts_then_updates_in_place(desk, pg_schema):
    conn, schema = pg_schema
    rows = crm_export.health_rows(build_views(load_desk(desk)))
    assert crm_export.upsert_postgres(rows, SERVER, schema, "uptake_account_health") == len(rows)
    first = _table(conn, schema)
    assert [r[0] for r in first] == [r["Id"] for r in rows]
    assert first[0][3] == "2026-06-30"
    crm_export.upsert_postgres(rows, SERVER, schema, "uptake_account_health")
    assert _table(conn, schema) == first  # idempotent
    changed = [{**row, "Uptake_Churn_Risk_Tier__c": "high"} for row in rows[:2]]
    crm_export.upsert_postgres(changed, SERVER, schema, "uptake_account_health")
    after = _table(conn, schema)
    assert len(after) == len(first)
    assert [r[1] for r in after[:2]] == ["high", "high"] and after[2:] == first[2:]


@pytest.mark.postgres
def test_publish_upserts_when_the_crm_source_is_postgres(desk, pg_schema):
    conn, schema = pg_schema
    settings = replace(desk, crm_source=f"{SERVER}?schema={schema}")
    summary = publish_reports(settings)
    assert summary.ok and summary.crm_upserted == summary.crm_rows
    assert len(_table(conn, schema)) == summary.crm_rows
    off = publish_reports(replace(settings, crm_export_table=""))
    assert off.crm_upserted is None


def test_a_failed_upsert_is_reported_not_raised_and_hides_the_password(desk):
    settings = replace(desk, crm_source="postgresql://crm:pw-s3cret@127.0.0.1:1/sales")
    summary = publish_reports(settings)
    assert not summary.ok and summary.crm_upserted is None
    assert summary.errors[0].startswith("CRM upsert into postgresql://crm@127.0.0.1:1/sales failed")
    assert "pw-s3cret" not in " ".join(summary.errors)
    assert (settings.exports_dir / "crm_account_health.csv").exists()
