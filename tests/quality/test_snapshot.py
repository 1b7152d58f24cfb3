"""The gate's table snapshots: DuckDB (default) and PostgreSQL (the postgres dbt target)."""

from __future__ import annotations

import os
from dataclasses import replace

import pandas as pd
import pytest

from uptake.quality.snapshot import snapshot_tables
from uptake.settings import Settings
from uptake.warehouse import connect


def test_duckdb_snapshot_reads_read_only_and_marks_missing_tables(settings: Settings) -> None:
    with connect(settings.warehouse_path) as con:
        con.execute("create schema marts; create table marts.t as select 1 as id, 'a' as name")
    out = settings.gx_dir / "batches"
    out.mkdir(parents=True)
    (out / "marts.dropped.parquet").write_bytes(b"stale")

    rows = snapshot_tables(settings, [("marts", "t"), ("marts", "absent")], out)

    assert rows == {("marts", "t"): 1, ("marts", "absent"): None}
    assert pd.read_parquet(out / "marts.t.parquet").to_dict("records") == [{"id": 1, "name": "a"}]
    assert not (out / "marts.dropped.parquet").exists()  # an old file never passes for a table


@pytest.mark.postgres
def test_postgres_snapshot(settings: Settings) -> None:
    psycopg2 = pytest.importorskip("psycopg2")
    schema = f"uptake_gate_test_{os.getpid()}"
    try:
        con = psycopg2.connect(settings.pg_dsn, connect_timeout=3)
    except psycopg2.OperationalError as error:
        pytest.skip(f"PostgreSQL not reachable at {settings.pg_dsn}: {error}")
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(f"create schema {schema}")
            cur.execute(f"create table {schema}.t as select 7 as id, 2.5::float8 as score")
        pg_settings = replace(settings, dbt_target="postgres")

        rows = snapshot_tables(pg_settings, [(schema, "t"), (schema, "absent")], settings.gx_dir)

        assert rows == {(schema, "t"): 1, (schema, "absent"): None}
        frame = pd.read_parquet(settings.gx_dir / f"{schema}.t.parquet")
        assert frame.to_dict("records") == [{"id": 7, "score": 2.5}]
    finally:
        with con.cursor() as cur:
            cur.execute(f"drop schema if exists {schema} cascade")
        con.close()
