"""marts.adoption_alerts: one stable alert per (account, feature), merged across runs."""

from __future__ import annotations

import hashlib

import pandas as pd

OPEN, RESOLVED = "open", "resolved"
GAP = "adoption_gap"  # alert_type of alerts raised by a gap (trends.py has the other kinds)
ALERT_COLUMNS = [
    "alert_id", "alert_type", "account_id", "feature_key", "severity", "csm_owner", "first_seen_at",
    "last_seen_at", "status", "summary", "gap_severity", "is_pushed", "priority_score",
    "resolved_at",
]  # fmt: skip


def alert_id(account_id: str, feature_key: str) -> str:
    """Stable across runs: the same gap keeps its id whatever else changes."""
    return hashlib.sha1(f"{account_id}|{feature_key}".encode()).hexdigest()


def current_alerts(gaps: pd.DataFrame) -> pd.DataFrame:
    """Critical/warning gaps as alerts; those beyond the CSM cap are kept with severity info
    (``is_pushed`` false, ``gap_severity`` keeps the gap's own)."""
    alerting = gaps[gaps["severity"].isin(["critical", "warning"])]
    return pd.DataFrame(
        {
            "alert_id": [
                alert_id(a, f)
                for a, f in zip(alerting["account_id"], alerting["feature_key"], strict=True)
            ],
            "alert_type": GAP,
            "account_id": alerting["account_id"].astype(str),
            "feature_key": alerting["feature_key"].astype(str),
            "severity": alerting["severity"].where(alerting["is_pushed"], "info"),
            "csm_owner": alerting["csm_owner"],
            "summary": alerting["summary"],
            "gap_severity": alerting["severity"],
            "is_pushed": alerting["is_pushed"].astype(bool),
            "priority_score": alerting["priority_score"],
        }
    ).reset_index(drop=True)


def merge_alerts(
    previous: pd.DataFrame | None, current: pd.DataFrame, scored_at: pd.Timestamp
) -> pd.DataFrame:
    """Idempotent merge: current alerts are open with first_seen_at kept from the previous row;
    previous alerts absent now are resolved (once: resolved_at is the first run that missed
    them). Merging the same ``current`` twice gives the same table."""
    previous = previous if previous is not None else pd.DataFrame(columns=ALERT_COLUMNS)
    for column in ALERT_COLUMNS:
        if column not in previous.columns:
            previous[column] = None
    previous["alert_type"] = previous["alert_type"].fillna(GAP)  # tables from before the kinds
    before = previous.set_index("alert_id")
    now = current.copy()
    earlier = pd.to_datetime(now["alert_id"].map(before["first_seen_at"]))
    now["first_seen_at"] = earlier.where(earlier.notna() & (earlier < scored_at), scored_at)
    now["last_seen_at"] = scored_at
    now["status"] = OPEN
    now["resolved_at"] = pd.NaT

    gone = previous[~previous["alert_id"].isin(now["alert_id"])].copy()
    newly = gone["status"] != RESOLVED
    gone.loc[newly, "resolved_at"] = scored_at
    gone.loc[newly, "status"] = RESOLVED
    gone.loc[newly, "is_pushed"] = False
    merged = pd.concat([now[ALERT_COLUMNS], gone[ALERT_COLUMNS]], ignore_index=True)
    for column in ("first_seen_at", "last_seen_at", "resolved_at"):
        merged[column] = pd.to_datetime(merged[column]).astype("datetime64[us]")
    merged["is_pushed"] = merged["is_pushed"].fillna(False).astype(bool)
    return merged.sort_values(["status", "csm_owner", "alert_id"]).reset_index(drop=True)
