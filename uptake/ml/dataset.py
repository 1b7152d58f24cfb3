"""Point-in-time training sets read from the marts, and the time-based holdout split."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from uptake.ml.features import intent_from_tags, ticket_frame, ticket_text
from uptake.ml.model_specs import ChurnSpec, IntentSpec
from uptake.settings import Settings
from uptake.warehouse import WarehouseConnection, open_warehouse, schema_of, table_exists


def read_mart(con: WarehouseConnection, table: str) -> pd.DataFrame:
    """The whole of a mart or ML input (account grain: small enough for pandas)."""
    return con.execute(f'select * from {schema_of(table)}."{table}"').fetchdf()


def resolve_as_of_date(con: WarehouseConnection, explicit: date | None) -> date:
    """The run's date: explicit, else the marts' own as_of_date, else the latest snapshot.

    Never today's date: a rerun of the same data must give the same answer.
    """
    if explicit is not None:
        return explicit
    for table, column in (
        ("account_adoption", "as_of_date"),
        ("fct_account_snapshots_every_30_days", "snapshot_date"),
    ):
        if table_exists(con, table):
            value = con.execute(f"select max({column}) from {schema_of(table)}.{table}").fetchone()
            if value and value[0] is not None:
                return pd.Timestamp(value[0]).date()
    raise ValueError("cannot resolve as_of_date: no marts.account_adoption or snapshots found")


def _to_date(series: pd.Series) -> pd.Series:
    # One unit for every date: DuckDB and pandas disagree (s/us/ns) and merge_asof needs equal.
    return pd.to_datetime(series).dt.normalize().astype("datetime64[ns]")


@dataclass(frozen=True)
class Split:
    train: pd.DataFrame
    test: pd.DataFrame
    cutoff: pd.Timestamp | None  # first date of the holdout


def time_split(frame: pd.DataFrame, date_column: str, holdout_fraction: float) -> Split:
    """The latest ``holdout_fraction`` of distinct dates is the holdout; never a random split.

    Splitting on distinct dates keeps all rows of one day on one side, so a holdout row never
    shares its date with a training row.
    """
    if frame.empty:
        return Split(frame, frame, None)
    dates = np.sort(_to_date(frame[date_column]).unique())
    if len(dates) < 2:
        return Split(frame, frame.iloc[0:0], None)
    ordered = frame.assign(_d=_to_date(frame[date_column])).sort_values("_d", kind="stable")
    target_train_rows = round(len(ordered) * (1 - holdout_fraction))
    # The cutoff is the date at which the cumulative row count first passes the train share.
    cutoff = ordered["_d"].iloc[min(max(target_train_rows, 1), len(ordered) - 1)]
    if cutoff == ordered["_d"].iloc[0]:
        cutoff = pd.Timestamp(dates[1])
    train = ordered[ordered["_d"] < cutoff].drop(columns="_d")
    test = ordered[ordered["_d"] >= cutoff].drop(columns="_d")
    return Split(train, test, pd.Timestamp(cutoff))


def _renewal_type_filter(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Keep renewal opportunities only, when the mart also carries expansions/downgrades."""
    for column in ("renewal_type", "opportunity_type", "type"):
        if column in outcomes.columns:
            return outcomes[outcomes[column].astype(str).str.lower() == "renewal"]
    return outcomes


def build_churn_training_set(
    renewals: pd.DataFrame, snapshots: pd.DataFrame, spec: ChurnSpec, as_of: date
) -> pd.DataFrame:
    """One row per closed renewal with close_date <= as_of and lookback of the spec: the
    account's latest snapshot at or before close_date - lookback (point in time: nothing later
    enters). Several lookbacks give the model the account as it looked 90, 120, ... days before
    a renewal, as scoring sees accounts whose renewal is anywhere in the next year.

    Returns renewal_id, account_id, close_date, snapshot_date, lookback_days, label, the spec's
    features, then every other snapshot column (so a champion with other features can be
    re-scored on it). A snapshot that two lookbacks both reach counts once.
    """
    closed = _renewal_type_filter(renewals)
    closed = closed[closed["is_closed"].astype(bool)].copy()
    closed["close_date"] = _to_date(closed["close_date"])
    closed = closed[closed["close_date"] <= pd.Timestamp(as_of)]
    closed["label"] = closed["is_churned"].astype(bool).astype(int)

    snaps = snapshots.copy()
    snaps["snapshot_date"] = _to_date(snaps["snapshot_date"])
    missing = [f for f in spec.features if f not in snaps.columns]
    if missing:
        raise ValueError(f"fct_account_snapshots_every_30_days lacks features {missing}")
    snaps = snaps.sort_values("snapshot_date")

    keys = ["renewal_id", "account_id", "close_date", "feature_cutoff", "lookback_days", "label"]
    parts = []
    for lookback in spec.lookback_days:
        at = closed.assign(
            feature_cutoff=closed["close_date"] - pd.Timedelta(days=lookback),
            lookback_days=lookback,
        ).sort_values("feature_cutoff")
        found = pd.merge_asof(
            at[keys],
            snaps,
            left_on="feature_cutoff",
            right_on="snapshot_date",
            by="account_id",
            direction="backward",  # the latest snapshot at or before the cutoff, never after
        )
        parts.append(found.dropna(subset=["snapshot_date"]))
    merged = pd.concat(parts, ignore_index=True)
    merged = merged.sort_values("lookback_days").drop_duplicates(["renewal_id", "snapshot_date"])
    merged[list(spec.features)] = merged[list(spec.features)].astype(float)
    columns = ["renewal_id", "account_id", "close_date", "snapshot_date", "lookback_days"]
    columns += ["label", *spec.features]
    columns += [c for c in merged.columns if c not in columns and c != "feature_cutoff"]
    order = ["close_date", "renewal_id", "lookback_days"]
    return merged[columns].sort_values(order).reset_index(drop=True)


def build_intent_training_set(tickets: pd.DataFrame, spec: IntentSpec, as_of: date) -> pd.DataFrame:
    """Tickets created on or before as_of with their text and intent tag (None = unlabeled)."""
    frame = tickets.copy()
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    frame = frame[frame["created_at"] < pd.Timestamp(as_of) + timedelta(days=1)]
    frame[["title", "body"]] = ticket_frame(frame).set_axis(frame.index).to_numpy()
    frame["text"] = ticket_text(frame)  # what the keyword-rule baseline reads
    frame["intent"] = [intent_from_tags(tags, spec.intents) for tags in frame["tags"]]
    columns = ["ticket_id", "account_id", "created_at", "title", "body", "text", "intent"]
    return frame[columns].reset_index(drop=True)


@dataclass(frozen=True)
class MartInputs:
    as_of: date
    renewals: pd.DataFrame
    snapshots: pd.DataFrame
    tickets: pd.DataFrame
    accounts: pd.DataFrame  # dim_accounts: account_id, is_active_customer
    features: pd.DataFrame  # feature_key, feature_name
    feature_usage: pd.DataFrame  # fct_feature_usage_daily in the longest persona window


def read_feature_usage(con: WarehouseConnection, as_of: date, days: int) -> pd.DataFrame:
    """``marts.fct_feature_usage_daily`` rows dated in ``(as_of - days, as_of]``."""
    return con.execute(
        "select account_id, feature_key, usage_date, events from marts.fct_feature_usage_daily "
        "where usage_date > ? and usage_date <= ?",
        [as_of - timedelta(days=days), as_of],
    ).fetchdf()


def load_training_inputs(
    settings: Settings, as_of_date: date | None, usage_days: int = 90
) -> MartInputs:
    with open_warehouse(settings, read_only=True) as con:
        as_of = resolve_as_of_date(con, as_of_date or settings.as_of_date)
        return MartInputs(
            as_of=as_of,
            renewals=read_mart(con, "fct_renewal_outcomes"),
            snapshots=read_mart(con, "fct_account_snapshots_every_30_days"),
            tickets=read_mart(con, "fct_support_tickets"),
            accounts=con.execute(
                "select account_id, is_active_customer from marts.dim_accounts"
            ).fetchdf(),
            features=con.execute(
                "select distinct feature_key, feature_name from marts.account_feature_adoption "
                "order by feature_key, feature_name"
            ).fetchdf(),
            feature_usage=read_feature_usage(con, as_of, usage_days),
        )


def frame_hash(frame: pd.DataFrame) -> str:
    """sha256 of the training set's content (row order and dtypes normalised through CSV)."""
    import hashlib

    payload = frame.to_csv(index=False, float_format="%.10g").encode()
    return hashlib.sha256(payload).hexdigest()
