"""Model specifications: ``ml/<use case>.toml`` parsed into typed, immutable objects."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from uptake.settings import Settings


@dataclass(frozen=True)
class PromotionRule:
    metric: str
    min_delta: float = 0.0
    require_beat_baseline: bool = True
    min_value: float | None = None  # e.g. 0.5 for ROC AUC: never promote a worse-than-chance model


@dataclass(frozen=True)
class ChurnSpec:
    name: str
    experiment: str
    lookback_days: int
    holdout_fraction: float
    min_train_rows: int
    features: tuple[str, ...]
    estimator: str
    calibration: str
    calibration_cv: int
    random_state: int
    estimator_params: dict[str, Any] = field(default_factory=dict)
    promotion: PromotionRule = field(default_factory=lambda: PromotionRule("roc_auc"))


@dataclass(frozen=True)
class IntentSpec:
    name: str
    experiment: str
    intents: tuple[str, ...]
    holdout_fraction: float
    min_train_rows: int
    model_params: dict[str, Any] = field(default_factory=dict)
    promotion: PromotionRule = field(default_factory=lambda: PromotionRule("macro_f1"))


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _promotion(raw: dict[str, Any]) -> PromotionRule:
    return PromotionRule(
        metric=str(raw["metric"]),
        min_delta=float(raw.get("min_delta", 0.0)),
        require_beat_baseline=bool(raw.get("require_beat_baseline", True)),
        min_value=float(raw["min_value"]) if "min_value" in raw else None,
    )


def load_churn_spec(settings: Settings) -> ChurnSpec:
    raw = _read(settings.ml_config_dir / "churn.toml")
    model = raw["model"]
    estimator = str(model.get("estimator", "logistic_regression"))
    if estimator not in {"logistic_regression", "hist_gradient_boosting"}:
        raise ValueError(f"churn.toml: unknown estimator {estimator!r}")
    calibration = str(model.get("calibration", "sigmoid"))
    if calibration not in {"sigmoid", "isotonic", "none"}:
        raise ValueError(f"churn.toml: unknown calibration {calibration!r}")
    return ChurnSpec(
        name=str(raw["name"]),
        experiment=str(raw.get("experiment", raw["name"])),
        lookback_days=int(raw["label"]["lookback_days"]),
        holdout_fraction=float(raw["split"]["holdout_fraction"]),
        min_train_rows=int(raw["split"].get("min_train_rows", 20)),
        features=tuple(raw["features"]["numeric"]),
        estimator=estimator,
        calibration=calibration,
        calibration_cv=int(model.get("calibration_cv", 3)),
        random_state=int(model.get("random_state", 0)),
        estimator_params=dict(model.get(estimator, {})),
        promotion=_promotion(raw["promotion"]),
    )


def load_intent_spec(settings: Settings) -> IntentSpec:
    raw = _read(settings.ml_config_dir / "ticket_intent.toml")
    return IntentSpec(
        name=str(raw["name"]),
        experiment=str(raw.get("experiment", raw["name"])),
        intents=tuple(raw["label"]["intents"]),
        holdout_fraction=float(raw["split"]["holdout_fraction"]),
        min_train_rows=int(raw["split"].get("min_train_rows", 20)),
        model_params=dict(raw["model"]),
        promotion=_promotion(raw["promotion"]),
    )
