"""What the quarantine holds for a source that freshness finds empty or stale.

`dbt source freshness` sees a raw table with no delivery; the usual reason on a new landing
zone is that every file of it was refused at load (a `;`-separated export, a header the contract
does not name), or that no file of it was delivered at all (a CRM export without
`renewals.csv`). The failure then names the quarantine's reasons, or the files it expected,
instead of leaving the user to find them.
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


def expected_files(raw_table: str) -> str | None:
    """Where the landing zone holds a raw table's files (``crm/dt=*/renewals.csv``), or None
    for a table the loader does not fill."""
    spec = next((s for s in ENTITIES if s.qualified_table == raw_table), None)
    if spec is None:
        return None
    extension = "csv" if spec.file_format == "csv" else "jsonl"
    names = [f"{stem}.{extension}" for stem in spec.file_stems or ("*",)]
    folder = f"{spec.source}/dt=*/" if spec.partitioned else f"{spec.source}/"
    return " or ".join(folder + name for name in names)
