"""Ticket intent classifier: TF-IDF over subject + description, logistic regression."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from uptake.ml.config import IntentSpec
from uptake.ml.evaluate import classification_metrics
from uptake.ml.features import keyword_intent

# The input example logged with the model (MLflow shows it and stores it with every version):
# invented requests, so no customer's ticket text is copied into the model registry.
EXAMPLE_TEXTS = (
    "How do I add a new user to our workspace?",
    "The export to CSV fails with an error since this morning.",
    "Our invoice shows the wrong number of seats.",
    "Can we get single sign-on set up for the team?",
    "The dashboard is very slow to load.",
)


def input_example() -> pd.DataFrame:
    return pd.DataFrame({"text": list(EXAMPLE_TEXTS)})


def build_classifier(spec: IntentSpec) -> Pipeline:
    """Takes a DataFrame with a ``text`` column (so the MLflow signature is a named column)."""
    p = spec.model_params
    vectorizer = TfidfVectorizer(
        ngram_range=(1, int(p.get("ngram_max", 2))),
        min_df=int(p.get("min_df", 1)),
        max_features=int(p.get("max_features", 20000)),
        sublinear_tf=bool(p.get("sublinear_tf", True)),
        strip_accents="unicode",
        lowercase=True,
    )
    classifier = LogisticRegression(
        C=float(p.get("C", 4.0)),
        class_weight=p.get("class_weight") or None,
        max_iter=int(p.get("max_iter", 2000)),
    )
    return Pipeline(
        [
            ("features", ColumnTransformer([("tfidf", vectorizer, "text")])),
            ("classifier", classifier),
        ]
    )


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


def top_terms(model: Pipeline, per_class: int = 8) -> pd.DataFrame:
    """The terms with the largest coefficient for each intent (the classifier's importances)."""
    vectorizer = model.named_steps["features"].named_transformers_["tfidf"]
    classifier = model.named_steps["classifier"]
    terms = np.asarray(vectorizer.get_feature_names_out())
    coefficients = classifier.coef_
    classes = list(classifier.classes_)
    if coefficients.shape[0] == 1:  # binary: one row, positive = classes[1]
        coefficients = np.vstack([-coefficients[0], coefficients[0]])
    rows: list[dict[str, Any]] = []
    for index, label in enumerate(classes):
        for position in np.argsort(coefficients[index])[::-1][:per_class]:
            rows.append(
                {
                    "intent": label,
                    "feature": f"{label}: {terms[position]}",
                    "term": terms[position],
                    "importance": float(coefficients[index][position]),
                }
            )
    return pd.DataFrame(rows)


def predict_intents(model: Pipeline, texts: Sequence[str]) -> list[str]:
    if len(texts) == 0:
        return []
    return [str(label) for label in model.predict(pd.DataFrame({"text": list(texts)}))]
