"""What the quarantine holds for a source that freshness finds empty or stale.

`dbt source freshness` sees a raw table with no delivery; the usual reason on a new landing
zone is that every file of it was refused at load (a `;`-separated export, a header the contract
does not name). The failure then names the quarantine's reasons instead of leaving the user to
find them; when nothing came at all, it names the files it waited for (specs.expected_files).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from uptake.extract.specs import ENTITIES
from uptake.settings import Settings
from uptake.warehouse import open_warehouse

TOP_REASONS = 3
EXAMPLE_CHARS = 40


def example_value(reason: str, record: str | None) -> str | None:
    """The value a keyed reason (``invalid_date:CreatedDate``) refused, read from the
    quarantined record (a CSV row or JSON line as JSON), or None. `8/9/1989` tells a data
    engineer what to change in the export; the column name alone does not."""
    key = reason.partition(":")[2]
    if not key or not record:
        return None
    try:
        value: object = json.loads(record)
    except ValueError:
        return None
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value)
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 3] + "..."


def _described(reason: str, count: int, record: str | None) -> str:
    example = example_value(reason, record)
    shown = f", e.g. {example!r}" if example is not None else ""
    return f"{reason} ({count} row{'' if count == 1 else 's'}{shown})"


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
                    "select reason, count(*) as n, min(record) from raw.quarantine "
                    "where source = ? and entity = ? group by reason "
                    f"order by n desc, reason limit {TOP_REASONS}",
                    [spec.source, spec.entity],
                ).fetchall()
                if rows:
                    reasons[spec.qualified_table] = ", ".join(
                        _described(reason, int(n), record) for reason, n, record in rows
                    )
    except Exception:  # no warehouse or quarantine yet: freshness says enough
        return {}
    return reasons
