"""The BI copy: every marts table, replaced atomically; an open reader keeps its old copy."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from uptake.bi_copy import publish_bi_copy


def _warehouse(path: Path, gaps: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create schema if not exists raw")
    con.execute("create or replace table raw.secret as select 1 as x")
    con.execute(
        f"create or replace table marts.adoption_gaps as select range as id from range({gaps})"
    )
    con.execute("create or replace table marts.dim_accounts as select 'a' as account_id")
    con.execute("create or replace view marts.a_view as select 1 as x")
    con.close()


def test_copy_holds_the_marts_tables_only(tmp_path: Path) -> None:
    warehouse, bi = tmp_path / "w.duckdb", tmp_path / "bi" / "warehouse.duckdb"
    _warehouse(warehouse, 3)

    copy = publish_bi_copy(warehouse, bi)

    assert copy.tables == {"adoption_gaps": 3, "dim_accounts": 1}
    con = duckdb.connect(str(bi), read_only=True)
    schemas = {
        r[0]
        for r in con.execute(
            "select distinct table_schema from information_schema.tables"
        ).fetchall()
    }
    con.close()
    assert schemas == {"marts"}  # raw never reaches BI
    assert [p.name for p in bi.parent.iterdir()] == ["warehouse.duckdb"]  # no temp file left


def test_a_reader_keeps_its_copy_while_a_new_one_replaces_it(tmp_path: Path) -> None:
    warehouse, bi = tmp_path / "w.duckdb", tmp_path / "bi.duckdb"
    _warehouse(warehouse, 3)
    publish_bi_copy(warehouse, bi)
    reader = duckdb.connect(str(bi), read_only=True)

    _warehouse(warehouse, 5)  # the next run rebuilt the marts
    publish_bi_copy(warehouse, bi)  # does not wait for, or break, the open reader

    assert reader.execute("select count(*) from marts.adoption_gaps").fetchone() == (3,)
    reader.close()
    fresh = duckdb.connect(str(bi), read_only=True)
    assert fresh.execute("select count(*) from marts.adoption_gaps").fetchone() == (5,)
    fresh.close()


def test_nothing_to_publish_is_an_error(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    with pytest.raises(RuntimeError, match="no marts tables"):
        publish_bi_copy(warehouse, tmp_path / "bi.duckdb")
    assert not (tmp_path / "bi.duckdb").exists()


def test_comments_follow_the_data(tmp_path: Path) -> None:
    """dbt's persist_docs descriptions reach BI tools: CREATE TABLE AS alone would drop them."""
    warehouse, bi = tmp_path / "w.duckdb", tmp_path / "bi.duckdb"
    _warehouse(warehouse, 2)
    con = duckdb.connect(str(warehouse))
    con.execute("comment on table marts.dim_accounts is 'One row per account, it''s current'")
    con.execute("comment on column marts.dim_accounts.account_id is 'CRM account id'")
    con.close()

    publish_bi_copy(warehouse, bi)

    copy = duckdb.connect(str(bi), read_only=True)
    tables = dict(
        copy.execute(
            "select table_name, comment from duckdb_tables() where schema_name = 'marts'"
        ).fetchall()
    )
    columns = copy.execute(
        "select table_name, column_name, comment from duckdb_columns() "
        "where schema_name = 'marts' and comment is not null"
    ).fetchall()
    copy.close()
    assert tables == {"dim_accounts": "One row per account, it's current", "adoption_gaps": None}
    assert columns == [("dim_accounts", "account_id", "CRM account id")]
