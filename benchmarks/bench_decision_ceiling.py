"""How far any scorer can go on the gap decisions, given every trace the simulator planted.

The pipeline sees a landing zone: events, tickets, notes and interventions, some of them
unlabelled, misread or untagged. The simulator knows, per account x feature, every trace it
drew from the pair's latent cause (which ticket intents and note kinds it planted for the pair,
the trial's users, rate, end, errors and stray clicks, the interventions and their types),
and what the cause was drawn from (feature category, the use case's relevance and product-fit
risk, the account's latent health, how far its renewal is). This benchmark gives a learner all
of that, traced to the pair without loss, plus the latent health no landing zone shows, and
measures on the evaluation seeds what it reaches:

- ``cause_f1``: root-cause macro-F1 (training / product_fit / urgency) on the real gaps, the
  learner told which gaps are real (the pipeline must also find them, so its ceiling is lower);
- ``flagged_f1``: F1 of flagging the real gaps among every entitled pair of the active accounts,
  at the threshold that is best on the training seeds (out of fold);
- ``precision_at_50``: real gaps among the 50 pairs it thinks likeliest to be real.

Trained on simulated development seeds only (``--train-seeds``, default 11 to 40: none is an
evaluation seed), by scikit-learn's histogram gradient boosting. A learner is not the Bayes
rule, so these are estimates of the ceiling, not proofs; with every trace given to it and tens
of thousands of rows, they are generous ones. Reads the planted state, so it is a benchmark,
never part of the pipeline. A few minutes a setting on two cores (both catalogs, 30 seeds):

    .venv/bin/python benchmarks/bench_decision_ceiling.py --difficulty hard
"""

from __future__ import annotations

import argparse
from collections import Counter

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold, cross_val_predict

from uptake.simulation import parameters
from uptake.simulation.adoption_states import NEVER
from uptake.simulation.catalog import CATALOGS
from uptake.simulation.evaluation import ACTIONABLE, EVAL_SEEDS
from uptake.simulation.signal_timing import NOTE_SIGNALS, TICKET_SIGNALS
from uptake.simulation.simulator import draw_company
from uptake.simulation.truth import truth_label
from uptake.simulation.world import make_window

TOP_K = 50
IDENTITY = ("seed", "account_id", "feature_key", "is_real", "cause")  # not signals
CATEGORIES = ("core", "advanced", "premium")
BOOSTING = {"max_iter": 300, "learning_rate": 0.05, "max_leaf_nodes": 31, "random_state": 0}


def planted_pairs(
    seed: int, difficulty: str, catalog: str, accounts: int = 300, months: int = 12
) -> pd.DataFrame:
    """Every entitled pair of the accounts still active at the end, with the traces planted for
    it and its truth, drawn by ``simulate``'s own ``draw_company`` for the same arguments."""
    window = make_window(parameters.DEFAULT_END_DATE, months)
    company = draw_company(seed, accounts, window, difficulty, catalog)
    world, pairs = company.world, company.pairs
    tickets, notes, interventions = company.tickets, company.notes, company.interventions
    last = window.days - 1

    def seen(created: int) -> bool:
        return created // 86400 <= last

    ticket_counts = Counter(
        (t.account, t.feature, t.intent) for t in tickets if t.feature >= 0 and seen(t.created)
    )
    note_counts = Counter(
        (n.account, n.feature, n.kind) for n in notes if n.feature >= 0 and seen(n.created)
    )
    intervention_counts = Counter((i.pair, i.kind) for i in interventions)
    features = world.catalog.features
    rows = []
    for pair in range(len(pairs)):
        account = world.accounts[int(pairs.account[pair])]
        if account.churn_day is not None or pairs.entitled_day[pair] > last:
            continue  # the evaluation counts the active accounts' entitled pairs only
        status, cause = truth_label(pairs, pair, last)
        feature = features[int(pairs.feature[pair])]
        key = (account.index, int(pairs.feature[pair]))
        tried = pairs.trial_start[pair] <= last
        renewal = next((d for d in account.renewal_days if d >= last), last + 365)
        row = {
            "seed": seed,
            "account_id": account.account_id,
            "feature_key": pairs.feature_key[pair],
            "is_real": status == "gap" and cause in ACTIONABLE,
            "cause": cause if status == "gap" else status,
            "health": account.health,
            "relevance": feature.relevance[account.use_case],
            "fit_risk": feature.fit_risk[account.use_case],
            "renewal_in_days": renewal - last,
            "days_entitled": last - int(pairs.entitled_day[pair]),
            "expected_days": int(pairs.expected_days[pair]),
            "adopted": status == "adopted",
            "tried": bool(tried),
            "trial_days": (min(int(pairs.trial_end[pair]), last) - int(pairs.trial_start[pair]))
            if tried
            else -1,
            "trial_ended": bool(tried and pairs.trial_end[pair] < NEVER),
            "trial_users": float(pairs.trial_users[pair]) if tried else 0.0,
            "trial_rate": float(pairs.trial_rate[pair]) / feature.active_min_events_30d
            if tried
            else 0.0,
            "errors": float(pairs.error_share[pair]) > 0,
            "stray_clicks": int(pairs.stray_clicks[pair]),
        }
        for category in CATEGORIES:
            row[f"category_{category}"] = feature.category == category
        for intent in TICKET_SIGNALS.values():
            row[f"tickets_{intent}"] = ticket_counts[(*key, intent)]
        for kind in NOTE_SIGNALS:
            row[f"notes_{kind}"] = note_counts[(*key, kind)]
        for kind in parameters.INTERVENTION_TYPES:
            row[f"intervention_{kind}"] = intervention_counts[(pair, kind)]
        rows.append(row)
    return pd.DataFrame(rows)


def seed_range(text: str) -> list[int]:
    """``11-40`` or ``11,12,13``."""
    if "-" in text:
        low, high = (int(part) for part in text.split("-"))
        return list(range(low, high + 1))
    return [int(part) for part in text.split(",")]


def signal_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in IDENTITY]


def best_threshold(truth: np.ndarray, probability: np.ndarray) -> float:
    grid = np.linspace(0.05, 0.95, 91)
    scores = [f1_score(truth, probability >= t, zero_division=0) for t in grid]
    return float(grid[int(np.argmax(scores))])


def ceilings(train: pd.DataFrame, test: pd.DataFrame) -> pd.DataFrame:
    """Per test seed: cause_f1, flagged_f1, precision_at_50 of learners fitted on ``train``."""
    columns = signal_columns(train)
    gaps = train[train["is_real"]]
    cause_model = HistGradientBoostingClassifier(**BOOSTING).fit(gaps[columns], gaps["cause"])

    real_model = HistGradientBoostingClassifier(**BOOSTING)
    out_of_fold = cross_val_predict(
        real_model,
        train[columns],
        train["is_real"],
        groups=train["seed"],
        cv=GroupKFold(n_splits=3),
        method="predict_proba",
    )[:, 1]
    threshold = best_threshold(train["is_real"].to_numpy(), out_of_fold)
    real_model.fit(train[columns], train["is_real"])

    figures = {}
    for seed, home in test.groupby("seed"):
        real = home[home["is_real"]]
        stated = cause_model.predict(real[columns])
        probability = real_model.predict_proba(home[columns])[:, 1]
        top = home.assign(p=probability).sort_values("p", ascending=False).head(TOP_K)
        figures[seed] = {
            "real_gaps": len(real),
            "cause_f1": f1_score(
                real["cause"], stated, labels=list(ACTIONABLE), average="macro", zero_division=0
            ),
            "flagged_f1": f1_score(home["is_real"], probability >= threshold, zero_division=0),
            "precision_at_50": float(top["is_real"].mean()),
            "threshold": threshold,
        }
    return pd.DataFrame(figures).T


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--difficulty", choices=parameters.DIFFICULTIES, default="hard")
    parser.add_argument("--catalog", choices=sorted(CATALOGS), default=None, help="default: both")
    parser.add_argument("--train-seeds", type=seed_range, default=seed_range("11-40"))
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args(argv)
    leaked = sorted(set(args.train_seeds) & set(EVAL_SEEDS))
    if leaked:
        parser.error(f"--train-seeds must not hold evaluation seeds: {leaked}")
    pd.set_option("display.width", 120)
    status = 1
    for catalog in [args.catalog] if args.catalog else sorted(CATALOGS):

        def build(seeds: list[int], catalog: str = catalog) -> pd.DataFrame:
            homes = [
                planted_pairs(s, args.difficulty, catalog, args.accounts, args.months)
                for s in seeds
            ]
            return pd.concat(homes, ignore_index=True)

        train, test = build(args.train_seeds), build(EVAL_SEEDS)
        table = ceilings(train, test)
        print(
            f"{catalog} {args.difficulty}: fitted on {len(train):,} pairs of seeds "
            f"{args.train_seeds[0]}..{args.train_seeds[-1]} "
            f"({int(train['is_real'].sum()):,} real gaps); evaluation seeds:"
        )
        print(table.round(3).to_string())
        means = table[["cause_f1", "flagged_f1", "precision_at_50"]].mean()
        print("mean: " + ", ".join(f"{name} {value:.3f}" for name, value in means.items()))
        status = 0 if np.isfinite(means.to_numpy()).all() else status
    return status


if __name__ == "__main__":
    raise SystemExit(main())
