"""Read the marts a scoring run needs, once, through a read-only connection.

Every table and column scoring reads is declared in :data:`REQUIRED_COLUMNS`. A missing table
or column is a broken contract between dbt and scoring, so it fails with the table and column
named instead of being filled with a default. Optional CRM fields (use case, employee count,
owner, industry) are columns that exist and may be NULL for every account: they are scored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from uptake.ml.dataset import read_mart, resolve_as_of_date
from uptake.ml.features import HEALTH_INPUTS
from uptake.settings import Settings
from uptake.warehouse import WarehouseConnection, open_warehouse, schema_of, table_exists

CATALOG_COLUMNS = ("feature_name", "category", "expected_days_to_adopt", "value_weight")

# table (in marts or ml_inputs, uptake.warehouse.schema_of) -> the columns scoring reads from it.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "dim_accounts": (
        "account_id",
        "account_name",
        "plan",
        "arr",
        "tenure_days",
        "renewal_date",
        "csm_owner",
        "use_case",
    ),
    "account_feature_adoption": (
        "account_id",
        "feature_key",
        "is_entitled",
        "adoption_status",
        "peer_adoption_rate",
        "events_30d",
        "events_prev_30d",
        *CATALOG_COLUMNS,
    ),
    "account_adoption": ("account_id", "adoption_score", "cohort_percentile"),
    # Every per-gap signal, defined once in dbt; scoring reads the as-of day's rows.
    "fct_gap_candidates_every_30_days": (
        "account_id",
        "feature_key",
        "snapshot_date",
        "is_as_of_day",
        "adoption_status",
        "category",
        "value_weight",
        "expected_days_to_adopt",
        "entitled_date",
        "entitled_for_days",
        "overdue_days",
        "use_case",
        "use_case_peers",
        "use_case_peer_rate",
        "use_case_peer_use_rate",
        "cohort_peer_rate",
        "plan_peers",
        "plan_peer_rate",
        "plan_peer_use_rate",
        "best_use_case_adoption_rate",
        "adopted_features_rate",
        "events_30d",
        "events_to_date",
        "users_to_date",
        "unused_for_days",
        "use_span_days",
        "use_pace",
        "peak_pace",
        "failed_events_to_date",
        "first_adopted_date",
        "account_active_users_30d",
        "signals_since_date",
        "tickets_in_lookback",
        "notes_in_lookback",
        "interventions_to_date",
        "arr",
        "renewal_in_days",
    ),
    "fct_account_snapshots_every_30_days": (
        "account_id",
        "snapshot_date",
        "features_entitled",
        "features_adopted",
        "weighted_depth_pct",
        *HEALTH_INPUTS,
    ),
    "fct_support_tickets": (
        "ticket_id",
        "account_id",
        "feature_key",
        "subject",
        "description",
        "tags",
        "created_at",
    ),
    "fct_cs_notes": ("note_id", "account_id", "feature_key", "body", "created_at"),
    "fct_interventions": (
        "intervention_id",
        "account_id",
        "feature_key",
        "intervention_type",
        "started_at",
        "is_adopted_within_60d",
    ),
}


HISTORY_COLUMNS = ("account_id", "scored_at", "adoption_score", "churn_probability")


class ScoringInputError(RuntimeError):
    """A mart scoring reads is missing, or lacks a column it needs."""


@dataclass(frozen=True)
class ScoringInputs:
    as_of: date
    accounts: pd.DataFrame  # dim_accounts
    adoption: pd.DataFrame  # account_feature_adoption
    account_adoption: pd.DataFrame
    candidates: pd.DataFrame  # fct_gap_candidates_every_30_days, the as-of day's rows
    snapshots: pd.DataFrame  # fct_account_snapshots_every_30_days
    tickets: pd.DataFrame
    notes: pd.DataFrame
    interventions: pd.DataFrame
    catalog: pd.DataFrame  # feature_key + CATALOG_COLUMNS
    # Earlier scored days: account_id, scored_at, adoption_score, churn_probability (empty
    # before the first scoring run: history starts with it, it is not a broken contract).
    history: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(HISTORY_COLUMNS))
    )

    @property
    def scored_at(self) -> pd.Timestamp:
        """Keyed on the run's date, never on the wall clock: reruns write the same rows."""
        return pd.Timestamp(self.as_of)


def read_declared(con: WarehouseConnection, table: str) -> pd.DataFrame:
    """``table`` after checking it has every column of :data:`REQUIRED_COLUMNS`."""
    qualified = f"{schema_of(table)}.{table}"
    if not table_exists(con, table):
        raise ScoringInputError(f"scoring needs {qualified}, which does not exist")
    frame = read_mart(con, table)
    missing = [c for c in REQUIRED_COLUMNS[table] if c not in frame.columns]
    if missing:
        raise ScoringInputError(f"{qualified} lacks column(s) scoring needs: {', '.join(missing)}")
    return frame


def feature_catalog(adoption: pd.DataFrame) -> pd.DataFrame:
    """One row per feature with its catalog attributes, as account_feature_adoption carries them."""
    catalog = adoption[["feature_key", *CATALOG_COLUMNS]].drop_duplicates("feature_key")
    catalog = catalog.copy()
    catalog["expected_days_to_adopt"] = pd.to_numeric(catalog["expected_days_to_adopt"]).astype(
        float
    )
    catalog["value_weight"] = pd.to_numeric(catalog["value_weight"]).astype(float)
    return catalog.reset_index(drop=True)


def as_of_candidates(candidates: pd.DataFrame) -> pd.DataFrame:
    """The gap candidates of the as-of day (the earlier days are training rows)."""
    today = candidates["is_as_of_day"].fillna(False).astype(bool)
    return candidates[today].reset_index(drop=True)


def score_history(con: WarehouseConnection) -> pd.DataFrame:
    """Adoption score and churn probability of every earlier scored day (see history.py)."""
    if not (
        table_exists(con, "account_scores_history")
        and table_exists(con, "account_adoption_history")
    ):
        return pd.DataFrame(columns=list(HISTORY_COLUMNS))
    return con.execute(
        """
        select s.account_id, s.scored_at, a.adoption_score, s.churn_probability
        from marts.account_scores_history as s
        left join marts.account_adoption_history as a using (account_id, scored_at)
        """
    ).fetchdf()


def load_scoring_inputs(settings: Settings, as_of_date: date | None) -> ScoringInputs:
    with open_warehouse(settings, read_only=True) as con:
        as_of = resolve_as_of_date(con, as_of_date or settings.as_of_date)
        frames = {table: read_declared(con, table) for table in REQUIRED_COLUMNS}
        history = score_history(con)
    adoption = frames["account_feature_adoption"]
    return ScoringInputs(
        as_of=as_of,
        accounts=frames["dim_accounts"],
        adoption=adoption,
        account_adoption=frames["account_adoption"],
        candidates=as_of_candidates(frames["fct_gap_candidates_every_30_days"]),
        snapshots=frames["fct_account_snapshots_every_30_days"],
        tickets=frames["fct_support_tickets"],
        notes=frames["fct_cs_notes"],
        interventions=frames["fct_interventions"],
        catalog=feature_catalog(adoption),
        history=history,
    )
