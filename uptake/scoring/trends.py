"""Change over time: week-over-week and month-over-month movement of each account's adoption
score and churn probability, and the alerts it raises (score drops, feature usage declines,
expansion readiness).

The earlier values come from the score history (``uptake.scoring.score_history``): the latest
scored day at or before ``scored_at`` minus the window. With no such day the change is
missing, never zero.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from uptake.scoring.rules import (
    EXPANSION_COHORT_PERCENTILE,
    EXPANSION_MIN_RISE,
    TREND_WINDOWS_DAYS,
    USAGE_DECLINE_MIN_EVENTS,
    USAGE_DECLINE_SHARE,
)

SCORE_DROP, USAGE_DECLINE, EXPANSION_READY = "score_drop", "usage_decline", "expansion_ready"
TRACKED = ("adoption_score", "churn_probability")


def _value_before(
    history: pd.DataFrame, column: str, accounts: pd.Series, moment: pd.Timestamp
) -> pd.Series:
    """Each account's ``column`` on its latest history day at or before ``moment``."""
    earlier = history[pd.to_datetime(history["scored_at"]) <= moment]
    latest = earlier.sort_values("scored_at").drop_duplicates("account_id", keep="last")
    values = latest.set_index("account_id")[column].astype(float)
    return accounts.map(values).astype(float)


def score_changes(
    current: pd.DataFrame, history: pd.DataFrame, scored_at: pd.Timestamp
) -> pd.DataFrame:
    """``current``: account_id, adoption_score, churn_probability for ``scored_at``;
    ``history``: the same columns plus scored_at for earlier days (may be empty).
    Returns account_id and ``<tracked>_change_<window>`` for each tracked value and window."""
    out = current[["account_id"]].copy()
    for column in TRACKED:
        now = current[column].astype(float)
        for name, days in TREND_WINDOWS_DAYS.items():
            before = (
                _value_before(
                    history, column, current["account_id"], scored_at - pd.Timedelta(days=days)
                )
                if len(history)
                else pd.Series(np.nan, index=current.index)
            )
            out[f"{column}_change_{name}"] = (now - before).round(4)
    return out


def trend_alert_id(alert_type: str, account_id: str, feature_key: str | None) -> str:
    """Stable per kind, account and feature (a different kind never reuses a gap's id)."""
    return hashlib.sha1(f"{alert_type}|{account_id}|{feature_key or ''}".encode()).hexdigest()


def _alerts(
    frame: pd.DataFrame, alert_type: str, severity: str, summaries: list[str]
) -> pd.DataFrame:
    features = frame["feature_key"] if "feature_key" in frame.columns else [None] * len(frame)
    return pd.DataFrame(
        {
            "alert_id": [
                trend_alert_id(alert_type, a, f)
                for a, f in zip(frame["account_id"], features, strict=True)
            ],
            "alert_type": alert_type,
            "account_id": frame["account_id"].astype(str).to_numpy(),
            "feature_key": list(features),
            "severity": severity,
            "csm_owner": frame["csm_owner"].to_numpy(),
            "summary": summaries,
            "gap_severity": severity,
            "is_pushed": True,
            "priority_score": frame["arr"].astype(float).fillna(0.0).to_numpy(),
        }
    )


def trend_alerts(
    accounts: pd.DataFrame,
    adoption: pd.DataFrame,
    changes: pd.DataFrame,
    score_drop_points: float,
) -> pd.DataFrame:
    """Score-drop, usage-decline and expansion-readiness alerts.

    ``accounts``: account_id, account_name, csm_owner, arr, adoption_score, cohort_percentile;
    ``adoption``: account_feature_adoption rows; ``changes``: from :func:`score_changes`.
    """
    frame = accounts.merge(changes, on="account_id", how="left")
    month = frame["adoption_score_change_30d"]
    dropped = frame[month <= -score_drop_points]
    drop = _alerts(
        dropped,
        SCORE_DROP,
        "warning",
        [
            f"{r.account_name}: adoption score fell {abs(r.adoption_score_change_30d):.0f} points "
            f"in 30 days, to {r.adoption_score:.0f}. Find out what changed before it shows in "
            "the renewal."
            for r in dropped.itertuples()
        ],
    )
    ready = frame[
        (frame["cohort_percentile"].astype(float) >= EXPANSION_COHORT_PERCENTILE)
        & (month > EXPANSION_MIN_RISE)
    ]
    expansion = _alerts(
        ready,
        EXPANSION_READY,
        "info",
        [
            f"{r.account_name}: adoption score {r.adoption_score:.0f}, "
            f"{r.cohort_percentile:.0f}th percentile of its cohort and up "
            f"{r.adoption_score_change_30d:.0f} points in 30 days. A business review to talk "
            "expansion is due."
            for r in ready.itertuples()
        ],
    )
    used = adoption[adoption["adoption_status"] == "adopted"].merge(
        accounts[["account_id", "account_name", "csm_owner", "arr"]], on="account_id"
    )
    before = used["events_prev_30d"].astype(float)
    fall = 1.0 - used["events_30d"].astype(float) / before.where(before > 0)
    declining = used[(before >= USAGE_DECLINE_MIN_EVENTS) & (fall >= USAGE_DECLINE_SHARE)]
    decline = _alerts(
        declining,
        USAGE_DECLINE,
        "warning",
        [
            f"{r.account_name}: use of {r.feature_name} fell {100 * f:.0f}% over the last 30 "
            f"days ({int(r.events_prev_30d)} to {int(r.events_30d)} events). Check in before "
            "the feature is abandoned."
            for r, f in zip(declining.itertuples(), fall[declining.index], strict=True)
        ],
    )
    return pd.concat([drop, decline, expansion], ignore_index=True)
