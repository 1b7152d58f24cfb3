"""Per-gap signals: timing, relevance, ticket intents, note sentiment, renewal distance."""

from __future__ import annotations

import numpy as np
import pandas as pd

from uptake.ml.features import (
    INTENTS,
    NOTE_THEMES,
    intent_from_tags,
    note_sentiment,
    note_themes,
    ticket_frame,
)
from uptake.ml.predict import IntentPredictor
from uptake.scoring.inputs import REQUIRED_COLUMNS, ScoringInputs
from uptake.scoring.rules import SIGNAL_LOOKBACK_DAYS

INTENT_COLUMNS = {
    "how-to": "how_to_tickets",
    "bug": "bug_tickets",
    "feature-request": "feature_request_tickets",
    "complaint": "complaint_tickets",
}


def _window(frame: pd.DataFrame, column: str, as_of: pd.Timestamp) -> pd.DataFrame:
    stamps = pd.to_datetime(frame[column])
    start = as_of - pd.Timedelta(days=SIGNAL_LOOKBACK_DAYS)
    return frame[(stamps >= start) & (stamps < as_of + pd.Timedelta(days=1))]


def ticket_intents(tickets: pd.DataFrame, predictor: IntentPredictor) -> pd.DataFrame:
    """Each ticket's intent: its tag when it has one, else the classifier's prediction."""
    frame = tickets.copy()
    frame["intent"] = [intent_from_tags(tags, INTENTS) for tags in frame["tags"]]
    frame["intent_source"] = np.where(frame["intent"].notna(), "tag", predictor.model_name)
    unlabeled = frame["intent"].isna()
    if unlabeled.any():
        frame.loc[unlabeled, "intent"] = predictor.predict(ticket_frame(frame[unlabeled]))
    return frame


def ticket_counts(tickets: pd.DataFrame) -> pd.DataFrame:
    """account_id, feature_key and one count column per intent (tickets naming the feature)."""
    named = tickets[tickets["feature_key"].notna()]
    counts = (
        named.assign(column=named["intent"].map(INTENT_COLUMNS))
        .pivot_table(
            index=["account_id", "feature_key"],
            columns="column",
            values="ticket_id",
            aggfunc="count",
        )
        .reindex(columns=list(INTENT_COLUMNS.values()))
        .fillna(0)
        .astype(int)
        .reset_index()
    )
    predicted = named[named["intent_source"] != "tag"].groupby(["account_id", "feature_key"]).size()
    counts["predicted_intent_tickets"] = (
        counts.set_index(["account_id", "feature_key"]).index.map(predicted).fillna(0).astype(int)
    )
    counts.columns.name = None
    return counts


THEME_COLUMNS = {theme: f"{theme}_notes" for theme in NOTE_THEMES}


def note_counts(notes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (account, feature): notes per theme and negative notes; per account: negative notes
    that name no feature."""
    frame = notes.assign(
        sentiment=[note_sentiment(str(b)) for b in notes["body"].fillna("")],
        themes=[note_themes(str(b)) for b in notes["body"].fillna("")],
    )
    named = frame[frame["feature_key"].notna()].copy()
    named["negative_feature_notes"] = (named["sentiment"] < 0).astype(int)
    for theme, column in THEME_COLUMNS.items():
        named[column] = [int(theme in themes) for themes in named["themes"]]
    per_feature = (
        named.groupby(["account_id", "feature_key"])[
            ["negative_feature_notes", *THEME_COLUMNS.values()]
        ]
        .sum()
        .reset_index()
    )
    negative = frame[(frame["sentiment"] < 0) & frame["feature_key"].isna()]
    per_account = (
        negative.groupby("account_id").size().rename("negative_account_notes").reset_index()
    )
    return per_feature, per_account


def use_case_peer_rates(adoption: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Share of entitled accounts with the same primary use case that adopted the feature.

    Accounts without a use case have no use-case peers (the rate is missing, and relevance
    rests on the cohort's peers): a CRM export may leave the field empty for everyone.
    """
    frame = adoption.drop(columns="use_case", errors="ignore").merge(
        accounts[["account_id", "use_case"]], on="account_id", how="left"
    )
    frame["use_case"] = frame["use_case"].astype("string")
    frame["is_adopted"] = frame["adoption_status"] == "adopted"
    rates = (
        frame.dropna(subset=["use_case"])
        .groupby(["use_case", "feature_key"])["is_adopted"]
        .mean()
        .rename("use_case_peer_rate")
        .reset_index()
    )
    rates["use_case_peer_rate"] = rates["use_case_peer_rate"].astype(float)
    return rates


def _merge(left: pd.DataFrame, right: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    """Left join where ``right`` wins: the marts may already carry some of its columns."""
    overlap = [c for c in right.columns if c in left.columns and c not in on]
    return left.drop(columns=overlap).merge(right, on=on, how="left")


def build_gap_frame(
    inputs: ScoringInputs, account_scores: pd.DataFrame, predictor: IntentPredictor
) -> pd.DataFrame:
    """Every entitled, not-adopted (account, feature) with the signals the rules read."""
    as_of = inputs.scored_at
    adoption = inputs.adoption.copy()
    adoption = adoption[adoption["is_entitled"].fillna(False).astype(bool)]
    gaps = adoption[adoption["adoption_status"] != "adopted"].copy()
    accounts = inputs.accounts
    # The dim_accounts columns scoring declares are exactly the ones a gap carries.
    account_columns = list(REQUIRED_COLUMNS["dim_accounts"])
    gaps = _merge(gaps, accounts[account_columns], ["account_id"])
    gaps = gaps[gaps["account_id"].isin(accounts["account_id"])]  # current accounts only
    gaps = _merge(gaps, inputs.catalog, ["feature_key"])
    scores = account_scores[["account_id", "churn_probability", "risk_tier"]]
    gaps = _merge(gaps, scores, ["account_id"])
    gaps = _merge(gaps, inputs.account_adoption[["account_id", "adoption_score"]], ["account_id"])
    gaps["use_case"] = gaps["use_case"].astype("string")
    peers = use_case_peer_rates(inputs.adoption, accounts)
    gaps = _merge(gaps, peers, ["use_case", "feature_key"])

    tickets = _window(inputs.tickets, "created_at", as_of)
    counts = ticket_counts(ticket_intents(tickets, predictor)) if len(tickets) else None
    if counts is not None:
        gaps = _merge(gaps, counts, ["account_id", "feature_key"])
    notes = _window(inputs.notes, "created_at", as_of)
    per_feature, per_account = note_counts(notes) if len(notes) else (None, None)
    if per_feature is not None:
        gaps = _merge(gaps, per_feature, ["account_id", "feature_key"])
        gaps = _merge(gaps, per_account, ["account_id"])
    for column in (
        *INTENT_COLUMNS.values(),
        *THEME_COLUMNS.values(),
        "predicted_intent_tickets",
        "negative_feature_notes",
        "negative_account_notes",
    ):
        gaps[column] = gaps[column].fillna(0).astype(int) if column in gaps.columns else 0

    gaps["tenure_days"] = pd.to_numeric(gaps["tenure_days"], errors="coerce")
    gaps["days_past_expected"] = gaps["tenure_days"] - gaps["expected_days_to_adopt"]
    gaps["is_too_early"] = gaps["days_past_expected"] < 0
    gaps["peer_adoption_rate"] = pd.to_numeric(gaps["peer_adoption_rate"], errors="coerce")
    gaps["relevance"] = gaps[["peer_adoption_rate", "use_case_peer_rate"]].max(axis=1).fillna(0.0)
    gaps["days_to_renewal"] = (pd.to_datetime(gaps["renewal_date"]) - as_of).dt.days
    gaps["arr"] = pd.to_numeric(gaps["arr"], errors="coerce").fillna(0.0)
    gaps["churn_probability"] = gaps["churn_probability"].fillna(0.0)
    gaps["intent_model"] = predictor.model_name
    return gaps.sort_values(["account_id", "feature_key"]).reset_index(drop=True)
