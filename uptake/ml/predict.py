"""Scoring-time access to the champions, with the documented rule fallbacks.

``models:/uptake-churn@champion`` and ``models:/uptake-ticket-intent@champion`` are loaded
when they exist; otherwise the churn score is the rule-based health risk and intents come from
the keyword rule, and the returned ``model_name`` says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from uptake.ml.churn import churn_probability
from uptake.ml.dataset import build_churn_training_set, load_training_inputs
from uptake.ml.features import health_risk, keyword_intent
from uptake.ml.model_specs import load_churn_spec, load_intent_spec
from uptake.ml.registry import CHAMPION, client_for, load_registered_model
from uptake.ml.ticket_intent import predict_intents
from uptake.settings import Settings

RULE_BASELINE = "rule-baseline"
KEYWORD_RULE = "keyword-rule"


@dataclass(frozen=True)
class ChurnScorer:
    model_name: str
    model_version: str
    features: tuple[str, ...]
    predict: Callable[[pd.DataFrame], np.ndarray]

    @property
    def is_model(self) -> bool:
        return self.model_name != RULE_BASELINE


@dataclass(frozen=True)
class IntentPredictor:
    model_name: str
    model_version: str
    predict: Callable[[pd.DataFrame], list[str]]  # a frame with ``title`` and ``body``


def _model_churn(model: Any) -> Callable[[pd.DataFrame], np.ndarray]:
    return lambda frame: churn_probability(model, frame)


def rule_churn_scorer(history: pd.DataFrame | None = None) -> ChurnScorer:
    """The health-score rule; Platt-scaled on ``history`` (closed renewals with their label and
    point-in-time snapshot, as in training) when it holds both outcomes, so the fallback's
    probabilities sit at the observed churn rate instead of ``1 - health/100``."""
    inputs = ("adoption_depth_pct", "license_utilization", "usage_trend_30d", "tickets_30d")
    if history is not None and history["label"].nunique() == 2:
        scaler = LogisticRegression().fit(
            health_risk(history).to_numpy().reshape(-1, 1), history["label"]
        )

        def predict(frame: pd.DataFrame) -> np.ndarray:
            return scaler.predict_proba(health_risk(frame).to_numpy().reshape(-1, 1))[:, 1]

    else:

        def predict(frame: pd.DataFrame) -> np.ndarray:
            return health_risk(frame).to_numpy()

    return ChurnScorer(RULE_BASELINE, RULE_BASELINE, inputs, predict)


def load_churn_scorer(settings: Settings, as_of_date: date | None = None) -> ChurnScorer:
    spec = load_churn_spec(settings)
    loaded = load_registered_model(client_for(settings), spec.name, CHAMPION)
    if loaded is None:
        inputs = load_training_inputs(settings, as_of_date)
        history = build_churn_training_set(inputs.renewals, inputs.snapshots, spec, inputs.as_of)
        return rule_churn_scorer(history)
    features = tuple(getattr(loaded.model, "feature_names_in_", spec.features))
    return ChurnScorer(spec.name, loaded.version, features, _model_churn(loaded.model))


@dataclass(frozen=True)
class AdoptionModel:
    model_name: str
    model_version: str
    model: Any
    spec: Any  # uptake.ml.adoption.AdoptionSpec


def load_adoption_model(settings: Settings) -> AdoptionModel | None:
    """The adoption propensity champion, or None before one exists (scoring then uses the
    measured intervention rates, and says so)."""
    from uptake.ml.adoption import load_adoption_spec

    spec = load_adoption_spec(settings)
    loaded = load_registered_model(client_for(settings), spec.name, CHAMPION)
    if loaded is None:
        return None
    return AdoptionModel(spec.name, loaded.version, loaded.model, spec)


def load_intent_predictor(settings: Settings) -> IntentPredictor:
    spec = load_intent_spec(settings)
    loaded = load_registered_model(client_for(settings), spec.name, CHAMPION)
    if loaded is None:
        return IntentPredictor(KEYWORD_RULE, KEYWORD_RULE, lambda frame: keyword_intents(frame))
    model = loaded.model
    return IntentPredictor(spec.name, loaded.version, lambda frame: predict_intents(model, frame))


def keyword_intents(frame: pd.DataFrame) -> list[str]:
    """The keyword rule on ``title + ". " + body`` (the text it was written for)."""
    texts = frame["title"].fillna("").astype(str) + ". " + frame["body"].fillna("").astype(str)
    return [keyword_intent(text) for text in texts]
