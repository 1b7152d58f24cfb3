"""Ticket intents: the shared text classifier on subject (title) and description (body),
its invented input example and its baselines."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from uptake.ml.evaluate import classification_metrics
from uptake.ml.features import keyword_intent
from uptake.ml.model_specs import IntentSpec
from uptake.ml.text_classifier import build_text_classifier, predict_labels, text_frame

# The input example logged with the model (MLflow shows it and stores it with every version):
# invented requests, so no customer's ticket text is copied into the model registry.
EXAMPLE_TICKETS = (
    ("Adding a user", "How do I add a new user to our workspace?"),
    ("Export broken", "The export to CSV fails with an error since this morning."),
    ("Invoice", "Our invoice shows the wrong number of seats."),
    ("SSO", "Can we get single sign-on set up for the team?"),
    ("Slow dashboard", "The dashboard is very slow to load."),
)


def input_example() -> pd.DataFrame:
    titles, bodies = zip(*EXAMPLE_TICKETS, strict=True)
    return text_frame(list(titles), list(bodies))


def build_classifier(spec: IntentSpec) -> Pipeline:
    """The shared text classifier (:mod:`uptake.ml.text_classifier`) with this spec's
    ``[model]`` table; input is a DataFrame with ``title`` and ``body`` columns."""
    return build_text_classifier(spec.model_params)


def baseline_predictions(train_labels: Sequence[str], texts: Sequence[str]) -> dict[str, list[str]]:
    """Two baselines on the same holdout: the majority class of training, and the keyword rule."""
    majority = Counter(train_labels).most_common(1)[0][0] if len(train_labels) else "how-to"
    return {
        "majority": [majority] * len(texts),
        "keyword": [keyword_intent(text) for text in texts],
    }


def baseline_metrics(
    train_labels: Sequence[str], texts: Sequence[str], truth: Sequence[str], labels: Sequence[str]
) -> dict[str, float]:
    """``macro_f1``/``accuracy`` of the stronger baseline, plus each baseline's macro F1."""
    scores = {
        name: classification_metrics(truth, predicted, labels)
        for name, predicted in baseline_predictions(train_labels, texts).items()
    }
    best = max(scores, key=lambda name: np.nan_to_num(scores[name]["macro_f1"], nan=-1.0))
    return {
        "macro_f1": scores[best]["macro_f1"],
        "accuracy": scores[best]["accuracy"],
        "majority_macro_f1": scores["majority"]["macro_f1"],
        "keyword_macro_f1": scores["keyword"]["macro_f1"],
    }


def predict_intents(model: Any, frame: pd.DataFrame) -> list[str]:
    """Intents for a frame with ``title`` and ``body`` columns."""
    return predict_labels(model, frame)
