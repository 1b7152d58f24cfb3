"""The model-loading allow-list names exactly the types the project's models hold."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.ensemble import RandomForestClassifier
from sklearn.preprocessing import FunctionTransformer

from uptake.ml import churn, personas, ticket_intent
from uptake.ml.model_specs import load_churn_spec, load_intent_spec, load_persona_spec
from uptake.ml.registry import TRUSTED_TYPES, refused_types, trusted_types
from uptake.settings import Settings


def _untrusted(model: object) -> set[str]:
    return set(skops.io.get_untrusted_types(data=skops.io.dumps(model)))


def _churn_variants(settings: Settings) -> list[object]:
    spec = load_churn_spec(settings)
    rng = np.random.default_rng(0)
    features = pd.DataFrame(rng.normal(size=(60, 4)), columns=list("abcd"))
    labels = pd.Series([0, 1] * 30)
    models = []
    for estimator in ("hist_gradient_boosting", "logistic_regression"):
        for calibration in ("none", "sigmoid", "isotonic"):
            for ensemble in (False, True):
                variant = replace(spec, estimator=estimator, calibration=calibration,
                                  estimator_params={}, calibration_cv=3,
                                  calibration_ensemble=ensemble)  # fmt: skip
                model, _ = churn.build_estimator(variant, labels)
                models.append(model.fit(features, labels))
    prior, _ = churn.build_estimator(spec, pd.Series([0] * 60))
    models.append(prior.fit(features, [0] * 60))
    return models


def test_the_allow_list_is_exactly_what_the_models_hold(settings: Settings) -> None:
    intent = ticket_intent.build_classifier(load_intent_spec(settings))
    texts = ["cannot sign in", "export fails", "invoice wrong", "add users"] * 10
    intent.fit(pd.DataFrame({"title": texts, "body": texts}), ["a", "b", "c", "d"] * 10)
    columns = [f"share_30d__{key}" for key in "abcd"]
    features = pd.DataFrame(np.random.default_rng(1).random((40, 4)), columns=columns)
    spec = load_persona_spec(settings)
    fit = personas.fit_personas(features, pd.Series(True, index=features.index), {}, spec)
    assert fit.pipeline is not None  # scaler + k-means
    models = [*_churn_variants(settings), intent, fit.pipeline]
    held = set().union(*(_untrusted(m) for m in models))
    assert held == TRUSTED_TYPES  # nothing broader than needed, nothing missing
    assert not [name for name in TRUSTED_TYPES if name.endswith("*")]


@pytest.mark.parametrize("kind", ["forest", "function"])
def test_a_model_with_another_type_is_refused(kind: str) -> None:
    # Even a scikit-learn type is refused when the project does not save it (the forest's
    # sklearn.tree._tree.Tree), as is a function reference.
    odd = (
        RandomForestClassifier(n_estimators=2).fit(np.zeros((4, 2)), [0, 1, 0, 1])
        if kind == "forest"
        else FunctionTransformer(func=json.dumps)
    )
    untrusted = sorted(_untrusted(odd))
    assert untrusted and trusted_types(untrusted) == []
    assert refused_types(untrusted) == untrusted
    with pytest.raises(skops.io.exceptions.UntrustedTypesFoundException):
        skops.io.loads(skops.io.dumps(odd), trusted=trusted_types(untrusted))


def test_the_intent_input_example_is_invented_text() -> None:
    example = ticket_intent.input_example()
    assert list(example.columns) == ["title", "body"]
    assert list(zip(example["title"], example["body"], strict=True)) == list(
        ticket_intent.EXAMPLE_TICKETS
    )


def test_a_model_with_another_type_is_never_registered(settings: Settings) -> None:
    import mlflow

    from uptake.ml.registry import client_for, log_sklearn_model

    client = client_for(settings)
    features = pd.DataFrame({"a": [0.0, 1.0, 0.0, 1.0], "b": [1.0, 0.0, 1.0, 0.0]})
    odd = RandomForestClassifier(n_estimators=2, random_state=0).fit(features, [0, 1, 0, 1])
    with mlflow.start_run(), pytest.raises(ValueError, match="outside the allow-list"):
        log_sklearn_model(odd, "uptake-odd", features, odd.predict(features))
    assert client.search_model_versions("name = 'uptake-odd'") == []

    plain = churn.build_estimator(load_churn_spec(settings), pd.Series([0, 1] * 2))[0]
    plain.fit(features, [0, 1, 0, 1])
    with mlflow.start_run():
        version = log_sklearn_model(plain, "uptake-plain", features, plain.predict(features))
    assert version.name == "uptake-plain" and str(version.version) == "1"
