"""The gap frame: dbt's per-gap signals plus what models add (text intents, relevance, churn)."""

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
from uptake.scoring.relevance import estimate_relevance
from uptake.scoring.severity import established_use_dip, lapsed_in_quiet_account

INTENT_COLUMNS = {
    "how-to": "how_to_tickets",
    "bug": "bug_tickets",
    "feature-request": "feature_request_tickets",
    "complaint": "complaint_tickets",
}


def _window(
    frame: pd.DataFrame, column: str, since: pd.Timestamp, until: pd.Timestamp
) -> pd.DataFrame:
    """Rows dated in (since, until]: the candidates' lookback window (signals_since_date, as-of]."""
    stamps = pd.to_datetime(frame[column]).dt.normalize()
    return frame[(stamps > since) & (stamps <= until)]


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


def _merge(left: pd.DataFrame, right: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    """Left join where ``right`` wins: the marts may already carry some of its columns."""
    overlap = [c for c in right.columns if c in left.columns and c not in on]
    return left.drop(columns=overlap).merge(right, on=on, how="left")


def build_gap_frame(
    inputs: ScoringInputs, account_scores: pd.DataFrame, predictor: IntentPredictor
) -> pd.DataFrame:
    """The as-of day's gap candidates (dbt: fct_gap_candidates_every_30_days) with what the
    models add: each ticket's intent and each note's themes and sentiment, churn and relevance."""
    as_of = inputs.scored_at
    gaps = inputs.candidates.copy()
    accounts = inputs.accounts
    gaps = gaps[gaps["account_id"].isin(accounts["account_id"])]  # current accounts only
    # The dim_accounts columns scoring declares are exactly the ones a gap carries.
    account_columns = [c for c in REQUIRED_COLUMNS["dim_accounts"] if c not in ("arr", "use_case")]
    gaps = _merge(gaps, accounts[account_columns], ["account_id"])
    gaps = _merge(gaps, inputs.catalog[["feature_key", "feature_name"]], ["feature_key"])
    benchmark = inputs.adoption[["account_id", "feature_key", "peer_adoption_rate"]]
    gaps = _merge(gaps, benchmark, ["account_id", "feature_key"])
    scores = account_scores[["account_id", "churn_probability", "risk_tier"]]
    gaps = _merge(gaps, scores, ["account_id"])
    gaps = _merge(gaps, inputs.account_adoption[["account_id", "adoption_score"]], ["account_id"])

    since = pd.to_datetime(gaps["signals_since_date"]).min() if len(gaps) else as_of
    tickets = _window(inputs.tickets, "created_at", since, as_of)
    counts = ticket_counts(ticket_intents(tickets, predictor)) if len(tickets) else None
    if counts is not None:
        gaps = _merge(gaps, counts, ["account_id", "feature_key"])
    notes = _window(inputs.notes, "created_at", since, as_of)
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

    for column in (
        "overdue_days",
        "renewal_in_days",
        "value_weight",
        "expected_days_to_adopt",
    ):
        gaps[column] = pd.to_numeric(gaps[column], errors="coerce")
    gaps["is_too_early"] = gaps["overdue_days"] < 0
    gaps["is_lapsed_in_quiet_account"] = lapsed_in_quiet_account(gaps)
    gaps["is_established_use_dip"] = established_use_dip(gaps)
    for column in ("peer_adoption_rate", "use_case_peer_rate", "plan_peer_rate"):
        gaps[column] = pd.to_numeric(gaps[column], errors="coerce")
    gaps = gaps.join(estimate_relevance(gaps))
    gaps["arr"] = pd.to_numeric(gaps["arr"], errors="coerce").fillna(0.0)
    gaps["churn_probability"] = gaps["churn_probability"].fillna(0.0)
    gaps["intent_model"] = predictor.model_name
    return gaps.sort_values(["account_id", "feature_key"]).reset_index(drop=True)
