"""Atomic publication: every scored table is built under a staging name, then all are swapped
in one transaction, so a BI reader sees the previous run or this one, never half of either."""

from __future__ import annotations

import duckdb
import pandas as pd

from uptake.scoring.contract import TABLES

SCHEMA = "marts"


def _select_list(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    typed = [f'cast("{name}" as {sql_type}) as "{name}"' for name, sql_type in columns.items()]
    extra = [f'"{name}"' for name in frame.columns if name not in columns]
    return ", ".join(typed + extra)


def stage_table(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> str:
    """Write ``frame`` to ``marts.<table>__staging`` with the contract columns first."""
    columns = TABLES[table]
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise ValueError(f"{table} lacks contract columns {missing}")
    staging = f"{table}__staging"
    con.register("_scored_frame", frame)
    try:
        con.execute(
            f"create or replace table {SCHEMA}.{staging} as "
            f"select {_select_list(frame, columns)} from _scored_frame"
        )
    finally:
        con.unregister("_scored_frame")
    return staging


def publish(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> None:
    """Replace each ``marts.<name>`` by its frame; all swaps commit together or not at all."""
    con.execute(f"create schema if not exists {SCHEMA}")
    staged = {table: stage_table(con, table, frame) for table, frame in frames.items()}
    con.execute("begin transaction")
    try:
        for table, staging in staged.items():
            con.execute(f"drop table if exists {SCHEMA}.{table}")
            con.execute(f"alter table {SCHEMA}.{staging} rename to {table}")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
