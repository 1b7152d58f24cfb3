"""Salesforce-style full snapshots: accounts.csv, subscriptions.csv, renewals.csv per dt.

History is only visible as differences between snapshots (plan upgrades, seat changes, owner
changes, stage progress), as in a real export. Snapshots are weekly, then daily at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from uptake.simulation import parameters
from uptake.simulation.renewal_outcomes import RenewalOutcome
from uptake.simulation.world import Account, World
from uptake.simulation.writers import write_csv

ACCOUNT_COLUMNS = (
    "Id",
    "Name",
    "Industry",
    "NumberOfEmployees",
    "BillingCountry",
    "OwnerId",
    "Primary_Use_Case__c",
    "CreatedDate",
)
SUBSCRIPTION_COLUMNS = (
    "Id",
    "AccountId",
    "Plan__c",
    "Seats__c",
    "ARR__c",
    "StartDate",
    "EndDate",
    "Status",
)
RENEWAL_COLUMNS = ("Id", "AccountId", "CloseDate", "Type", "StageName", "Amount")
RENEWAL_UPLIFT = 1.03  # list price rises a little at every renewal


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    account: int
    start_day: int
    end_day: int
    term_number: int  # renewals before this one since day 0
    cancelled: bool  # ended by a churned renewal


@dataclass(frozen=True)
class Opportunity:
    opportunity_id: str
    account: int
    kind: str  # Renewal, Expansion, Downgrade
    created_day: int
    close_day: int
    outcome: str | None  # Closed Won / Closed Lost, None while open
    amount: float


def settle_after_churn(world: World) -> None:
    """Drop planned changes that would fall after an account churned."""
    for account in world.accounts:
        end = account.churn_day
        if end is None:
            continue
        if account.upgrade_day is not None and account.upgrade_day > end:
            account.upgrade_day = None
        if account.seat_expansion is not None and account.seat_expansion[0] > end:
            account.seat_expansion = None
        if account.lost_expansion_day is not None and account.lost_expansion_day > end:
            account.lost_expansion_day = None
        account.open_expansion = None
        account.owners = [(day, owner) for day, owner in account.owners if day <= end] or [
            account.owners[0]
        ]


def subscriptions(world: World) -> list[Subscription]:
    result: list[Subscription] = []
    for account in world.accounts:
        start = account.term_start_day
        for number, end in enumerate(account.renewal_days):
            churned = account.churn_day == end
            result.append(
                Subscription(
                    f"a0S{account.index:06d}{number:03d}",
                    account.index,
                    start,
                    end,
                    number,
                    churned,
                )
            )
            if churned or end > world.window.days - 1:
                break
            start = end
    return result


def arr(account: Account, sub: Subscription, day: int) -> float:
    on = min(day, sub.end_day - 1)
    plan = account.plan_on(on)
    price = parameters.PRICE_PER_SEAT[plan] * account.discount * RENEWAL_UPLIFT**sub.term_number
    return round(account.seats_on(on) * price, 2)


def opportunities(
    world: World, subs: list[Subscription], renewals: list[RenewalOutcome], seed: int
) -> list[Opportunity]:
    rng = np.random.default_rng([seed, 6])
    by_end = {(s.account, s.end_day): s for s in subs}
    result: list[Opportunity] = []
    for outcome in renewals:
        account = world.accounts[outcome.account]
        sub = by_end[(outcome.account, outcome.close_day)]
        stage = None
        if outcome.is_closed:
            stage = "Closed Lost" if outcome.churned else "Closed Won"
        amount = arr(account, sub, outcome.close_day - 1)
        result.append(
            Opportunity(
                outcome.renewal_id,
                outcome.account,
                "Renewal",
                outcome.close_day - 120,
                outcome.close_day,
                stage,
                amount,
            )
        )
    last = world.window.days - 1
    for account in world.accounts:
        prefix = f"006X{account.index:06d}"
        current = next((s for s in subs if s.account == account.index and s.end_day > 0), None)
        if current is None:
            continue

        def value(day: int, acc: Account = account, sub: Subscription = current) -> float:
            return arr(acc, sub, day)

        if account.upgrade_day is not None:
            day = account.upgrade_day
            delta = round(value(day) - value(day - 1), 2)
            created = day - int(rng.integers(20, 60))
            result.append(
                Opportunity(
                    f"{prefix}U", account.index, "Expansion", created, day, "Closed Won", delta
                )
            )
        if account.seat_expansion is not None:
            day = account.seat_expansion[0]
            delta = round(value(day) - value(day - 1), 2)
            created = day - int(rng.integers(20, 60))
            result.append(
                Opportunity(
                    f"{prefix}S", account.index, "Expansion", created, day, "Closed Won", delta
                )
            )
        if account.lost_expansion_day is not None:
            day = account.lost_expansion_day
            result.append(
                Opportunity(
                    f"{prefix}L",
                    account.index,
                    "Expansion",
                    day - 30,
                    day,
                    "Closed Lost",
                    round(value(day) * 0.3, 2),
                )
            )
        if account.open_expansion is not None and account.churn_day is None:
            created, close = account.open_expansion
            result.append(
                Opportunity(
                    f"{prefix}O",
                    account.index,
                    "Expansion",
                    created,
                    close,
                    None,
                    round(value(last) * 0.25, 2),
                )
            )
        for number, (day, factor) in enumerate(sorted(account.downgrades.items())):
            before = account.seats_on(day - 1)
            lost = before - max(1, round(before * factor))
            price = parameters.PRICE_PER_SEAT[account.plan_on(day)] * account.discount
            result.append(
                Opportunity(
                    f"{prefix}D{number}",
                    account.index,
                    "Downgrade",
                    day - 30,
                    day,
                    "Closed Won",
                    -round(lost * price, 2),
                )
            )
    return result


def _stage(opportunity: Opportunity, day: int) -> str:
    if opportunity.outcome is not None and day >= opportunity.close_day:
        return opportunity.outcome
    left = opportunity.close_day - day
    return (
        "Qualification"
        if left > 60
        else "Proposal/Price Quote"
        if left > 30
        else ("Negotiation/Review")
    )


def snapshot_days(days: int) -> list[int]:
    weekly = set(range(days - 1, -1, -7))
    daily = set(range(max(0, days - parameters.CRM_DAILY_TAIL_DAYS), days))
    return sorted(weekly | daily)


def write_crm(
    root: Path, world: World, renewals: list[RenewalOutcome], seed: int
) -> tuple[dict[str, int], list[dict[str, object]], list[Subscription], list[Opportunity]]:
    """Write all snapshots; plant a few non-numeric ARR values. Returns counts and the plants."""
    rng = np.random.default_rng([seed, 7])
    window = world.window
    subs = subscriptions(world)
    opps = opportunities(world, subs, renewals, seed)
    days = snapshot_days(window.days)
    bad_snapshots = set(
        rng.choice(len(days), size=min(len(days), int(rng.integers(2, 5))), replace=False).tolist()
    )
    planted: list[dict[str, object]] = []
    counts = {
        "crm_snapshots": len(days),
        "crm_account_rows": 0,
        "crm_subscription_rows": 0,
        "crm_renewal_rows": 0,
    }
    for number, day in enumerate(days):
        folder = root / "crm" / f"dt={window.date(day).isoformat()}"
        account_rows = [
            (
                a.account_id,
                a.name,
                a.industry,
                a.employees,
                a.country,
                a.owner_on(day),
                world.catalog.use_cases[a.use_case],
                window.date(a.created_day).isoformat(),
            )
            for a in world.accounts
            if a.created_day <= day
        ]
        sub_rows: list[list[object]] = []
        for sub in subs:
            if sub.start_day > day:
                continue
            account = world.accounts[sub.account]
            on = min(day, sub.end_day - 1)
            status = "Active" if day < sub.end_day else "Cancelled" if sub.cancelled else "Expired"
            sub_rows.append(
                [
                    sub.subscription_id,
                    account.account_id,
                    world.catalog.plan_name(account.plan_on(on)),
                    account.seats_on(on),
                    f"{arr(account, sub, day):.2f}",
                    window.date(sub.start_day).isoformat(),
                    window.date(sub.end_day).isoformat(),
                    status,
                ]
            )
        if number in bad_snapshots and sub_rows:
            row = int(rng.integers(len(sub_rows)))
            value = parameters.BAD_ARR_VALUES[int(rng.integers(len(parameters.BAD_ARR_VALUES)))]
            sub_rows[row][4] = value
            planted.append(
                {
                    "path": f"crm/dt={window.date(day).isoformat()}/subscriptions.csv",
                    "row": row + 1,
                    "column": "ARR__c",
                    "value": value,
                    "id": sub_rows[row][0],
                }
            )
        opp_rows = [
            (
                o.opportunity_id,
                world.accounts[o.account].account_id,
                window.date(o.close_day).isoformat(),
                o.kind,
                _stage(o, day),
                f"{o.amount:.2f}",
            )
            for o in opps
            if o.created_day <= day
        ]
        counts["crm_account_rows"] += write_csv(
            folder / "accounts.csv", ACCOUNT_COLUMNS, account_rows
        )
        counts["crm_subscription_rows"] += write_csv(
            folder / "subscriptions.csv", SUBSCRIPTION_COLUMNS, sub_rows
        )
        counts["crm_renewal_rows"] += write_csv(folder / "renewals.csv", RENEWAL_COLUMNS, opp_rows)
    return counts, planted, subs, opps
