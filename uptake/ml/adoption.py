"""Adoption propensity: P(an account adopts a feature within 60 days), per gap candidate.

Training rows are the earlier days of ``ml_inputs.fct_gap_candidates_every_30_days`` whose 60-day
outcome is known (``is_adopted_within_60d``); each row carries the signals as they stood on its day
and the first intervention of the next 30 days (``next_intervention_type``, ``none`` without one).
Asking the model the same gap with each intervention type gives the chance it works, against the
same gap left alone: that is ``adoption_probability_if_engaged`` and the recommended action.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import brier_score_loss
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from uptake.ml.evaluate import binary_metrics
from uptake.ml.fit_frames import EmptyColumnsAsZero
from uptake.ml.model_specs import PromotionRule, calibration_ensemble, promotion_rule
from uptake.settings import Settings

TABLE = "fct_gap_candidates_every_30_days"
LABEL = "is_adopted_within_60d"
NO_INTERVENTION = "none"


@dataclass(frozen=True)
class AdoptionSpec:
    name: str
    experiment: str
    horizon_days: int
    holdout_fraction: float
    min_train_rows: int
    numeric: tuple[str, ...]
    categorical: dict[str, tuple[str, ...]]
    model_params: dict[str, Any] = field(default_factory=dict)
    promotion: PromotionRule = field(default_factory=lambda: PromotionRule("roc_auc"))

    @property
    def columns(self) -> list[str]:
        return [*self.numeric, *self.categorical]

    @property
    def intervention_types(self) -> tuple[str, ...]:
        values = self.categorical.get("next_intervention_type", ())
        return tuple(v for v in values if v != NO_INTERVENTION)


def load_adoption_spec(settings: Settings) -> AdoptionSpec:
    with (settings.ml_config_dir / "adoption.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    calibration = str(raw["model"].get("calibration", "sigmoid"))
    if calibration not in {"sigmoid", "isotonic", "none"}:
        raise ValueError(f"adoption.toml: unknown calibration {calibration!r}")
    return AdoptionSpec(
        name=str(raw["name"]),
        experiment=str(raw.get("experiment", raw["name"])),
        horizon_days=int(raw["label"]["horizon_days"]),
        holdout_fraction=float(raw["split"]["holdout_fraction"]),
        min_train_rows=int(raw["split"].get("min_train_rows", 200)),
        numeric=tuple(raw["features"]["numeric"]),
        categorical={k: tuple(v) for k, v in raw["features"]["categorical"].items()},
        model_params={
            **raw["model"],
            "calibration_ensemble": calibration_ensemble(raw["model"], "adoption.toml"),
        },
        promotion=promotion_rule(raw["promotion"], "adoption.toml"),
    )


def model_frame(candidates: pd.DataFrame, spec: AdoptionSpec) -> pd.DataFrame:
    """The model's input columns, typed: floats (NaN allowed) and strings."""
    missing = [c for c in spec.columns if c not in candidates.columns]
    if missing:
        raise KeyError(f"ml_inputs.{TABLE} lacks column(s) the adoption model needs: {missing}")
    frame = pd.DataFrame(index=candidates.index)
    for column in spec.numeric:
        frame[column] = pd.to_numeric(candidates[column], errors="coerce").astype(float)
    for column in spec.categorical:
        frame[column] = candidates[column].astype("object").where(candidates[column].notna())
    if "next_intervention_type" in frame.columns:
        frame["next_intervention_type"] = frame["next_intervention_type"].fillna(NO_INTERVENTION)
    return frame


def build_training_set(candidates: pd.DataFrame, as_of: date, spec: AdoptionSpec) -> pd.DataFrame:
    """Rows whose outcome is known on ``as_of``, with ``label`` (1 = adopted within 60 days)."""
    known = candidates[candidates[LABEL].notna()].copy()
    day = pd.to_datetime(known["snapshot_date"])
    known = known[day <= pd.Timestamp(as_of) - pd.Timedelta(days=spec.horizon_days)]
    known["label"] = known[LABEL].astype(bool).astype(int)
    return known.sort_values(["snapshot_date", "account_id", "feature_key"]).reset_index(drop=True)


def build_estimator(spec: AdoptionSpec, labels: pd.Series) -> Pipeline:
    p = spec.model_params
    encoder = OneHotEncoder(
        categories=[list(v) for v in spec.categorical.values()],
        handle_unknown="ignore",
        sparse_output=False,
    )
    booster = HistGradientBoostingClassifier(
        max_depth=int(p.get("max_depth", 4)),
        learning_rate=float(p.get("learning_rate", 0.05)),
        max_iter=int(p.get("max_iter", 200)),
        min_samples_leaf=int(p.get("min_samples_leaf", 30)),
        l2_regularization=float(p.get("l2_regularization", 1.0)),
        random_state=int(p.get("random_state", 0)),
    )
    # Right before the booster, so each calibration fold decides which columns it lacks
    # (no use case on any account leaves no use-case peer rate; fit_frames).
    fitted: Any = Pipeline([("empty_as_zero", EmptyColumnsAsZero()), ("booster", booster)])
    calibration = str(p.get("calibration", "sigmoid"))
    cv = int(p.get("calibration_cv", 3))
    classifier: Any = fitted
    if calibration != "none" and labels.value_counts().min() >= cv:
        classifier = CalibratedClassifierCV(
            fitted, method=calibration, cv=cv, ensemble=p["calibration_ensemble"]
        )
    return Pipeline(
        [
            (
                "features",
                ColumnTransformer(
                    [
                        ("numeric", "passthrough", list(spec.numeric)),
                        ("categorical", encoder, list(spec.categorical)),
                    ]
                ),
            ),
            ("classifier", classifier),
        ]
    )


def peer_baseline(frame: pd.DataFrame) -> np.ndarray:
    """The score to beat: the peers' adoption rate (use case, else plan)."""
    rate = pd.to_numeric(frame["use_case_peer_rate"], errors="coerce")
    plan = pd.to_numeric(frame["plan_peer_rate"], errors="coerce")
    return rate.fillna(plan).fillna(0.0).to_numpy()


def evaluate(probability: np.ndarray, labels: pd.Series) -> dict[str, float]:
    metrics = binary_metrics(labels.to_numpy(), probability)
    if len(labels):
        metrics["brier"] = float(brier_score_loss(labels, probability, labels=[0, 1]))
    return metrics


def adoption_probability(model: Any, frame: pd.DataFrame) -> np.ndarray:
    return model.predict_proba(frame)[:, 1]


def engagement_table(model: Any, candidates: pd.DataFrame, spec: AdoptionSpec) -> pd.DataFrame:
    """Per candidate: P(adopt in 60 days) left alone (column ``none``) and with each type."""
    frame = model_frame(candidates, spec)
    columns = {}
    for kind in (NO_INTERVENTION, *spec.intervention_types):
        columns[kind] = adoption_probability(model, frame.assign(next_intervention_type=kind))
    return pd.DataFrame(columns, index=candidates.index)
