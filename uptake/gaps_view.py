"""`uptake gaps`: the scored gaps of one account or one CSM, read from the marts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from uptake.scored_tables import require_tables
from uptake.settings import Settings
from uptake.warehouse import connect, open_warehouse

COLUMNS = (
    "account_id",
    "account_name",
    "csm_owner",
    "feature_key",
    "severity",
    "root_cause",
    "root_cause_confidence",
    "priority_score",
    "arr_at_risk",
    "recommended_action",
    "summary",
)


def readable_warehouse(settings: Settings) -> Path:
    """The BI copy when there is one (never blocks a running pipeline), else the warehouse."""
    return (
        settings.bi_warehouse_path
        if settings.bi_warehouse_path.exists()
        else (settings.warehouse_path)
    )


def _reader(settings: Settings) -> Any:
    # On PostgreSQL readers never block the pipeline: they read the database itself.
    if settings.warehouse_on_postgres:
        return open_warehouse(settings, read_only=True)
    return connect(readable_warehouse(settings), read_only=True)


def gaps_for(
    settings: Settings, account_id: str | None = None, csm: str | None = None
) -> list[dict[str, Any]]:
    """Gaps (highest priority first) of ``account_id`` and/or the accounts ``csm`` owns."""
    conditions, values = [], []
    if account_id is not None:
        conditions.append("g.account_id = ?")
        values.append(account_id)
    if csm is not None:
        conditions.append("a.csm_owner = ?")
        values.append(csm)
    where = " and ".join(conditions) or "true"
    select = ", ".join(
        f"a.{c}" if c in ("account_name", "csm_owner") else f"g.{c}" for c in COLUMNS
    )
    with _reader(settings) as con:
        require_tables(con, (("marts", "adoption_gaps"), ("marts", "dim_accounts")))
        rows = con.execute(
            f"""
            select {select}
            from marts.adoption_gaps as g
            join marts.dim_accounts as a using (account_id)
            where {where}
            order by g.priority_score desc, g.account_id, g.feature_key
            """,
            values,
        ).fetchall()
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]
