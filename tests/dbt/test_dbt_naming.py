"""One naming rule per kind of column, on every table dbt builds in marts and ml_inputs.

The rule (docs/dbt.md, "Column names"): dates end in ``_date``, timestamps in ``_at``, booleans
start with ``is_``, a number of days ends in ``_days``, a fraction (0-1) ends in ``_rate`` and a
percentage (0-100) in ``_pct``. Columns the contract names keep their contract names.
"""

from __future__ import annotations

import duckdb

from tests.dbt.harness import BuiltWarehouse

SCHEMAS = ("marts", "ml_inputs")
# Names fixed by docs/contract.md (warehouse tables and the catalog's own columns).
CONTRACT_NAMES = {"contract_start", "expected_days_to_adopt", "dau_mau", "license_utilization"}


def _columns(build: BuiltWarehouse) -> list[tuple[str, str, str]]:
    con = duckdb.connect(str(build.settings.warehouse_path), read_only=True)
    try:
        return con.execute(
            "select table_schema || '.' || table_name, column_name, data_type "
            "from information_schema.columns where table_schema in ('marts', 'ml_inputs') "
            "order by all"
        ).fetchall()
    finally:
        con.close()


def test_column_names_say_their_kind(duckdb_build: BuiltWarehouse) -> None:
    broken = []
    for table, column, data_type in _columns(duckdb_build):
        if column in CONTRACT_NAMES:
            continue
        kind = data_type.upper()
        if kind == "DATE" and not column.endswith("_date"):
            broken.append(f"{table}.{column}: a date must end in _date")
        if kind.startswith("TIMESTAMP") and not column.endswith("_at"):
            broken.append(f"{table}.{column}: a timestamp must end in _at")
        if kind == "BOOLEAN" and not column.startswith("is_"):
            broken.append(f"{table}.{column}: a boolean must start with is_")
        if "days" in column.split("_") and not column.endswith("_days"):
            broken.append(f"{table}.{column}: a number of days must end in _days")
        if column.endswith(("_on", "_since")):
            broken.append(f"{table}.{column}: say _date or _at")
    assert not broken, "\n".join(broken)


def test_rates_are_fractions_and_pcts_are_percentages(duckdb_build: BuiltWarehouse) -> None:
    con = duckdb.connect(str(duckdb_build.settings.warehouse_path), read_only=True)
    try:
        checked = 0
        for table, column, _ in _columns(duckdb_build):
            bounds = 1.0 if column.endswith("_rate") else 100.0 if column.endswith("_pct") else None
            if bounds is None:
                continue
            low, high = con.execute(
                f'select min("{column}"), max("{column}") from {table}'
            ).fetchone()
            checked += 1
            if low is not None:
                assert low >= 0 and high <= bounds, f"{table}.{column} spans {low}..{high}"
        assert checked >= 8  # peer and adoption rates, depth percentages, ...
    finally:
        con.close()
