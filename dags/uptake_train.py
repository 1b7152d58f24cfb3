"""
### uptake_train

Trains the models (`uptake.ml.train_all`: churn risk and the support-ticket intent classifier)
on point-in-time training sets, logs every run to MLflow and moves the `champion` alias only
when the new model beats the current champion on the same holdout. It also fits the
behavioural personas (k-means), writes `marts.account_personas` and rebuilds the dbt models
that read it (`dbt build --select source:ml+`: `dim_accounts`, `persona_benchmarks`).

- **Schedule**: whenever the quality gate publishes `uptake_marts`. Training is cheap at this
  scale and promotion is guarded, so retraining on every new build keeps the models on the
  latest labels without ever publishing a worse one.
- **Publishes**: `uptake_models`, which (with `uptake_marts`) triggers `uptake_score`.
- **Pool**: `uptake_warehouse` (reads the marts, writes the personas and rebuilds two marts).
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import dag, task

from uptake.orchestration import tasks


@dag(
    dag_id="uptake_train",
    schedule=[tasks.MARTS],
    doc_md=__doc__,
    tags=[*tasks.TAGS, "ml"],
    **tasks.DAG_KWARGS,
)
def uptake_train() -> None:
    @task(pool=tasks.WRITER_POOL, outlets=[tasks.MODELS])
    def train_models(**context: Any) -> dict[str, Any]:
        return tasks.train_models(context)

    train_models()


uptake_train()
