"""Renewal outcomes: a documented logistic churn probability, then a draw.

    logit(p) = intercept
             + weighted_depth      * (0.5 - weighted adoption depth on the decision day)
             + usage_trend         * -(usage in the 30 days before it / the 30 before - 1)
             + ticket_load         * log(1 + tickets created in the 90 days before it)
             + license_utilization * (0.5 - users / seats on it)
             + Normal(0, noise)

The decision day is parameters.CHURN_DECISION_LEAD_DAYS before the close date: customers make up
their minds about a renewal a quarter ahead, which is why the churn model looks at the account
as it stood then (point in time: no value computed after that day).

Coefficients: parameters.CHURN_COEFFICIENTS. The first churned renewal ends the account: no events,
tickets or notes after its close date. Renewals closing after the window are still drawn (the
outcome the future would bring) and reported as open in the CRM.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from uptake.simulation import parameters
from uptake.simulation.adoption_states import Pairs
from uptake.simulation.signal_timing import PlannedTicket
from uptake.simulation.world import Account, World


@dataclass(frozen=True)
class RenewalOutcome:
    renewal_id: str
    account: int
    close_day: int
    is_closed: bool
    churn_probability: float
    churned: bool
    weighted_depth: float
    usage_trend: float
    tickets_90d: int
    license_utilization: float


def weighted_depth(pairs: Pairs, rows: np.ndarray, day: int) -> float:
    """Value-weighted share of the features entitled on ``day`` that are adopted on it."""
    weights = pairs.value_weight[rows]
    entitled = pairs.entitled_day[rows] <= day
    adopted = entitled & (pairs.adopt_day[rows] <= day - parameters.ADOPTED_AFTER_DAYS)
    total = weights[entitled].sum()
    return float(weights[adopted].sum() / total) if total > 0 else 0.0


def usage_trend(engagement: np.ndarray, day: int) -> float:
    """Last 30 days over the 30 before, minus 1, of the account's usage multiplier."""
    day = min(day, len(engagement) - 1)
    if day < 60:
        return 0.0
    recent = engagement[day - 29 : day + 1].mean()
    before = engagement[day - 59 : day - 29].mean()
    return float(recent / before - 1.0)


def churn_probability(
    depth: float, trend: float, tickets: int, utilization: float, noise: float
) -> float:
    c = parameters.CHURN_COEFFICIENTS
    logit = (
        c["intercept"]
        + c["weighted_depth"] * (0.5 - depth)
        - c["usage_trend"] * trend
        + c["ticket_load"] * np.log1p(tickets)
        + c["license_utilization"] * (0.5 - utilization)
        + noise
    )
    return float(1.0 / (1.0 + np.exp(-logit)))


def _users_on(world: World, account: Account, day: int) -> int:
    join = world.users.join_day[account.users]
    leave = world.users.leave_day[account.users]
    return int(((join <= day) & (leave > day)).sum())


def draw_renewals(
    world: World, pairs: Pairs, tickets: list[PlannedTicket], seed: int
) -> list[RenewalOutcome]:
    """Decide every renewal in time order; sets ``churn_day`` and seat downgrades on accounts."""
    rng = np.random.default_rng([seed, 5])
    last = world.window.days - 1
    ticket_days: dict[int, list[int]] = {}
    for ticket in tickets:
        ticket_days.setdefault(ticket.account, []).append(ticket.created // 86400)
    order = np.argsort(pairs.account, kind="stable")
    bounds = np.searchsorted(pairs.account[order], np.arange(len(world.accounts) + 1))
    outcomes: list[RenewalOutcome] = []
    for account in world.accounts:
        rows = order[bounds[account.index] : bounds[account.index + 1]]
        days = np.asarray(ticket_days.get(account.index, []), dtype=np.int64)
        for number, close in enumerate(account.renewal_days):
            at = max(min(close - parameters.CHURN_DECISION_LEAD_DAYS, last), 0)
            depth = weighted_depth(pairs, rows, at)
            trend = usage_trend(world.engagement[account.index], at)
            load = int(((days > at - 90) & (days <= at)).sum())
            utilization = _users_on(world, account, at) / account.seats_on(at)
            noise = rng.normal(0.0, parameters.CHURN_COEFFICIENTS["noise"])
            probability = churn_probability(depth, trend, load, utilization, noise)
            churned = bool(rng.random() < probability)
            outcomes.append(
                RenewalOutcome(
                    renewal_id=f"006R{account.index:06d}{number:02d}",
                    account=account.index,
                    close_day=close,
                    is_closed=close <= last,
                    churn_probability=round(probability, 6),
                    churned=churned,
                    weighted_depth=round(depth, 4),
                    usage_trend=round(trend, 4),
                    tickets_90d=load,
                    license_utilization=round(utilization, 4),
                )
            )
            if close > last:
                break
            if churned:
                account.churn_day = close
                break
            weak = 1.5 if account.health < 0 else 0.7
            if rng.random() < parameters.DOWNGRADE_SHARE * weak:
                account.downgrades[close] = float(rng.uniform(0.6, 0.85))
    return outcomes
