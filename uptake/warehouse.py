"""Warehouse access: DuckDB with one writer at a time, or PostgreSQL.

DuckDB allows a single writing process per file. Airflow tasks that write take the same
Airflow pool (one slot); this module adds an OS file lock so scripts and tests that run outside
Airflow obey the same rule. :func:`open_warehouse` opens whichever warehouse the settings name;
on PostgreSQL it gives a connection with DuckDB's calls (:mod:`uptake.postgres_warehouse`).
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import duckdb

if TYPE_CHECKING:
    from uptake.settings import Settings

WRITER_POOL = "uptake_warehouse"

# Where dbt builds each kind of table (dbt_project.yml): BI tools, the BI copy and the scored
# tables live in ``marts``; the point-in-time facts that only the models read in ``ml_inputs``.
MARTS = "marts"
ML_INPUTS = "ml_inputs"
ML_INPUT_TABLES = frozenset(
    {
        "fct_account_snapshots_every_30_days",
        "fct_gap_candidates_every_30_days",
        "fct_renewal_outcomes",
        "fct_support_tickets",
        "fct_cs_notes",
        "fct_interventions",
    }
)


def schema_of(table: str) -> str:
    """The schema a table Uptake reads or writes lives in."""
    return ML_INPUTS if table in ML_INPUT_TABLES else MARTS


def warehouse_errors() -> tuple[type[Exception], ...]:
    """What a query may raise on either warehouse (for commands that report, not crash)."""
    import psycopg2

    return (duckdb.Error, psycopg2.Error)


class WarehouseConnection(Protocol):
    """What the Python steps use of a warehouse connection: DuckDB's own, or
    :class:`uptake.postgres_warehouse.PostgresConnection`."""

    def execute(self, query: str, parameters: Any = None) -> Any: ...

    def register(self, view_name: str, python_object: Any) -> Any: ...

    def unregister(self, view_name: str) -> Any: ...


@contextmanager
def writer_lock(warehouse_path: Path) -> Iterator[None]:
    """Block until this process is the only writer of ``warehouse_path``."""
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse_path.with_name(warehouse_path.name + ".lock")
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def connect(
    warehouse_path: Path, *, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse; writers hold :func:`writer_lock` for the connection's lifetime."""
    if read_only:
        con = duckdb.connect(str(warehouse_path), read_only=True)
        try:
            yield con
        finally:
            con.close()
        return
    with writer_lock(warehouse_path):
        con = duckdb.connect(str(warehouse_path))
        try:
            yield con
        finally:
            con.close()


@contextmanager
def open_warehouse(settings: Settings, *, read_only: bool = False) -> Iterator[WarehouseConnection]:
    """The warehouse the settings name: a DuckDB connection, or a
    :class:`~uptake.postgres_warehouse.PostgresConnection` offering the same calls."""
    if settings.warehouse_on_postgres:
        from uptake.postgres_warehouse import connect_postgres

        with connect_postgres(settings.pg_dsn, read_only=read_only) as con:
            yield con
        return
    with connect(settings.warehouse_path, read_only=read_only) as con:
        yield con


def is_postgres(con: WarehouseConnection) -> bool:
    """True for a PostgreSQL warehouse connection (dialect choices in uptake.warehouse_sql)."""
    return getattr(con, "dialect", "duckdb") == "postgres"


def table_exists(con: WarehouseConnection, table: str, schema: str | None = None) -> bool:
    schema = schema or schema_of(table)
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])
