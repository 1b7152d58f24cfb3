"""Account health back to the CRM: a Salesforce upsert CSV and, when the CRM is PostgreSQL, an
upsert into a table of that database.

``exports/crm_account_health.csv``: one row per active account, ``Id`` = the CRM account id
(the upsert key), then Uptake's custom fields. Sorted by Id with fixed number formats, so a
rerun on the same marts writes the same bytes; written atomically.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import psycopg2
from psycopg2 import sql
from psycopg2.extras import execute_values

from uptake.delivery.html import is_missing
from uptake.delivery.safe_files import write_atomic
from uptake.delivery.views import Views

FILE_NAME = "crm_account_health.csv"
# Field -> PostgreSQL type of the write-back table.
FIELDS: dict[str, str] = {
    "Id": "text primary key",
    "Uptake_Adoption_Score__c": "double precision",
    "Uptake_Cohort_Percentile__c": "double precision",
    "Uptake_Churn_Risk_Tier__c": "text",
    "Uptake_Churn_Probability__c": "double precision",
    "Uptake_Top_Gap__c": "text",
    "Uptake_Top_Gap_Action__c": "text",
    "Uptake_Scored_Date__c": "date",
}


def _number(value: object, digits: int) -> str:
    return "" if is_missing(value) else f"{float(value):.{digits}f}"


def _plain(value: object) -> str:
    return "" if is_missing(value) else str(value)


def health_rows(views: Views) -> list[dict[str, str]]:
    """One row per active account (dim_accounts.is_active_customer), values as the marts hold
    them: adoption score and cohort percentile (account_adoption), risk tier and probability
    (account_scores), the top gap's feature name and recommended action (adoption_gaps, first
    by priority whose cause is not not_relevant), the scoring day."""
    accounts = views.data.accounts
    if accounts.empty:
        return []
    active = accounts
    if "is_active_customer" in accounts.columns:
        active = accounts[accounts["is_active_customer"].fillna(False).astype(bool)]
    rows = []
    for account_id in sorted(active["account_id"].astype(str)):
        adoption = views.adoption_by_account.get(account_id, pd.Series(dtype=object))
        score = views.score_by_account.get(account_id, pd.Series(dtype=object))
        gap = views.top_gap(account_id)
        scored = score.get("scored_at")
        rows.append(
            {
                "Id": account_id,
                "Uptake_Adoption_Score__c": _number(adoption.get("adoption_score"), 1),
                "Uptake_Cohort_Percentile__c": _number(adoption.get("cohort_percentile"), 1),
                "Uptake_Churn_Risk_Tier__c": _plain(score.get("risk_tier")),
                "Uptake_Churn_Probability__c": _number(score.get("churn_probability"), 4),
                "Uptake_Top_Gap__c": ""
                if gap is None
                else views.names.get(gap["feature_key"], str(gap["feature_key"])),
                "Uptake_Top_Gap_Action__c": ""
                if gap is None
                else _plain(gap["recommended_action"]),
                "Uptake_Scored_Date__c": ""
                if is_missing(scored)
                else pd.Timestamp(scored).date().isoformat(),
            }
        )
    return rows


def write_csv(rows: list[dict[str, str]], path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(FIELDS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return write_atomic(path, buffer.getvalue())


def upsert_postgres(rows: list[dict[str, str]], dsn: str, schema: str, table: str) -> int:
    """``INSERT ... ON CONFLICT ("Id") DO UPDATE`` into ``schema.table`` (created if absent),
    in one transaction. Rows of accounts no longer active are left as they are."""
    columns = list(FIELDS)
    target = sql.Identifier(schema, table)
    create = sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(
        target,
        sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind))
            for name, kind in FIELDS.items()
        ),
    )
    upsert = sql.SQL("INSERT INTO {} ({}) VALUES %s ON CONFLICT ({}) DO UPDATE SET {}").format(
        target,
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.Identifier("Id"),
        sql.SQL(", ").join(
            sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(name)) for name in columns[1:]
        ),
    )
    values = [tuple(row[name] or None for name in columns) for row in rows]
    conn = psycopg2.connect(dsn, connect_timeout=30)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(create)
            if values:
                execute_values(cur, upsert, values)
    finally:
        conn.close()
    return len(values)
