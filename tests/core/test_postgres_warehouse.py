"""PostgreSQL as the warehouse of the Python steps: the settings that choose it, the connection
that offers DuckDB's calls, the statements whose dialects differ, and the copy of `raw`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from tests.dbt.fixtures import postgres_server_or_skip, throwaway_postgres_database
from uptake.extract.raw_to_postgres import copy_raw_to_postgres
from uptake.postgres_warehouse import connect_postgres, to_postgres_sql
from uptake.settings import PG_DSN_DEFAULT, get_settings
from uptake.warehouse_sql import insert_by_name, query_columns, replace_table_as

URL = "postgresql://postgres@127.0.0.1:5432/somewhere"


def test_a_postgresql_url_as_warehouse_makes_postgresql_the_whole_warehouse(
    tmp_path: Path,
) -> None:
    settings = get_settings({"UPTAKE_HOME": str(tmp_path), "UPTAKE_WAREHOUSE": URL})
    assert settings.warehouse_on_postgres and settings.dbt_target == "postgres"
    assert settings.pg_dsn == URL
    assert settings.warehouse_path == tmp_path / "staging" / "extract.duckdb"
    # What the tools are given reads back as the same warehouse (subprocesses, Airflow tasks).
    again = get_settings(settings.tool_env())
    assert (again.warehouse_on_postgres, again.pg_dsn) == (True, URL)
    assert again.warehouse_path == settings.warehouse_path


def test_the_warehouse_url_is_shown_without_its_password(tmp_path: Path) -> None:
    from uptake.outputs import format_locations

    url = "postgresql://uptake:s3cret@db.example:5432/warehouse"
    shown = format_locations(get_settings({"UPTAKE_HOME": str(tmp_path), "UPTAKE_WAREHOUSE": url}))
    assert "postgresql://uptake@db.example:5432/warehouse" in shown and "s3cret" not in shown


def test_conflicting_warehouse_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="UPTAKE_DBT_TARGET or UPTAKE_PG_DSN"):
        get_settings({"UPTAKE_WAREHOUSE": URL, "UPTAKE_DBT_TARGET": "duckdb"})
    with pytest.raises(ValueError, match="UPTAKE_DBT_TARGET or UPTAKE_PG_DSN"):
        get_settings({"UPTAKE_WAREHOUSE": URL, "UPTAKE_PG_DSN": PG_DSN_DEFAULT})
    with pytest.raises(ValueError, match="one of"):
        get_settings({"UPTAKE_DBT_TARGET": "sqlite"})
    plain = get_settings({"UPTAKE_HOME": str(tmp_path)})
    assert not plain.warehouse_on_postgres
    assert plain.warehouse_path == tmp_path / "warehouse.duckdb"


def test_duckdb_spellings_become_postgresql_ones() -> None:
    sql = "select cast(x as double), 'a?%' from t where y = ? and z like 'b%'"
    assert to_postgres_sql(sql, with_params=True) == (
        "select cast(x as double precision), 'a?%%' from t where y = %s and z like 'b%%'"
    )
    assert to_postgres_sql("select 'c%' as double precision") == "select 'c%' as double precision"


@pytest.fixture(scope="module")
def pg_dsn() -> Iterator[str]:
    server = postgres_server_or_skip()
    with throwaway_postgres_database(server) as dsn:
        yield dsn


@pytest.mark.postgres
def test_the_postgresql_connection_answers_like_duckdb(pg_dsn: str) -> None:
    frame = pd.DataFrame(
        {
            "account_id": ["a", "b", None],
            "arr": [1.5, None, 3.0],
            "seats": [1, 2, 3],
            "active": [True, False, True],
            "day": [date(2020, 1, 1), None, date(2021, 2, 3)],
            "at": pd.to_datetime(["2020-01-01 10:00", None, "2021-02-03 04:05"]),
            "note": ["", 'x, "y"\nz', "100%"],
        }
    )
    with connect_postgres(pg_dsn) as pg, duckdb.connect() as dk:
        for con in (pg, dk):
            con.execute("create schema if not exists marts")
            con.register("_frame", frame)
            replace_table_as(con, "marts.t", "select * from _frame")
            con.unregister("_frame")
            replace_table_as(con, "marts.t", "select * from marts.t")  # replace, not fail
        got = {
            name: con.execute("select * from marts.t where seats >= ? order by seats", [1])
            .fetchdf()
            .astype({"day": "datetime64[ns]", "at": "datetime64[ns]"})
            for name, con in (("pg", pg), ("duckdb", dk))
        }
        pd.testing.assert_frame_equal(got["pg"], got["duckdb"])
        assert got["pg"]["note"].tolist() == ["", 'x, "y"\nz', "100%"]  # '' is not NULL
        assert pg.execute("select round(cast(2.5 as numeric), 0) as n").fetchdf()["n"][0] == 3.0

        # A transaction spelled as statements, as on DuckDB.
        pg.execute("begin transaction")
        pg.execute("delete from marts.t")
        pg.execute("rollback")
        assert pg.execute("select count(*) from marts.t").fetchone() == (3,)


@pytest.mark.postgres
def test_history_helpers_agree_on_both_warehouses(pg_dsn: str) -> None:
    def run(con: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
        con.execute("create schema if not exists marts")
        con.execute("drop table if exists marts.h")
        con.execute("create table marts.h (b varchar, a integer)")
        select = "select 1 as a, 'x' as b, cast(2.5 as double) as c"
        insert_by_name(con, "marts.h", "select 1 as a, 'x' as b")
        names = [name for name, _ in query_columns(con, select)]
        rows = con.execute("select b, a from marts.h").fetchall()
        return names, rows

    with connect_postgres(pg_dsn) as pg, duckdb.connect() as dk:
        assert run(pg) == run(dk) == (["a", "b", "c"], [("x", 1)])
        kinds = dict(query_columns(pg, "select cast(1 as double) as c, current_date as d"))
        assert kinds == {"c": "double precision", "d": "date"}


def _raw_file(path: Path, rows: list[tuple[Any, ...]]) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists raw")
        con.execute(
            "create or replace table raw.things (id varchar, n integer, v double, d date, "
            "_source_file varchar, _delivery_date date, _line_number integer, "
            "_loaded_at timestamp)"
        )
        con.executemany("insert into raw.things values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    finally:
        con.close()


@pytest.mark.postgres
def test_raw_is_copied_whole_then_only_when_it_changed(pg_dsn: str, tmp_path: Path) -> None:
    import psycopg2

    loaded = datetime(2024, 5, 1, 12)
    rows = [
        ("", 1, 0.1, date(1999, 12, 31), "f.csv", date(2024, 5, 1), 2, loaded),
        (None, None, None, None, "f.csv", date(2024, 5, 1), 3, loaded),
        ('q"uote, comma', 3, 1e-9, date(2024, 1, 1), "f.csv", date(2024, 5, 1), 4, loaded),
    ]
    source = tmp_path / "extract.duckdb"
    _raw_file(source, rows)
    first = copy_raw_to_postgres(source, pg_dsn, tmp_path)
    assert first.copied == {"things": 3} and first.unchanged == []
    with psycopg2.connect(pg_dsn) as con, con.cursor() as cur:
        cur.execute("select id, n, v, d from raw.things order by _line_number")
        assert cur.fetchall() == [(r[0], r[1], r[2], r[3]) for r in rows]

    second = copy_raw_to_postgres(source, pg_dsn, tmp_path)
    assert second.copied == {} and second.unchanged == ["things"]

    changed = [*rows[:2], ("new", 4, 2.0, None, "g.csv", date(2024, 5, 2), 2, datetime.now())]
    _raw_file(source, changed)
    third = copy_raw_to_postgres(source, pg_dsn, tmp_path)
    assert third.copied == {"things": 3}
    with psycopg2.connect(pg_dsn) as con, con.cursor() as cur:
        cur.execute("select id from raw.things order by _line_number, id")
        assert [row[0] for row in cur.fetchall()] == ["", "new", None]
    assert not list(tmp_path.glob("*.csv"))  # the transfer files are gone


@pytest.mark.postgres
def test_nul_characters_are_dropped_on_the_way_to_postgresql(pg_dsn: str, tmp_path: Path) -> None:
    """PostgreSQL's text cannot hold NUL: a note body or account name with one (C-string
    padding in an export) failed the whole raw copy, and with it the extract DAG; and an
    escaped NUL in an event's properties made every json operator on them fail."""
    import psycopg2

    source = tmp_path / "extract.duckdb"
    con = duckdb.connect(str(source))
    con.execute("create schema raw")
    con.execute("create table raw.notes (body varchar, n integer, properties_json varchar)")
    con.execute(
        "insert into raw.notes values (?, 1, ?), (?, 2, ?)",
        ["Orion\x00Health", '{"label": "a\\u0000b", "error": "x"}', "a \\u0000 b", None],
    )
    con.close()
    assert copy_raw_to_postgres(source, pg_dsn, tmp_path).copied == {"notes": 2}
    with psycopg2.connect(pg_dsn) as pg, pg.cursor() as cur:
        cur.execute(
            "select body, cast(properties_json as json) ->> 'label', "
            "cast(properties_json as json) ->> 'error' from raw.notes order by n"
        )
        # Only JSON text loses its escape: a note may quote one.
        assert cur.fetchall() == [("OrionHealth", "a\ufffdb", "x"), ("a \\u0000 b", None, None)]
