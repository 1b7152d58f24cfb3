"""The few statements whose spelling differs between DuckDB and PostgreSQL.

Everything else the Python steps run is written once, in SQL both accept; these helpers take
either connection :func:`uptake.warehouse.open_warehouse` gives.
"""

from __future__ import annotations

from typing import Any

from uptake.warehouse import is_postgres


def replace_table_as(con: Any, table: str, select: str) -> None:
    """``table`` (schema-qualified) becomes the result of ``select``."""
    if is_postgres(con):
        # Built aside first: ``select`` may read ``table`` itself.
        aside = f"{table}__replacing"
        con.execute(f"drop table if exists {aside}")
        con.execute(f"create table {aside} as {select}")
        con.execute(f"drop table if exists {table}")
        con.execute(f"alter table {aside} rename to {table.rsplit('.', 1)[-1]}")
    else:
        con.execute(f"create or replace table {table} as {select}")


def query_columns(con: Any, select: str) -> list[tuple[str, str]]:
    """(name, SQL type) of each column ``select`` returns, without running it for its rows."""
    if not is_postgres(con):
        return [(row[0], row[1]) for row in con.execute(f"describe {select}").fetchall()]
    description = con.execute(f"select * from ({select}) as q limit 0").description
    types = {}
    for column in description:
        if column.type_code not in types:
            (types[column.type_code],) = con.execute(
                "select format_type(?, null)", [column.type_code]
            ).fetchone()
    return [(column.name, types[column.type_code]) for column in description]


def table_columns(con: Any, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [row[0] for row in rows]


def insert_by_name(con: Any, table: str, select: str) -> None:
    """Insert the rows of ``select`` into ``table``, matching columns by name."""
    names = ", ".join(f'"{name}"' for name, _ in query_columns(con, select))
    con.execute(f"insert into {table} ({names}) select {names} from ({select}) as q")
