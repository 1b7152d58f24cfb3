"""Read the marts a scoring run needs, once, through a read-only connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from uptake.ml.dataset import read_mart, resolve_as_of_date, table_exists
from uptake.settings import Settings
from uptake.warehouse import connect

# Catalog defaults used only when no feature mart carries them (see docs/scoring.md).
DEFAULT_EXPECTED_DAYS = {"core": 30, "advanced": 60, "premium": 90}
CATALOG_COLUMNS = ("feature_name", "category", "expected_days_to_adopt", "value_weight")
CATALOG_TABLES = (("marts", "dim_features"), ("staging", "stg_catalog__features"))


@dataclass(frozen=True)
class ScoringInputs:
    as_of: date
    accounts: pd.DataFrame  # dim_accounts
    adoption: pd.DataFrame  # account_feature_adoption
    account_adoption: pd.DataFrame
    snapshots: pd.DataFrame  # fct_account_monthly_snapshots
    tickets: pd.DataFrame
    notes: pd.DataFrame
    interventions: pd.DataFrame
    catalog: pd.DataFrame  # feature_key + CATALOG_COLUMNS

    @property
    def scored_at(self) -> pd.Timestamp:
        """Keyed on the run's date, never on the wall clock: reruns write the same rows."""
        return pd.Timestamp(self.as_of)


def _catalog(con: duckdb.DuckDBPyConnection, adoption: pd.DataFrame) -> pd.DataFrame:
    """feature_key, feature_name, category, expected_days_to_adopt, value_weight.

    Taken from account_feature_adoption when it carries them, else from the first feature table
    found, else derived from the category with documented defaults.
    """
    wanted = ["feature_name", "expected_days_to_adopt", "value_weight"]
    found = adoption
    if not set(wanted) <= set(adoption.columns):
        for schema, table in CATALOG_TABLES:
            if table_exists(con, table, schema):
                found = con.execute(f"select * from {schema}.{table}").fetchdf()
                break
    present = [column for column in wanted if column in found.columns]
    catalog = (
        adoption[["feature_key", "category"]]
        .drop_duplicates("feature_key")
        .merge(
            found[["feature_key", *present]].drop_duplicates("feature_key"),
            on="feature_key",
            how="left",
        )
    )
    for column in wanted:
        if column not in catalog.columns:
            catalog[column] = None
    defaults = catalog["category"].map(DEFAULT_EXPECTED_DAYS).fillna(60)
    catalog["feature_name"] = catalog["feature_name"].fillna(catalog["feature_key"])
    catalog["expected_days_to_adopt"] = (
        pd.to_numeric(catalog["expected_days_to_adopt"]).fillna(defaults).astype(float)
    )
    catalog["value_weight"] = pd.to_numeric(catalog["value_weight"]).fillna(1.0).astype(float)
    return catalog[["feature_key", *CATALOG_COLUMNS]]


def _optional(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> pd.DataFrame:
    if table_exists(con, table):
        return read_mart(con, table)
    return pd.DataFrame(columns=columns)


def load_scoring_inputs(settings: Settings, as_of_date: date | None) -> ScoringInputs:
    with connect(settings.warehouse_path, read_only=True) as con:
        as_of = resolve_as_of_date(con, as_of_date or settings.as_of_date)
        adoption = read_mart(con, "account_feature_adoption")
        return ScoringInputs(
            as_of=as_of,
            accounts=read_mart(con, "dim_accounts"),
            adoption=adoption,
            account_adoption=_optional(con, "account_adoption", ["account_id", "adoption_score"]),
            snapshots=read_mart(con, "fct_account_monthly_snapshots"),
            tickets=_optional(
                con,
                "fct_support_tickets",
                [
                    "ticket_id",
                    "account_id",
                    "feature_key",
                    "subject",
                    "description",
                    "tags",
                    "created_at",
                ],
            ),
            notes=_optional(
                con, "fct_cs_notes", ["note_id", "account_id", "feature_key", "body", "created_at"]
            ),
            interventions=_optional(
                con,
                "fct_interventions",
                [
                    "intervention_id",
                    "account_id",
                    "feature_key",
                    "intervention_type",
                    "started_at",
                    "adopted_within_60d",
                ],
            ),
            catalog=_catalog(con, adoption),
        )
