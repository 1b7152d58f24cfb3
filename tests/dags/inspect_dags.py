"""Run in a subprocess by the DAG tests: parse dags/ like the dag-processor and print facts.

A fresh interpreter shows exactly what parsing a DAG file imports (sys.modules) and keeps
Airflow's configuration, read once at import, away from the test process.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

HEAVY = ("pandas", "sklearn", "mlflow", "great_expectations", "dbt")


def _heavy_loaded() -> list[str]:
    return sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY))


def _schedule(dag: Any) -> dict[str, Any]:
    condition = dag.timetable.asset_condition
    # A time-based timetable has no asset condition: None, or Airflow's _NullAsset placeholder
    # when the timetable object is passed to the DAG (it is with an explicit CronTriggerTimetable).
    if condition is None or type(condition).__name__ == "_NullAsset":
        return {"kind": type(dag.timetable).__name__, "assets": []}

    def names(node: Any) -> list[str]:
        children = getattr(node, "objects", None)
        if children is None:
            return [node.name]
        return [name for child in children for name in names(child)]

    return {"kind": type(condition).__name__, "assets": sorted(names(condition))}


def main(dags_dir: str, pool: str) -> None:
    from airflow.dag_processing.dagbag import DagBag  # the parser's own import cost, not ours

    before = _heavy_loaded()
    files: dict[str, float] = {}
    dags: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for path in sorted(Path(dags_dir).glob("*.py")):
        started = time.perf_counter()
        bag = DagBag(dag_folder=str(path), known_pools={"default_pool", pool})
        files[path.name] = time.perf_counter() - started
        errors.update(bag.import_errors)
        for dag_id, dag in bag.dags.items():
            dags[dag_id] = {
                "file": path.name,
                "tags": sorted(dag.tags),
                "owner": dag.owner,
                "retries": dag.default_args.get("retries"),
                "catchup": dag.catchup,
                "start_date": str(dag.start_date) if dag.start_date else None,
                "params": {name: dag.params.get_param(name).dump() for name in dag.params},
                "max_active_runs": dag.max_active_runs,
                "doc_md": bool(dag.doc_md and dag.doc_md.strip()),
                "schedule": _schedule(dag),
                "tasks": {
                    task.task_id: {
                        "pool": task.pool,
                        "start_date": str(task.start_date) if task.start_date else None,
                        "retries": task.retries,
                        "outlets": sorted(outlet.name for outlet in task.outlets),
                        "downstream": sorted(task.downstream_task_ids),
                    }
                    for task in dag.tasks
                },
            }
    report = {
        "heavy_before_parse": before,
        "heavy_after_parse": _heavy_loaded(),
        "parse_seconds": files,
        "import_errors": errors,
        "dags": dags,
    }
    print("INSPECT " + json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
