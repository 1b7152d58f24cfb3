"""Score history: every scored day is kept; the latest tables show only the latest day.

``marts.account_scores_history`` and ``marts.adoption_gaps_history`` hold the rows of every
scored day, keyed by ``scored_at``; ``marts.account_adoption_history`` keeps each account's
adoption score and its parts as dbt built them for that day. Scoring a day again replaces that
day's history rows (reruns are idempotent). Scoring a day older than the latest one (a
backfill) writes its history rows and leaves the latest tables, alerts included, untouched.
"""

from __future__ import annotations

import pandas as pd

from uptake.warehouse import WarehouseConnection, table_exists
from uptake.warehouse_sql import insert_by_name, query_columns, table_columns

SCHEMA = "marts"
SCORED_HISTORY = {
    "account_scores": "account_scores_history",
    "adoption_gaps": "adoption_gaps_history",
}
ADOPTION_HISTORY = "account_adoption_history"
# What of marts.account_adoption (built by dbt for the day) is kept per scored day.
ADOPTION_HISTORY_COLUMNS = (
    "account_id",
    "as_of_date",
    "adoption_score",
    "cohort_percentile",
    "adoption_depth_pct",
    "weighted_depth_pct",
    "license_utilization",
    "dau_mau",
    "usage_trend_30d",
    "benchmark_band",
)


def latest_scored_at(con: WarehouseConnection) -> pd.Timestamp | None:
    """The newest day in the history, or None before the first scoring run."""
    table = SCORED_HISTORY["account_scores"]
    if not table_exists(con, table):
        return None
    (latest,) = con.execute(f"select max(scored_at) from {SCHEMA}.{table}").fetchone()
    return None if latest is None else pd.Timestamp(latest)


def is_latest_day(con: WarehouseConnection, scored_at: pd.Timestamp) -> bool:
    """True unless a later day was scored already (this run is a backfill)."""
    latest = latest_scored_at(con)
    return latest is None or scored_at >= latest


def _add_new_columns(con: WarehouseConnection, history: str, select: str) -> None:
    """A column scoring started writing after the history table was created is added to it
    (NULL on the older days), so an upgrade never breaks the history it keeps."""
    have = set(table_columns(con, SCHEMA, history))
    for name, sql_type in query_columns(con, select):
        if name not in have:
            con.execute(f'alter table {SCHEMA}.{history} add column "{name}" {sql_type}')


def _replace_day(
    con: WarehouseConnection, history: str, select: str, scored_at: pd.Timestamp
) -> int:
    """Replace the rows of ``scored_at`` in ``marts.<history>`` by the rows of ``select``."""
    con.execute(
        f"create table if not exists {SCHEMA}.{history} as "
        f"select * from ({select}) as q where false"
    )
    _add_new_columns(con, history, select)
    con.execute(f"delete from {SCHEMA}.{history} where scored_at = ?", [scored_at])
    insert_by_name(con, f"{SCHEMA}.{history}", select)
    (rows,) = con.execute(
        f"select count(*) from {SCHEMA}.{history} where scored_at = ?", [scored_at]
    ).fetchone()
    return int(rows)


def record_history(
    con: WarehouseConnection, staged: dict[str, str], scored_at: pd.Timestamp
) -> dict[str, int]:
    """Write this day's history rows; ``staged`` maps a scored table to its staged copy.

    Runs inside the caller's transaction, so history and latest tables change together.
    """
    rows = {}
    for table, history in SCORED_HISTORY.items():
        if table in staged:
            select = f"select * from {SCHEMA}.{staged[table]}"
            rows[history] = _replace_day(con, history, select, scored_at)
    if "account_scores" in staged and table_exists(con, "account_adoption"):
        columns = ", ".join(ADOPTION_HISTORY_COLUMNS)
        stamp = f"cast('{scored_at.isoformat()}' as timestamp) as scored_at"
        select = f"select {columns}, {stamp} from {SCHEMA}.account_adoption"
        rows[ADOPTION_HISTORY] = _replace_day(con, ADOPTION_HISTORY, select, scored_at)
    return rows
