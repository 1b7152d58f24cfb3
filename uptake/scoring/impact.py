"""Business impact of a gap: feature churn lift, ARR at risk, expansion value, priority."""

from __future__ import annotations

import numpy as np
import pandas as pd

from uptake.ml.predict import ChurnScorer
from uptake.scoring.rules import (
    EXPANSION_RATE,
    LIFT_CAP,
    LIFT_FLOOR,
    MIN_RELEVANCE_FACTOR,
    RENEWAL_HORIZON_DAYS,
)


def feature_churn_lift(
    gaps: pd.DataFrame, account_frame: pd.DataFrame, entitled: pd.DataFrame, scorer: ChurnScorer
) -> np.ndarray:
    """Relative drop in the account's churn probability if this one feature were adopted.

    What-if on the scorer: the account's latest snapshot with adoption_depth_pct raised by
    100 / features entitled, weighted_depth_pct by 100 * value_weight / entitled weight and
    features_adopted by one; lift = (p - p_adopted) / p, clipped to [LIFT_FLOOR, LIFT_CAP].
    ``entitled`` has account_id, features_entitled, entitled_weight.
    """
    if gaps.empty:
        return np.array([])
    rows = gaps[["account_id", "value_weight"]].merge(account_frame, on="account_id", how="left")
    rows = rows.merge(
        entitled.rename(columns={"features_entitled": "features_entitled_catalog"}),
        on="account_id",
        how="left",
    )
    features = list(scorer.features)
    for feature in features:
        if feature not in rows.columns:
            rows[feature] = np.nan
    before = scorer.predict(rows[features].astype(float))
    n_entitled = rows["features_entitled_catalog"]
    if "features_entitled" in rows.columns:  # the snapshot's own count wins when present
        n_entitled = rows["features_entitled"].where(rows["features_entitled"] > 0, n_entitled)
    n_entitled = n_entitled.fillna(1).clip(lower=1)
    after = rows.copy()
    if "adoption_depth_pct" in after.columns:
        after["adoption_depth_pct"] = (after["adoption_depth_pct"] + 100.0 / n_entitled).clip(
            upper=100
        )
    if "weighted_depth_pct" in after.columns:
        share = 100.0 * rows["value_weight"] / rows["entitled_weight"].clip(lower=1e-9)
        after["weighted_depth_pct"] = (after["weighted_depth_pct"] + share).clip(upper=100)
    if "features_adopted" in after.columns:
        after["features_adopted"] = after["features_adopted"] + 1
    adopted = scorer.predict(after[features].astype(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = np.where(before > 0, (before - adopted) / before, 0.0)
    return np.clip(np.nan_to_num(lift, nan=0.0), LIFT_FLOOR, LIFT_CAP)


def entitled_summary(adoption: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """account_id, features_entitled, entitled_weight (sum of value_weight)."""
    frame = adoption.drop(columns="value_weight", errors="ignore").merge(
        catalog[["feature_key", "value_weight"]], on="feature_key", how="left"
    )
    if "is_entitled" in frame.columns:
        frame = frame[frame["is_entitled"].fillna(False).astype(bool)]
    return (
        frame.groupby("account_id")
        .agg(features_entitled=("feature_key", "nunique"), entitled_weight=("value_weight", "sum"))
        .reset_index()
    )


def renewal_factor(days_to_renewal: pd.Series) -> np.ndarray:
    """1 far from renewal, rising linearly to 2 at the renewal date (NaN: 1)."""
    closeness = 1.0 - days_to_renewal.astype(float) / RENEWAL_HORIZON_DAYS
    return 1.0 + np.clip(closeness.fillna(0.0).to_numpy(), 0.0, 1.0)


def add_impact(gaps: pd.DataFrame, lift: np.ndarray) -> pd.DataFrame:
    """arr_at_risk, expansion_value and priority_score (see docs/scoring.md)."""
    out = gaps.copy()
    out["feature_churn_lift"] = np.round(lift, 4)
    out["arr_at_risk"] = np.round(out["arr"] * out["churn_probability"] * lift, 2)
    out["expansion_value"] = np.round(
        out["arr"] * out["category"].map(EXPANSION_RATE).fillna(0.0), 2
    )
    relevance = out["relevance"].clip(lower=MIN_RELEVANCE_FACTOR, upper=1.0)
    if "root_cause" in out.columns:
        # A gap judged not relevant is kept for measurement but must not outrank real work.
        relevance = relevance.where(out["root_cause"] != "not_relevant", MIN_RELEVANCE_FACTOR)
    out["priority_score"] = np.round(
        (out["arr_at_risk"] + out["expansion_value"])
        * out["value_weight"]
        * renewal_factor(out["days_to_renewal"])
        * relevance,
        2,
    )
    return out
