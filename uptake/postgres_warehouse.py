"""PostgreSQL as the warehouse of the Python steps (``UPTAKE_WAREHOUSE=postgresql://...``).

Training, scoring, delivery and the run checks talk to the warehouse through a small set of
calls that DuckDB's connection already offers: ``execute(sql, params)`` with ``?`` parameters,
then ``fetchone``/``fetchall``/``fetchdf``; ``register``/``unregister`` to expose a pandas
frame to SQL; and ``begin transaction``/``commit``/``rollback`` statements.
:class:`PostgresConnection` gives psycopg2 the same calls, so those steps hold one copy of
their SQL. Where the two dialects differ beyond that (``describe``, ``insert ... by name``,
``create or replace table``), the portable helpers in :mod:`uptake.warehouse_sql` choose.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

# PostgreSQL type OIDs whose Python values pandas would otherwise keep as objects.
_DATE_OID = 1082
_NUMERIC_OID = 1700
_TEXT_OIDS = frozenset({19, 25, 1042, 1043})
_NULLABLE_DTYPES = {
    16: ("boolean", "bool"),
    21: ("Int16", "int16"),
    23: ("Int32", "int32"),
    20: ("Int64", "int64"),
}
# DuckDB's name for a float8; "double precision" already qualified is left alone.
# A missing value in the CSV that COPY reads (PostgreSQL's own marker for NULL).
_NULL = "\\N"
_DOUBLE = re.compile(r"\bdouble\b(?!\s+precision)", re.IGNORECASE)
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%")


def to_postgres_sql(sql: str, *, with_params: bool = False) -> str:
    """DuckDB spellings that PostgreSQL lacks: ``?`` parameters and the type ``double``.

    With parameters, psycopg2 reads ``%`` as a placeholder sign, so a literal one is doubled.
    """
    sql = _DOUBLE.sub("double precision", sql)
    if not with_params:
        return sql

    def token(match: re.Match[str]) -> str:
        text = match.group(0)
        return "%s" if text == "?" else text.replace("%", "%%")

    return _TOKENS.sub(token, sql)


def _column_values(values: list[Any], type_code: int) -> Any:
    if type_code in _NULLABLE_DTYPES:
        # DuckDB's fetchdf: numpy integers and booleans, nullable ones where a value is NULL.
        nullable, plain = _NULLABLE_DTYPES[type_code]
        return pd.array(values, dtype=nullable if None in values else plain)
    if type_code in _TEXT_OIDS:
        return [np.nan if v is None else v for v in values]  # as DuckDB gives a NULL string
    if type_code == _NUMERIC_OID:
        return pd.Series([None if v is None else float(v) for v in values], dtype="float64")
    if type_code == _DATE_OID:
        return pd.to_datetime(pd.Series(values, dtype="object"))
    return values


def frame_from_cursor(description: Sequence[Any], rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """A frame typed as DuckDB's ``fetchdf`` would type it: dates as datetime64, numerics as
    floats (PostgreSQL returns ``Decimal`` and ``date`` objects)."""
    names = [column.name for column in description]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    data = {
        position: _column_values(list(values), column.type_code)
        for position, (values, column) in enumerate(zip(columns, description, strict=True))
    }
    frame = pd.DataFrame(data)
    frame.columns = names
    return frame


def _pg_type(series: pd.Series) -> str:
    """The column type a pandas column takes in a registered (temporary) table."""
    kind = series.dtype
    if pd.api.types.is_bool_dtype(kind):
        return "boolean"
    if pd.api.types.is_integer_dtype(kind):
        return "bigint"
    if pd.api.types.is_float_dtype(kind):
        return "double precision"
    if pd.api.types.is_datetime64_any_dtype(kind):
        return "timestamptz" if getattr(kind, "tz", None) is not None else "timestamp"
    sample = series.dropna()
    first = sample.iloc[0] if len(sample) else None
    if isinstance(first, bool | np.bool_):
        return "boolean"
    if isinstance(first, datetime | pd.Timestamp):
        return "timestamp"
    if isinstance(first, date):
        return "date"
    if isinstance(first, int | np.integer):
        return "bigint"
    if isinstance(first, float | np.floating | Decimal):
        return "double precision"
    return "text"


def _csv_payload(frame: pd.DataFrame) -> io.StringIO:
    """The frame as CSV for ``COPY ... (null '\\N', force_null ...)``: every value quoted,
    a missing one written as the NULL marker (an empty string stays an empty string)."""
    text = frame.copy()
    for name in text.columns:
        column = text[name]
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            text[name] = column.map(lambda v: None if pd.isna(v) else v.isoformat())
        elif pd.api.types.is_float_dtype(column.dtype):
            text[name] = column.map(lambda v: None if pd.isna(v) else repr(float(v)))
    buffer = io.StringIO()
    text.to_csv(buffer, index=False, header=False, na_rep=_NULL, quoting=csv.QUOTE_ALL)
    buffer.seek(0)
    return buffer


class _Result:
    def __init__(self, description: Sequence[Any] | None, rows: list[tuple[Any, ...]]) -> None:
        self.description = description
        self._rows = rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._rows)

    def fetchdf(self) -> pd.DataFrame:
        if self.description is None:
            return pd.DataFrame()
        return frame_from_cursor(self.description, self._rows)

    df = fetchdf


class PostgresConnection:
    """psycopg2 behind DuckDB's connection calls (see the module docstring)."""

    dialect = "postgres"

    def __init__(self, dsn: str, *, read_only: bool = False) -> None:
        import psycopg2

        self._con = psycopg2.connect(dsn, connect_timeout=30)
        # Statements run as they come; `begin transaction` ... `commit` group them, as on DuckDB.
        self._con.set_session(autocommit=True, readonly=read_only)

    def execute(self, query: str, parameters: Sequence[Any] | None = None) -> _Result:
        sql = to_postgres_sql(query, with_params=parameters is not None)
        with self._con.cursor() as cursor:
            cursor.execute(sql, _adapt(parameters))
            rows = cursor.fetchall() if cursor.description is not None else []
            return _Result(cursor.description, rows)

    def register(self, view_name: str, python_object: pd.DataFrame) -> None:
        """A temporary table ``view_name`` holding the frame (this session only)."""
        frame = python_object
        columns = ", ".join(f'"{col}" {_pg_type(frame[col])}' for col in frame.columns)
        with self._con.cursor() as cursor:
            cursor.execute(f'drop table if exists pg_temp."{view_name}"')
            cursor.execute(f'create temporary table "{view_name}" ({columns})')
            if len(frame):
                names = ", ".join(f'"{col}"' for col in frame.columns)
                copy = (
                    f'copy "{view_name}" from stdin '
                    f"with (format csv, null '{_NULL}', force_null ({names}))"
                )
                cursor.copy_expert(copy, _csv_payload(frame))

    def unregister(self, view_name: str) -> None:
        with self._con.cursor() as cursor:
            cursor.execute(f'drop table if exists pg_temp."{view_name}"')

    def close(self) -> None:
        self._con.close()


def _adapt(params: Sequence[Any] | None) -> tuple[Any, ...] | None:
    if params is None:
        return None
    return tuple(v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in params)


@contextmanager
def connect_postgres(dsn: str, *, read_only: bool = False) -> Iterator[PostgresConnection]:
    con = PostgresConnection(dsn, read_only=read_only)
    try:
        yield con
    finally:
        con.close()
