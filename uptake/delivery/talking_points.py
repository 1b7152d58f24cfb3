"""Talking points for a business review, worded from mart values (nothing recomputed: each
sentence quotes a column, or compares two columns the marts hold)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from uptake.delivery.html import events as count
from uptake.delivery.html import is_missing, money, pct, share, text
from uptake.scoring.narrative import read_evidence

# Cohort spread bands quoted when the account sits outside the middle of its cohort.
_BANDS = (
    ("p90_events_30d", "above its cohort's 90th percentile"),
    ("p75_events_30d", "above its cohort's 75th percentile"),
)


def evidence_of(gap: pd.Series) -> dict[str, Any]:
    """The gap's evidence JSON object ({} when absent or not an object)."""
    return read_evidence(gap.get("evidence"))


def ordinal(value: float) -> str:
    number = round(value)
    teen = 10 <= number % 100 <= 20
    suffix = "th" if teen else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _score_point(adoption: pd.Series) -> str | None:
    score = adoption.get("adoption_score")
    if is_missing(score):
        return None
    sentence = f"Adoption score {float(score):.0f}/100"
    percentile = adoption.get("cohort_percentile")
    if not is_missing(percentile):
        peers = adoption.get("benchmark_cohort_accounts")
        cohort = text(adoption.get("benchmark_cohort_key"))
        size = "" if is_missing(peers) else f", {int(peers)} accounts"
        sentence += f": {ordinal(float(percentile))} percentile in its cohort ({cohort}{size})"
    return sentence + "."


def _trend_point(adoption: pd.Series) -> str | None:
    trend = adoption.get("usage_trend_30d")
    if is_missing(trend):
        return None
    now, before = adoption.get("events_30d"), adoption.get("events_prev_30d")
    direction = "up" if float(trend) > 0 else "down" if float(trend) < 0 else "flat,"
    counts = ""
    if not is_missing(now) and not is_missing(before):
        counts = f" ({float(now):,.0f} events vs {float(before):,.0f} the 30 days before)"
    return f"Usage {direction} {abs(100 * float(trend)):.0f}% over the last 30 days{counts}."


def _depth_point(adoption: pd.Series) -> str | None:
    adopted, entitled = adoption.get("features_adopted"), adoption.get("features_entitled")
    if is_missing(adopted) or is_missing(entitled):
        return None
    sentence = f"Uses {int(adopted)} of the {int(entitled)} features of its plan"
    depth = adoption.get("adoption_depth_pct")
    if not is_missing(depth):
        sentence += f" (adoption depth {pct(depth)}"
        band = adoption.get("benchmark_band")
        shown = "" if is_missing(band) else f", benchmark band {text(band).replace('_', ' ')}"
        sentence += shown + ")"
    return sentence + "."


def _seats_point(adoption: pd.Series) -> str | None:
    utilization = adoption.get("license_utilization")
    if is_missing(utilization):
        return None
    users, seats = adoption.get("active_users_30d"), adoption.get("seats")
    counts = ""
    if not is_missing(users) and not is_missing(seats):
        counts = f" ({int(users)} active users for {int(seats)} seats)"
    return f"{share(utilization)} license utilization over the last 30 days{counts}."


def _feature_points(cohort_rows: pd.DataFrame, names: dict[str, str]) -> list[str]:
    points = []
    for _, row in cohort_rows.iterrows():
        events = row.get("events_30d")
        if is_missing(events) or float(events) <= 0:
            continue
        for column, words in _BANDS:
            bound = row.get(column)
            if not is_missing(bound) and float(events) > float(bound):
                name = names.get(row["feature_key"], row["feature_key"])
                points.append(
                    f"{name}: {count(events)} events in 30 days, {words} ({count(bound)})."
                )
                break
    return points[:3]


def _gap_point(gap: pd.Series | None, names: dict[str, str]) -> str | None:
    if gap is None:
        return None
    name = names.get(gap["feature_key"], gap["feature_key"])
    status = text(gap.get("gap_type")).replace("_", " ")
    sentence = f"Biggest opportunity: {name} ({status})"
    peers = evidence_of(gap).get("peer_adoption_rate")
    if not is_missing(peers):
        sentence += f", adopted by {share(peers)} of its cohort peers"
    action = gap.get("recommended_action")
    if not is_missing(action):
        sentence += f"; next step: {text(action).replace('_', ' ')}"
    return sentence + "."


def _risk_point(score: pd.Series | None, account: pd.Series) -> str | None:
    if score is None or is_missing(score.get("churn_probability")):
        return None
    sentence = (
        f"Churn risk {text(score.get('risk_tier'))} "
        f"(probability {float(score['churn_probability']):.2f})"
    )
    renewal = account.get("renewal_date")
    if not is_missing(renewal):
        sentence += f"; renewal on {text(pd.Timestamp(renewal))}"
    arr = account.get("arr")
    if not is_missing(arr):
        sentence += f" for {money(arr)} ARR"
    return sentence + "."


def talking_points(
    account: pd.Series,
    adoption: pd.Series | None,
    score: pd.Series | None,
    top_gap: pd.Series | None,
    cohort_rows: pd.DataFrame,
    names: dict[str, str],
) -> list[str]:
    points: list[Any] = []
    if adoption is not None:
        points += [_score_point(adoption), _trend_point(adoption), _depth_point(adoption)]
        points.append(_seats_point(adoption))
    points += _feature_points(cohort_rows, names)
    points += [_gap_point(top_gap, names), _risk_point(score, account)]
    return [point for point in points if point]
