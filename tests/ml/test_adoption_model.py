"""The adoption propensity model on the fixture's gap candidates: deterministic, and its
what-if per intervention type moves the probability the way the fixture planted it."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from tests.ml.mart_fixtures import AS_OF, build_marts
from uptake.ml import adoption
from uptake.ml.adoption import AdoptionSpec, load_adoption_spec
from uptake.settings import get_settings


@pytest.fixture(scope="module")
def spec() -> AdoptionSpec:
    return load_adoption_spec(get_settings({}))


def _fit(spec: AdoptionSpec, candidates=None):
    if candidates is None:
        candidates = build_marts()["fct_gap_candidates_every_30_days"]
    data = adoption.build_training_set(candidates, date.fromisoformat(str(AS_OF)), spec)
    model = adoption.build_estimator(spec, data["label"])
    model.fit(adoption.model_frame(data, spec), data["label"])
    return model, candidates, data


def test_only_known_outcomes_train_and_training_twice_gives_the_same_model(spec) -> None:
    first, candidates, data = _fit(spec)
    second, _, _ = _fit(spec)
    assert data["is_adopted_within_60d"].notna().all()
    assert (data["snapshot_date"].astype(str) <= "2026-05-01").all()  # 60 days before AS_OF
    today = candidates[candidates["is_as_of_day"]]
    frame = adoption.model_frame(today, spec)
    np.testing.assert_array_equal(
        adoption.adoption_probability(first, frame), adoption.adoption_probability(second, frame)
    )


def test_engagement_table_has_left_alone_and_every_type(spec) -> None:
    model, candidates, _ = _fit(spec)
    today = candidates[candidates["is_as_of_day"]].head(50)
    table = adoption.engagement_table(model, today, spec)
    assert list(table.columns) == ["none", *spec.intervention_types]
    assert table.to_numpy().min() >= 0 and table.to_numpy().max() <= 1
    # The fixture planted a lift for training: asked with training, the chance is higher.
    assert table["training"].mean() > table["none"].mean()


def test_a_missing_input_column_is_named(spec) -> None:
    candidates = build_marts()["fct_gap_candidates_every_30_days"].drop(columns="renewal_in_days")
    with pytest.raises(KeyError, match="renewal_in_days"):
        adoption.model_frame(candidates, spec)


def test_a_company_with_no_use_case_on_any_account_trains_and_scores(spec) -> None:
    # A real CRM export had Primary_Use_Case__c empty for every account: no use-case peer rate
    # anywhere. The histogram booster cannot bin an all-empty column ("window shape cannot be
    # larger than input array shape"), which crashed the train DAG.
    candidates = build_marts()["fct_gap_candidates_every_30_days"].copy()
    candidates[["use_case_peer_rate", "best_use_case_adoption_rate"]] = np.nan
    data = adoption.build_training_set(candidates, date.fromisoformat(str(AS_OF)), spec)
    with pytest.raises(ValueError):  # the booster alone
        HistGradientBoostingClassifier().fit(
            adoption.model_frame(data, spec)[list(spec.numeric)], data["label"]
        )
    model, _, _ = _fit(spec, candidates)
    today = adoption.model_frame(candidates[candidates["is_as_of_day"]], spec)
    assert today["use_case_peer_rate"].isna().all()  # scored as it is, empty
    probability = adoption.adoption_probability(model, today)
    assert len(probability) == len(today) and np.isfinite(probability).all()
    assert probability.min() > 0 and probability.max() < 1
    assert probability.std() > 0  # the other columns still rank the gaps


def test_a_column_filled_only_in_the_earliest_rows_trains(spec) -> None:
    # A CRM export with renewal dates only on its oldest contracts: the column has values, but
    # calibration refits the booster on folds of the time-ordered rows, and a fold without
    # them crashed the train DAG as an all-empty column did.
    candidates = build_marts()["fct_gap_candidates_every_30_days"].copy()
    data = adoption.build_training_set(candidates, date.fromisoformat(str(AS_OF)), spec)
    early = sorted(data["snapshot_date"].unique())[: max(1, data["snapshot_date"].nunique() // 4)]
    candidates.loc[~candidates["snapshot_date"].isin(early), "renewal_in_days"] = np.nan
    model, _, data = _fit(spec, candidates)
    assert data["renewal_in_days"].notna().any() and data["renewal_in_days"].isna().mean() > 0.5
    today = adoption.model_frame(candidates[candidates["is_as_of_day"]], spec)
    probability = adoption.adoption_probability(model, today)
    assert np.isfinite(probability).all() and probability.std() > 0
