"""The churn model's calibration, as measured on its holdout when it was trained.

The scores of one run cannot be checked against outcomes that are not known yet, so the report
shows the reliability table the training run logged to MLflow for the model version that
scored (``calibration/model_calibration.json``). Nothing is recomputed here.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from uptake.ml.churn_prior import CHURN_PRIOR
from uptake.settings import Settings

ARTIFACT = "calibration/model_calibration.json"


@dataclass(frozen=True)
class Calibration:
    table: pd.DataFrame | None
    label: str  # what the table is, or why there is none


def _table(path: Path) -> pd.DataFrame:
    payload = json.loads(path.read_text())
    return pd.DataFrame(payload["data"], columns=payload["columns"])


def load_calibration(settings: Settings, model_name: str, model_version: str) -> Calibration:
    if not model_name or model_name == CHURN_PRIOR:
        return Calibration(
            None,
            "Calibration not available: this run scored with the cross-company churn prior "
            "(no champion of this company's own), which logs no holdout calibration.",
        )
    try:
        from mlflow.exceptions import MlflowException

        from uptake.ml.registry import client_for

        client = client_for(settings)
        run_id = client.get_model_version(model_name, model_version).run_id
        with tempfile.TemporaryDirectory() as folder:
            local = client.download_artifacts(run_id, ARTIFACT, folder)
            table = _table(Path(local))
    except (MlflowException, OSError, KeyError, ValueError) as exc:
        return Calibration(
            None,
            f"Calibration not available: no {ARTIFACT} for {model_name} version "
            f"{model_version} in the MLflow store ({type(exc).__name__}).",
        )
    return Calibration(table, f"{model_name} v{model_version}, holdout at training")
