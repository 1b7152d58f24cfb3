"""The cross-company churn prior: one logistic regression fitted on other companies' renewals.

A company's own churn model trains on a few hundred renewals and rarely beats the health score
on its holdout by a margin the promotion gate trusts. The prior is fitted once, offline, on the
pooled renewals of many companies (``benchmarks/fit_churn_prior.py``: the closed renewals and
their point-in-time snapshots, exactly the rows a company's own model trains on; no planted
truth), and scores a company until a model of its own beats it. Its numbers live in
``ml/churn_prior.toml``; scoring Platt-scales it on the company's own closed renewals so its
probabilities sit at the company's churn rate (``uptake.ml.predict``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from uptake.fitted_toml import read_fitted_toml, toml_header, toml_numbers
from uptake.ml.dataset import build_churn_training_set
from uptake.ml.model_specs import ChurnSpec
from uptake.settings import Settings

CHURN_PRIOR = "uptake-churn-prior"  # the model_name scores carry when the prior scored them
REGULARISATION_C = 1.0  # chosen on the development homes (docs/models.md, "Churn prior")
# The prior scores every renewal of the next 365 days from today's snapshot, so it learns from
# the account as it stood 90, 120, ... 360 days before each closed renewal, not only at 90
# (chosen on the development homes, each left out in turn: docs/models.md, "Churn prior").
PRIOR_LOOKBACK_DAYS = tuple(range(90, 361, 30))


class ChurnPriorError(ValueError):
    """The prior's file is missing or malformed, or a frame lacks a column it reads."""


@dataclass(frozen=True)
class ChurnPrior:
    version: str
    features: tuple[str, ...]
    log_features: tuple[str, ...]  # counts read as log(1 + x): a tenth ticket adds less
    clip: dict[str, tuple[float, float]]  # read within these bounds: one odd row, one value
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def standardised(self, frame: pd.DataFrame) -> np.ndarray:
        """The features as the fit saw them; an empty value is the fit's mean (reads as 0)."""
        missing = [f for f in self.features if f not in frame.columns]
        if missing:
            raise ChurnPriorError(f"the churn prior reads column(s) the frame lacks: {missing}")
        values = prior_inputs(frame, self.features, self.log_features, self.clip)
        values = np.where(np.isnan(values), self.mean, values)
        return (values - self.mean) / self.scale

    def probability(self, frame: pd.DataFrame) -> np.ndarray:
        """P(churn at the next renewal) as on the pooled companies, one value per row."""
        logit = self.standardised(frame) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-logit))


def churn_prior_path(settings: Settings) -> Path:
    return settings.ml_config_dir / "churn_prior.toml"


def prior_inputs(
    frame: pd.DataFrame,
    features: tuple[str, ...],
    log_features: tuple[str, ...],
    clip: dict[str, tuple[float, float]],
) -> np.ndarray:
    values = frame[list(features)].apply(pd.to_numeric, errors="coerce").astype(float)
    for column, (low, high) in clip.items():
        values[column] = values[column].clip(low, high)
    for column in log_features:
        values[column] = np.log1p(values[column].clip(lower=0.0))
    return values.to_numpy()


def prior_training_rows(
    renewals: pd.DataFrame, snapshots: pd.DataFrame, spec: ChurnSpec, as_of: date
) -> pd.DataFrame:
    """One company's rows for the prior's fit: each closed renewal with the account's
    point-in-time snapshot at every lookback of PRIOR_LOOKBACK_DAYS (a snapshot two lookbacks
    reach counted once), as ``build_churn_training_set`` builds them."""
    spec = dataclasses.replace(spec, lookback_days=PRIOR_LOOKBACK_DAYS)
    return build_churn_training_set(renewals, snapshots, spec, as_of)


def fit_churn_prior(
    rows: pd.DataFrame,
    features: tuple[str, ...],
    log_features: tuple[str, ...],
    version: str,
    clip: dict[str, tuple[float, float]] | None = None,
    c: float = REGULARISATION_C,
) -> ChurnPrior:
    """Fit on ``rows`` (pooled churn training rows: ``label`` and the features)."""
    if rows["label"].nunique() < 2:
        raise ValueError("the churn prior needs churned and renewed rows to fit on")
    clip = dict(clip or {})
    values = prior_inputs(rows, features, log_features, clip)
    mean = np.nanmean(values, axis=0)
    values = np.where(np.isnan(values), mean, values)
    scale = values.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((values - mean) / scale, rows["label"].astype(int))
    return ChurnPrior(
        version,
        features,
        log_features,
        clip,
        mean,
        scale,
        model.coef_[0],
        float(model.intercept_[0]),
    )


def load_churn_prior(path: Path) -> ChurnPrior:
    """Read and check ``ml/churn_prior.toml``; a malformed file is an error naming the key."""
    raw = read_fitted_toml(path, ChurnPriorError, "churn prior")
    name = path.name
    try:
        fitted = raw["fitted"]
        features = tuple(str(f) for f in fitted["features"])
        log_features = tuple(str(f) for f in fitted["log_features"])
        mean = np.asarray(fitted["mean"], dtype=float)
        scale = np.asarray(fitted["scale"], dtype=float)
        coef = np.asarray(fitted["coef"], dtype=float)
        intercept = float(fitted["intercept"])
        clip = {str(k): (float(v[0]), float(v[1])) for k, v in fitted.get("clip", {}).items()}
        version = str(raw["version"])
    except KeyError as missing:
        raise ChurnPriorError(f"{name}: missing key {missing}") from None
    except (TypeError, ValueError, IndexError, AttributeError):
        raise ChurnPriorError(f"{name}: a value is not a number or a [low, high] pair") from None
    width = len(features)
    if not width or mean.shape != (width,) or scale.shape != (width,) or coef.shape != (width,):
        raise ChurnPriorError(f"{name}: mean, scale and coef must have one value per feature")
    if not (scale > 0).all() or not np.isfinite([*mean, *coef, intercept]).all():
        raise ChurnPriorError(f"{name}: scales must be positive and every number finite")
    unknown = sorted((set(log_features) | set(clip)) - set(features))
    if unknown:
        raise ChurnPriorError(f"{name}: log_features or clip not among the features: {unknown}")
    if any(not low < high for low, high in clip.values()):
        raise ChurnPriorError(f"{name}: each clip is [low, high] with low < high")
    return ChurnPrior(version, features, log_features, clip, mean, scale, coef, intercept)


def prior_toml(prior: ChurnPrior, provenance: dict[str, str]) -> str:
    """``ml/churn_prior.toml``: provenance and the fitted numbers."""
    comment = (
        "The cross-company churn prior: logistic regression over standardised snapshot",
        "features (uptake/ml/churn_prior.py). Written by benchmarks/fit_churn_prior.py from",
        "the development homes' renewals; do not edit by hand, refit (docs/models.md).",
    )
    lines = [
        *toml_header(comment, prior.version, provenance),
        "[fitted]",
        "features = [" + ", ".join(f'"{f}"' for f in prior.features) + "]",
        "log_features = [" + ", ".join(f'"{f}"' for f in prior.log_features) + "]",
        f"mean = {toml_numbers(prior.mean)}",
        f"scale = {toml_numbers(prior.scale)}",
        f"coef = {toml_numbers(prior.coef)}",
        f"intercept = {prior.intercept:.6g}",
    ]
    if prior.clip:
        lines += ["", "[fitted.clip]"]
        lines += [f"{key} = [{low:g}, {high:g}]" for key, (low, high) in prior.clip.items()]
    return "\n".join(lines) + "\n"
