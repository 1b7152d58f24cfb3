"""Step summaries of the latest run, kept as JSON under ``$UPTAKE_HOME/reports``.

Airflow tasks record what they did (counts, gate results, model metrics) so the report can be
printed after the run without re-running anything or reading Airflow's metadata database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from uptake.settings import Settings

STEPS = ("extract", "freshness", "transform", "quality", "train", "score", "deliver", "publish")


def _path(settings: Settings, step: str) -> Path:
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}; expected one of {STEPS}")
    return settings.reports_dir / f"{step}.json"


def record_step(settings: Settings, step: str, payload: dict[str, Any]) -> Path:
    path = _path(settings, step)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=str, sort_keys=True))
    tmp.replace(path)  # atomic: a reader never sees half a summary
    return path


def read_step(settings: Settings, step: str) -> dict[str, Any] | None:
    path = _path(settings, step)
    if not path.exists():
        return None
    return json.loads(path.read_text())


def clear_steps(settings: Settings) -> None:
    for step in STEPS:
        _path(settings, step).unlink(missing_ok=True)
