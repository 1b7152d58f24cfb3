"""Behavioural personas: k-means over per-account usage profiles, named from their centroids.

An account's usage profile is the share of each feature's events among its feature events in
each trailing window of ``ml/personas.toml`` (30 and 90 days) ending on the as-of date,
standardised over the accounts. k is chosen by silhouette over ``k_min..k_max``; k-means is
seeded, so the same marts always give the same personas. Accounts without feature events in
the longest window are not clustered (persona 0, "no recent usage"). With too few peers to
cluster there is one persona for every profiled account and no model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from uptake.ml.model_specs import PersonaSpec
from uptake.warehouse import WarehouseConnection
from uptake.warehouse_sql import replace_table_as

SCHEMA = "marts"
TABLE = "account_personas"  # read by dbt as source ml.account_personas (dim_accounts)
NO_USAGE_ID = 0
NO_USAGE_NAME = "no recent usage"
SINGLE_NAME = "all accounts"
BALANCED_NAME = "balanced usage"
# Silhouettes closer than this are a tie (the smaller k wins), so float noise never flips k.
TIE_TOLERANCE = 1e-9
TABLE_COLUMNS: dict[str, str] = {
    "account_id": "VARCHAR",
    "persona_id": "INTEGER",
    "persona_name": "VARCHAR",
    "distance": "DOUBLE",
    "confidence": "DOUBLE",
    "model_version": "VARCHAR",
    "as_of_date": "DATE",
}
USAGE_COLUMNS = ("account_id", "feature_key", "usage_date", "events")


def require_columns(frame: pd.DataFrame, table: str, columns: Sequence[str]) -> None:
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise ValueError(f"marts.{table} lacks columns {missing} (needed for personas)")


def profile_column(days: int, feature_key: str) -> str:
    return f"share_{days}d__{feature_key}"


def usage_profiles(usage: pd.DataFrame, as_of: date, windows_days: Sequence[int]) -> pd.DataFrame:
    """One row per account (index ``account_id``) with feature events in the longest window.

    Columns ``share_<days>d__<feature_key>`` for every window and every feature used in the
    longest window; a window's shares sum to 1, or are all 0 when it had no events. Only usage
    dated in ``(as_of - days, as_of]`` counts: nothing after the as-of date enters.
    """
    require_columns(usage, "fct_feature_usage_daily", USAGE_COLUMNS)
    end = pd.Timestamp(as_of)
    day = pd.to_datetime(usage["usage_date"]).dt.normalize()
    used = usage.assign(_day=day, events=usage["events"].astype(float))
    used = used[(used["events"] > 0) & (used["_day"] <= end)]

    def totals(days: int) -> pd.DataFrame:
        inside = used[used["_day"] > end - pd.Timedelta(days=days)]
        return inside.pivot_table(
            index="account_id", columns="feature_key", values="events", aggfunc="sum"
        )

    longest = totals(max(windows_days))
    accounts = sorted(longest.index.astype(str))
    features = sorted(longest.columns.astype(str))
    parts = []
    for days in sorted(windows_days):
        counts = totals(days).reindex(index=accounts, columns=features).fillna(0.0)
        shares = counts.div(counts.sum(axis=1).replace(0.0, np.nan), axis=0).fillna(0.0)
        parts.append(shares.rename(columns=lambda key, d=days: profile_column(d, key)))
    if not parts:
        return pd.DataFrame(index=pd.Index([], name="account_id"))
    profiles = pd.concat(parts, axis=1)
    profiles.index.name = "account_id"
    profiles.columns.name = None
    return profiles


def feature_strength(centroids: pd.DataFrame) -> pd.DataFrame:
    """Per centroid (row) and feature: the mean over windows of its standardised share."""
    keys = pd.Series([column.split("__", 1)[1] for column in centroids.columns])
    return centroids.T.groupby(keys.to_numpy()).mean().T


def persona_names(
    strength: pd.DataFrame, feature_names: Mapping[str, str], top_features: int, min_z: float
) -> list[str]:
    """A readable, unique name per centroid from its strongest features.

    The features at least ``min_z`` standard deviations above the average account, strongest
    first (up to ``top_features``): "Reports + API access heavy"; none: "balanced usage".
    A repeated name gets " (2)", " (3)", ...
    """
    names: list[str] = []
    for _, row in strength.iterrows():
        ranked = sorted(row.items(), key=lambda item: (-item[1], item[0]))
        strongest = [key for key, value in ranked if value >= min_z][:top_features]
        if strongest:
            label = " + ".join(feature_names.get(key, key) for key in strongest) + " heavy"
        else:
            label = BALANCED_NAME
        name, copy = label, 2
        while name in names:
            name, copy = f"{label} ({copy})", copy + 1
        names.append(name)
    return names


@dataclass(frozen=True)
class KSelection:
    k: int
    silhouette: float
    silhouettes: dict[int, float]
    model: KMeans


def select_k(
    standardised: np.ndarray,
    k_min: int,
    k_max: int,
    *,
    n_init: int,
    max_iter: int,
    random_state: int,
) -> KSelection | None:
    """The k in ``k_min..k_max`` with the highest silhouette (ties: the smaller k), or None
    when no k fits: silhouette needs 2..n-1 clusters, and k-means k distinct profiles."""
    rows = len(standardised)
    distinct = len(np.unique(standardised, axis=0)) if rows else 0
    silhouettes: dict[int, float] = {}
    best: tuple[int, float, KMeans] | None = None
    for k in range(k_min, k_max + 1):
        if k > distinct or k > rows - 1:
            break
        model = KMeans(
            n_clusters=k, n_init=n_init, max_iter=max_iter, random_state=random_state
        ).fit(standardised)
        if len(np.unique(model.labels_)) < 2:
            continue
        score = float(silhouette_score(standardised, model.labels_))
        silhouettes[k] = score
        if best is None or score > best[1] + TIE_TOLERANCE:
            best = (k, score, model)
    if best is None:
        return None
    return KSelection(best[0], best[1], silhouettes, best[2])


@dataclass
class PersonaFit:
    """What fitting produced: one row per profiled account, and one per persona."""

    assignments: pd.DataFrame  # account_id, persona_id, persona_name, distance, confidence
    centroids: pd.DataFrame  # persona_id, persona_name, kmeans_label, accounts, + profile z
    reason: str
    accounts_fit: int
    selection: KSelection | None = None
    pipeline: Pipeline | None = None
    silhouettes: dict[int, float] = field(default_factory=dict)

    @property
    def fitted(self) -> bool:
        return self.pipeline is not None


def _single_persona(profiles: pd.DataFrame, fit_rows: pd.DataFrame, reason: str) -> PersonaFit:
    distance: pd.Series = pd.Series(np.nan, index=profiles.index)
    if len(fit_rows) >= 2:
        scaler = StandardScaler().fit(fit_rows)
        distance = pd.Series(
            np.linalg.norm(scaler.transform(profiles), axis=1), index=profiles.index
        )
    assignments = pd.DataFrame(
        {
            "account_id": profiles.index.astype(str),
            "persona_id": 1,
            "persona_name": SINGLE_NAME,
            "distance": distance.to_numpy(),
            "confidence": np.nan,
        }
    )
    centroids = pd.DataFrame(
        [{"persona_id": 1, "persona_name": SINGLE_NAME, "accounts": len(profiles)}]
    )
    if not len(profiles):
        centroids = centroids.iloc[0:0]
    return PersonaFit(assignments, centroids, reason, len(fit_rows))


def fit_personas(
    profiles: pd.DataFrame,
    is_peer: pd.Series,
    feature_names: Mapping[str, str],
    spec: PersonaSpec,
) -> PersonaFit:
    """Fit k-means on the peers' profiles, choose k, name the personas, assign every profile.

    Persona ids run 1..k from the largest persona (among the peers) to the smallest.
    ``distance`` is to the assigned centroid in standardised units; ``confidence`` is
    ``1 - nearest / second nearest`` distance (0 on a border, 1 on the centroid).
    """
    peers = is_peer.reindex(profiles.index).fillna(False).astype(bool)
    fit_rows = profiles[peers.to_numpy()]
    needed = max(spec.min_accounts, spec.k_min + 1)
    if len(fit_rows) < needed:
        reason = (
            f"{len(fit_rows)} peers with feature usage (< {needed}): one persona "
            f"'{SINGLE_NAME}', no k-means"
        )
        return _single_persona(profiles, fit_rows, reason)

    scaler = StandardScaler().fit(fit_rows)
    selection = select_k(
        scaler.transform(fit_rows),
        spec.k_min,
        spec.k_max,
        n_init=spec.n_init,
        max_iter=spec.max_iter,
        random_state=spec.random_state,
    )
    if selection is None:
        reason = (
            f"{len(fit_rows)} peers whose profiles allow no k in {spec.k_min}..{spec.k_max} "
            f"(too few distinct profiles): one persona '{SINGLE_NAME}', no k-means"
        )
        return _single_persona(profiles, fit_rows, reason)

    model = selection.model
    sizes = np.bincount(model.labels_, minlength=selection.k)
    order = sorted(range(selection.k), key=lambda label: (-sizes[label], label))
    centers = pd.DataFrame(model.cluster_centers_[order], columns=profiles.columns)
    names = persona_names(feature_strength(centers), feature_names, spec.top_features, spec.min_z)
    persona_of_label = {label: number + 1 for number, label in enumerate(order)}

    distances = model.transform(scaler.transform(profiles))
    nearest = distances.argmin(axis=1)
    ranked = np.sort(distances, axis=1)
    second = ranked[:, 1]
    confidence = np.where(second > 0, 1.0 - ranked[:, 0] / np.where(second > 0, second, 1), 0.0)
    persona_ids = np.array([persona_of_label[label] for label in nearest])
    assignments = pd.DataFrame(
        {
            "account_id": profiles.index.astype(str),
            "persona_id": persona_ids,
            "persona_name": [names[i - 1] for i in persona_ids],
            "distance": ranked[:, 0],
            "confidence": confidence,
        }
    )
    centroids = centers.copy()
    centroids.insert(0, "accounts", [int(sizes[label]) for label in order])
    centroids.insert(0, "kmeans_label", order)
    centroids.insert(0, "persona_name", names)
    centroids.insert(0, "persona_id", range(1, selection.k + 1))
    reason = (
        f"k={selection.k} by silhouette {selection.silhouette:.3f} over "
        f"k={min(selection.silhouettes)}..{max(selection.silhouettes)}; personas describe "
        "the latest marts, so the latest fit is champion"
    )
    pipeline = Pipeline([("scale", scaler), ("kmeans", model)])
    return PersonaFit(
        assignments,
        centroids,
        reason,
        len(fit_rows),
        selection,
        pipeline,
        dict(selection.silhouettes),
    )


def persona_table(
    account_ids: Sequence[str],
    fit: PersonaFit,
    as_of: date,
    model_version: str | None,
) -> pd.DataFrame:
    """Every account: its persona, or persona 0 "no recent usage" when it was not profiled."""
    accounts = pd.DataFrame({"account_id": pd.Series(account_ids, dtype=str).unique()})
    table = accounts.merge(fit.assignments, on="account_id", how="left")
    missing = table["persona_id"].isna()
    table.loc[missing, "persona_id"] = NO_USAGE_ID
    table.loc[missing, "persona_name"] = NO_USAGE_NAME
    table["persona_id"] = table["persona_id"].astype(int)
    table["model_version"] = np.where(missing, None, model_version)
    table["as_of_date"] = pd.Timestamp(as_of).date()
    return table[list(TABLE_COLUMNS)].sort_values("account_id").reset_index(drop=True)


def publish_personas(con: WarehouseConnection, table: pd.DataFrame) -> int:
    """Replace ``marts.account_personas`` in one transaction (readers see old or new)."""
    require_columns(table, TABLE, list(TABLE_COLUMNS))
    staging = f"{TABLE}__staging"
    typed = ", ".join(f'cast("{col}" as {kind}) as "{col}"' for col, kind in TABLE_COLUMNS.items())
    con.execute(f"create schema if not exists {SCHEMA}")
    con.register("_persona_frame", table)
    try:
        replace_table_as(con, f"{SCHEMA}.{staging}", f"select {typed} from _persona_frame")
    finally:
        con.unregister("_persona_frame")
    con.execute("begin transaction")
    try:
        con.execute(f"drop table if exists {SCHEMA}.{TABLE}")
        con.execute(f"alter table {SCHEMA}.{staging} rename to {TABLE}")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return len(table)
