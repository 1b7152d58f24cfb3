"""Churn training windows against the rule baseline, on homes ``bench_quality.py`` built.

The churn model trains on one row per closed renewal, the account's snapshot 90 days before it
closed (ml/churn.toml ``lookback_days``), but scores renewals 0-365 days ahead. This script asks
whether more rows per renewal (snapshots 90, 120, ... days before it) close that gap: for each
home under ``--work`` it trains each variant on every closed renewal up to the as-of date,
scores the accounts' as-of snapshots and prints the ROC AUC on the renewals of the next 365
days as a share of the planted probabilities' AUC (the bench's churn figure), beside the rule
baseline (``health_risk``) on the same renewals. Reads the planted renewal truth, so it is a
benchmark, never part of the pipeline.

    .venv/bin/python benchmarks/bench_churn_windows.py --work /tmp/quality-dev
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path

import pandas as pd
from bench_homes import per_home_table
from sklearn.metrics import roc_auc_score

from uptake.ml import churn
from uptake.ml.dataset import build_churn_training_set, load_training_inputs, time_split
from uptake.ml.evaluate import binary_metrics, roc_auc_win_share
from uptake.ml.features import HEALTH_INPUTS, health_risk
from uptake.ml.model_specs import ChurnSpec, load_churn_spec
from uptake.ml.promotion import decide_promotion
from uptake.scoring.account_scores import latest_snapshots
from uptake.settings import get_settings
from uptake.simulation.evaluation import load_renewal_truth, renewals_ahead

EVERY_30_FROM_90 = (90, 120, 150, 180, 210, 240, 270, 300, 330, 360)
WITH_INTERVENTIONS = (*HEALTH_INPUTS, "interventions_90d")
# name -> (lookbacks in days, estimator or "select" (the spec's candidates, chosen on the
# latest training renewals as training does), features: None = the spec's)
VARIANTS: dict[str, tuple[tuple[int, ...], str, tuple[str, ...] | None]] = {
    "lr 90": ((90,), "logistic_regression", None),
    "lr 90..360": (EVERY_30_FROM_90, "logistic_regression", None),
    "hgb 90..360": (EVERY_30_FROM_90, "hist_gradient_boosting", None),
    "lr health inputs 90": ((90,), "logistic_regression", HEALTH_INPUTS),
    "lr health inputs 90..360": (EVERY_30_FROM_90, "logistic_regression", HEALTH_INPUTS),
    "lr health + interventions 90..360": (
        EVERY_30_FROM_90,
        "logistic_regression",
        WITH_INTERVENTIONS,
    ),
    "select health inputs 90..360": (EVERY_30_FROM_90, "select", HEALTH_INPUTS),
    "shipped spec": ((), "select", None),
}


def training_rows(inputs, spec: ChurnSpec, lookbacks: tuple[int, ...]) -> pd.DataFrame:
    """One row per closed renewal and lookback (each point in time, as in training)."""
    if lookbacks:
        spec = dataclasses.replace(spec, lookback_days=lookbacks)
    return build_churn_training_set(inputs.renewals, inputs.snapshots, spec, inputs.as_of)


def home_shares(home: Path) -> dict[str, float]:
    """Each variant's and the baseline's churn AUC / oracle AUC on one home."""
    env = {**os.environ, "UPTAKE_HOME": str(home), "UPTAKE_LANDING_DIR": str(home / "landing")}
    settings = get_settings(env)
    spec = load_churn_spec(settings)
    inputs = load_training_inputs(settings, None)
    as_of = pd.Timestamp(inputs.as_of)
    active = inputs.accounts[inputs.accounts["is_active_customer"].astype(bool)]
    latest = latest_snapshots(inputs.snapshots, active[["account_id"]], as_of)
    truth = load_renewal_truth(home / "landing" / "_truth")
    ahead = renewals_ahead(truth, as_of, latest[["account_id"]])
    oracle = roc_auc_score(ahead["churned"], ahead["churn_probability"])

    def share(probability) -> float:
        scored = ahead.merge(latest[["account_id"]].assign(p=probability), on="account_id")
        return roc_auc_score(scored["churned"], scored["p"])

    baseline = share(health_risk(latest).to_numpy()) / oracle
    shares = {("every renewal", "rule baseline"): baseline, ("gated", "rule baseline"): baseline}
    for name, (lookbacks, estimator, features) in VARIANTS.items():
        variant = spec if estimator == "select" else spec.with_estimator(estimator)
        if features:
            variant = dataclasses.replace(variant, features=features)
        rows = training_rows(inputs, variant, lookbacks)
        shares["every renewal", name] = share(fit(variant, rows, estimator, latest)) / oracle
        shares["gated", name] = gated_share(variant, rows, estimator, latest, share) / oracle
    return shares


def fit(variant: ChurnSpec, rows: pd.DataFrame, estimator: str, latest: pd.DataFrame):
    """The variant trained on ``rows``; its churn probabilities of the ``latest`` snapshots."""
    if estimator == "select":
        variant, _ = churn.select_estimator(variant, rows, "close_date")
    model, _ = churn.build_estimator(variant, rows["label"])
    model.fit(rows[list(variant.features)].astype(float), rows["label"])
    return churn.churn_probability(model, latest)


def gated_share(variant: ChurnSpec, rows: pd.DataFrame, estimator: str, latest, share) -> float:
    """What training ships (uptake.ml.train.train_churn): the variant fit on the renewals
    before the time-based holdout, live only when the promotion rule promotes it there against
    the rule baseline (no earlier champion, as in a fresh home); else the rule."""
    split = time_split(rows, "close_date", variant.holdout_fraction)
    if len(split.train) < variant.min_train_rows:
        return share(health_risk(latest).to_numpy())
    labels = split.test["label"].to_numpy()
    rule_spec = variant.promotion
    scores = fit(variant, split.train, estimator, split.test)
    rule_risk = health_risk(split.test).to_numpy()
    candidate = binary_metrics(labels, scores)[rule_spec.metric]
    rule = binary_metrics(labels, rule_risk)[rule_spec.metric]
    wins = roc_auc_win_share(
        labels, scores, rule_risk, rule_spec.bootstrap_resamples, variant.random_state
    )
    if decide_promotion(rule_spec, candidate, rule, None, None, wins).promote:
        return share(fit(variant, split.train, estimator, latest))
    return share(health_risk(latest).to_numpy())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True, help="a bench_quality.py --work dir")
    args = parser.parse_args(argv)
    table, setting = per_home_table(args.work, home_shares)
    for how, title in (
        ("every renewal", "trained on every closed renewal, always live"),
        ("gated", "as training ships it: fit before the holdout, live if it beats the rule there"),
    ):  # fmt: skip
        part = table[how]
        print(f"\n{title}: churn AUC (next 365 days) / oracle AUC, per home")
        print(part.round(3).to_string())
        print("mean per setting:")
        print(part.groupby(setting).mean().T.round(3).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
