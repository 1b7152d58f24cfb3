"""Scoring-time access to the champions, with the documented fallbacks.

``models:/uptake-churn@champion`` and ``models:/uptake-ticket-intent@champion`` are loaded
when they exist; otherwise the churn score is the cross-company churn prior
(``ml/churn_prior.toml``) and intents come from the keyword rule, and the returned
``model_name`` says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from sklearn.linear_model import LogisticRegression

from uptake.ml.churn import churn_probability
from uptake.ml.churn_prior import CHURN_PRIOR, ChurnPrior, churn_prior_path, load_churn_prior
from uptake.ml.dataset import build_churn_training_set, load_training_inputs
from uptake.ml.features import keyword_intent
from uptake.ml.model_specs import load_churn_spec, load_intent_spec
from uptake.ml.registry import CHAMPION, client_for, load_registered_model
from uptake.ml.ticket_intent import predict_intents
from uptake.settings import Settings

KEYWORD_RULE = "keyword-rule"


@dataclass(frozen=True)
class ChurnScorer:
    model_name: str
    model_version: str
    features: tuple[str, ...]
    predict: Callable[[pd.DataFrame], np.ndarray]


@dataclass(frozen=True)
class IntentPredictor:
    model_name: str
    model_version: str
    predict: Callable[[pd.DataFrame], list[str]]  # a frame with ``title`` and ``body``


def _model_churn(model: Any) -> Callable[[pd.DataFrame], np.ndarray]:
    return lambda frame: churn_probability(model, frame)


def _logit(probability: np.ndarray) -> np.ndarray:
    clipped = np.clip(probability, 1e-6, 1 - 1e-6)
    return np.log(clipped / (1 - clipped))


def _sigmoid(logit: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logit))


def rescaled_logit(logit: np.ndarray, label: pd.Series) -> tuple[float, float]:
    """Slope and intercept mapping the prior's logit to this company's churn odds: Platt's fit
    when it keeps the order (slope > 0); otherwise (a history the prior does not rank) only a
    shift that matches the company's churn rate, so a few odd renewals never invert it."""
    platt = LogisticRegression().fit(logit.reshape(-1, 1), label)
    slope = float(platt.coef_[0, 0])
    if slope > 0:
        return slope, float(platt.intercept_[0])
    rate = float(np.mean(label))
    return 1.0, float(brentq(lambda shift: _sigmoid(logit + shift).mean() - rate, -30, 30))


def prior_churn_scorer(prior: ChurnPrior, history: pd.DataFrame | None = None) -> ChurnScorer:
    """The cross-company prior, rescaled on ``history`` (this company's closed renewals with
    their label and point-in-time snapshot, as in training) when it holds both outcomes, so its
    probabilities sit at this company's churn rate (``rescaled_logit``). The ranking is always
    the prior's."""
    slope, intercept = 1.0, 0.0
    if history is not None and history["label"].nunique() == 2:
        slope, intercept = rescaled_logit(_logit(prior.probability(history)), history["label"])

    def predict(frame: pd.DataFrame) -> np.ndarray:
        return _sigmoid(slope * _logit(prior.probability(frame)) + intercept)

    return ChurnScorer(CHURN_PRIOR, prior.version, prior.features, predict)


def load_churn_scorer(settings: Settings, as_of_date: date | None = None) -> ChurnScorer:
    spec = load_churn_spec(settings)
    loaded = load_registered_model(client_for(settings), spec.name, CHAMPION)
    if loaded is None:
        inputs = load_training_inputs(settings, as_of_date)
        history = build_churn_training_set(inputs.renewals, inputs.snapshots, spec, inputs.as_of)
        return prior_churn_scorer(load_churn_prior(churn_prior_path(settings)), history)
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
