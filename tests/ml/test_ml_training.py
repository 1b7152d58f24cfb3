"""train_all against fixture marts and a temporary MLflow store (one training per module)."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mart_fixtures import build_marts, write_marts
from mlflow import MlflowClient

from uptake.ml.churn_prior import churn_prior_path, load_churn_prior
from uptake.ml.dataset import load_training_inputs
from uptake.ml.model_specs import load_churn_spec, load_persona_spec
from uptake.ml.registry import (
    RULE_BASIS,
    SCORING_BASIS_TAG,
    client_for,
    load_registered_model,
    why_no_champion,
)
from uptake.ml.train import train_all, train_churn, train_personas
from uptake.warehouse import connect


@pytest.fixture(scope="module")
def trained(make_home):
    settings = make_home(None)
    reports = {report.model_name: report for report in train_all(settings)}
    return settings, reports


def _run_artifacts(client: MlflowClient, run_id: str) -> set[str]:
    found: set[str] = set()
    pending = [""]
    while pending:
        folder = pending.pop()
        for item in client.list_artifacts(run_id, folder or None):
            (pending.append(item.path) if item.is_dir else found.add(item.path))
    return found


def test_churn_model_is_logged_registered_and_champion(trained):
    settings, reports = trained
    report = reports["uptake-churn"]
    assert report.promoted and report.version == "1", report.reason
    assert report.rows_train > 100 and report.rows_test > 30
    assert 0.6 < report.metrics["roc_auc"] <= 1.0
    assert 0.0 < report.metrics["brier"] < 0.25
    assert {"roc_auc", "pr_auc", "brier"} <= set(report.baseline_metrics)

    client = client_for(settings)
    run = client.get_run(report.run_id)
    params = run.data.params
    assert len(params["training_set_sha256"]) == 64
    assert params["data_min_date"] < params["holdout_start"] <= params["data_max_date"]
    assert int(params["rows_train"]) == report.rows_train
    assert run.data.metrics["baseline_roc_auc"] == pytest.approx(report.baseline_metrics["roc_auc"])
    # The cross-company prior, scored on the same holdout, is logged beside model and baseline.
    assert params["churn_prior_version"] == load_churn_prior(churn_prior_path(settings)).version
    assert 0.5 < run.data.metrics["prior_roc_auc"] <= 1.0
    assert report.metrics["prior_roc_auc"] == run.data.metrics["prior_roc_auc"]  # in the summary
    assert run.data.tags["promotion"] == "champion"
    assert {
        "calibration/calibration.png",
        "calibration/model_calibration.json",
        "importance/feature_importance.json",
        "importance/feature_importance.png",
    } <= _run_artifacts(client, report.run_id)

    champion = client.get_model_version_by_alias("uptake-churn", "champion")
    assert champion.version == 1
    artifacts = Path(settings.mlflow_artifacts_dir).resolve()
    experiment = client.get_experiment_by_name("uptake-churn")
    assert experiment.artifact_location == (artifacts / "uptake-churn").as_uri()
    assert any((artifacts / "uptake-churn").rglob("model.skops"))
    loaded = load_registered_model(client, "uptake-churn")
    assert loaded is not None and loaded.version == "1"
    model_info = mlflow.models.get_model_info("models:/uptake-churn@champion")
    assert model_info.signature is not None and model_info.saved_input_example_info is not None


def test_ticket_classifier_beats_the_majority_baseline(trained):
    _, reports = trained
    report = reports["uptake-ticket-intent"]
    assert report.metrics["macro_f1"] > report.baseline_metrics["majority_macro_f1"] + 0.3
    assert report.metrics["macro_f1"] > report.baseline_metrics["keyword_macro_f1"]
    assert report.promoted, report.reason


def test_a_worse_model_stays_challenger_and_says_why(trained):
    settings, reports = trained
    client = client_for(settings)
    spec = replace(load_churn_spec(settings), features=("seats", "tenure_days"), calibration="none")
    inputs = load_training_inputs(settings, None)
    worse = train_churn(
        settings,
        client,
        inputs,
        # Only the champion comparison judges it (no floor, no baseline, no prior).
        replace(
            spec,
            promotion=replace(
                spec.promotion,
                require_beat_baseline=False,
                min_value=None,
                require_beat_prior=False,
            ),
        ),
    )
    assert not worse.promoted and worse.version == "2", worse.reason
    assert "does not beat champion v1" in worse.reason
    assert str(client.get_model_version_by_alias("uptake-churn", "champion").version) == "1"
    assert str(client.get_model_version_by_alias("uptake-churn", "challenger").version) == "2"
    run = client.get_run(worse.run_id)
    assert run.data.tags["promotion"] == "challenger"
    assert run.data.tags["promotion_reason"] == worse.reason
    # The champion was re-scored on the challenger's holdout: the same rows as its own run.
    assert worse.rows_test == reports["uptake-churn"].rows_test
    assert run.data.metrics["champion_roc_auc"] == pytest.approx(
        reports["uptake-churn"].metrics["roc_auc"]
    )


def test_a_model_the_churn_prior_outranks_on_the_holdout_is_not_promoted(trained):
    """The prior scores without a champion, so a model must beat it on the same holdout."""
    settings, _ = trained
    client = client_for(settings)
    spec = replace(load_churn_spec(settings), features=("seats", "tenure_days"), calibration="none")
    assert spec.promotion.require_beat_prior  # the shipped gate asks for it
    only_prior = replace(
        spec, promotion=replace(spec.promotion, require_beat_baseline=False, min_value=None)
    )
    report = train_churn(settings, client, load_training_inputs(settings, None), only_prior)
    run = client.get_run(report.run_id)
    assert run.data.metrics["prior_roc_auc"] >= report.metrics["roc_auc"]
    assert not report.promoted
    assert "does not beat the cross-company churn prior" in report.reason, report.reason
    assert run.data.tags["promotion"] == "challenger"
    assert str(client.get_model_version_by_alias("uptake-churn", "champion").version) == "1"


def test_a_champion_the_prior_outranks_on_a_new_holdout_is_retired(make_home):
    """A champion that went live without the prior gate, then loses to the prior on the next
    run's holdout, gives way to it: the alias is removed and scoring's basis is the fallback."""
    settings = make_home(None)
    client = client_for(settings)
    inputs = load_training_inputs(settings, None)
    spec = replace(load_churn_spec(settings), features=("seats", "tenure_days"), calibration="none")
    loose = replace(
        spec.promotion, require_beat_baseline=False, min_value=None, require_beat_prior=False
    )
    first = train_churn(settings, client, inputs, replace(spec, promotion=loose))
    assert first.promoted and first.version == "1", first.reason
    gated = replace(loose, require_beat_prior=True)
    second = train_churn(settings, client, inputs, replace(spec, promotion=gated))
    assert not second.promoted and second.version == "2"
    assert "champion v1" in second.reason and "retired, the prior scores" in second.reason
    run = client.get_run(second.run_id)
    assert run.data.metrics["champion_roc_auc"] <= run.data.metrics["prior_roc_auc"]
    assert "no longer beats the cross-company churn prior" in run.data.tags["champion_retired"]
    assert run.data.tags[SCORING_BASIS_TAG] == RULE_BASIS
    assert load_registered_model(client, "uptake-churn") is None
    retired = client.get_model_version("uptake-churn", "1")
    assert "retired" in retired.tags["retired_reason"]
    assert "latest version 2 was not promoted" in why_no_champion(client, "uptake-churn")


def test_a_model_that_beats_the_rule_by_luck_of_the_holdout_stays_challenger(trained):
    """Ahead of the rule on the holdout as drawn, but not in 99 % of its bootstrap resamples."""
    settings, reports = trained
    client = client_for(settings)
    spec = load_churn_spec(settings)
    assert spec.promotion.baseline_confidence is not None  # the shipped gate asks for it
    strict = replace(spec, promotion=replace(spec.promotion, baseline_confidence=0.99))
    report = train_churn(settings, client, load_training_inputs(settings, None), strict)
    share = report.metrics["roc_auc_win_share_vs_baseline"]
    assert report.metrics["roc_auc"] > report.baseline_metrics["roc_auc"]
    assert spec.promotion.baseline_confidence <= share < 0.99
    assert not report.promoted and "bootstrap resamples" in report.reason, report.reason
    run = client.get_run(report.run_id)
    assert run.data.metrics["holdout_roc_auc_win_share_vs_baseline"] == pytest.approx(share)
    assert reports["uptake-churn"].promoted  # the shipped gate promoted the same model


def test_one_class_data_trains_but_is_never_promoted(trained, tmp_path):
    settings, _ = trained
    frames = build_marts()
    frames["fct_renewal_outcomes"] = frames["fct_renewal_outcomes"].assign(is_churned=False)
    # Same MLflow store, another warehouse and registered name: no second store to migrate.
    settings = replace(settings, warehouse_path=tmp_path / "one_class.duckdb")
    write_marts(settings.warehouse_path, frames)
    spec = replace(load_churn_spec(settings), name="uptake-churn-one-class", experiment="one-class")
    client = client_for(settings)
    report = train_churn(settings, client, load_training_inputs(settings, None), spec)
    assert math.isnan(report.metrics["roc_auc"])
    assert not report.promoted and "undefined" in report.reason
    assert report.version == "1"  # trained and registered (a prior-only model) as challenger
    challenger = client.get_model_version_by_alias(spec.name, "challenger")
    assert str(challenger.version) == "1"
    assert load_registered_model(client, spec.name) is None  # no champion


def _personas_table(settings) -> pd.DataFrame:
    import duckdb

    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute("select * from marts.account_personas order by account_id").fetchdf()
    finally:
        con.close()


def test_personas_are_logged_registered_and_written(trained):
    settings, reports = trained
    report = reports["uptake-personas"]
    assert report.promoted and report.version == "1", report.reason
    assert report.metrics["k"] == 3 and report.metrics["silhouette"] > 0.5
    assert report.rows_train == 111  # 117 profiled accounts, 6 of them churned

    client = client_for(settings)
    run = client.get_run(report.run_id)
    assert run.data.metrics["chosen_k"] == 3
    silhouettes = {k: run.data.metrics[f"silhouette_k{k}"] for k in range(3, 9)}
    assert max(silhouettes, key=silhouettes.get) == 3
    assert run.data.params["windows_days"] == "30,90"
    assert run.data.params["accounts_profiled"] == "117"
    assert {
        "personas/centroids.json",
        "personas/silhouette.json",
        "personas/sizes.json",
    } <= _run_artifacts(client, report.run_id)
    assert str(client.get_model_version_by_alias("uptake-personas", "champion").version) == "1"
    loaded = load_registered_model(client, "uptake-personas")
    assert loaded is not None and hasattr(loaded.model, "predict")

    table = _personas_table(settings)
    assert len(table) == 120 and table["account_id"].is_unique
    assert (table["as_of_date"] == pd.Timestamp("2026-06-30")).all()
    counts = table["persona_name"].value_counts()
    assert counts["no recent usage"] == 3
    assert counts["Reports + Dashboards heavy"] == 39


def test_training_personas_twice_gives_the_same_personas(trained):
    settings, reports = trained
    before = _personas_table(settings)
    client = client_for(settings)
    versions = len(client.search_model_versions("name = 'uptake-personas'"))
    with connect(settings.warehouse_path) as con:  # else the unchanged fit is kept, not redone
        con.execute("drop table marts.account_personas")
    again = train_personas(
        settings, client, load_training_inputs(settings, None), load_persona_spec(settings)
    )
    assert again.version == str(versions + 1)
    assert again.metrics == reports["uptake-personas"].metrics
    after = _personas_table(settings)
    columns = ["account_id", "persona_id", "persona_name", "distance", "confidence"]
    pd.testing.assert_frame_equal(before[columns], after[columns])
    assert (after.loc[after["persona_id"] > 0, "model_version"] == again.version).all()


def test_unchanged_training_data_keeps_every_champion_and_registers_nothing(trained):
    settings, first = trained
    client = client_for(settings)
    # The models with a champion after the first training (on the fixture: churn and intent).
    supervised = [
        name for name, report in first.items() if report.promoted and name != "uptake-personas"
    ]
    assert {"uptake-churn", "uptake-ticket-intent"} <= set(supervised)
    versions = {name: len(client.search_model_versions(f"name = '{name}'")) for name in supervised}
    again = {report.model_name: report for report in train_all(settings)}
    for name in supervised:
        report = again[name]
        champion = client.get_model_version_by_alias(name, "champion")
        assert "unchanged since champion" in report.reason, (name, report.reason)
        assert report.version == str(champion.version) and report.promoted  # still champion
        assert len(client.search_model_versions(f"name = '{name}'")) == versions[name]
        assert client.get_run(report.run_id).data.tags["promotion"] == "unchanged"
    # Personas too: the same profiles give the same table, kept with its champion.
    assert first["uptake-personas"].version is not None
    persona_versions = len(client.search_model_versions("name = 'uptake-personas'"))
    kept = again["uptake-personas"]
    champion = client.get_model_version_by_alias("uptake-personas", "champion")
    assert "unchanged since champion" in kept.reason and kept.version == str(champion.version)
    assert len(client.search_model_versions("name = 'uptake-personas'")) == persona_versions
    # ... unless the table they wrote is gone: then they are fitted and written again.
    with connect(settings.warehouse_path) as con:
        con.execute("drop table marts.account_personas")
    refit = train_personas(
        settings, client, load_training_inputs(settings, None, 90), load_persona_spec(settings)
    )
    assert "unchanged" not in refit.reason and len(_personas_table(settings)) > 0
    # A changed spec is a new training even on the same rows.
    spec = load_churn_spec(settings)
    changed = replace(spec, estimator_params={**spec.estimator_params, "C": 0.25})
    inputs = load_training_inputs(settings, None)
    report = train_churn(settings, client, inputs, changed)
    assert "unchanged" not in report.reason
    assert first["uptake-churn"].promoted


def _same(first: dict[str, float], second: dict[str, float]) -> bool:
    """Equal metric dicts, NaN equal to NaN (an undefined metric stays undefined)."""
    return first.keys() == second.keys() and all(
        (math.isnan(a) and math.isnan(second[k])) or a == second[k] for k, a in first.items()
    )


def test_training_twice_on_the_same_data_gives_the_same_metrics(trained):
    from uptake.ml.adoption import load_adoption_spec
    from uptake.ml.model_specs import load_intent_spec
    from uptake.ml.train import train_ticket_intent
    from uptake.ml.train_adoption import train_adoption

    settings, first = trained
    client = client_for(settings)
    inputs = load_training_inputs(settings, None, max(load_persona_spec(settings).windows_days))

    def again(spec):  # another registered name: a real second fit, not "unchanged"
        return replace(spec, name=f"{spec.name}-again", experiment=f"{spec.experiment}-again")

    second = {
        "uptake-churn": train_churn(settings, client, inputs, again(load_churn_spec(settings))),
        "uptake-ticket-intent": train_ticket_intent(
            settings, client, inputs, again(load_intent_spec(settings))
        ),
        "uptake-adoption": train_adoption(
            settings, client, inputs, again(load_adoption_spec(settings))
        ),
    }
    assert first["uptake-churn"].metrics and first["uptake-ticket-intent"].metrics
    for name, report in second.items():
        assert "unchanged" not in report.reason, (name, report.reason)
        assert _same(report.metrics, first[name].metrics), name
        assert _same(report.baseline_metrics, first[name].baseline_metrics), name
        assert (report.rows_train, report.rows_test) == (
            first[name].rows_train,
            first[name].rows_test,
        ), name
        assert report.promoted == first[name].promoted, name
