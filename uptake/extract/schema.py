"""DDL of the `raw` schema (architecture.md, section "raw schema")."""

from __future__ import annotations

import duckdb

from uptake.extract.specs import ENTITIES, EntitySpec

METADATA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_source_file", "VARCHAR"),
    ("_delivery_date", "DATE"),
    ("_line_number", "INTEGER"),
    ("_loaded_at", "TIMESTAMP"),
)

LOAD_AUDIT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("load_id", "VARCHAR"),
    ("source", "VARCHAR"),
    ("entity", "VARCHAR"),
    ("file_path", "VARCHAR"),
    ("delivery_date", "DATE"),
    ("content_hash", "VARCHAR"),
    ("rows_in", "BIGINT"),
    ("rows_loaded", "BIGINT"),
    ("rows_quarantined", "BIGINT"),
    ("rows_duplicate", "BIGINT"),
    ("loaded_at", "TIMESTAMP"),
)

QUARANTINE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source", "VARCHAR"),
    ("entity", "VARCHAR"),
    ("file_path", "VARCHAR"),
    ("line_number", "INTEGER"),
    ("reason", "VARCHAR"),
    ("record", "VARCHAR"),
    ("quarantined_at", "TIMESTAMP"),
)


def _create(table: str, columns: tuple[tuple[str, str], ...]) -> str:
    body = ",\n    ".join(f'"{name}" {sql_type}' for name, sql_type in columns)
    return f"CREATE TABLE IF NOT EXISTS {table} (\n    {body}\n)"


def table_ddl(spec: EntitySpec) -> str:
    return _create(spec.qualified_table, spec.columns + METADATA_COLUMNS)


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and its tables when missing; existing data is left alone."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for spec in ENTITIES:
        con.execute(table_ddl(spec))
    con.execute(_create("raw.load_audit", LOAD_AUDIT_COLUMNS))
    con.execute(_create("raw.quarantine", QUARANTINE_COLUMNS))
