"""Whose churn risk rose: this run's account scores against ``marts.account_scores_history``,
which scoring keeps for every scored day (``account_scores`` itself shows the latest day)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

TIER_RANK = {"low": 0, "medium": 1, "high": 2}
WEEK = pd.Timedelta(days=7)
# A rise of this much churn probability is worth a line even within the same tier.
RISK_RISE_MIN = 0.10


@dataclass(frozen=True)
class RiskRise:
    account_id: str
    before_at: pd.Timestamp
    before_tier: str
    before_probability: float
    tier: str
    probability: float


def risk_rises(scores: pd.DataFrame, history: pd.DataFrame) -> list[RiskRise]:
    """Accounts whose tier went up, or whose probability rose by ``RISK_RISE_MIN`` or more,
    against their latest recorded score a week or more before this run (else their earliest
    earlier one)."""
    if scores.empty or history.empty:
        return []
    history = history.assign(scored_at=pd.to_datetime(history["scored_at"]))
    rises = []
    for _, now in scores.iterrows():
        scored_at = pd.Timestamp(now["scored_at"])
        earlier = history[
            (history["account_id"] == now["account_id"]) & (history["scored_at"] < scored_at)
        ]
        if earlier.empty:
            continue
        week_old = earlier[earlier["scored_at"] <= scored_at - WEEK]
        before = week_old.iloc[-1] if len(week_old) else earlier.iloc[0]
        tier_up = TIER_RANK.get(now["risk_tier"], -1) > TIER_RANK.get(before["risk_tier"], -1)
        delta = float(now["churn_probability"]) - float(before["churn_probability"])
        if tier_up or delta >= RISK_RISE_MIN:
            rises.append(
                RiskRise(
                    account_id=str(now["account_id"]),
                    before_at=pd.Timestamp(before["scored_at"]),
                    before_tier=str(before["risk_tier"]),
                    before_probability=float(before["churn_probability"]),
                    tier=str(now["risk_tier"]),
                    probability=float(now["churn_probability"]),
                )
            )
    return sorted(rises, key=lambda r: (r.before_probability - r.probability, r.account_id))
