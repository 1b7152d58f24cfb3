"""Churn model: estimator, holdout evaluation against the rule baseline, and importances."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from uptake.ml.dataset import time_split
from uptake.ml.evaluate import NAN, binary_metrics
from uptake.ml.features import health_risk
from uptake.ml.fit_frames import EmptyColumnsAsZero
from uptake.ml.model_specs import ChurnSpec


def build_estimator(spec: ChurnSpec, y_train: pd.Series) -> tuple[ClassifierMixin, dict[str, Any]]:
    """The spec's pipeline, calibrated when each class has enough rows; a prior-only model
    when training holds one class (it still gives the base rate, and is never promoted
    because its holdout AUC is undefined or no better than chance)."""
    counts = y_train.value_counts()
    if len(counts) < 2:
        model = Pipeline(
            [
                ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                ("model", DummyClassifier(strategy="prior")),
            ]
        )
        return model, {"estimator": "prior_only", "calibrated": False}
    params = dict(spec.estimator_params)
    if spec.estimator == "hist_gradient_boosting":
        # Each calibration fold decides which columns it lacks (fit_frames).
        base: Pipeline = Pipeline(
            [
                ("empty_as_zero", EmptyColumnsAsZero()),
                ("model", HistGradientBoostingClassifier(random_state=spec.random_state, **params)),
            ]
        )
    else:
        base = Pipeline(
            [
                ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                ("scale", StandardScaler()),
                ("model", LogisticRegression(random_state=spec.random_state, **params)),
            ]
        )
    calibrate = spec.calibration != "none" and int(counts.min()) >= spec.calibration_cv
    model: ClassifierMixin = (
        CalibratedClassifierCV(
            base,
            method=spec.calibration,
            cv=spec.calibration_cv,
            ensemble=spec.calibration_ensemble,
        )
        if calibrate
        else base
    )
    return model, {"estimator": spec.estimator, "calibrated": calibrate, **params}


def churn_probability(model: Any, frame: pd.DataFrame) -> np.ndarray:
    """P(churn) for each row; the model's own feature list selects the columns."""
    columns = list(getattr(model, "feature_names_in_", frame.columns))
    probabilities = model.predict_proba(frame[columns].astype(float))
    classes = list(getattr(model, "classes_", [0, 1]))
    if 1 not in classes:
        return np.zeros(len(frame))
    return probabilities[:, classes.index(1)]


def platt_baseline(train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    """Rule risk on the holdout mapped to a probability by a 1-D logistic fit on training rows,
    so the baseline's Brier score is fair; its ranking (AUC) is the raw rule's."""
    risk_train = health_risk(train).to_numpy().reshape(-1, 1)
    risk_test = health_risk(test).to_numpy().reshape(-1, 1)
    if train["label"].nunique() < 2:
        return risk_test.ravel()
    scaler = LogisticRegression().fit(risk_train, train["label"])
    return scaler.predict_proba(risk_test)[:, 1]


def permutation_table(
    model: Any, frame: pd.DataFrame, labels: pd.Series, features: list[str], seed: int
) -> pd.DataFrame:
    """Permutation importance (drop in ROC AUC, or in Brier when one class), on ``frame``."""
    if len(frame) < 5 or len(getattr(model, "classes_", [])) < 2:
        return pd.DataFrame({"feature": features, "importance": NAN, "std": NAN})
    scoring = "roc_auc" if labels.nunique() == 2 else "neg_brier_score"
    result = permutation_importance(
        model, frame[features], labels, scoring=scoring, n_repeats=5, random_state=seed
    )
    table = pd.DataFrame(
        {"feature": features, "importance": result.importances_mean, "std": result.importances_std}
    )
    table["scoring"] = scoring
    return table.sort_values("importance", ascending=False).reset_index(drop=True)


def evaluate(probability: np.ndarray, labels: pd.Series) -> dict[str, float]:
    return binary_metrics(labels.to_numpy(), probability)


def select_estimator(
    spec: ChurnSpec, train: pd.DataFrame, date_column: str
) -> tuple[ChurnSpec, dict[str, float]]:
    """The candidate estimator with the best ROC AUC on the latest ``validation_fraction`` of the
    training rows (by ``date_column``), fit on the earlier ones. The holdout is never looked at.
    With one candidate, or too few rows of either class to validate, the spec's own estimator."""
    scores: dict[str, float] = {}
    if len(spec.candidates) < 2:
        return spec, scores
    # Whole days on one side, as for the holdout: a renewal's rows (one per lookback) share it.
    split = time_split(train, date_column, spec.validation_fraction)
    fit, check = split.train, split.test
    if fit["label"].nunique() < 2 or check["label"].nunique() < 2:
        return spec, scores
    features = list(spec.features)
    for name in spec.candidates:
        candidate = spec.with_estimator(name)
        model, _ = build_estimator(candidate, fit["label"])
        model.fit(fit[features].astype(float), fit["label"])
        scores[name] = binary_metrics(check["label"].to_numpy(), churn_probability(model, check))[
            "roc_auc"
        ]
    best = max(spec.candidates, key=lambda name: (scores[name], -spec.candidates.index(name)))
    return spec.with_estimator(best), scores
