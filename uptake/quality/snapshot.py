"""Freeze the tables under test as Parquet files for the Great Expectations pandas datasource.

Why files and not in-memory DataFrames: a GX 1.x checkpoint passes one set of batch parameters
to every validation definition, so one checkpoint over several runtime DataFrames is not
possible; one Parquet file per table gives each validation definition its own batch. The files
are read with pandas, and they also pin exactly what the gate saw for the Data Docs. The
SQL datasource over DuckDB fails here (a MetricResolutionError through duckdb-engine).
"""

from __future__ import annotations

from pathlib import Path

from uptake.settings import Settings
from uptake.warehouse import connect


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _snapshot_duckdb(
    warehouse_path: Path, tables: list[tuple[str, str]], out_dir: Path
) -> dict[tuple[str, str], int | None]:
    rows: dict[tuple[str, str], int | None] = {}
    # Read-only: the gate never writes the warehouse and may run beside other readers.
    with connect(warehouse_path, read_only=True) as con:
        present = set(
            con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        )
        for schema, table in tables:
            if (schema, table) not in present:
                rows[(schema, table)] = None
                continue
            target = out_dir / f"{schema}.{table}.parquet"
            relation = f"{_quote(schema)}.{_quote(table)}"
            con.execute(f"copy (select * from {relation}) to '{target}' (format parquet)")
            (count,) = con.execute(f"select count(*) from {relation}").fetchone()
            rows[(schema, table)] = int(count)
    return rows


def _snapshot_postgres(
    dsn: str, tables: list[tuple[str, str]], out_dir: Path
) -> dict[tuple[str, str], int | None]:
    import pandas as pd
    import psycopg2

    rows: dict[tuple[str, str], int | None] = {}
    with psycopg2.connect(dsn) as con, con.cursor() as cur:
        cur.execute("select table_schema, table_name from information_schema.tables")
        present = set(cur.fetchall())
        for schema, table in tables:
            if (schema, table) not in present:
                rows[(schema, table)] = None
                continue
            cur.execute(f"select * from {_quote(schema)}.{_quote(table)}")
            frame = pd.DataFrame(cur.fetchall(), columns=[col.name for col in cur.description])
            frame.to_parquet(out_dir / f"{schema}.{table}.parquet", index=False)
            rows[(schema, table)] = len(frame)
    return rows


def snapshot_tables(
    settings: Settings, tables: list[tuple[str, str]], out_dir: Path
) -> dict[tuple[str, str], int | None]:
    """Write ``out_dir/<schema>.<table>.parquet`` per table; rows per table, None if missing."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.parquet"):
        stale.unlink()  # a table dropped since the last run must not pass on an old file
    if settings.dbt_target == "postgres":
        return _snapshot_postgres(settings.pg_dsn, tables, out_dir)
    return _snapshot_duckdb(settings.warehouse_path, tables, out_dir)
