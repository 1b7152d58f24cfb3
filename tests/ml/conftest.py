"""Module-scoped homes for the MLflow tests (training once per module keeps the suite fast)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from mart_fixtures import build_marts, write_marts

from uptake.settings import Settings, get_settings


@pytest.fixture(scope="module")
def make_home(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[dict[str, pd.DataFrame] | None], Settings]]:
    """Build a fresh UPTAKE_HOME with the fixture marts; the tool env is exported for the
    module and restored afterwards (MLflow reads its telemetry opt-out from it)."""
    with pytest.MonkeyPatch.context() as patch:

        def make(frames: dict[str, pd.DataFrame] | None = None) -> Settings:
            home: Path = tmp_path_factory.mktemp("uptake_home")
            settings = get_settings({"UPTAKE_HOME": str(home)})
            for key, value in settings.tool_env().items():
                patch.setenv(key, value)
            settings.mlflow_artifacts_dir.mkdir(parents=True, exist_ok=True)
            write_marts(settings.warehouse_path, frames if frames is not None else build_marts())
            return settings

        yield make
