"""``calibration_ensemble``: one calibrated model refit on every row, or sklearn's ensemble of
fold models; the shipped specs keep the ensemble for churn only; a non-boolean is refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.ml.mart_fixtures import AS_OF, build_marts
from uptake.ml import adoption, churn
from uptake.ml.adoption import load_adoption_spec
from uptake.ml.model_specs import load_churn_spec
from uptake.settings import Settings, get_settings


def _calibrated_models(model: object) -> int:
    """How many calibrated classifiers a fitted CalibratedClassifierCV (or pipeline) holds."""
    step = model.steps[-1][1] if hasattr(model, "steps") else model
    return len(step.calibrated_classifiers_)


@pytest.mark.parametrize(("ensemble", "expected"), [(False, 1), (True, 3)])
def test_churn_calibration_ensemble(ensemble: bool, expected: int) -> None:
    spec = load_churn_spec(get_settings({}))
    spec = replace(
        spec,
        estimator="hist_gradient_boosting",
        estimator_params={"max_iter": 20},
        calibration="sigmoid",
        calibration_cv=3,
        calibration_ensemble=ensemble,
    )
    rng = np.random.default_rng(0)
    features = pd.DataFrame(rng.normal(size=(90, 3)), columns=list("abc"))
    labels = pd.Series([0, 1, 1] * 30)
    model, _ = churn.build_estimator(spec, labels)
    model.fit(features, labels)
    assert _calibrated_models(model) == expected
    probabilities = churn.churn_probability(model, features)
    assert ((probabilities > 0) & (probabilities < 1)).all()


def test_the_shipped_specs_keep_the_churn_ensemble_and_one_adoption_model() -> None:
    settings = get_settings({})
    assert load_churn_spec(settings).calibration_ensemble is True
    spec = load_adoption_spec(settings)
    candidates = build_marts()["fct_gap_candidates_every_30_days"]
    data = adoption.build_training_set(candidates, date.fromisoformat(str(AS_OF)), spec)
    model = adoption.build_estimator(spec, data["label"])
    model.fit(adoption.model_frame(data, spec), data["label"])
    assert _calibrated_models(model) == 1


def _spec_dir_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, old: str, new: str
) -> Settings:
    settings = get_settings({})
    for path in settings.ml_config_dir.glob("*.toml"):
        (tmp_path / path.name).write_text(path.read_text())
    target = tmp_path / name
    text = target.read_text()
    assert old in text
    target.write_text(text.replace(old, new))
    monkeypatch.setattr(Settings, "ml_config_dir", property(lambda _: tmp_path))
    return settings


def test_a_calibration_ensemble_that_is_not_a_boolean_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _spec_dir_with(
        tmp_path, monkeypatch, "churn.toml", "calibration_ensemble = true",
        'calibration_ensemble = "no"',
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"churn\.toml: calibration_ensemble must be true"):
        load_churn_spec(settings)
    settings = _spec_dir_with(
        tmp_path, monkeypatch, "adoption.toml", "calibration_ensemble = false",
        "calibration_ensemble = 1",
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"adoption\.toml: calibration_ensemble"):
        adoption.build_estimator(load_adoption_spec(settings), pd.Series([0, 1] * 10))


def test_a_spec_without_the_key_keeps_sklearn_s_ensemble(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _spec_dir_with(
        tmp_path, monkeypatch, "churn.toml", "calibration_ensemble = true\n", ""
    )
    assert load_churn_spec(settings).calibration_ensemble is True
    settings = _spec_dir_with(
        tmp_path, monkeypatch, "adoption.toml", "calibration_ensemble = false\n", ""
    )
    assert load_adoption_spec(settings).model_params["calibration_ensemble"] is True
