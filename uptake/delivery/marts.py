"""Everything the desk shows, read once from the marts through a read-only connection.

Numbers are taken as the marts hold them; this module only selects, joins and sorts. A missing
table is recorded in ``missing`` (its frame is empty) so pages can say what is unavailable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from uptake.settings import Settings
from uptake.warehouse import WarehouseConnection, open_warehouse, schema_of

SCHEMA = "marts"
# Delivery state kept next to the scored tables (written by uptake.delivery, not by dbt).
DELIVERIES = "alert_deliveries"
RISK_HISTORY = "account_scores_history"  # written by scoring (uptake.scoring.score_history)

QUERIES: dict[str, str] = {
    "accounts": "select * from marts.dim_accounts order by account_id",
    "adoption": "select * from marts.account_adoption order by account_id",
    "features": "select * from marts.account_feature_adoption order by account_id, feature_key",
    "benchmarks": "select * from marts.cohort_benchmarks order by cohort_key, feature_key",
    # Months of daily usage, for the heatmaps (a sum of the mart's rows, shown as they add up).
    "usage_monthly": """
        select account_id, feature_key, cast(date_trunc('month', usage_date) as date) as month,
               sum(events) as events
        from marts.fct_feature_usage_daily
        group by 1, 2, 3 order by 1, 2, 3
    """,
    "snapshots": """
        select account_id, snapshot_date, tenure_days, adoption_depth_pct
        from ml_inputs.fct_account_snapshots_every_30_days order by account_id, snapshot_date
    """,
    "scores": "select * from marts.account_scores order by account_id",
    "gaps": """
        select * from marts.adoption_gaps
        order by priority_score desc, account_id, feature_key
    """,
    "alerts": "select * from marts.adoption_alerts order by alert_id",
    "deliveries": f"select * from {SCHEMA}.{DELIVERIES} order by alert_id",
    "risk_history": (
        "select account_id, scored_at, churn_probability, risk_tier "
        f"from {SCHEMA}.{RISK_HISTORY} order by account_id, scored_at"
    ),
}
TABLE_OF = {
    "accounts": "dim_accounts",
    "adoption": "account_adoption",
    "features": "account_feature_adoption",
    "benchmarks": "cohort_benchmarks",
    "usage_monthly": "fct_feature_usage_daily",
    "snapshots": "fct_account_snapshots_every_30_days",
    "scores": "account_scores",
    "gaps": "adoption_gaps",
    "alerts": "adoption_alerts",
    "deliveries": DELIVERIES,
    "risk_history": RISK_HISTORY,
}
# Tables whose absence is normal (delivery state before the first delivery).
OPTIONAL = {"deliveries", "risk_history"}


@dataclass
class DeskData:
    accounts: pd.DataFrame
    adoption: pd.DataFrame
    features: pd.DataFrame
    benchmarks: pd.DataFrame
    usage_monthly: pd.DataFrame
    snapshots: pd.DataFrame
    scores: pd.DataFrame
    gaps: pd.DataFrame
    alerts: pd.DataFrame
    deliveries: pd.DataFrame
    risk_history: pd.DataFrame
    missing: list[str] = field(default_factory=list)

    @property
    def as_of(self) -> date | None:
        for frame in (self.accounts, self.adoption):
            if "as_of_date" in frame.columns and len(frame):
                return pd.Timestamp(frame["as_of_date"].max()).date()
        if "scored_at" in self.scores.columns and len(self.scores):
            return pd.Timestamp(self.scores["scored_at"].max()).date()
        return None

    @property
    def scored_at(self) -> pd.Timestamp | None:
        if "scored_at" in self.scores.columns and len(self.scores):
            return pd.Timestamp(self.scores["scored_at"].max())
        return None

    def feature_names(self) -> dict[str, str]:
        if {"feature_key", "feature_name"} <= set(self.features.columns):
            pairs = self.features.dropna(subset=["feature_name"])
            return dict(zip(pairs["feature_key"], pairs["feature_name"], strict=True))
        return {}

    def account_names(self) -> dict[str, str]:
        if {"account_id", "account_name"} <= set(self.accounts.columns):
            names = self.accounts["account_name"].fillna(self.accounts["account_id"])
            return dict(zip(self.accounts["account_id"], names, strict=True))
        return {}


def _exists(con: WarehouseConnection, table: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema_of(table), table],
    ).fetchone()
    return bool(found and found[0])


def load_desk(settings: Settings) -> DeskData:
    frames: dict[str, pd.DataFrame] = {}
    missing: list[str] = []
    with open_warehouse(settings, read_only=True) as con:
        for name, sql in QUERIES.items():
            if _exists(con, TABLE_OF[name]):
                frames[name] = con.execute(sql).fetchdf()
            else:
                frames[name] = pd.DataFrame()
                if name not in OPTIONAL:
                    missing.append(f"{schema_of(TABLE_OF[name])}.{TABLE_OF[name]}")
    return DeskData(**frames, missing=missing)


def load_deliveries(settings: Settings) -> pd.DataFrame:
    """``marts.alert_deliveries`` alone (re-read after the webhook ran), empty if absent."""
    with open_warehouse(settings, read_only=True) as con:
        if not _exists(con, DELIVERIES):
            return pd.DataFrame()
        return con.execute(QUERIES["deliveries"]).fetchdf()
