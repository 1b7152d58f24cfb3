"""Reading what scoring wrote: a run that stopped earlier leaves tables absent, and each reader
says so in words instead of the warehouse's catalog error."""

from __future__ import annotations

from collections.abc import Iterable

from uptake.warehouse import WarehouseConnection, table_exists


class NotScoredError(LookupError):
    """A table scoring writes is absent: the last run stopped before scoring."""


def require_tables(con: WarehouseConnection, tables: Iterable[tuple[str, str]]) -> None:
    """Raise :class:`NotScoredError` naming every ``(schema, table)`` that does not exist."""
    missing = [
        f"{schema}.{table}" for schema, table in tables if not table_exists(con, table, schema)
    ]
    if missing:
        raise NotScoredError(
            f"the warehouse has no {', '.join(missing)}: the last `uptake run` did not "
            "reach scoring (its report says where it stopped)"
        )
