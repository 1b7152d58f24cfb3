"""Model specifications: ``ml/<use case>.toml`` parsed into typed, immutable objects."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from uptake.settings import Settings


@dataclass(frozen=True)
class PromotionRule:
    metric: str
    min_delta: float = 0.0
    require_beat_baseline: bool = True
    min_value: float | None = None  # e.g. 0.5 for ROC AUC: never promote a worse-than-chance model
    # Share of bootstrap resamples of the holdout in which the model must beat the baseline's
    # ROC AUC (None: one comparison on the holdout as drawn decides).
    baseline_confidence: float | None = None
    bootstrap_resamples: int = 2000
    # Churn only: also beat the cross-company churn prior, which scores while no champion
    # exists, on the same holdout (the scorer that wins there is the one that scores).
    require_beat_prior: bool = False


@dataclass(frozen=True)
class ChurnSpec:
    name: str
    experiment: str
    lookback_days: tuple[int, ...]  # one training row per renewal and lookback
    holdout_fraction: float
    min_train_rows: int
    features: tuple[str, ...]
    estimator: str
    calibration: str
    calibration_cv: int
    random_state: int
    # True: the calibrated ensemble of calibration_cv fold models; False: one model refit on
    # every row, calibrated on out-of-fold predictions (a third of the model to log and load).
    calibration_ensemble: bool = True
    estimator_params: dict[str, Any] = field(default_factory=dict)
    promotion: PromotionRule = field(default_factory=lambda: PromotionRule("roc_auc"))
    # Estimators tried; the one with the best ROC AUC on the latest part of the training rows
    # (a time-based validation split, never the holdout) is refit on all of them.
    candidates: tuple[str, ...] = ()
    params_by_estimator: dict[str, dict[str, Any]] = field(default_factory=dict)
    validation_fraction: float = 0.25

    def with_estimator(self, name: str) -> ChurnSpec:
        return replace(
            self, estimator=name, estimator_params=dict(self.params_by_estimator.get(name, {}))
        )


@dataclass(frozen=True)
class IntentSpec:
    name: str
    experiment: str
    intents: tuple[str, ...]
    holdout_fraction: float
    min_train_rows: int
    model_params: dict[str, Any] = field(default_factory=dict)
    promotion: PromotionRule = field(default_factory=lambda: PromotionRule("macro_f1"))


@dataclass(frozen=True)
class PersonaSpec:
    name: str
    experiment: str
    windows_days: tuple[int, ...]
    k_min: int
    k_max: int
    min_accounts: int
    n_init: int
    max_iter: int
    random_state: int
    top_features: int
    min_z: float


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _lookbacks(raw: Any) -> tuple[int, ...]:
    """``lookback_days``: one number of days or a list; each at least 1, no repeats."""
    values = raw if isinstance(raw, list) else [raw]
    if not values or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in values):
        raise ValueError(
            f"churn.toml: lookback_days must be days >= 1 or a list of them, not {raw!r}"
        )
    if len(set(values)) != len(values):
        raise ValueError(f"churn.toml: lookback_days repeats a value: {raw!r}")
    return tuple(sorted(values))


def promotion_rule(raw: dict[str, Any], source: str, bootstrap: bool = False) -> PromotionRule:
    """``bootstrap``: the churn trainer computes the holdout's bootstrap win share against the
    baseline and scores the churn prior on it, so ``baseline_confidence`` (ROC AUC only) and
    ``require_beat_prior`` may be set."""
    confidence = raw.get("baseline_confidence")
    resamples = raw.get("bootstrap_resamples", 2000)
    if confidence is not None:
        if not bootstrap or raw["metric"] != "roc_auc":
            raise ValueError(
                f"{source}: promotion.baseline_confidence is only read by the churn model's "
                "roc_auc gate"
            )
        if isinstance(confidence, bool) or not isinstance(confidence, int | float):
            raise ValueError(f"{source}: promotion.baseline_confidence must be a number")
        if not 0.5 <= confidence < 1:
            raise ValueError(
                f"{source}: promotion.baseline_confidence must be in [0.5, 1), not {confidence}"
            )
    beat_prior = raw.get("require_beat_prior", False)
    if not isinstance(beat_prior, bool):
        raise ValueError(f"{source}: promotion.require_beat_prior must be true or false")
    if beat_prior and not bootstrap:
        raise ValueError(
            f"{source}: promotion.require_beat_prior is only read by the churn model's gate"
        )
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 100:
        raise ValueError(
            f"{source}: promotion.bootstrap_resamples must be an integer >= 100, not {resamples!r}"
        )
    return PromotionRule(
        metric=str(raw["metric"]),
        min_delta=float(raw.get("min_delta", 0.0)),
        require_beat_baseline=bool(raw.get("require_beat_baseline", True)),
        min_value=float(raw["min_value"]) if "min_value" in raw else None,
        baseline_confidence=float(confidence) if confidence is not None else None,
        bootstrap_resamples=resamples,
        require_beat_prior=beat_prior,
    )


def calibration_ensemble(model: dict[str, Any], source: str) -> bool:
    """A spec's ``model.calibration_ensemble``; absent means sklearn's own default, the ensemble."""
    value = model.get("calibration_ensemble", True)
    if not isinstance(value, bool):
        raise ValueError(f"{source}: calibration_ensemble must be true or false, not {value!r}")
    return value


def load_churn_spec(settings: Settings) -> ChurnSpec:
    raw = _read(settings.ml_config_dir / "churn.toml")
    model = raw["model"]
    estimator = str(model.get("estimator", "logistic_regression"))
    if estimator not in {"logistic_regression", "hist_gradient_boosting"}:
        raise ValueError(f"churn.toml: unknown estimator {estimator!r}")
    calibration = str(model.get("calibration", "sigmoid"))
    if calibration not in {"sigmoid", "isotonic", "none"}:
        raise ValueError(f"churn.toml: unknown calibration {calibration!r}")
    candidates = tuple(model.get("candidates", (estimator,)))
    unknown = [c for c in candidates if c not in {"logistic_regression", "hist_gradient_boosting"}]
    if unknown:
        raise ValueError(f"churn.toml: unknown candidate estimator(s) {unknown}")
    return ChurnSpec(
        name=str(raw["name"]),
        experiment=str(raw.get("experiment", raw["name"])),
        lookback_days=_lookbacks(raw["label"]["lookback_days"]),
        holdout_fraction=float(raw["split"]["holdout_fraction"]),
        min_train_rows=int(raw["split"].get("min_train_rows", 20)),
        features=tuple(raw["features"]["numeric"]),
        estimator=estimator,
        calibration=calibration,
        calibration_cv=int(model.get("calibration_cv", 3)),
        random_state=int(model.get("random_state", 0)),
        calibration_ensemble=calibration_ensemble(model, "churn.toml"),
        estimator_params=dict(model.get(estimator, {})),
        promotion=promotion_rule(raw["promotion"], "churn.toml", bootstrap=True),
        candidates=candidates,
        params_by_estimator={name: dict(model.get(name, {})) for name in candidates},
        validation_fraction=float(model.get("validation_fraction", 0.25)),
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
        promotion=promotion_rule(raw["promotion"], "ticket_intent.toml"),
    )


def load_persona_spec(settings: Settings) -> PersonaSpec:
    raw = _read(settings.ml_config_dir / "personas.toml")
    selection, model, naming = raw["selection"], raw["model"], raw["naming"]
    windows = tuple(sorted(int(days) for days in raw["profile"]["windows_days"]))
    spec = PersonaSpec(
        name=str(raw["name"]),
        experiment=str(raw.get("experiment", raw["name"])),
        windows_days=windows,
        k_min=int(selection["k_min"]),
        k_max=int(selection["k_max"]),
        min_accounts=int(selection["min_accounts"]),
        n_init=int(model.get("n_init", 10)),
        max_iter=int(model.get("max_iter", 300)),
        random_state=int(model.get("random_state", 0)),
        top_features=int(naming.get("top_features", 2)),
        min_z=float(naming.get("min_z", 0.5)),
    )
    if not windows or windows[0] < 1:
        raise ValueError("personas.toml: profile.windows_days needs positive day counts")
    if not 2 <= spec.k_min <= spec.k_max:
        raise ValueError("personas.toml: selection needs 2 <= k_min <= k_max")
    return spec
