"""
### uptake_extract

Loads the landing zone (product events, CRM snapshots, support and CS exports) into the
`raw` schema of the warehouse. Loads are idempotent by file path and content hash, so a rerun
of a day changes nothing; bad rows go to `raw.quarantine` with a reason.

- **Schedule**: daily at 00:00 UTC, never on unpausing. The run's logical date is the as-of
  date handed downstream.
- **Publishes**: the `uptake_raw` asset (with `as_of_date` in the event extra), which triggers
  `uptake_transform`.
- **Pool**: `uptake_warehouse` (DuckDB allows one writer).
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import dag, task

from uptake.orchestration import tasks


@dag(
    dag_id="uptake_extract",
    schedule=tasks.DAILY_AT_MIDNIGHT_UTC,
    doc_md=__doc__,
    tags=[*tasks.TAGS, "extract"],
    **tasks.DAG_KWARGS,
)
def uptake_extract() -> None:
    @task(pool=tasks.WRITER_POOL, outlets=[tasks.RAW])
    def load_landing_zone(**context: Any) -> dict[str, Any]:
        return tasks.load_landing_zone(context)

    load_landing_zone()


uptake_extract()
