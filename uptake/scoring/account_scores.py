"""marts.account_scores: churn probability, risk tier and the drivers behind it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from uptake.ml.predict import ChurnScorer
from uptake.scoring.rules import RISK_TIERS, TOP_DRIVERS


def latest_snapshots(
    snapshots: pd.DataFrame, accounts: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Each current account with its latest snapshot at or before ``as_of`` (NaN if none)."""
    snaps = snapshots.copy()
    snaps["snapshot_date"] = pd.to_datetime(snaps["snapshot_date"])
    snaps = snaps[snaps["snapshot_date"] <= as_of]
    latest = snaps.sort_values("snapshot_date").drop_duplicates("account_id", keep="last")
    overlap = [c for c in latest.columns if c in accounts.columns and c != "account_id"]
    return (
        accounts[["account_id"]]
        .merge(latest.drop(columns=overlap), on="account_id", how="left")
        .reset_index(drop=True)
    )


def risk_tier(probability: float) -> str:
    for tier, floor in RISK_TIERS:
        if probability >= floor:
            return tier
    return RISK_TIERS[-1][0]


def _format_value(value: float) -> str:
    if np.isnan(value):
        return "missing"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:,.0f}"


def risk_drivers(scorer: ChurnScorer, frame: pd.DataFrame, base: np.ndarray) -> list[str]:
    """The features pushing each account's risk up most: setting the feature to the population
    median lowers the predicted probability by ``delta``; the top deltas (> 0) are the drivers."""
    features = [f for f in scorer.features if f in frame.columns]
    medians = frame[features].astype(float).median()
    deltas = np.zeros((len(frame), len(features)))
    for index, feature in enumerate(features):
        what_if = frame.copy()
        what_if[feature] = medians[feature]
        deltas[:, index] = base - scorer.predict(what_if)
    drivers = []
    for row in range(len(frame)):
        order = np.argsort(-deltas[row])[:TOP_DRIVERS]
        parts = [
            f"{features[i]} {_format_value(float(frame[features[i]].iloc[row]))} "
            f"vs median {_format_value(float(medians[features[i]]))} (+{deltas[row, i]:.2f})"
            for i in order
            if deltas[row, i] > 0.005
        ]
        drivers.append("; ".join(parts) if parts else "no feature raises risk above the median")
    return drivers


def score_accounts(
    scorer: ChurnScorer, accounts: pd.DataFrame, snapshots: pd.DataFrame, scored_at: pd.Timestamp
) -> pd.DataFrame:
    frame = latest_snapshots(snapshots, accounts, scored_at)
    for feature in scorer.features:
        if feature not in frame.columns:
            frame[feature] = np.nan  # the model's imputer (or the rule's neutral value) fills it
    frame[list(scorer.features)] = frame[list(scorer.features)].astype(float)
    probability = np.clip(scorer.predict(frame), 0.0, 1.0) if len(frame) else np.array([])
    return pd.DataFrame(
        {
            "account_id": frame["account_id"].astype(str),
            "scored_at": scored_at,
            "churn_probability": probability,
            "risk_tier": [risk_tier(p) for p in probability],
            "top_risk_drivers": risk_drivers(scorer, frame, probability) if len(frame) else [],
            "model_name": scorer.model_name,
            "model_version": scorer.model_version,
            "snapshot_date": frame.get("snapshot_date"),
        }
    )
