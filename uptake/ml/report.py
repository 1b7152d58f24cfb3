"""What one training run produced (returned by ``train_all`` and recorded in the run log)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class TrainingReport:
    model_name: str
    run_id: str | None
    version: str | None
    promoted: bool
    reason: str
    metrics: dict[str, float] = field(default_factory=dict)
    baseline_metrics: dict[str, float] = field(default_factory=dict)
    rows_train: int = 0
    rows_test: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
