"""Severity of a gap and the per-CSM cap on pushed alerts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from uptake.scoring.relevance import adopted_before
from uptake.scoring.rules import (
    CRITICAL_DAYS_PAST_EXPECTED,
    CRITICAL_RENEWAL_DAYS,
    ESTABLISHED_USE_MIN_DAYS,
    ESTABLISHED_USE_MIN_PACE,
    HIGH_VALUE_ARR_QUANTILE,
    QUIET_ACCOUNT_MAX_ACTIVE_USERS,
)

SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}


def assign_severity(gaps: pd.DataFrame, high_value_arr: float) -> pd.Series:
    """info: too early, not relevant, likely no gap at all (the root-cause model's
    ``is_likely_no_gap``), lapsed in a quiet account, or a dip in established use (kept, never
    pushed).
    critical: 30+ days past expected and either a core feature of a high-value account, or a
    high-risk account renewing within 120 days. warning: every other gap worth a CSM's time."""
    info = (
        gaps["is_too_early"].fillna(False).astype(bool)
        | (gaps["root_cause"] == "not_relevant")
        | gaps["is_likely_no_gap"].fillna(False).astype(bool)
        | gaps["is_lapsed_in_quiet_account"].fillna(False).astype(bool)
        | gaps["is_established_use_dip"].fillna(False).astype(bool)
    )
    late = gaps["overdue_days"].fillna(-1) >= CRITICAL_DAYS_PAST_EXPECTED
    core_high_value = (gaps["category"] == "core") & (gaps["arr"] >= high_value_arr)
    # No renewal date (an evergreen subscription): never renewing soon. Read as float: the
    # warehouse gives a nullable integer column, which cannot hold the infinity.
    renewal_in_days = pd.to_numeric(gaps["renewal_in_days"], errors="coerce").astype(float)
    renewing_at_risk = (gaps["risk_tier"] == "high") & (
        renewal_in_days.fillna(np.inf) <= CRITICAL_RENEWAL_DAYS
    )
    critical = late & (core_high_value | renewing_at_risk)
    severity = np.where(info, "info", np.where(critical, "critical", "warning"))
    return pd.Series(severity, index=gaps.index, name="severity")


def lapsed_in_quiet_account(gaps: pd.DataFrame) -> pd.Series:
    """Adopted once, and the whole account has gone quiet since: the account-level signals
    (churn risk, score-drop alerts) carry it; a feature gap would send the CSM to the wrong
    problem."""
    lapsed = adopted_before(gaps)
    active = pd.to_numeric(gaps["account_active_users_30d"], errors="coerce").fillna(0)
    return lapsed & (active <= QUIET_ACCOUNT_MAX_ACTIVE_USERS)


def established_use_dip(gaps: pd.DataFrame) -> pd.Series:
    """Adopted before and used for months at about the adopted pace, below the threshold only in
    the last 30 days: a dip in established use (usage-decline alerts carry it), not a gap in
    adoption. On the development seeds nearly all such pairs were planted adopters."""
    lapsed = adopted_before(gaps)
    span = pd.to_numeric(gaps["use_span_days"], errors="coerce").fillna(0)
    pace = pd.to_numeric(gaps["use_pace"], errors="coerce").fillna(0)
    return lapsed & (span >= ESTABLISHED_USE_MIN_DAYS) & (pace >= ESTABLISHED_USE_MIN_PACE)


def high_value_threshold(accounts: pd.DataFrame) -> float:
    arr = pd.to_numeric(accounts["arr"], errors="coerce").dropna()
    return float(arr.quantile(HIGH_VALUE_ARR_QUANTILE)) if len(arr) else float("inf")


def held_for_core_first(gaps: pd.DataFrame) -> pd.Series:
    """True for a critical/warning advanced or premium gap of an account that still has a
    critical/warning gap on a core feature: the basics come first (pushing advanced features to
    an account that has not mastered the core ones is a common mistake). Kept, ranked and
    alerted with its own severity, but not pushed while a core gap is open."""
    flagged = gaps["severity"].isin(["critical", "warning"])
    core = gaps["category"] == "core"
    core_open = (flagged & core).groupby(gaps["account_id"]).transform("any")
    return (flagged & ~core & core_open).rename("is_held_for_core")


def apply_alert_cap(gaps: pd.DataFrame, cap: int) -> pd.Series:
    """True for the critical/warning gaps pushed to their CSM: per csm_owner, critical before
    warning, then by priority_score; beyond ``cap`` a gap is kept but not pushed. Advanced and
    premium gaps held for the core ones (``is_held_for_core``, from ``held_for_core_first``)
    are never pushed."""
    held = gaps["is_held_for_core"].fillna(False).astype(bool)
    pushable = gaps[gaps["severity"].isin(["critical", "warning"]) & ~held].copy()
    pushable["_rank"] = pushable["severity"].map(SEVERITY_RANK)
    pushable = pushable.sort_values(
        ["csm_owner", "_rank", "priority_score", "account_id", "feature_key"],
        ascending=[True, True, False, True, True],
        na_position="last",
    )
    position = pushable.groupby("csm_owner", dropna=False).cumcount()
    pushed = pd.Series(False, index=gaps.index, name="is_pushed")
    pushed.loc[position[position < cap].index] = True
    return pushed
