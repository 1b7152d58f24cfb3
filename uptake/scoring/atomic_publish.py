"""Atomic publication: every scored table is built under a staging name, then all are swapped
in one transaction together with the day's history rows, so a reader sees the previous run or
this one, never half of either."""

from __future__ import annotations

import pandas as pd

from uptake.scoring.contract import TABLES
from uptake.scoring.score_history import record_history
from uptake.warehouse import WarehouseConnection
from uptake.warehouse_sql import replace_table_as

SCHEMA = "marts"


def _select_list(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    typed = [f'cast("{name}" as {sql_type}) as "{name}"' for name, sql_type in columns.items()]
    extra = [f'"{name}"' for name in frame.columns if name not in columns]
    return ", ".join(typed + extra)


def stage_table(con: WarehouseConnection, table: str, frame: pd.DataFrame) -> str:
    """Write ``frame`` to ``marts.<table>__staging`` with the contract columns first."""
    columns = TABLES[table]
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise ValueError(f"{table} lacks contract columns {missing}")
    staging = f"{table}__staging"
    con.register("_scored_frame", frame)
    try:
        replace_table_as(
            con, f"{SCHEMA}.{staging}", f"select {_select_list(frame, columns)} from _scored_frame"
        )
    finally:
        con.unregister("_scored_frame")
    return staging


def publish(
    con: WarehouseConnection,
    frames: dict[str, pd.DataFrame],
    scored_at: pd.Timestamp,
    *,
    replace_latest: bool = True,
) -> dict[str, int]:
    """Record the day's history and, when ``replace_latest``, replace each ``marts.<name>`` by
    its frame; everything commits together or not at all. Returns history rows written."""
    con.execute(f"create schema if not exists {SCHEMA}")
    staged = {table: stage_table(con, table, frame) for table, frame in frames.items()}
    con.execute("begin transaction")
    try:
        history = record_history(con, staged, scored_at)
        for table, staging in staged.items():
            if replace_latest:
                con.execute(f"drop table if exists {SCHEMA}.{table}")
                con.execute(f"alter table {SCHEMA}.{staging} rename to {table}")
            else:
                con.execute(f"drop table {SCHEMA}.{staging}")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return history
