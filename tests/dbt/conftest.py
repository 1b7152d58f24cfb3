"""One DuckDB warehouse built from the raw fixture, shared by the tests (dbt start-up
costs seconds per invocation, so the tests read one build instead of running many)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.dbt.fixtures import write_duckdb_raw
from tests.dbt.harness import BuiltWarehouse, isolated_settings


@pytest.fixture(scope="session")
def duckdb_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltWarehouse]:
    from uptake.transform import run_dbt_build

    home = tmp_path_factory.mktemp("dbt_duckdb") / "home"
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = isolated_settings(home, monkeypatch)
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        write_duckdb_raw(settings.warehouse_path)
        result = run_dbt_build(settings)
    # The environment is restored here: tests only need the settings and the built file.
    yield BuiltWarehouse(settings=settings, result=result)
