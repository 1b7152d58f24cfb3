"""Copy the `raw` schema from the extract's DuckDB working file into a PostgreSQL warehouse.

With ``UPTAKE_WAREHOUSE=postgresql://...`` the extract still parses, checks and quarantines
the landing zone in-process with DuckDB (``$UPTAKE_HOME/staging/extract.duckdb``): the readers,
limits and ledger are the same code on both warehouses. This step then makes PostgreSQL's
`raw` schema equal to that file's, table by table, in one transaction: dbt, the quality gate,
training and scoring read it there. A table whose content did not change since the last copy
(same row count, newest load and line-number sum) is left alone, so a rerun over an unchanged
landing zone copies nothing.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

log = logging.getLogger(__name__)

SCHEMA = "raw"
# One row per copied table: what its content was when copied (see module docstring).
STATE_TABLE = "_copied_from_extract"
_PG_TYPES = {
    "VARCHAR": "text",
    "DATE": "date",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
    "TIMESTAMP": "timestamp without time zone",
    "BOOLEAN": "boolean",
}


@dataclass
class RawCopy:
    """What one copy did: rows per copied table, and the tables found unchanged."""

    copied: dict[str, int] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"copied": dict(self.copied), "unchanged": list(self.unchanged)}


def _pg_type(table: str, column: str, duckdb_type: str) -> str:
    try:
        return _PG_TYPES[duckdb_type]
    except KeyError:
        raise TypeError(
            f"raw.{table}.{column} has type {duckdb_type}, which the PostgreSQL copy does not map"
        ) from None


def _fingerprint(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> str:
    parts = ["count(*)"]
    if "_loaded_at" in columns:
        parts += ["max(_loaded_at)", "sum(_line_number)"]
    for name in ("loaded_at", "quarantined_at"):
        if name in columns:
            parts.append(f"max({name})")
    row = con.execute(f'select {", ".join(parts)} from {SCHEMA}."{table}"').fetchone()
    return "|".join(str(value) for value in row or ())


def _duckdb_tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = ? order by table_name, ordinal_position",
        [SCHEMA],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, _pg_type(table, column, data_type)))
    return tables


def _pg_columns(cursor: Any, table: str) -> list[tuple[str, str]]:
    """(name, type) of PostgreSQL's ``raw.<table>``; empty when it does not exist."""
    cursor.execute(
        "select attname, format_type(atttypid, atttypmod) from pg_attribute "
        "where attrelid = to_regclass(%s) and attnum > 0 and not attisdropped order by attnum",
        (f'{SCHEMA}."{table}"',),
    )
    return [(name, kind) for name, kind in cursor.fetchall()]


def copy_raw_to_postgres(duckdb_path: Path, dsn: str, work_dir: Path) -> RawCopy:
    """Make PostgreSQL's `raw` schema hold what ``duckdb_path``'s does (see module docstring)."""
    import psycopg2

    result = RawCopy()
    work_dir.mkdir(parents=True, exist_ok=True)
    source = duckdb.connect(str(duckdb_path), read_only=True)
    target = psycopg2.connect(dsn, connect_timeout=30)
    try:
        tables = _duckdb_tables(source)
        with target, target.cursor() as cursor:
            cursor.execute(f"create schema if not exists {SCHEMA}")
            cursor.execute(
                f"create table if not exists {SCHEMA}.{STATE_TABLE} "
                "(table_name text primary key, fingerprint text, copied_at timestamp)"
            )
            cursor.execute(f"select table_name, fingerprint from {SCHEMA}.{STATE_TABLE}")
            copied_before = dict(cursor.fetchall())
            for table, columns in tables.items():
                fingerprint = _fingerprint(source, table, [name for name, _ in columns])
                if copied_before.get(table) == fingerprint and _pg_columns(cursor, table):
                    result.unchanged.append(table)
                    continue
                result.copied[table] = _copy_table(source, cursor, table, columns, work_dir)
                cursor.execute(
                    f"insert into {SCHEMA}.{STATE_TABLE} values (%s, %s, now()) "
                    "on conflict (table_name) do update set fingerprint = excluded.fingerprint, "
                    "copied_at = excluded.copied_at",
                    (table, fingerprint),
                )
    finally:
        target.close()
        source.close()
    log.info("raw copied to PostgreSQL: %s; unchanged: %s", result.copied, result.unchanged)
    return result


def _without_nul(columns: list[tuple[str, str]]) -> str:
    """The select list: text columns without NUL characters, which PostgreSQL's text cannot
    hold (COPY fails on the whole table: "invalid byte sequence for encoding UTF8: 0x00").
    A NUL is C-string padding, never meaning: a note body, a ticket subject or an account name
    with one loads without it. In JSON text (``*_json``) the escape ``\\u0000`` becomes
    ``\\ufffd``: PostgreSQL's json operators refuse the whole document for it ("\\u0000
    cannot be converted to text"), even when the key read is another."""

    def cleaned(name: str, kind: str) -> str:
        if kind != "text":
            return f'"{name}"'
        text = f"replace(\"{name}\", chr(0), '')"
        return f"replace({text}, '\\u0000', '\\ufffd')" if name.endswith("_json") else text

    return ", ".join(cleaned(name, kind) for name, kind in columns)


def _copy_table(
    source: duckdb.DuckDBPyConnection,
    cursor: Any,
    table: str,
    columns: list[tuple[str, str]],
    work_dir: Path,
) -> int:
    """Replace PostgreSQL's ``raw.<table>`` by DuckDB's, through a CSV file (COPY both ways)."""
    qualified = f'{SCHEMA}."{table}"'
    if _pg_columns(cursor, table) != columns:
        # New or reshaped: dbt's views over it are dropped with it and rebuilt by the next build.
        cursor.execute(f"drop table if exists {qualified} cascade")
        body = ", ".join(f'"{name}" {kind}' for name, kind in columns)
        cursor.execute(f"create table {qualified} ({body})")
    else:
        cursor.execute(f"truncate {qualified}")
    with tempfile.NamedTemporaryFile(dir=work_dir, suffix=".csv") as handle:
        # Every value quoted, NULL left empty: PostgreSQL then tells '' from NULL.
        source.execute(
            f"copy (select {_without_nul(columns)} from {qualified}) to '{handle.name}' "
            "(format csv, header false, force_quote *)"
        )
        with open(handle.name) as data:
            cursor.copy_expert(f"copy {qualified} from stdin with (format csv)", data)
    cursor.execute(f"select count(*) from {qualified}")
    return int(cursor.fetchone()[0])
