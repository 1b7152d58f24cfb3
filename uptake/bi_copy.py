"""The read-only copy of the marts that BI tools open, replaced atomically after each run.

DuckDB allows one writer or many readers per file, not both: a BI tool holding the warehouse
open, even read-only, would make the next extract, dbt build or scoring fail. BI tools open
this copy instead. It is written to a temporary file next to it and moved over it with one
``rename``, so a reader that has the old file open keeps a consistent old copy (its inode stays
alive until closed) and the next reader to open the path sees the new one.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from uptake.warehouse import connect

SCHEMA = "marts"


@dataclass(frozen=True)
class BiCopy:
    path: Path
    tables: dict[str, int]  # table -> rows copied
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "tables": self.tables, "seconds": round(self.seconds, 2)}


def _quoted(text: Path | str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _copy_comments(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Table and column comments (the dbt descriptions, persist_docs) follow the data: a
    ``CREATE TABLE AS`` copy would drop them, and BI tools show them beside the columns."""
    (database,) = con.execute("SELECT current_database()").fetchone()
    where = "database_name = ? AND schema_name = ? AND table_name = ?"
    key = [database, SCHEMA, name]
    target = f'bi_copy.{SCHEMA}."{name}"'
    for (comment,) in con.execute(
        f"SELECT comment FROM duckdb_tables() WHERE {where}", key
    ).fetchall():
        if comment:
            con.execute(f"COMMENT ON TABLE {target} IS {_quoted(comment)}")
    columns = con.execute(
        f"SELECT column_name, comment FROM duckdb_columns() WHERE {where} AND comment <> ''", key
    ).fetchall()
    for column, comment in columns:
        con.execute(f'COMMENT ON COLUMN {target}."{column}" IS {_quoted(comment)}')


def publish_bi_copy(warehouse_path: Path, bi_path: Path) -> BiCopy:
    """Copy every table of ``marts`` from the warehouse into ``bi_path``, atomically."""
    started = time.perf_counter()
    bi_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = bi_path.with_name(f".{bi_path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    tables: dict[str, int] = {}
    # The writer lock: the copy must not interleave with a build of the marts it copies.
    with connect(warehouse_path) as con:
        names = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name",
                [SCHEMA],
            ).fetchall()
        ]
        if not names:
            raise RuntimeError(f"no {SCHEMA} tables in {warehouse_path} to publish")
        con.execute(f"ATTACH {_quoted(tmp)} AS bi_copy")
        try:
            con.execute(f"CREATE SCHEMA bi_copy.{SCHEMA}")
            for name in names:
                con.execute(
                    f'CREATE TABLE bi_copy.{SCHEMA}."{name}" AS SELECT * FROM {SCHEMA}."{name}"'
                )
                _copy_comments(con, name)
                (rows,) = con.execute(f'SELECT count(*) FROM bi_copy.{SCHEMA}."{name}"').fetchone()
                tables[name] = int(rows)
        finally:
            con.execute("DETACH bi_copy")
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())  # the bytes are on disk before the name points at them
    os.replace(tmp, bi_path)
    return BiCopy(bi_path, tables, time.perf_counter() - started)
