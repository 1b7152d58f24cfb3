"""MLflow tracking and registry: experiments, model logging, champion lookup and loading.

Models are serialized with skops (MLflow's safe default). Loading goes through
:func:`load_registered_model`, which trusts only types from scikit-learn, NumPy, SciPy and the
standard library plus the exact names in TRUSTED_TYPES, whatever list the model's own MLmodel
file carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
import skops.io
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from uptake.settings import Settings

CHAMPION = "champion"
CHALLENGER = "challenger"
# The exact types outside skops' defaults that the project's models hold (every churn
# variant: logistic regression or histogram gradient boosting, calibrated by sigmoid or
# isotonic or not, the prior-only fallback; the text classifier's first step is the project's
# own normalisation function, and the step before every booster the project's own transformer
# of empty columns, each trusted by its exact name). Saving a
# model with any other type fails, and loading one is refused by skops: a registered model
# is never a way to run arbitrary code. tests/ml/test_model_types.py keeps this list exact.
TRUSTED_TYPES = frozenset(
    {
        "numpy.dtype",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "uptake.ml.fit_frames.EmptyColumnsAsZero",
        "uptake.ml.text_classifier.prepare_frame",
    }
)


def client_for(settings: Settings) -> MlflowClient:
    """Point this process's MLflow at the settings' tracking store."""
    settings.mlflow_artifacts_dir.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(settings.mlflow_tracking_uri)
    return MlflowClient(tracking_uri=settings.mlflow_tracking_uri)


def ensure_experiment(client: MlflowClient, name: str, settings: Settings) -> str:
    """The experiment id, creating it with its artifacts under ``mlflow_artifacts_dir/name``."""
    existing = client.get_experiment_by_name(name)
    if existing is not None:
        return existing.experiment_id
    if settings.mlflow_tracking_uri.startswith(("http://", "https://")):
        # A tracking server (server mode) owns its artifact store and proxies uploads to it.
        return client.create_experiment(name)
    location = (settings.mlflow_artifacts_dir / name).resolve()
    location.mkdir(parents=True, exist_ok=True)
    return client.create_experiment(name, artifact_location=location.as_uri())


def version_by_alias(client: MlflowClient, model_name: str, alias: str) -> ModelVersion | None:
    try:
        return client.get_model_version_by_alias(model_name, alias)
    except MlflowException:
        return None  # no such model or no such alias yet


def why_no_champion(client: MlflowClient, model_name: str) -> str | None:
    """None when ``model_name`` has a champion; else why not, in words a person can act on:
    the latest version's promotion reason, or that no version was ever registered."""
    if version_by_alias(client, model_name, CHAMPION) is not None:
        return None
    try:
        versions = client.search_model_versions(f"name = '{model_name}'")
    except MlflowException:
        versions = []
    if not versions:
        return f"{model_name} has no champion: no version was ever registered (run the train step)"
    latest = max(versions, key=lambda v: int(v.version))
    tags = client.get_run(latest.run_id).data.tags if latest.run_id else {}
    reason = tags.get("promotion_reason", "no reason recorded")
    if tags.get("promotion") == CHAMPION:
        return (
            f"{model_name} has no champion: its latest version {latest.version} was promoted "
            f"({reason}), and the alias has been removed since"
        )
    return (
        f"{model_name} has no champion: its latest version {latest.version} was not promoted "
        f"({reason})"
    )


# Tag on every training run of a model scoring loads: what scoring is to use after this run,
# "champion v<N>" or "rule" (no champion: training decided the documented rule stays).
SCORING_BASIS_TAG = "scoring_basis"
RULE_BASIS = "rule"


def record_scoring_basis(client: MlflowClient, model_name: str) -> str:
    """Tag the active run with what scoring uses after it: the champion, or the rule."""
    champion = version_by_alias(client, model_name, CHAMPION)
    basis = f"champion v{champion.version}" if champion is not None else RULE_BASIS
    mlflow.set_tag(SCORING_BASIS_TAG, basis)
    return basis


def latest_training_basis(client: MlflowClient, experiment_name: str) -> str | None:
    """The scoring basis the latest training run of ``experiment_name`` recorded; "" when that
    run recorded none (it failed, or predates the tag); None when there is no run."""
    experiment = client.get_experiment_by_name(experiment_name)
    if experiment is None:
        return None
    runs = client.search_runs(
        [experiment.experiment_id], order_by=["attributes.start_time DESC"], max_results=1
    )
    return runs[0].data.tags.get(SCORING_BASIS_TAG, "") if runs else None


def trusted_types(untrusted: list[str]) -> list[str]:
    """The types of ``untrusted`` on the allow-list (exact names, no module prefixes)."""
    return [name for name in untrusted if name in TRUSTED_TYPES]


def refused_types(untrusted: list[str]) -> list[str]:
    """The types of ``untrusted`` outside the allow-list."""
    allowed = set(trusted_types(untrusted))
    return [name for name in untrusted if name not in allowed]


def log_sklearn_model(
    model: Any,
    registered_name: str,
    input_example: pd.DataFrame,
    output_example: Any,
) -> ModelVersion:
    """Log ``model`` to the active run with signature, input example and pinned requirements,
    and register it as a new version of ``registered_name``.

    MLflow saves the model with skops and loads it back trusting only the allow-list, before
    anything is registered: a model holding another type raises ValueError and leaves no
    version behind.
    """
    import sklearn
    from mlflow.models import infer_signature
    from skops.io.exceptions import UntrustedTypesFoundException

    try:
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            registered_model_name=registered_name,
            signature=infer_signature(input_example, output_example),
            input_example=input_example,
            # Explicit requirements: MLflow's environment inference is slow, needs no network.
            pip_requirements=[
                f"scikit-learn=={sklearn.__version__}",
                f"skops=={skops.__version__}",
            ],
            serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_SKOPS,
            skops_trusted_types=sorted(TRUSTED_TYPES),
        )
    except MlflowException as error:
        if isinstance(error.__context__, UntrustedTypesFoundException):
            raise ValueError(f"model holds types outside the allow-list: {error}") from error
        raise
    client = MlflowClient()
    return client.get_model_version(registered_name, str(info.registered_model_version))


@dataclass(frozen=True)
class LoadedModel:
    name: str
    version: str
    run_id: str | None
    model: Any


def load_registered_model(
    client: MlflowClient, model_name: str, alias: str = CHAMPION, version: str | None = None
) -> LoadedModel | None:
    """The sklearn model behind ``models:/<name>@<alias>`` (or a version), None if absent."""
    found = (
        client.get_model_version(model_name, version)
        if version
        else version_by_alias(client, model_name, alias)
    )
    if found is None:
        return None
    uri = f"models:/{model_name}/{found.version}"
    local = Path(mlflow.artifacts.download_artifacts(uri, tracking_uri=client.tracking_uri))
    files = sorted(local.rglob("model.skops"))
    if not files:
        raise FileNotFoundError(f"{uri} has no model.skops artifact")
    untrusted = skops.io.get_untrusted_types(file=files[0])
    model = skops.io.load(files[0], trusted=trusted_types(untrusted))
    return LoadedModel(model_name, str(found.version), found.run_id, model)
