"""Fit the cross-company churn prior on development homes and write ``ml/churn_prior.toml``.

    python benchmarks/bench_quality.py --split dev --work DIR
    python benchmarks/bench_quality.py --split dev --work DIR --catalog field_service
    python benchmarks/fit_churn_prior.py DIR [DIR ...] [--out ml/churn_prior.toml] [--check-only]

Every home under DIR is read as training reads it: its closed renewals, each with the
account's point-in-time snapshots 90, 120, ... 360 days before it
(``uptake.ml.churn_prior.prior_training_rows``). Prints, per home,
the churn AUC (renewals in the next 365 days, as a share of the planted oracle's, as
``uptake evaluate`` measures it) of the prior fitted on the other homes beside the health
score's, then their means per setting; then fits on every home and writes the TOML
(``--check-only``: figures only). The fit reads no planted truth (only the check does); only
development seeds belong here all the same.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pandas as pd
from fit_root_cause import checkout_commit
from sklearn.metrics import roc_auc_score

from uptake.ml.churn_prior import (
    PRIOR_LOOKBACK_DAYS,
    fit_churn_prior,
    prior_toml,
    prior_training_rows,
)
from uptake.ml.dataset import load_training_inputs
from uptake.ml.features import health_risk
from uptake.ml.model_specs import load_churn_spec
from uptake.scoring.account_scores import latest_snapshots
from uptake.simulation.cause_fit import development_homes, point_at_home
from uptake.simulation.evaluation import load_renewal_truth, read_outputs, renewals_ahead

# The churn spec's eight snapshot features and the quarter's ticket count; ticket counts are
# read as log(1 + n). Chosen on the development homes, each left out in turn (docs/models.md).
FEATURES = (
    "license_utilization",
    "usage_trend_30d",
    "adoption_depth_pct",
    "weighted_depth_pct",
    "tickets_30d",
    "tickets_90d",
    "bug_tickets_30d",
    "how_to_tickets_30d",
    "interventions_90d",
)
LOG_FEATURES = ("tickets_30d", "tickets_90d")
# The trend is a ratio of two 30-day event counts: a quiet month before makes it huge. Read
# within [-1, 1], as the health score reads it.
CLIP = {"usage_trend_30d": (-1.0, 1.0)}


def home_rows(home: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The home's churn training rows, and its renewals closing in the next 365 days with the
    accounts' latest snapshot and the planted outcome (for the check only)."""
    settings = point_at_home(home)
    inputs = load_training_inputs(settings, None)
    spec = load_churn_spec(settings)
    training = prior_training_rows(inputs.renewals, inputs.snapshots, spec, inputs.as_of)
    outputs = read_outputs(settings)
    latest = latest_snapshots(inputs.snapshots, outputs.accounts, outputs.as_of)
    planted = load_renewal_truth(settings.landing_dir / "_truth")
    planted = planted[["account_id", "close_date", "churned", "churn_probability"]]
    return training, renewals_ahead(planted, outputs.as_of, latest)


def leave_one_home_out(rows: dict[str, tuple[pd.DataFrame, pd.DataFrame]]) -> pd.DataFrame:
    figures = []
    for name, (_, ahead) in rows.items():
        others = pd.concat([train for key, (train, _) in rows.items() if key != name])
        prior = fit_churn_prior(others, FEATURES, LOG_FEATURES, version="check", clip=CLIP)
        churned = ahead["churned"]
        oracle = roc_auc_score(churned, ahead["churn_probability"])
        figures.append(
            {
                "home": name,
                "renewals": len(ahead),
                "prior": roc_auc_score(churned, prior.probability(ahead)) / oracle,
                "health_score": roc_auc_score(churned, health_risk(ahead)) / oracle,
            }
        )
    return pd.DataFrame(figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, default=Path("ml/churn_prior.toml"))
    parser.add_argument("--check-only", action="store_true")
    args = parser.parse_args()
    homes = [home for root in args.work for home in development_homes(root.resolve())]
    rows = {f"{home.parent.name}/{home.name}": home_rows(home) for home in homes}
    figures = leave_one_home_out(rows)
    pd.set_option("display.width", 120)
    print(figures.round(3).to_string(index=False))
    setting = figures["home"].str.split("/").str[-1].str.replace(r"-\d+$", "", regex=True)
    print(figures.drop(columns="home").groupby(setting).mean().round(3).to_string())
    means = figures[["prior", "health_score"]].mean().round(3)
    ahead = int((figures["prior"] > figures["health_score"]).sum())
    print(
        f"mean: prior {means['prior']}, health score {means['health_score']}; "
        f"prior ahead on {ahead} of {len(figures)} homes"
    )
    if args.check_only:
        return
    pooled = pd.concat([train for train, _ in rows.values()], ignore_index=True)
    prior = fit_churn_prior(
        pooled, FEATURES, LOG_FEATURES, version=date.today().isoformat(), clip=CLIP
    )
    provenance = {
        "fitted_on": ", ".join(rows),
        "renewals": str(sum(train["renewal_id"].nunique() for train, _ in rows.values())),
        "rows": str(len(pooled)),
        "lookback_days": ", ".join(str(days) for days in PRIOR_LOOKBACK_DAYS),
        "code_commit": checkout_commit(),
    }
    args.out.write_text(prior_toml(prior, provenance))
    print(f"wrote {args.out} (version {prior.version})")


if __name__ == "__main__":
    main()
