"""Week-over-week and month-over-month changes, and the alerts they raise."""

from __future__ import annotations

import math

import pandas as pd

from uptake.scoring.trends import (
    EXPANSION_READY,
    SCORE_DROP,
    USAGE_DECLINE,
    score_changes,
    trend_alert_id,
    trend_alerts,
)

DAY = pd.Timestamp("2026-06-30")


def _history() -> pd.DataFrame:
    rows = [
        # A: 70 a month ago, 62 a week ago -> now 50: -20 over 30 days, -12 over 7.
        ("A", DAY - pd.Timedelta(days=31), 70.0, 0.10),
        ("A", DAY - pd.Timedelta(days=8), 62.0, 0.20),
        # B: only a week of history: no month-over-month change (missing, not zero).
        ("B", DAY - pd.Timedelta(days=7), 80.0, 0.30),
        # A day newer than the window never counts as "before".
        ("B", DAY - pd.Timedelta(days=2), 10.0, 0.90),
    ]
    return pd.DataFrame(
        rows, columns=["account_id", "scored_at", "adoption_score", "churn_probability"]
    )


def _current() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": ["A", "B", "C"],
            "adoption_score": [50.0, 90.0, 85.0],
            "churn_probability": [0.40, 0.25, 0.05],
            "cohort_percentile": [20.0, 95.0, 90.0],
        }
    )


def test_changes_compare_with_the_latest_day_before_each_window() -> None:
    changes = score_changes(_current(), _history(), DAY).set_index("account_id")
    assert changes.loc["A", "adoption_score_change_30d"] == -20.0
    assert changes.loc["A", "adoption_score_change_7d"] == -12.0
    assert changes.loc["A", "churn_probability_change_7d"] == 0.2
    assert changes.loc["B", "adoption_score_change_7d"] == 10.0
    assert math.isnan(changes.loc["B", "adoption_score_change_30d"])
    assert math.isnan(changes.loc["C", "adoption_score_change_7d"])  # no history at all
    empty = score_changes(_current(), _history().iloc[0:0], DAY)
    assert empty.drop(columns="account_id").isna().all().all()


def test_trend_alerts_say_which_kind() -> None:
    changes = score_changes(_current(), _history(), DAY)
    # B rose 10 over 7 days but has no 30-day change: not "rising over a month" yet.
    changes.loc[changes["account_id"] == "C", "adoption_score_change_30d"] = 6.0
    accounts = _current().assign(
        account_name=["Acme", "Beta", "Cyan"], csm_owner=["csm-1", "csm-2", "csm-2"], arr=1000.0
    )
    adoption = pd.DataFrame(
        {
            "account_id": ["A", "B", "C"],
            "feature_key": ["sso", "api", "api"],
            "feature_name": ["SSO", "API", "API"],
            "adoption_status": ["adopted", "adopted", "trying"],
            "events_30d": [40, 3, 0],
            "events_prev_30d": [45, 30, 40],
        }
    )

    alerts = trend_alerts(accounts, adoption, changes, score_drop_points=10.0)

    kinds = {(r.alert_type, r.account_id, r.feature_key) for r in alerts.itertuples()}
    assert kinds == {
        (SCORE_DROP, "A", None),  # -20 over 30 days
        (USAGE_DECLINE, "B", "api"),  # 30 -> 3 events on an adopted feature
        (EXPANSION_READY, "C", None),  # 90th percentile and rising
    }
    drop = alerts[alerts["alert_type"] == SCORE_DROP].iloc[0]
    assert drop["severity"] == "warning" and "fell 20 points" in drop["summary"]
    assert drop["alert_id"] == trend_alert_id(SCORE_DROP, "A", None)
    assert trend_alert_id(SCORE_DROP, "A", None) != trend_alert_id(EXPANSION_READY, "A", None)
    decline = alerts[alerts["alert_type"] == USAGE_DECLINE].iloc[0]
    assert "fell 90%" in decline["summary"] and decline["csm_owner"] == "csm-2"
    # A higher threshold raises no score-drop alert.
    assert SCORE_DROP not in set(trend_alerts(accounts, adoption, changes, 25.0)["alert_type"])
