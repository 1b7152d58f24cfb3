"""Marts for the delivery tests: the ML fixture marts (tests/ml/mart_fixtures.py) for a subset
of accounts, completed with the columns the real marts carry and the desk reads (feature names,
cohorts, daily usage, active flag), and one hostile account name."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ml"))

from mart_fixtures import AS_OF, FEATURES

HOSTILE_ID = "A001"
HOSTILE_NAME = "<script>alert('x')</script> Tom & Jerry's *Co* [x](http://evil.example)"
INACTIVE_IDS = ("A002", "A003")
ACCOUNTS = 24  # of the fixture's 120: enough for three CSMs and their caps, fast to render


def subset(frames: dict[str, pd.DataFrame], count: int = ACCOUNTS) -> dict[str, pd.DataFrame]:
    keep = set(frames["dim_accounts"]["account_id"].head(count))
    return {
        name: frame[frame["account_id"].isin(keep)].reset_index(drop=True)
        if "account_id" in frame.columns
        else frame
        for name, frame in frames.items()
    }


def complete_marts(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Add the columns of the real marts that the ML fixtures leave out."""
    rng = np.random.default_rng(11)
    names = dict(zip(FEATURES["feature_key"], FEATURES["feature_name"], strict=True))
    accounts = frames["dim_accounts"].copy()
    accounts.loc[accounts["account_id"] == HOSTILE_ID, "account_name"] = HOSTILE_NAME
    accounts["is_active_customer"] = ~accounts["account_id"].isin(INACTIVE_IDS)
    accounts["as_of_date"] = AS_OF
    cohort = dict(zip(accounts["account_id"], accounts["cohort_key"], strict=True))

    features = frames["account_feature_adoption"].copy()
    features["feature_name"] = features["feature_key"].map(names)
    features["benchmark_cohort_key"] = features["account_id"].map(cohort)
    features["as_of_date"] = AS_OF

    adoption = frames["account_adoption"].copy()
    adoption["benchmark_cohort_key"] = adoption["account_id"].map(cohort)
    sizes = accounts.groupby("cohort_key").size()
    adoption["benchmark_cohort_accounts"] = adoption["benchmark_cohort_key"].map(sizes)
    adoption["cohort_percentile"] = rng.uniform(0, 100, len(adoption)).round(1)
    adoption["events_30d"] = rng.integers(100, 2000, len(adoption))
    adoption["events_prev_30d"] = rng.integers(100, 2000, len(adoption))
    per_account = features.groupby("account_id")
    adoption["features_entitled"] = adoption["account_id"].map(per_account.size())
    adoption["features_adopted"] = adoption["account_id"].map(
        per_account["adoption_status"].agg(lambda s: int((s == "adopted").sum()))
    )

    # Daily usage over 6 months: adopted features every other day, trying ones now and then.
    rows = []
    start = pd.Timestamp(AS_OF) - pd.Timedelta(days=180)
    for _, row in features[features["adoption_status"] != "never_used"].iterrows():
        step = 2 if row["adoption_status"] == "adopted" else 17
        for offset in range(0, 181, step):
            rows.append((row["account_id"], row["feature_key"], start + pd.Timedelta(days=offset)))
    usage = pd.DataFrame(rows, columns=["account_id", "feature_key", "usage_date"])
    usage["usage_date"] = usage["usage_date"].dt.date
    usage["events"] = rng.integers(1, 40, len(usage))
    usage["active_users"] = rng.integers(1, 6, len(usage))
    return {
        **frames,
        "dim_accounts": accounts,
        "account_feature_adoption": features,
        "account_adoption": adoption,
        "fct_feature_usage_daily": usage,
        "fct_support_tickets": with_how_to_asks(frames["fct_support_tickets"], accounts, features),
    }


def with_how_to_asks(
    tickets: pd.DataFrame, accounts: pd.DataFrame, features: pd.DataFrame, count: int = 4
) -> pd.DataFrame:
    """A how-to ticket on a never-used core feature of each of the ``count`` largest active
    accounts: gaps the account shows it needs, so the desk has critical alerts to send (core,
    high value, long overdue) whatever the root-cause model makes of the rest."""
    core = set(FEATURES.loc[FEATURES["category"] == "core", "feature_key"])
    largest = accounts[accounts["is_active_customer"]].nlargest(count, "arr")["account_id"]
    never = features[
        features["account_id"].isin(largest)
        & features["feature_key"].isin(core)
        & (features["adoption_status"] == "never_used")
    ].drop_duplicates("account_id")
    asked_at = pd.Timestamp(AS_OF) - pd.Timedelta(days=20)
    asks = pd.DataFrame(
        {
            "ticket_id": [f"how-to-{i}" for i in range(len(never))],
            "account_id": never["account_id"].to_numpy(),
            "feature_key": never["feature_key"].to_numpy(),
            "subject": "How do I set this up?",
            "description": "We would like to start using it; how do we set it up?",
            "type": "question",
            "tags": [f"how-to|{key}" for key in never["feature_key"]],
            "status": "open",
            "created_at": asked_at,
            "updated_at": asked_at + pd.Timedelta(hours=2),
        }
    )
    return pd.concat([tickets, asks[tickets.columns]], ignore_index=True)
