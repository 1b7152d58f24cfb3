"""Train the adoption propensity model (uptake.ml.adoption), log it to MLflow, promote.

Same discipline as churn: a time-based holdout (the latest snapshot days), the peer-rate
baseline and the current champion scored on that holdout, the training set's sha256, a
calibration table, and ``champion`` only when the new model wins. When the training set's hash
equals the champion's, the champion already is this model: nothing is retrained.
"""

from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient

from uptake.ml import adoption, plots
from uptake.ml.adoption import AdoptionSpec
from uptake.ml.dataset import MartInputs, read_mart, time_split
from uptake.ml.evaluate import NAN, calibration_table
from uptake.ml.registry import CHAMPION, ensure_experiment, load_registered_model
from uptake.ml.report import TrainingReport
from uptake.ml.train import (
    _conclude,
    _log_figure,
    _log_metrics,
    _skip,
    _window_or_unchanged,
)
from uptake.settings import Settings
from uptake.warehouse import open_warehouse, table_exists


def load_candidates(settings: Settings) -> pd.DataFrame:
    with open_warehouse(settings, read_only=True) as con:
        if not table_exists(con, adoption.TABLE):
            raise KeyError(f"training the adoption model needs ml_inputs.{adoption.TABLE}")
        return read_mart(con, adoption.TABLE)


def train_adoption(
    settings: Settings, client: MlflowClient, inputs: MartInputs, spec: AdoptionSpec
) -> TrainingReport:
    candidates = load_candidates(settings)
    data = adoption.build_training_set(candidates, inputs.as_of, spec)
    split = time_split(data, "snapshot_date", spec.holdout_fraction)
    experiment_id = ensure_experiment(client, spec.experiment, settings)
    name = f"adoption {inputs.as_of}"
    with mlflow.start_run(experiment_id=experiment_id, run_name=name) as run:
        run_id = run.info.run_id
        hashed = ["account_id", "feature_key", "snapshot_date", "label", *spec.columns]
        kept = _window_or_unchanged(
            client, spec, run_id, inputs, data, split, "snapshot_date", hashed
        )
        if kept:
            return kept
        mlflow.log_params(
            {
                "horizon_days": spec.horizon_days,
                "holdout_fraction": spec.holdout_fraction,
                "features": ",".join(spec.columns),
                "train_positive_rate": float(split.train["label"].mean())
                if len(split.train)
                else NAN,
                **{f"model_{key}": value for key, value in spec.model_params.items()},
            }
        )
        if len(split.train) < spec.min_train_rows or split.train["label"].nunique() < 2:
            reason = (
                f"{len(split.train)} training rows with "
                f"{split.train['label'].nunique() if len(split.train) else 0} outcome(s) "
                f"(need >= {spec.min_train_rows} and both); no model trained"
            )
            return _skip(client, spec.name, run_id, reason, split)

        model = adoption.build_estimator(spec, split.train["label"])
        model.fit(adoption.model_frame(split.train, spec), split.train["label"])

        test = adoption.model_frame(split.test, spec)
        labels = split.test["label"]
        probability = adoption.adoption_probability(model, test) if len(test) else np.array([])
        metrics = adoption.evaluate(probability, labels)
        baseline_score = adoption.peer_baseline(split.test)
        baseline = adoption.evaluate(baseline_score, labels)
        baseline.pop("brier", None)  # a peer rate is a ranking, not a probability
        _log_metrics("holdout", metrics)
        _log_metrics("baseline", baseline)

        champion = load_registered_model(client, spec.name, CHAMPION)
        champion_metrics: dict[str, float] = {}
        if champion is not None and len(test):
            try:
                champion_metrics = adoption.evaluate(
                    adoption.adoption_probability(champion.model, test), labels
                )
            except (KeyError, ValueError) as error:  # its inputs changed
                mlflow.set_tag("champion_rescore_error", str(error)[:500])
            _log_metrics("champion", champion_metrics)

        if len(test):
            table = calibration_table(labels, probability)
            mlflow.log_table(table, "calibration/model_calibration.json")
            _log_figure(plots.calibration_figure({"model": table}), "calibration/calibration.png")
            uplift = adoption.engagement_table(model, split.test, spec).mean().round(4)
            mlflow.log_metrics({f"mean_p_{kind}": float(p) for kind, p in uplift.items()})

        example = adoption.model_frame(split.train, spec).head(5)
        return _conclude(
            client,
            spec,  # type: ignore[arg-type]
            run_id,
            model,
            example,
            metrics,
            baseline,
            champion,
            champion_metrics,
            split,
        )
