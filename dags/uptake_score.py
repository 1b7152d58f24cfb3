"""
### uptake_score

Scores every account and entitled-but-not-adopted feature with the champion models: churn
risk, root cause, priority and severity, recommended action; merges the alerts. Writes
`marts.account_scores`, `marts.adoption_gaps` and `marts.adoption_alerts` atomically.

- **Schedule**: when both `uptake_marts` (gate passed) and `uptake_models` (training finished
  on those marts) have new events, so scoring always follows training of the same build.
- **Publishes**: `uptake_scored` (scored tables written); `deliver_reports` writes the HTML
  report, the CSM digests and the CRM export and posts new critical alerts to the webhook;
  then `publish_bi_copy` replaces the read-only BI copy of the marts atomically and publishes
  `uptake_bi_copy`.
- **Pool**: `uptake_warehouse` (writes the scored tables).
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import dag, task

from uptake.orchestration import tasks


@dag(
    dag_id="uptake_score",
    schedule=(tasks.MARTS & tasks.MODELS),
    doc_md=__doc__,
    tags=[*tasks.TAGS, "scoring"],
    **tasks.DAG_KWARGS,
)
def uptake_score() -> None:
    @task(pool=tasks.WRITER_POOL, outlets=[tasks.SCORED])
    def score_accounts(**context: Any) -> dict[str, Any]:
        return tasks.score_accounts(context)

    @task(pool=tasks.WRITER_POOL, outlets=[tasks.BI_COPY])
    def publish_bi_copy(**context: Any) -> dict[str, Any]:
        return tasks.publish_bi_copy(context)

    @task(pool=tasks.WRITER_POOL)
    def deliver_reports(**context: Any) -> dict[str, Any]:
        return tasks.deliver_reports(context)

    score_accounts() >> deliver_reports() >> publish_bi_copy()


uptake_score()
