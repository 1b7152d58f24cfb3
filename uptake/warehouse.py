"""DuckDB warehouse access with one writer at a time.

DuckDB allows a single writing process per file. Airflow tasks that write take the same
Airflow pool (one slot); this module adds an OS file lock so scripts and tests that run outside
Airflow obey the same rule.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

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
