"""Personas end to end on the raw fixture: dbt build, train, write, rebuild the readers.

The first build runs before any persona table exists (the first run of a new home); the train
step writes ``marts.account_personas`` and rebuilds ``source:ml+``, which joins the personas
into ``dim_accounts`` and fills ``persona_benchmarks``. Personas of another day are not joined.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import duckdb
import pytest

from tests.dbt.fixtures import ACCOUNTS, AS_OF, write_duckdb_raw
from tests.dbt.harness import isolated_settings


def _rows(path: Any, sql: str) -> list[dict[str, Any]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def test_personas_are_written_and_joined(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from uptake.ml.dataset import load_training_inputs
    from uptake.ml.model_specs import load_persona_spec
    from uptake.ml.registry import client_for
    from uptake.ml.train import train_personas
    from uptake.transform import ML_SOURCE_CONSUMERS, run_dbt_build

    settings = isolated_settings(tmp_path / "home", monkeypatch)
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    write_duckdb_raw(settings.warehouse_path)
    warehouse = settings.warehouse_path

    # First build: no persona table yet; dim_accounts builds with empty persona columns.
    run_dbt_build(settings)
    dim = _rows(warehouse, "select account_id, persona_id, persona_name from marts.dim_accounts")
    assert len(dim) == len(ACCOUNTS)
    assert all(row["persona_id"] is None and row["persona_name"] is None for row in dim)
    assert _rows(warehouse, "select * from marts.persona_benchmarks") == []

    # Seven accounts are far below min_accounts: one persona, no model, the reason recorded.
    client = client_for(settings)
    spec = load_persona_spec(settings)
    tiny = train_personas(settings, client, load_training_inputs(settings, None), spec)
    assert not tiny.promoted and tiny.version is None and "no k-means" in tiny.reason
    assert client.get_run(tiny.run_id).data.tags["promotion"] == "skipped"
    result = run_dbt_build(settings, select=ML_SOURCE_CONSUMERS)
    assert result.success and not result.failures
    assert result.count("model") == 2  # dim_accounts and persona_benchmarks only
    joined = _rows(
        warehouse,
        "select d.account_id, d.persona_id, d.persona_name, p.persona_name as written "
        "from marts.dim_accounts d join marts.account_personas p using (account_id)",
    )
    assert len(joined) == len(ACCOUNTS)
    assert all(row["persona_name"] == row["written"] for row in joined)
    assert {row["persona_name"] for row in joined} <= {"all accounts", "no recent usage"}
    assert "all accounts" in {row["persona_name"] for row in joined}
    bench = _rows(warehouse, "select * from marts.persona_benchmarks where persona_id = 1")
    assert bench and all(0 <= row["peer_adoption_rate"] <= 1 for row in bench)

    # A spec small enough to cluster the fixture: k-means personas are joined the same way.
    small = replace(spec, min_accounts=3, k_min=2, k_max=3)
    clustered = train_personas(settings, client, load_training_inputs(settings, None), small)
    assert clustered.promoted and clustered.version == "1", clustered.reason
    run_dbt_build(settings, select=ML_SOURCE_CONSUMERS)
    names = _rows(
        warehouse,
        "select count(distinct d.persona_id) as personas, "
        "count(*) filter (where d.persona_name = p.persona_name) as matching, count(*) as n "
        "from marts.dim_accounts d join marts.account_personas p using (account_id) "
        "where p.persona_id > 0",
    )[0]
    assert names["personas"] == clustered.metrics["k"] and names["matching"] == names["n"]

    # Personas of another day are not joined: dim_accounts describes the as-of date only.
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("update marts.account_personas set as_of_date = as_of_date - 1")
    finally:
        con.close()
    run_dbt_build(settings, select=ML_SOURCE_CONSUMERS)
    stale = _rows(warehouse, "select count(persona_id) as n from marts.dim_accounts")
    assert stale == [{"n": 0}]
    assert _rows(warehouse, "select max(as_of_date) as d from marts.dim_accounts") == [{"d": AS_OF}]
