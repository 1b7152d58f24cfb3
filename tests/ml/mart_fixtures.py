"""Synthetic marts for the ML and scoring tests, with a real (known) signal.

Columns follow docs/contract.md section 2 and the ML-input table of docs/architecture.md. The
generator is deterministic (one seed) and small enough to build in well under a second.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from uptake.warehouse import schema_of

AS_OF = date(2026, 6, 30)
N_ACCOUNTS = 120
N_RENEWALS = 240
SNAPSHOTS_PER_ACCOUNT = 30  # every 30 days back from AS_OF: ~2.5 years

FEATURES = pd.DataFrame(
    [
        ("reports", "Reports", "core", 30, 1.0),
        ("dashboards", "Dashboards", "core", 30, 1.0),
        ("mobile_app", "Mobile app", "core", 45, 0.5),
        ("salesforce_integration", "Salesforce integration", "advanced", 60, 2.0),
        ("workflows", "Automated workflows", "advanced", 60, 1.5),
        ("api_access", "API access", "premium", 90, 2.0),
    ],
    columns=["feature_key", "feature_name", "category", "expected_days_to_adopt", "value_weight"],
)
PLAN_FEATURES = {
    "starter": ["reports", "dashboards", "mobile_app"],
    "pro": ["reports", "dashboards", "mobile_app", "salesforce_integration", "workflows"],
    "enterprise": FEATURES["feature_key"].tolist(),
}

# Half the templates carry the keyword rule's words, half do not: the classifier has to learn
# the rest from the words of labeled tickets (as it would on real text).
TEXTS = {
    "how-to": [
        ("How do I set up {f}?", "We cannot figure out how to configure {f} for our team."),
        (
            "Walkthrough wanted for {f}",
            "Our admins need a walkthrough and training material for {f}.",
        ),
        ("Onboarding {f}", "Looking for documentation and a tutorial on {f} for new users."),
    ],
    "bug": [
        ("{f} crashes", "Every time we open {f} we get an error 500 and the page crashes."),
        (
            "{f} shows wrong totals",
            "The totals in {f} are wrong since yesterday, numbers mismatch.",
        ),
        ("{f} stopped syncing", "{f} stopped syncing overnight, data missing and mismatch again."),
    ],
    "feature-request": [
        ("Please add to {f}", "Please add bulk editing to {f}, we wish it had more options."),
        ("Idea for {f}", "An idea: an option in {f} to schedule exports would help our roadmap."),
        (
            "Missing option in {f}",
            "Suggestion for the roadmap: {f} lacks an option for custom fields.",
        ),
    ],
    "complaint": [
        ("Unhappy with {f}", "This is unacceptable, {f} is so frustrating we consider cancel."),
        (
            "Not what we were sold",
            "{f} is not what sales promised us, we are upset about the price.",
        ),
        (
            "Slow answers",
            "Your team takes days to answer about {f}, we are upset with the service.",
        ),
    ],
}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def build_marts(seed: int = 7) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    as_of = pd.Timestamp(AS_OF)
    ids = [f"A{i:03d}" for i in range(N_ACCOUNTS)]
    plans = rng.choice(["starter", "pro", "enterprise"], N_ACCOUNTS, p=[0.3, 0.4, 0.3])
    seats = rng.integers(10, 120, N_ACCOUNTS)
    arr = seats * np.select([plans == "starter", plans == "pro"], [300.0, 600.0], 1200.0)
    tenure = rng.integers(20, 900, N_ACCOUNTS)
    industries = rng.choice(["SaaS", "Retail", "Finance"], N_ACCOUNTS)
    bands = rng.choice(["1-50", "51-200"], N_ACCOUNTS)
    use_cases = rng.choice(["sales", "support"], N_ACCOUNTS)
    health = rng.normal(0.0, 1.0, N_ACCOUNTS)  # latent account health drives everything
    dim_accounts = pd.DataFrame(
        {
            "account_id": ids,
            "account_name": [f"Account {i}" for i in range(N_ACCOUNTS)],
            "industry": industries,
            "employee_band": bands,
            "use_case": use_cases,
            "plan": plans,
            "seats": seats,
            "arr": arr,
            "contract_start": [as_of - pd.Timedelta(days=int(t)) for t in tenure],
            "renewal_date": [
                as_of + pd.Timedelta(days=int(d)) for d in rng.integers(5, 365, N_ACCOUNTS)
            ],
            "csm_owner": rng.choice(["csm-1", "csm-2", "csm-3"], N_ACCOUNTS),
            "tenure_days": tenure,
            "cohort_key": [
                f"{i}|{b}|{p}" for i, b, p in zip(industries, bands, plans, strict=True)
            ],
        }
    )

    # Monthly snapshots: health drifts as a random walk; values derive from it plus noise.
    snap_rows = []
    for index, account in enumerate(ids):
        walk = health[index] + np.cumsum(rng.normal(0, 0.15, SNAPSHOTS_PER_ACCOUNT))[::-1]
        for step in range(SNAPSHOTS_PER_ACCOUNT):
            level = walk[step]
            entitled = len(PLAN_FEATURES[plans[index]])
            utilization = float(np.clip(0.5 + 0.2 * level + rng.normal(0, 0.08), 0.02, 1.0))
            adopted = int(np.clip(round(entitled * (0.45 + 0.2 * level)), 0, entitled))
            events = float(max(0.0, 400 * utilization + rng.normal(0, 40)))
            tickets = int(rng.poisson(max(0.2, 1.5 - 0.8 * level)))
            snap_rows.append(
                {
                    "account_id": account,
                    "snapshot_date": (as_of - pd.Timedelta(days=30 * step)).date(),
                    "plan": plans[index],
                    "seats": int(seats[index]),
                    "arr": float(arr[index]),
                    "tenure_days": int(tenure[index]) - 30 * step,
                    "active_users_30d": round(utilization * seats[index]),
                    "license_utilization": utilization,
                    "events_30d": events,
                    "events_prev_30d": float(
                        max(0.0, events * (1 - 0.1 * level) + rng.normal(0, 20))
                    ),
                    "usage_trend_30d": float(np.clip(0.1 * level + rng.normal(0, 0.1), -1, 1)),
                    "features_adopted": adopted,
                    "features_entitled": entitled,
                    "adoption_depth_pct": 100.0 * adopted / entitled,
                    "weighted_depth_pct": float(
                        np.clip(100.0 * adopted / entitled + rng.normal(0, 5), 0, 100)
                    ),
                    "tickets_30d": tickets,
                    "bug_tickets_30d": int(rng.binomial(tickets, 0.4)),
                    "how_to_tickets_30d": int(rng.binomial(tickets, 0.4)),
                    "interventions_90d": int(rng.poisson(0.3)),
                    "renewal_in_days": int(rng.integers(0, 365)),
                }
            )
    snapshots = pd.DataFrame(snap_rows)
    # The quarter's tickets: this snapshot's month and the two before it (no draw: the random
    # stream, and so every other fixture value, stays as it was).
    by_date = snapshots.sort_values(["account_id", "snapshot_date"])
    quarter = by_date.groupby("account_id")["tickets_30d"].transform(
        lambda month: month.rolling(3, min_periods=1).sum()
    )
    snapshots["tickets_90d"] = quarter.reindex(snapshots.index).astype(int)

    # Renewals: close dates over the last ~2 years; churn depends on the snapshot 90+ days before.
    renewal_accounts = rng.choice(ids, N_RENEWALS)
    close_offsets = rng.integers(0, 700, N_RENEWALS)
    indexed = snapshots.assign(snapshot_date=pd.to_datetime(snapshots["snapshot_date"]))
    renewal_rows = []
    for number, (account, offset) in enumerate(zip(renewal_accounts, close_offsets, strict=True)):
        close = as_of - pd.Timedelta(days=int(offset))
        history = indexed[
            (indexed["account_id"] == account)
            & (indexed["snapshot_date"] <= close - pd.Timedelta(days=90))
        ]
        row = history.sort_values("snapshot_date").iloc[-1]
        logit = (
            -1.0
            - 8.0 * (row["license_utilization"] - 0.5)
            - 0.03 * (row["adoption_depth_pct"] - 45)
        )
        churned = bool(rng.random() < _sigmoid(np.array([logit]))[0])
        renewal_rows.append(
            {
                "renewal_id": f"R{number:04d}",
                "account_id": account,
                "close_date": close.date(),
                "is_closed": True,
                "is_churned": churned,
                "arr": float(row["arr"]),
            }
        )
    open_close = (as_of + pd.Timedelta(days=40)).date()
    open_rows = [
        {
            "renewal_id": f"R9{i:03d}",
            "account_id": ids[i],
            "close_date": open_close,
            "is_closed": False,
            "is_churned": False,
            "arr": float(arr[i]),
        }
        for i in range(5)
    ]
    renewals = pd.DataFrame(renewal_rows + open_rows)

    # Feature adoption: status depends on health; peers adopt core features more.
    adoption_rows = []
    category = dict(zip(FEATURES["feature_key"], FEATURES["category"], strict=True))
    for index, account in enumerate(ids):
        for feature in PLAN_FEATURES[plans[index]]:
            p_adopted = _sigmoid(
                np.array([health[index] + (0.8 if category[feature] == "core" else -0.3)])
            )[0]
            status = rng.choice(
                ["adopted", "trying", "abandoned", "never_used"],
                p=[p_adopted, (1 - p_adopted) * 0.3, (1 - p_adopted) * 0.3, (1 - p_adopted) * 0.4],
            )
            used = status != "never_used"
            first = as_of - pd.Timedelta(days=int(rng.integers(40, 300))) if used else pd.NaT
            last = (
                (as_of - pd.Timedelta(days=int(rng.integers(35, 60))))
                if status == "abandoned"
                else (as_of - pd.Timedelta(days=2) if used else pd.NaT)
            )
            adoption_rows.append(
                {
                    "account_id": account,
                    "feature_key": feature,
                    "category": category[feature],
                    "is_entitled": True,
                    "first_used_at": first,
                    "last_used_at": last,
                    "events_30d": {"adopted": 80, "trying": 4}.get(status, 0),
                    "events_prev_30d": {"adopted": 75, "trying": 3}.get(status, 0),
                    "users_30d": {"adopted": 12, "trying": 1}.get(status, 0),
                    "feature_adoption_rate": {"adopted": 0.6, "trying": 0.05}.get(status, 0.0),
                    "adoption_status": status,
                    "peer_adoption_rate": 0.0,
                }
            )  # fmt: skip
    adoption = pd.DataFrame(adoption_rows)
    cohorts = adoption.merge(dim_accounts[["account_id", "cohort_key"]], on="account_id")
    peer = (
        cohorts.assign(is_adopted=cohorts["adoption_status"] == "adopted")
        .groupby(["cohort_key", "feature_key"])["is_adopted"]
        .agg(["mean", "size"])
        .reset_index()
    )
    peer_rates = cohorts[["account_id", "feature_key", "cohort_key"]].merge(
        peer.rename(columns={"mean": "peer_adoption_rate"}), on=["cohort_key", "feature_key"]
    )
    adoption = adoption.drop(columns="peer_adoption_rate").merge(
        peer_rates[["account_id", "feature_key", "peer_adoption_rate"]],
        on=["account_id", "feature_key"],
    )
    # The mart carries the catalog's attributes on every row, as dbt builds it.
    catalog = FEATURES[["feature_key", "feature_name", "expected_days_to_adopt", "value_weight"]]
    adoption = adoption.merge(catalog, on="feature_key", how="left")
    cohort_benchmarks = peer.rename(columns={"mean": "peer_adoption_rate", "size": "accounts"})
    for column, quantile in (("p25", 25), ("p50", 50), ("p75", 75), ("p90", 90)):
        cohort_benchmarks[f"{column}_events_30d"] = float(quantile)

    latest = snapshots[snapshots["snapshot_date"] == AS_OF]
    account_adoption = pd.DataFrame(
        {
            "account_id": latest["account_id"],
            "as_of_date": AS_OF,
            "adoption_depth_pct": latest["adoption_depth_pct"],
            "weighted_depth_pct": latest["weighted_depth_pct"],
            "license_utilization": latest["license_utilization"],
            "dau_mau": 0.3,
            "time_to_value_days": 12,
            "adoption_velocity_days": 40,
            "usage_trend_30d": latest["usage_trend_30d"],
            "dormant_users": 2,
            "adoption_score": (50 + 15 * health).clip(0, 100),
            "cohort_percentile": 50.0,
            "benchmark_band": "good",
        }
    )

    # Tickets: templated text per intent; 20% carry no intent tag (the ones we predict).
    intents = list(TEXTS)
    ticket_rows = []
    for number in range(320):
        intent = intents[rng.choice(len(intents), p=[0.4, 0.3, 0.15, 0.15])]
        subject, body = TEXTS[intent][rng.integers(len(TEXTS[intent]))]
        feature = FEATURES["feature_key"].iloc[rng.integers(len(FEATURES))]
        created = as_of - pd.Timedelta(
            days=int(rng.integers(0, 360)), hours=int(rng.integers(0, 24))
        )
        tagged = rng.random() > 0.2
        ticket_rows.append(
            {
                "ticket_id": str(number),
                "account_id": ids[rng.integers(N_ACCOUNTS)],
                "feature_key": feature,
                "subject": subject.format(f=feature.replace("_", " ")),
                "description": body.format(f=feature.replace("_", " ")),
                "type": "question" if intent == "how-to" else "problem",
                "tags": f"{intent}|{feature}" if tagged else feature,
                "status": "open",
                "created_at": created,
                "updated_at": created + pd.Timedelta(hours=3),
            }
        )
    tickets = pd.DataFrame(ticket_rows)

    note_bodies = [
        "Customer is frustrated and confused by the setup, considering a competitor.",
        "Great call, the team is happy and sees value.",
        "They said the feature does not fit their workflow, not relevant for them.",
        "Quarterly check-in, nothing special.",
    ]
    notes = pd.DataFrame(
        {
            "note_id": [f"n-{i}" for i in range(80)],
            "account_id": [ids[i % N_ACCOUNTS] for i in range(80)],
            "feature_key": [
                FEATURES["feature_key"].iloc[i % 6] if i % 2 else None for i in range(80)
            ],
            "author": "csm-1",
            "channel": "call",
            "body": [note_bodies[i % 4] for i in range(80)],
            "created_at": [as_of - pd.Timedelta(days=int(d)) for d in rng.integers(0, 200, 80)],
        }
    )

    types = ["training", "in_app_guide", "technical_onboarding", "exec_alignment", "success_plan"]
    rates = {
        "training": 0.6,
        "in_app_guide": 0.3,
        "technical_onboarding": 0.5,
        "exec_alignment": 0.2,
        "success_plan": 0.35,
    }
    chosen = rng.choice(types, 150)
    interventions = pd.DataFrame(
        {
            "intervention_id": [f"i-{i}" for i in range(150)],
            "account_id": rng.choice(ids, 150),
            "feature_key": rng.choice(FEATURES["feature_key"], 150),
            "intervention_type": chosen,
            "owner": "csm-1",
            "started_at": [as_of - pd.Timedelta(days=int(d)) for d in rng.integers(60, 400, 150)],
            "is_adopted_within_60d": [bool(rng.random() < rates[t]) for t in chosen],
            "events_60d_before": rng.integers(0, 20, 150),
            "events_60d_after": rng.integers(0, 60, 150),
        }
    )  # fmt: skip

    dim_accounts["is_active_customer"] = [i % 20 != 19 for i in range(N_ACCOUNTS)]
    usage = feature_usage(ids, seed)
    candidates = gap_candidates(rng, dim_accounts, adoption, health)

    return {
        "fct_gap_candidates_every_30_days": candidates,
        "dim_accounts": dim_accounts,
        "account_feature_adoption": adoption,
        "account_adoption": account_adoption,
        "cohort_benchmarks": cohort_benchmarks,
        "fct_account_snapshots_every_30_days": snapshots,
        "fct_renewal_outcomes": renewals,
        "fct_support_tickets": tickets,
        "fct_cs_notes": notes,
        "fct_interventions": interventions,
        "fct_feature_usage_daily": usage,
    }


# Planted personas: account i uses the two features of group i % 3 eight times as often as
# the others; every 40th account has no feature events in the last 90 days.
PERSONA_GROUPS = (
    ("reports", "dashboards"),
    ("salesforce_integration", "workflows"),
    ("api_access", "mobile_app"),
)


def feature_usage(ids: list[str], seed: int) -> pd.DataFrame:
    """fct_feature_usage_daily: every third day of the last 90 (and a day after AS_OF that
    point-in-time readers must ignore), Poisson events per planted persona group."""
    rng = np.random.default_rng([seed, 11])  # its own stream: the other marts stay unchanged
    rows = []
    for index, account in enumerate(ids):
        if index % 40 == 0:
            continue
        heavy = PERSONA_GROUPS[index % 3]
        for offset in range(-1, 90, 3):
            day = AS_OF - timedelta(days=offset)
            for feature in FEATURES["feature_key"]:
                events = int(rng.poisson(8.0 if feature in heavy else 1.0))
                if events:
                    rows.append((account, feature, day, events, 1))
    return pd.DataFrame(
        rows, columns=["account_id", "feature_key", "usage_date", "events", "active_users"]
    )


INTERVENTION_LIFT = {"training": 0.25, "exec_alignment": 0.15, "success_plan": 0.1}


def gap_candidates(
    rng: np.random.Generator,
    accounts: pd.DataFrame,
    adoption: pd.DataFrame,
    health: np.ndarray,
) -> pd.DataFrame:
    """The as-of day's not-adopted pairs (from ``adoption``) plus six earlier snapshot days of
    every entitled pair, whose outcome 60 days on depends on health, peers and intervention."""
    as_of = pd.Timestamp(AS_OF)
    level = dict(zip(accounts["account_id"], health, strict=True))
    catalog = FEATURES.set_index("feature_key")
    rows = []
    for step in range(7):
        day = as_of - pd.Timedelta(days=30 * step)
        for pair in adoption.itertuples():
            if step == 0 and pair.adoption_status == "adopted":
                continue
            status = (
                pair.adoption_status
                if step == 0
                else rng.choice(["trying", "abandoned", "never_used"], p=[0.35, 0.25, 0.4])
            )
            peer = float(np.clip(pair.peer_adoption_rate + rng.normal(0, 0.1), 0, 1))
            kind = rng.choice(
                [None, "training", "exec_alignment", "success_plan"], p=[0.8, 0.1, 0.05, 0.05]
            )
            known = step >= 2  # 60 days on is past the as-of day for the first two
            p = _sigmoid(np.array([level[pair.account_id] - 1.5 + 2.0 * peer]))[0]
            p = min(1.0, p + INTERVENTION_LIFT.get(kind or "", 0.0))
            account = accounts[accounts["account_id"] == pair.account_id].iloc[0]
            expected = int(catalog.loc[pair.feature_key, "expected_days_to_adopt"])
            entitled_days = int(account["tenure_days"]) - 30 * step
            rows.append(
                {
                    "account_id": pair.account_id,
                    "feature_key": pair.feature_key,
                    "snapshot_date": day.date(),
                    "is_as_of_day": step == 0,
                    "plan": account["plan"],
                    "use_case": account["use_case"],
                    "adoption_status": status,
                    "category": pair.category,
                    "value_weight": float(catalog.loc[pair.feature_key, "value_weight"]),
                    "expected_days_to_adopt": expected,
                    "entitled_date": (day - pd.Timedelta(days=entitled_days)).date(),
                    "entitled_for_days": entitled_days,
                    "overdue_days": entitled_days - expected,
                    "use_case_peers": 12,
                    "use_case_peer_rate": peer,
                    "use_case_peer_use_rate": min(1.0, peer + 0.1),
                    "cohort_peer_rate": pair.peer_adoption_rate,
                    "plan_peers": 20,
                    "plan_peer_rate": peer,
                    "plan_peer_use_rate": min(1.0, peer + 0.1),
                    "best_use_case_adoption_rate": 0.9,
                    "adopted_features_rate": 0.5,
                    "events_30d": {"trying": 4}.get(status, 0),
                    "events_to_date": 0 if status == "never_used" else 30,
                    "users_to_date": 0 if status == "never_used" else 2,
                    "unused_for_days": {"trying": 2, "abandoned": 45}.get(status),
                    "use_span_days": None if status == "never_used" else 60,
                    "use_pace": None if status == "never_used" else 0.5,
                    "peak_pace": None if status == "never_used" else 0.7,
                    "failed_events_to_date": 0 if status == "never_used" else 2,
                    "first_adopted_date": None,
                    "account_active_users_30d": 6,
                    "signals_since_date": (day - pd.Timedelta(days=180)).date(),
                    "tickets_in_lookback": int(rng.poisson(0.5)),
                    "notes_in_lookback": int(rng.poisson(0.3)),
                    "interventions_to_date": int(rng.poisson(0.2)),
                    "arr": float(account["arr"]),
                    "renewal_in_days": (pd.Timestamp(account["renewal_date"]) - day).days,
                    "next_intervention_type": kind if known else None,
                    "is_adopted_within_60d": bool(rng.random() < p) if known else None,
                }
            )
    return pd.DataFrame(rows)


def write_marts(warehouse: Path, frames: dict[str, pd.DataFrame]) -> None:
    """Create (or replace) each frame in its schema (``uptake.warehouse.schema_of``)."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists ml_inputs")
        for name, frame in frames.items():
            con.register("frame", frame)
            con.execute(f"create or replace table {schema_of(name)}.{name} as select * from frame")
            con.unregister("frame")
    finally:
        con.close()


def snapshot_date(days_before_as_of: int) -> date:
    return AS_OF - timedelta(days=days_before_as_of)
