"""``marts.account_risk_history``: each run's account scores, kept so the digest can say whose
risk rose (``account_scores`` itself is replaced every run). Written by delivery, not dbt."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from uptake.delivery.marts import RISK_HISTORY, SCHEMA

TIER_RANK = {"low": 0, "medium": 1, "high": 2}
WEEK = pd.Timedelta(days=7)
# A rise of this much churn probability is worth a line even within the same tier.
RISK_RISE_MIN = 0.10
COLUMNS = ["account_id", "scored_at", "churn_probability", "risk_tier"]


@dataclass(frozen=True)
class RiskRise:
    account_id: str
    before_at: pd.Timestamp
    before_tier: str
    before_probability: float
    tier: str
    probability: float


def record_scores(con: duckdb.DuckDBPyConnection, scores: pd.DataFrame) -> int:
    """Replace the rows of this ``scored_at`` (a rerun of a day rewrites the same rows)."""
    con.execute(
        f"create table if not exists {SCHEMA}.{RISK_HISTORY} (account_id varchar, "
        "scored_at timestamp, churn_probability double, risk_tier varchar, "
        "primary key (account_id, scored_at))"
    )
    if scores.empty:
        return 0
    rows = scores[COLUMNS].copy()
    con.register("_scores", rows)
    try:
        con.execute("begin transaction")
        con.execute(
            f"delete from {SCHEMA}.{RISK_HISTORY} "
            "where scored_at in (select distinct scored_at from _scores)"
        )
        con.execute(
            f"insert into {SCHEMA}.{RISK_HISTORY} select account_id, scored_at::timestamp, "
            "churn_probability, risk_tier from _scores"
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("_scores")
    return len(rows)


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
