"""The playbook's action for a gap, used where measured evidence is too thin to choose one.

By default the root cause's first candidate action (rules.CANDIDATE_ACTIONS). A feature an
account in onboarding never used (entitled fewer than ONBOARDING_WINDOW_DAYS ago, and no
technical onboarding recorded for the account yet) calls for technical onboarding when its
cause is training or urgency: nobody has set the feature up with the team, so neither a
training course nor an executive conversation comes first.
"""

from __future__ import annotations

import pandas as pd

from uptake.scoring.relevance import own_use
from uptake.scoring.rules import (
    CANDIDATE_ACTIONS,
    ONBOARDING_ACTION,
    ONBOARDING_CAUSES,
    ONBOARDING_WINDOW_DAYS,
)

PLAYBOOK_COLUMNS = (
    "account_id",
    "root_cause",
    "adoption_status",
    "events_to_date",
    "entitled_for_days",
)


def onboarded_accounts(interventions: pd.DataFrame, as_of: pd.Timestamp) -> set[str]:
    """Accounts with a technical onboarding started on or before ``as_of`` (any feature)."""
    started = pd.to_datetime(interventions["started_at"])
    done = interventions[
        (interventions["intervention_type"] == ONBOARDING_ACTION) & (started <= as_of)
    ]
    return set(done["account_id"].astype(str))


def in_onboarding(gaps: pd.DataFrame, onboarded: set[str]) -> pd.Series:
    """Gaps of a feature never used by an account still in onboarding, read as training or
    urgency: the ones the playbook sends to technical onboarding."""
    missing = [c for c in PLAYBOOK_COLUMNS if c not in gaps.columns]
    if missing:
        raise KeyError(f"the gaps lack the playbook's columns: {missing}")
    entitled_for = pd.to_numeric(gaps["entitled_for_days"], errors="coerce")
    return (
        gaps["root_cause"].isin(ONBOARDING_CAUSES)
        & own_use(gaps).eq("never_used")
        & (entitled_for < ONBOARDING_WINDOW_DAYS)
        & ~gaps["account_id"].astype(str).isin(onboarded)
    )


def playbook_actions(gaps: pd.DataFrame, onboarded: set[str]) -> pd.Series:
    """The playbook's action for each gap, aligned with ``gaps``."""
    first = gaps["root_cause"].map(lambda cause: CANDIDATE_ACTIONS[cause][0])
    return first.mask(in_onboarding(gaps, onboarded), ONBOARDING_ACTION)
