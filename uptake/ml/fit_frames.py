"""A step that lets scikit-learn's histogram booster fit on columns with no value.

A numeric column empty in every row a booster is fitted on (an optional CRM field no account
filled, usage signals of a company whose events matched nothing, renewal dates a CRM export
only has for its oldest contracts) carries nothing to learn, yet the booster fails on it
("window shape cannot be larger than input array shape"). Calibration fits the booster again
on folds of the training rows, so a column filled in some rows can still be empty in a fold:
the step therefore sits right before the booster, inside the calibration, and decides per fit.
Fitted as a constant 0 such a column is never split on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin


class EmptyColumnsAsZero(TransformerMixin, BaseEstimator):
    """Columns that hold no value in the rows it was fitted on become 0; the rest pass as they
    are (a partly empty column keeps its NaN: the booster's missing-value path)."""

    def fit(self, X: Any, y: Any = None) -> EmptyColumnsAsZero:
        if hasattr(X, "columns"):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        values = np.asarray(X, dtype=float)
        self.n_features_in_ = values.shape[1]
        self.empty_ = np.isnan(values).all(axis=0)  # no rows: every column is empty
        return self

    def transform(self, X: Any) -> np.ndarray:
        values = np.array(X, dtype=float, copy=True)
        values[:, self.empty_] = 0.0
        return values
