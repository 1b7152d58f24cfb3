"""What the quarantine holds for a source that freshness finds empty or stale.

`dbt source freshness` sees a raw table with no delivery; the usual reason on a new landing
zone is that every file of it was refused at load (a `;`-separated export, a header the contract
does not name). The failure then names the quarantine's reasons instead of leaving the user to
find them; when nothing came at all, it names the files it waited for (specs.expected_files).
"""

from __future__ import annotations

from collections.abc import Iterable

from uptake.extract.specs import ENTITIES
from uptake.settings import Settings
from uptake.warehouse import open_warehouse

TOP_REASONS = 3


def quarantine_reasons(settings: Settings, raw_tables: Iterable[str]) -> dict[str, str]:
    """For each ``raw.<table>`` with quarantined rows: its most frequent reasons with counts."""
    specs = {spec.qualified_table: spec for spec in ENTITIES}
    wanted = [specs[table] for table in raw_tables if table in specs]
    if not wanted:
        return {}
    reasons: dict[str, str] = {}
    try:
        with open_warehouse(settings, read_only=True) as con:
            for spec in wanted:
                rows = con.execute(
                    "select reason, count(*) as n from raw.quarantine "
                    "where source = ? and entity = ? group by reason "
                    f"order by n desc, reason limit {TOP_REASONS}",
                    [spec.source, spec.entity],
                ).fetchall()
                if rows:
                    reasons[spec.qualified_table] = ", ".join(
                        f"{reason} ({n} row{'' if n == 1 else 's'})" for reason, n in rows
                    )
    except Exception:  # no warehouse or quarantine yet: freshness says enough
        return {}
    return reasons
