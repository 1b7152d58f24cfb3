"""
### uptake_transform

Builds the warehouse with dbt (staging -> intermediate -> marts, dbt tests included), then
runs the Great Expectations checkpoint `marts_gate` over the marts.

- **Schedule**: whenever `uptake_extract` publishes `uptake_raw`.
- **Publishes**: `uptake_marts`, only when the quality gate passes: a failed fail-level
  expectation fails `check_marts`, so training and scoring never see bad marts.
  Warn-level findings are logged and kept in the Data Docs.
- **Pool**: `uptake_warehouse` for both tasks (dbt writes; the gate's read-only connection
  would fail while another task holds the writer).
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import dag, task

from uptake.orchestration import tasks


@dag(
    dag_id="uptake_transform",
    schedule=[tasks.RAW],
    doc_md=__doc__,
    tags=[*tasks.TAGS, "dbt", "quality"],
    **tasks.DAG_KWARGS,
)
def uptake_transform() -> None:
    @task(pool=tasks.WRITER_POOL)
    def build_marts(**context: Any) -> dict[str, Any]:
        return tasks.build_marts(context)

    @task(pool=tasks.WRITER_POOL, outlets=[tasks.MARTS])
    def check_marts(**context: Any) -> dict[str, Any]:
        return tasks.check_marts(context)

    build_marts() >> check_marts()


uptake_transform()
