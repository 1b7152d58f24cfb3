"""The planted ground truth in ``_truth/`` (never read by the pipeline: docs/contract.md, 1)."""

from __future__ import annotations

import json
from pathlib import Path

from uptake.simulation import parameters
from uptake.simulation.adoption_states import Intervention, Pairs
from uptake.simulation.renewal_outcomes import RenewalOutcome
from uptake.simulation.world import World
from uptake.simulation.writers import write_bytes, write_csv

FEATURE_TRUTH_COLUMNS = (
    "account_id",
    "feature_key",
    "is_entitled",
    "truth_status",
    "root_cause",
    "account_status",
    "evaluated_at",
    "entitled_since",
    "plan",
)
RENEWAL_TRUTH_COLUMNS = (
    "renewal_id",
    "account_id",
    "close_date",
    "churn_probability",
    "churned",
    "is_closed",
    "weighted_depth",
    "usage_trend",
    "tickets_90d",
    "license_utilization",
)
INTERVENTION_TRUTH_COLUMNS = (
    "intervention_id",
    "account_id",
    "feature_key",
    "type",
    "true_effect",
    "gap_root_cause",
    "worked",
    "started_at",
)


def truth_label(pairs: Pairs, pair: int, day: int) -> tuple[str, str]:
    """(truth_status, root_cause) of a pair on ``day``."""
    if pairs.adopt_day[pair] <= day - parameters.ADOPTED_AFTER_DAYS:
        return "adopted", ""
    cause = int(pairs.cause[pair])
    expected = int(pairs.expected_days[pair])
    if cause == parameters.ADOPTED or day - int(pairs.entitled_day[pair]) < expected:
        return "gap", "too_early"
    return "gap", parameters.CAUSES[cause]


def _flag(value: bool) -> str:
    return "true" if value else "false"


def write_truth(
    root: Path,
    world: World,
    pairs: Pairs,
    renewals: list[RenewalOutcome],
    interventions: list[Intervention],
    mess: dict[str, object],
) -> dict[str, str]:
    folder = root / "_truth"
    window = world.window
    rows = []
    for pair in range(len(pairs)):
        account = world.accounts[int(pairs.account[pair])]
        day = account.last_day(window)
        if pairs.entitled_day[pair] > day:
            continue  # an upgrade that never happened: the account churned first
        status, cause = truth_label(pairs, pair, day)
        rows.append(
            (
                account.account_id,
                pairs.feature_key[pair],
                "true",
                status,
                cause,
                "churned" if account.churn_day is not None else "active",
                window.date(day).isoformat(),
                window.date(int(pairs.entitled_day[pair])).isoformat(),
                world.catalog.plan_name(account.plan_on(day)),
            )
        )
    write_csv(folder / "feature_truth.csv", FEATURE_TRUTH_COLUMNS, rows)
    write_csv(
        folder / "renewal_truth.csv",
        RENEWAL_TRUTH_COLUMNS,
        [
            (
                r.renewal_id,
                world.accounts[r.account].account_id,
                window.date(r.close_day).isoformat(),
                f"{r.churn_probability:.6f}",
                _flag(r.churned),
                _flag(r.is_closed),
                r.weighted_depth,
                r.usage_trend,
                r.tickets_90d,
                r.license_utilization,
            )
            for r in renewals
        ],
    )
    write_csv(
        folder / "intervention_truth.csv",
        INTERVENTION_TRUTH_COLUMNS,
        [
            (
                i.intervention_id,
                world.accounts[i.account].account_id,
                world.catalog.features[i.feature].key,
                i.kind,
                i.true_effect,
                i.cause,
                _flag(i.worked),
                window.date(i.day).isoformat(),
            )
            for i in interventions
        ],
    )
    write_csv(
        folder / "account_truth.csv",
        ("account_id", "latent_health", "use_case_index", "churned_on"),
        [
            (
                a.account_id,
                round(a.health, 4),
                a.use_case,
                "" if a.churn_day is None else window.date(a.churn_day).isoformat(),
            )
            for a in world.accounts
        ],
    )
    text = json.dumps(mess, indent=2, sort_keys=True) + "\n"
    write_bytes(folder / "mess.json", text.encode("utf-8"))
    return {
        name: str(folder / f"{name}.csv")
        for name in ("feature_truth", "renewal_truth", "intervention_truth", "account_truth")
    } | {"mess": str(folder / "mess.json")}
