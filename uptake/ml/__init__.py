"""Models: point-in-time training sets, the churn model, the ticket-intent classifier, MLflow.

``train_all`` is the public entry point; it imports MLflow, so import it inside tasks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uptake.ml.report import TrainingReport
    from uptake.ml.train import train_all

__all__ = ["TrainingReport", "train_all"]


def __getattr__(name: str) -> object:
    # Lazy: `import uptake.ml` must not pull MLflow and scikit-learn in (DAG parse time).
    if name == "train_all":
        from uptake.ml.train import train_all

        return train_all
    if name == "TrainingReport":
        from uptake.ml.report import TrainingReport

        return TrainingReport
    raise AttributeError(name)
