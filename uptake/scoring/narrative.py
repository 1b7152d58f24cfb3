"""The evidence (JSON) and the one-paragraph summary a CSM reads."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from uptake.scoring.rules import ACTION_TEXT

STATUS_TEXT = {
    "trying": "has tried it without reaching regular use",
    "abandoned": "used it and stopped",
    "never_used": "has never used it",
}
CAUSE_TEXT = {
    "training": "the team needs help using it",
    "product_fit": "it may not fit how they work",
    "urgency": "nothing is pushing them to start",
    "not_relevant": "it is probably not relevant to them",
}


# How the root-cause model's signals (cause_model.CAUSE_SIGNALS) read in a CSM's summary.
SIGNAL_TEXT = {
    "is_trying": "users are trying it",
    "abandoned_lately": "used it on and off until lately",
    "abandoned_long_ago": "dropped it long ago",
    "never_used": "never used it",
    "light_trial": "tried it only lightly",
    "serious_trial": "worked it hard and still stopped short",
    "log_trial_pace": "how hard it was worked while tried",
    "log_peak_pace": "how hard it was worked at its busiest",
    "log_failed_events": "failed attempts",
    "failed_share": "the share of its uses that failed",
    "adopted_once": "adopted it once, then dropped it",
    "how_to_tickets": "how-to tickets",
    "bug_tickets": "bug tickets",
    "feature_request_tickets": "feature requests",
    "complaint_tickets": "complaints",
    "training_notes": "CSM notes on training",
    "product_fit_notes": "CSM notes on fit",
    "urgency_notes": "CSM notes on timing",
    "not_relevant_notes": "a CSM note that it does not apply",
    "negative_feature_notes": "negative notes on the feature",
    "negative_account_notes": "negative notes on the account",
    "tried_where_use_case_peers_low": "tried where few peers of its use case adopt it",
    "renewal_far_or_unknown": "no renewal soon",
    "renewal_in_years": "time to renewal",
    "users_tried_share": "the share of its users who tried it",
    "log_events_to_date": "how much it was used",
    "trial_span_100d": "how long it was tried",
    "is_advanced": "an advanced feature",
    "is_premium": "a premium feature",
    "adoption_score_share": "the account's adoption score",
    "relevance": "how many peers use it",
    "peer_use_rate": "how many peers tried it at all",
    "overdue_100d": "how long it is past its expected adoption time",
    "entitled_years": "how long the account has had it",
    "log_account_active_users": "how many active users the account has",
    "interventions_to_date": "what the CSM team already did about it",
    "tickets_in_lookback": "tickets about it",
    "notes_in_lookback": "CSM notes about it",
}


def _clean(value: Any) -> Any:
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item"):
        return value.item()
    return round(value, 3) if isinstance(value, float) else value


def evidence(row: pd.Series) -> str:
    """The signals the rules read, as a compact JSON object."""
    fields = {
        "status": row["adoption_status"],
        "events_30d": row.get("events_30d"),
        "unused_for_days": row.get("unused_for_days"),
        "first_adopted_date": pd.to_datetime(row.get("first_adopted_date")),
        "account_active_users_30d": row.get("account_active_users_30d"),
        "overdue_days": row["overdue_days"],
        "how_to_tickets": row["how_to_tickets"],
        "bug_tickets": row["bug_tickets"],
        "feature_request_tickets": row["feature_request_tickets"],
        "complaint_tickets": row["complaint_tickets"],
        "predicted_intent_tickets": row["predicted_intent_tickets"],
        "intent_model": row["intent_model"],
        "negative_feature_notes": row["negative_feature_notes"],
        "negative_account_notes": row["negative_account_notes"],
        "peer_adoption_rate": row["peer_adoption_rate"],
        "use_case_peer_rate": row.get("use_case_peer_rate"),
        "relevance": row.get("relevance"),
        "gap_probability": row.get("gap_probability"),
        "entitled_date": pd.to_datetime(row.get("entitled_date")),
        "renewal_in_days": row["renewal_in_days"],
        "churn_probability": row["churn_probability"],
        # the signals that raised the stated cause most (root-cause model, cause_model.py)
        "cause_signals": row.get("cause_signals"),
        # the hand-weighted rule's answer and its winner's share of the points (its baseline)
        "rule_cause": row.get("rule_cause"),
        "rule_evidence_share": row.get("rule_evidence_share"),
    }
    return json.dumps({k: _clean(v) for k, v in fields.items()}, sort_keys=False)


def read_evidence(value: object) -> dict[str, Any]:
    """A gap's evidence JSON as a dict ({} when missing, malformed or not an object)."""
    if isinstance(value, dict):  # a driver that already decoded a JSON column
        return value
    if not isinstance(value, str) or not value.strip():
        return {}
    try:
        parsed = json.loads(value)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _money(value: float) -> str:
    return f"${value:,.0f}"


def summary(row: pd.Series) -> str:
    name = row.get("account_name") or row["account_id"]
    feature = row["feature_name"]
    renewal = row["renewal_in_days"]
    renews = f"renews in {int(renewal)} days" if pd.notna(renewal) else "has no renewal date"
    parts = [
        f"{name} ({row.get('plan', '')}, {_money(row['arr'])} ARR, {renews}) pays for {feature} "
        f"but {STATUS_TEXT.get(row['adoption_status'], row['adoption_status'])}."
    ]
    if pd.notna(row["overdue_days"]):
        days = int(row["overdue_days"])
        target = int(row["expected_days_to_adopt"])
        timing = (
            f"{-days} days before its {target}-day adoption target, too early to push"
            if row["is_too_early"]
            else f"{days} days past its {target}-day adoption target"
        )
        peers = row.get("use_case_peer_rate")
        used = f"{peers:.0%} of peers with its use case use it; " if pd.notna(peers) else ""
        parts.append(f"It is {timing}; {used}likely a real gap: {row['gap_probability']:.0%}.")
    adopted = pd.to_datetime(row.get("first_adopted_date"))
    adopted = adopted.date().isoformat() if pd.notna(adopted) else None
    if row.get("is_likely_no_gap"):
        parts.append(
            "Its use and timing look more like a feature in use or still early than a gap "
            "(the root-cause model), so it is not pushed."
        )
    elif row.get("is_lapsed_in_quiet_account"):
        parts.append(
            f"It was adopted on {adopted}, and the whole account has gone quiet since "
            f"({int(row['account_active_users_30d'])} active user(s) in 30 days): an account "
            "problem, not a feature gap, so it is not pushed."
        )
    elif row.get("is_established_use_dip"):
        parts.append(
            f"It was adopted on {adopted} and used for {int(row['use_span_days'])} days at "
            f"{row['use_pace']:.0%} of its active pace per user; it fell below that only in the "
            "last 30 days: a dip in established use, not an adoption gap, so it is not pushed."
        )
    signals = []
    unmet = row["feature_request_tickets"] + row["complaint_tickets"]
    negative = row["negative_feature_notes"] + row["negative_account_notes"]
    for count, label in (
        (row["how_to_tickets"], "how-to ticket(s)"),
        (row["bug_tickets"], "bug ticket(s)"),
        (unmet, "feature request/complaint ticket(s)"),
        (negative, "negative CSM note(s)"),
    ):
        if count:
            signals.append(f"{int(count)} {label}")
    # the root-cause model's strongest reasons for the stated cause (cause_model.top_signals)
    named = row.get("cause_signals")
    reasons = (
        [SIGNAL_TEXT.get(n, n) for n in named.split(", ") if n] if isinstance(named, str) else []
    )
    parts_of_why = [", ".join(signals)] if signals else []
    parts_of_why += [f"what points to it most: {', '.join(reasons)}"] if reasons else []
    because = f" ({'; '.join(parts_of_why)})" if parts_of_why else ""
    parts.append(
        f"Likely cause: {row['root_cause'].replace('_', ' ')}, {CAUSE_TEXT[row['root_cause']]}"
        f"{because}; confidence {row['root_cause_confidence']:.0%}."
    )
    parts.append(
        f"Estimated ARR at risk {_money(row['arr_at_risk'])} "
        f"(churn probability {row['churn_probability']:.0%})."
    )
    action = ACTION_TEXT.get(row["recommended_action"], row["recommended_action"]).format(
        feature=feature
    )
    # A playbook action was not chosen on measured outcomes: say so, so nobody reads it as one.
    basis = " (playbook: too few past interventions to compare)" * (
        row.get("action_basis") == "playbook"
    )
    parts.append(
        f"Suggested next step{basis}: {action}; similar accounts adopted within 60 days "
        f"{row['adoption_probability_if_engaged']:.0%} of the time."
    )
    if row.get("is_held_for_core"):
        parts.append(
            "Held back, not pushed: the account still misses core features, which come first."
        )
    return " ".join(parts)
