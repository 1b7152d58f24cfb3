"""A build whose data breaks a test raises DbtBuildError naming the failing node."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.dbt.fixtures import write_duckdb_raw
from tests.dbt.harness import isolated_settings


def test_failing_test_raises_with_the_node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from uptake.transform import DbtBuildError, run_dbt_build

    settings = isolated_settings(tmp_path / "home", monkeypatch)
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    write_duckdb_raw(settings.warehouse_path)
    con = duckdb.connect(str(settings.warehouse_path))
    # The same feature twice in the catalog breaks the primary key of stg_catalog__features.
    con.execute("insert into raw.catalog_features select * from raw.catalog_features limit 1")
    con.close()

    with pytest.raises(DbtBuildError) as raised:
        run_dbt_build(settings, as_of_date=date(2026, 3, 31), select="stg_catalog__features")
    result = raised.value.result
    assert result.status_counts["error"] >= 1
    assert result.as_of_date == date(2026, 3, 31)
    failing = [f.unique_id for f in result.failures]
    assert any("unique_stg_catalog__features_feature_key" in uid for uid in failing), failing
    assert "unique_stg_catalog__features_feature_key" in str(raised.value)
