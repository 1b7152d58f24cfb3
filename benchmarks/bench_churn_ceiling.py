"""How far any churn scorer of today's snapshot can go, on homes ``bench_quality.py`` built.

The evaluation's churn figure is the ROC AUC on the renewals of the next 365 days as a share of
the AUC of their planted probabilities (the oracle). The oracle knows two things no scorer can:
the draw of noise in each renewal's law, and the account's state on its decision day, up to a
year after the as-of date. For each home under ``--work`` this prints, as shares of the
oracle's AUC on the same renewals:

- ``no_noise``: the planted law on the true decision-day state with its noise left out (a
  scorer that knew the future state exactly and nothing else);
- ``depth_only``: the true decision-day weighted depth alone;
- ``pipeline``: the churn probability the run stored in ``marts.account_scores``;
- ``health_score``: the rule baseline.

Reads the planted truth, so it is a benchmark, never part of the pipeline.

    .venv/bin/python benchmarks/bench_churn_ceiling.py --work /tmp/quality-eval
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from bench_homes import per_home_table
from sklearn.metrics import roc_auc_score

from uptake.settings import get_settings
from uptake.simulation.evaluation import load_renewal_truth, read_outputs, renewals_ahead
from uptake.simulation.renewal_outcomes import churn_probability

DECISION_STATE = ["weighted_depth", "usage_trend", "tickets_90d", "license_utilization"]


def home_shares(home: Path) -> dict[str, float]:
    env = {"UPTAKE_HOME": str(home), "UPTAKE_LANDING_DIR": str(home / "landing")}
    outputs = read_outputs(get_settings(env))
    planted = load_renewal_truth(home / "landing" / "_truth")
    ahead = renewals_ahead(planted, outputs.as_of, outputs.churn)
    churned = ahead["churned"]
    if churned.nunique() < 2:
        return {"renewals": float(len(ahead))}
    no_noise = [
        churn_probability(depth, trend, int(tickets), utilization, noise=0.0)
        for depth, trend, tickets, utilization in ahead[DECISION_STATE].to_numpy()
    ]
    oracle = roc_auc_score(churned, ahead["churn_probability"])
    return {
        "renewals": float(len(ahead)),
        "no_noise": roc_auc_score(churned, no_noise) / oracle,
        "depth_only": roc_auc_score(churned, -ahead["weighted_depth"]) / oracle,
        "pipeline": roc_auc_score(churned, ahead["model_churn"]) / oracle,
        "health_score": roc_auc_score(churned, ahead["baseline_churn"]) / oracle,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True, help="a bench_quality.py --work dir")
    args = parser.parse_args(argv)
    table, setting = per_home_table(args.work, home_shares)
    pd.set_option("display.width", 120)
    print("churn AUC (next 365 days) as a share of the oracle's, per home")
    print(table.round(3).to_string())
    print("mean per setting:")
    print(table.groupby(setting).mean().round(3).to_string())
    return 0 if np.isfinite(table.get("no_noise", pd.Series(dtype=float))).any() else 1


if __name__ == "__main__":
    raise SystemExit(main())
