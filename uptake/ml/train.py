"""Train churn, ticket intent, adoption propensity and personas; log to MLflow, promote.

Every supervised run logs params, the data window, row counts and a sha256 of the training set,
holdout metrics beside the rule baseline and the current champion (re-scored on the same
holdout), plots, importances and the model with its signature; the new version becomes
``champion`` only when :func:`uptake.ml.promotion.decide_promotion` says so, else
``challenger``. The persona run (k-means, no holdout) logs the silhouette of every k tried and
the centroids, and writes ``marts.account_personas``.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from sklearn.metrics import brier_score_loss, confusion_matrix

from uptake.ml import churn, personas, plots, text_classifier, ticket_intent
from uptake.ml.churn_prior import churn_prior_path, load_churn_prior
from uptake.ml.dataset import (
    MartInputs,
    Split,
    build_churn_training_set,
    build_intent_training_set,
    frame_hash,
    load_training_inputs,
    table_exists,
    time_split,
)
from uptake.ml.evaluate import (
    NAN,
    binary_metrics,
    calibration_table,
    classification_metrics,
    roc_auc_win_share,
)
from uptake.ml.features import health_risk
from uptake.ml.model_specs import (
    ChurnSpec,
    IntentSpec,
    PersonaSpec,
    load_churn_spec,
    load_intent_spec,
    load_persona_spec,
)
from uptake.ml.promotion import Decision, champion_retirement, decide_promotion
from uptake.ml.registry import (
    CHALLENGER,
    CHAMPION,
    client_for,
    ensure_experiment,
    load_registered_model,
    log_sklearn_model,
    record_scoring_basis,
    version_by_alias,
)
from uptake.ml.report import TrainingReport
from uptake.ml.threads import ml_threads
from uptake.settings import Settings
from uptake.warehouse import open_warehouse


def train_all(settings: Settings, as_of_date: date | None = None) -> list[TrainingReport]:
    """Train churn, ticket intent and personas on the marts as of ``as_of_date`` (default:
    the marts'); the personas are written to ``marts.account_personas``."""
    persona_spec = load_persona_spec(settings)
    inputs = load_training_inputs(settings, as_of_date, max(persona_spec.windows_days))
    client = client_for(settings)
    from uptake.ml.adoption import load_adoption_spec
    from uptake.ml.train_adoption import train_adoption  # imports this module's helpers

    with ml_threads(settings.ml_threads):
        return [
            train_churn(settings, client, inputs, load_churn_spec(settings)),
            train_ticket_intent(settings, client, inputs, load_intent_spec(settings)),
            train_adoption(settings, client, inputs, load_adoption_spec(settings)),
            train_personas(settings, client, inputs, persona_spec),
        ]


def _log_data_window(
    inputs: MartInputs, data: pd.DataFrame, split: Split, date_column: str, train_hash: str
) -> None:
    dates = pd.to_datetime(data[date_column]) if len(data) else pd.Series(dtype="datetime64[ns]")
    window = {
        "as_of_date": inputs.as_of.isoformat(),
        "data_min_date": dates.min().date().isoformat() if len(dates) else "",
        "data_max_date": dates.max().date().isoformat() if len(dates) else "",
        "holdout_start": split.cutoff.date().isoformat() if split.cutoff is not None else "",
        "rows_train": len(split.train),
        "rows_test": len(split.test),
        "training_set_sha256": train_hash,
    }
    mlflow.log_params(window)
    mlflow.set_tags({"training_set_sha256": train_hash, "as_of_date": window["as_of_date"]})
    mlflow.log_metrics({"rows_train": len(split.train), "rows_test": len(split.test)})


def _fingerprint(spec: Any, *frames: pd.DataFrame) -> str:
    """sha256 of the spec and of every row a run would train and judge on."""
    text = repr(spec) + "".join(frame_hash(frame) for frame in frames)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _champion_of(client: MlflowClient, name: str, fingerprint: str) -> ModelVersion | None:
    """Tag this run with ``fingerprint``; the champion when it was trained on the same one."""
    mlflow.set_tag("training_fingerprint", fingerprint)
    found = version_by_alias(client, name, CHAMPION)
    if found is None:
        return None
    if client.get_run(found.run_id).data.tags.get("training_fingerprint") != fingerprint:
        return None
    return found


def _unchanged(
    client: MlflowClient, name: str, run_id: str, fingerprint: str, split: Split
) -> TrainingReport | None:
    """When the champion was trained on exactly these rows with this spec, keep it and fit
    nothing (a rerun over an unchanged landing zone retrains no model)."""
    found = _champion_of(client, name, fingerprint)
    if found is None:
        return None
    reason = (
        f"training rows, holdout and spec unchanged since champion v{found.version}: "
        "kept, not retrained"
    )
    mlflow.set_tags({"promotion": "unchanged", "promotion_reason": reason})
    record_scoring_basis(client, name)
    # promoted: the version reported is the champion (it stays one), as after a promotion.
    return TrainingReport(
        name, run_id, str(found.version), True, reason, {}, {}, len(split.train), len(split.test)
    )


def _window_or_unchanged(
    client: MlflowClient,
    spec: Any,
    run_id: str,
    inputs: MartInputs,
    data: pd.DataFrame,
    split: Split,
    date_column: str,
    columns: list[str] | None = None,
) -> TrainingReport | None:
    """Log the run's data window; the champion's report when nothing changed since it."""
    train = split.train[columns] if columns else split.train
    test = split.test[columns] if columns else split.test
    _log_data_window(inputs, data, split, date_column, frame_hash(train))
    return _unchanged(client, spec.name, run_id, _fingerprint(spec, train, test), split)


def _log_metrics(prefix: str, metrics: dict[str, float]) -> None:
    mlflow.log_metrics({f"{prefix}_{key}": float(value) for key, value in metrics.items()})


def _skip(
    client: MlflowClient, spec_name: str, run_id: str, reason: str, split: Split
) -> TrainingReport:
    mlflow.set_tags({"promotion": "skipped", "promotion_reason": reason})
    record_scoring_basis(client, spec_name)
    return TrainingReport(
        spec_name, run_id, None, False, reason, {}, {}, len(split.train), len(split.test)
    )


def _register_and_promote(
    client: MlflowClient,
    model_name: str,
    model: Any,
    input_example: pd.DataFrame,
    decision: Decision,
) -> str:
    version = log_sklearn_model(model, model_name, input_example, model.predict(input_example))
    alias = CHAMPION if decision.promote else CHALLENGER
    client.set_registered_model_alias(model_name, alias, version.version)
    client.set_model_version_tag(model_name, version.version, "promotion_reason", decision.reason)
    mlflow.set_tags({"promotion": alias, "promotion_reason": decision.reason})
    record_scoring_basis(client, model_name)
    return str(version.version)


def _conclude(
    client: MlflowClient,
    spec: ChurnSpec | IntentSpec,
    run_id: str,
    model: Any,
    example: pd.DataFrame,
    metrics: dict[str, float],
    baseline: dict[str, float],
    champion: Any,
    champion_metrics: dict[str, float],
    split: Split,
    baseline_win_share: float | None = None,
    prior: float | None = None,
) -> TrainingReport:
    """Decide champion or challenger on the shared holdout, register the model, report."""
    metric = spec.promotion.metric
    decision = decide_promotion(
        spec.promotion,
        metrics.get(metric, NAN),
        baseline.get(metric),
        champion_metrics.get(metric, NAN) if champion else None,
        champion.version if champion else None,
        baseline_win_share,
        prior,
    )
    retired = None
    if not decision.promote and champion is not None:
        retired = champion_retirement(
            spec.promotion, champion_metrics.get(metric, NAN), champion.version, prior
        )
    if retired:
        client.delete_registered_model_alias(spec.name, CHAMPION)
        client.set_model_version_tag(spec.name, champion.version, "retired_reason", retired)
        mlflow.set_tag("champion_retired", retired)
        decision = Decision(False, f"{decision.reason}; {retired}")
    version = _register_and_promote(client, spec.name, model, example, decision)
    return TrainingReport(
        spec.name,
        run_id,
        version,
        decision.promote,
        decision.reason,
        metrics,
        baseline,
        len(split.train),
        len(split.test),
    )


def _log_figure(figure: Any, path: str) -> None:
    mlflow.log_figure(figure, path)
    plots.close(figure)


# --- churn ----------------------------------------------------------------------------------
def train_churn(
    settings: Settings, client: MlflowClient, inputs: MartInputs, spec: ChurnSpec
) -> TrainingReport:
    prior = load_churn_prior(churn_prior_path(settings))  # a broken file stops training first
    data = build_churn_training_set(inputs.renewals, inputs.snapshots, spec, inputs.as_of)
    split = time_split(data, "close_date", spec.holdout_fraction)
    features = list(spec.features)
    experiment_id = ensure_experiment(client, spec.experiment, settings)
    with mlflow.start_run(experiment_id=experiment_id, run_name=f"churn {inputs.as_of}") as run:
        run_id = run.info.run_id
        hashed = ["renewal_id", "account_id", "snapshot_date", "label", *features]
        kept = _window_or_unchanged(client, spec, run_id, inputs, data, split, "close_date", hashed)
        if kept:
            return kept
        mlflow.log_params(
            {
                "lookback_days": ",".join(map(str, spec.lookback_days)),
                "churn_prior_version": prior.version,
                "holdout_fraction": spec.holdout_fraction,
                "features": ",".join(features),
                "train_positive_rate": float(split.train["label"].mean())
                if len(split.train)
                else NAN,
            }
        )
        if len(split.train) < spec.min_train_rows:
            reason = (
                f"{len(split.train)} training rows (< min_train_rows {spec.min_train_rows}); "
                "no model trained"
            )
            return _skip(client, spec.name, run_id, reason, split)

        spec, validation = churn.select_estimator(spec, split.train, "close_date")
        if validation:
            mlflow.log_metrics({f"validation_roc_auc_{k}": v for k, v in validation.items()})
            mlflow.set_tag("estimator_selected", spec.estimator)
        model, params = churn.build_estimator(spec, split.train["label"])
        model.fit(split.train[features].astype(float), split.train["label"])
        mlflow.log_params({f"model_{key}": value for key, value in params.items()})

        test_labels = split.test["label"]
        probability = (
            churn.churn_probability(model, split.test) if len(split.test) else np.array([])
        )
        metrics = churn.evaluate(probability, test_labels)
        rule_risk = health_risk(split.test).to_numpy()
        baseline = binary_metrics(test_labels.to_numpy(), rule_risk)
        if len(split.test):
            scaled = churn.platt_baseline(split.train, split.test)
            baseline["brier"] = float(brier_score_loss(test_labels, scaled, labels=[0, 1]))
        win_share = roc_auc_win_share(
            test_labels.to_numpy(),
            probability,
            rule_risk,
            spec.promotion.bootstrap_resamples,
            spec.random_state,
        )
        metrics["roc_auc_win_share_vs_baseline"] = win_share
        # The prior scores while no champion exists: logged beside the model on the same holdout,
        # and the gate asks the model to beat it (require_beat_prior; docs/models.md, "Churn").
        prior_metrics = churn.evaluate(
            prior.probability(split.test) if len(split.test) else np.array([]), test_labels
        )
        _log_metrics("holdout", metrics)
        _log_metrics("baseline", baseline)
        _log_metrics("prior", prior_metrics)
        # In the report too: the gate reads it, and the training summary prints it by the model.
        metrics["prior_roc_auc"] = prior_metrics.get("roc_auc", NAN)

        champion = load_registered_model(client, spec.name, CHAMPION)
        champion_metrics: dict[str, float] = {}
        if champion is not None and len(split.test):
            try:
                champion_metrics = churn.evaluate(
                    churn.churn_probability(champion.model, split.test), test_labels
                )
            except (KeyError, ValueError) as error:  # its features are gone from the marts
                mlflow.set_tag("champion_rescore_error", str(error)[:500])
            _log_metrics("champion", champion_metrics)

        tables = {}
        if len(split.test):
            tables = {
                "model": calibration_table(test_labels, probability),
                "rule baseline (Platt-scaled)": calibration_table(test_labels, scaled),
            }
            mlflow.log_table(tables["model"], "calibration/model_calibration.json")
            mlflow.log_table(
                tables["rule baseline (Platt-scaled)"], "calibration/baseline_calibration.json"
            )
            _log_figure(plots.calibration_figure(tables), "calibration/calibration.png")

        on_holdout = len(split.test) >= 5 and test_labels.nunique() == 2
        scored = split.test if on_holdout else split.train
        importance = churn.permutation_table(
            model, scored, scored["label"], features, spec.random_state
        )
        importance["computed_on"] = "holdout" if on_holdout else "train"
        mlflow.log_table(importance, "importance/feature_importance.json")
        if importance["importance"].notna().any():
            _log_figure(
                plots.importance_figure(importance.fillna(0.0), "permutation importance"),
                "importance/feature_importance.png",
            )

        example = split.train[features].astype(float).head(5)
        return _conclude(
            client,
            spec,
            run_id,
            model,
            example,
            metrics,
            baseline,
            champion,
            champion_metrics,
            split,
            win_share,
            prior_metrics.get(spec.promotion.metric),
        )


# --- ticket intent --------------------------------------------------------------------------
def train_ticket_intent(
    settings: Settings, client: MlflowClient, inputs: MartInputs, spec: IntentSpec
) -> TrainingReport:
    tickets = build_intent_training_set(inputs.tickets, spec, inputs.as_of)
    labeled = tickets[tickets["intent"].notna()].reset_index(drop=True)
    split = time_split(labeled, "created_at", spec.holdout_fraction)
    experiment_id = ensure_experiment(client, spec.experiment, settings)
    with mlflow.start_run(experiment_id=experiment_id, run_name=f"intent {inputs.as_of}") as run:
        run_id = run.info.run_id
        kept = _window_or_unchanged(client, spec, run_id, inputs, labeled, split, "created_at")
        if kept:
            return kept
        mlflow.log_params(
            {
                "intents": ",".join(spec.intents),
                "unlabeled_tickets": int(tickets["intent"].isna().sum()),
                **{f"model_{key}": value for key, value in spec.model_params.items()},
            }
        )
        classes = split.train["intent"].nunique() if len(split.train) else 0
        if len(split.train) < spec.min_train_rows or classes < 2:
            reason = (
                f"{len(split.train)} labeled training tickets in {classes} intents "
                f"(need >= {spec.min_train_rows} and >= 2 intents); no model trained"
            )
            return _skip(client, spec.name, run_id, reason, split)

        model = ticket_intent.build_classifier(spec)
        model.fit(split.train[["title", "body"]], split.train["intent"])
        truth = split.test["intent"].tolist()
        texts = split.test["text"].tolist()
        predicted = ticket_intent.predict_intents(model, split.test)
        metrics = classification_metrics(truth, predicted, spec.intents)
        baseline = ticket_intent.baseline_metrics(
            split.train["intent"].tolist(), texts, truth, spec.intents
        )
        _log_metrics("holdout", metrics)
        _log_metrics("baseline", baseline)

        champion = load_registered_model(client, spec.name, CHAMPION)
        champion_metrics: dict[str, float] = {}
        if champion is not None:
            champion_predicted = ticket_intent.predict_intents(champion.model, split.test)
            champion_metrics = classification_metrics(truth, champion_predicted, spec.intents)
            _log_metrics("champion", champion_metrics)

        if truth:
            labels = [label for label in spec.intents if label in set(truth) | set(predicted)]
            matrix = pd.DataFrame(
                confusion_matrix(truth, predicted, labels=labels), index=labels, columns=labels
            )
            mlflow.log_table(
                matrix.reset_index(names="true_intent"), "evaluation/confusion_matrix.json"
            )
        terms = text_classifier.top_terms(model)
        mlflow.log_table(terms, "importance/top_terms.json")
        _log_figure(
            plots.importance_figure(terms, "top TF-IDF features per intent"),
            "importance/top_terms.png",
        )

        example = ticket_intent.input_example()  # invented texts, never a customer's ticket
        return _conclude(
            client,
            spec,
            run_id,
            model,
            example,
            metrics,
            baseline,
            champion,
            champion_metrics,
            split,
        )


# --- personas -------------------------------------------------------------------------------
def _personas_unchanged(
    settings: Settings, client: MlflowClient, name: str, fingerprint: str, as_of: date
) -> TrainingReport | None:
    """The champion fitted on these very profiles, peers, names and spec, when
    ``marts.account_personas`` still holds its table for ``as_of``: nothing to fit or write."""
    found = _champion_of(client, name, fingerprint)
    if found is None:
        return None
    with open_warehouse(settings, read_only=True) as con:
        if not table_exists(con, personas.TABLE, personas.SCHEMA):
            return None
        written = con.execute(
            f"select distinct model_version, as_of_date from {personas.SCHEMA}.{personas.TABLE}"
        ).fetchall()
    champion = {str(found.version), None}
    if {str(v) if v is not None else None for v, _ in written} - champion or {
        pd.Timestamp(day).date() for _, day in written
    } != {as_of}:
        return None
    reason = f"profiles and spec unchanged since champion v{found.version}: kept, not refitted"
    mlflow.set_tags({"promotion": "unchanged", "promotion_reason": reason})
    return TrainingReport(name, None, str(found.version), True, reason)


def train_personas(
    settings: Settings, client: MlflowClient, inputs: MartInputs, spec: PersonaSpec
) -> TrainingReport:
    """k-means personas over the usage profiles, logged to MLflow and written to
    ``marts.account_personas`` (every account of dim_accounts, persona 0 without usage)."""
    personas.require_columns(inputs.accounts, "dim_accounts", ["account_id", "is_active_customer"])
    personas.require_columns(
        inputs.features, "account_feature_adoption", ["feature_key", "feature_name"]
    )
    profiles = personas.usage_profiles(inputs.feature_usage, inputs.as_of, spec.windows_days)
    accounts = inputs.accounts.assign(account_id=inputs.accounts["account_id"].astype(str))
    is_peer = accounts.set_index("account_id")["is_active_customer"].fillna(False).astype(bool)
    names = dict(zip(inputs.features["feature_key"], inputs.features["feature_name"], strict=True))
    experiment_id = ensure_experiment(client, spec.experiment, settings)
    with mlflow.start_run(experiment_id=experiment_id, run_name=f"personas {inputs.as_of}") as run:
        run_id = run.info.run_id
        train_hash = frame_hash(profiles.reset_index())
        mlflow.log_params(
            {
                "as_of_date": inputs.as_of.isoformat(),
                "windows_days": ",".join(str(days) for days in spec.windows_days),
                "k_min": spec.k_min,
                "k_max": spec.k_max,
                "min_accounts": spec.min_accounts,
                "n_init": spec.n_init,
                "max_iter": spec.max_iter,
                "random_state": spec.random_state,
                "top_features": spec.top_features,
                "min_z": spec.min_z,
                "accounts": len(accounts),
                "accounts_profiled": len(profiles),
                "profile_columns": len(profiles.columns),
                "training_set_sha256": train_hash,
            }
        )
        mlflow.set_tags({"training_set_sha256": train_hash, "as_of_date": inputs.as_of.isoformat()})
        peers = is_peer.rename("is_peer").sort_index().reset_index()
        fingerprint = _fingerprint(
            (spec, inputs.as_of, sorted(names.items())), profiles.reset_index(), peers
        )
        kept = _personas_unchanged(settings, client, spec.name, fingerprint, inputs.as_of)
        if kept is not None:
            return replace(kept, run_id=run_id, rows_train=len(profiles))
        fit = personas.fit_personas(profiles, is_peer, names, spec)
        mlflow.log_metric("accounts_fit", fit.accounts_fit)
        mlflow.log_metrics({f"silhouette_k{k}": value for k, value in fit.silhouettes.items()})
        if fit.silhouettes:
            table = pd.DataFrame(
                {"k": list(fit.silhouettes), "silhouette": list(fit.silhouettes.values())}
            )
            mlflow.log_table(table, "personas/silhouette.json")
        mlflow.log_table(fit.centroids, "personas/centroids.json")

        version = None
        metrics: dict[str, float] = {}
        if fit.pipeline is not None and fit.selection is not None:
            metrics = {"k": float(fit.selection.k), "silhouette": fit.selection.silhouette}
            mlflow.log_metrics({"chosen_k": fit.selection.k, "silhouette": metrics["silhouette"]})
            # The input example is the centroids in share units: no customer's own profile.
            scaler = fit.pipeline.named_steps["scale"]
            centers = fit.pipeline.named_steps["kmeans"].cluster_centers_
            example = pd.DataFrame(scaler.inverse_transform(centers), columns=profiles.columns)
            registered = log_sklearn_model(
                fit.pipeline, spec.name, example, fit.pipeline.predict(example)
            )
            version = str(registered.version)
            # Personas have no holdout to beat: they describe the latest marts, and
            # marts.account_personas comes from this fit, so it is the champion.
            client.set_registered_model_alias(spec.name, CHAMPION, version)
            client.set_model_version_tag(spec.name, version, "promotion_reason", fit.reason)
            mlflow.set_tags({"promotion": CHAMPION, "promotion_reason": fit.reason})
        else:
            mlflow.set_tags({"promotion": "skipped", "promotion_reason": fit.reason})

        table = personas.persona_table(accounts["account_id"], fit, inputs.as_of, version)
        with open_warehouse(settings) as con:
            written = personas.publish_personas(con, table)
        counts = table["persona_name"].value_counts()
        mlflow.log_metric("accounts_written", written)
        mlflow.log_dict({str(k): int(v) for k, v in counts.items()}, "personas/sizes.json")
        return TrainingReport(
            spec.name,
            run_id,
            version,
            fit.fitted,
            fit.reason,
            metrics,
            {},
            fit.accounts_fit,
            0,
        )
