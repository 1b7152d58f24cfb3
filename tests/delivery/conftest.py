"""A small scored warehouse for the delivery tests, built once per session: the completed
fixture marts (delivery_fixtures.py) scored by ``score_all`` (rule baseline, no MLflow models).
Each test that writes gets its own copy."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from delivery_fixtures import complete_marts, subset
from mart_fixtures import build_marts, write_marts

from uptake.settings import Settings, get_settings


@pytest.fixture(scope="session")
def scored_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with the completed fixture marts and this day's scored tables."""
    from uptake.scoring import score_all

    home = tmp_path_factory.mktemp("delivery_template")
    settings = get_settings({"UPTAKE_HOME": str(home)})
    with pytest.MonkeyPatch.context() as patch:
        for key, value in settings.tool_env().items():
            patch.setenv(key, value)
        settings.mlflow_artifacts_dir.mkdir(parents=True, exist_ok=True)
        write_marts(settings.warehouse_path, complete_marts(subset(build_marts())))
        # Fixture marts, never trained on: the rules score them.
        score_all(replace(settings, alert_cap_per_csm=4, champions="optional"))
    return settings.warehouse_path


@pytest.fixture(scope="session")
def published(scored_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """One publish_reports run on a copy of the template, shared by the tests that only read
    its outputs (report pages, digests, export)."""
    from uptake.delivery import publish_reports

    home = tmp_path_factory.mktemp("delivery_published")
    settings = replace(get_settings({"UPTAKE_HOME": str(home)}), alert_cap_per_csm=4)
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(scored_template, settings.warehouse_path)
    with pytest.MonkeyPatch.context() as patch:
        for key, value in settings.tool_env().items():
            patch.setenv(key, value)
        summary = publish_reports(settings)
    return settings, summary


@pytest.fixture
def desk(scored_template: Path, settings: Settings) -> Iterator[Settings]:
    """Settings on a fresh home holding a copy of the scored warehouse (alert cap 4)."""
    shutil.copy(scored_template, settings.warehouse_path)
    yield replace(settings, alert_cap_per_csm=4)
