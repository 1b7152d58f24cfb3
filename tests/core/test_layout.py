"""The layout rules docs/architecture.md states, checked on the source tree."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "uptake"
PIPELINE_STAGES = ("extract", "transform", "quality", "ml", "scoring", "delivery")


def _modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if p.name not in {"__init__.py", "__main__.py"}]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_module_names_are_unique_across_packages() -> None:
    counts = Counter(p.stem for p in _modules())
    repeated = {name: n for name, n in counts.items() if n > 1}
    assert not repeated, f"module names used in more than one package: {repeated}"


def test_only_orchestration_and_dag_files_import_airflow() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in _modules()
        if "orchestration" not in p.parts
        and any(m == "airflow" or m.startswith("airflow.") for m in _imports(p))
    ]
    assert not offenders, offenders


def test_pipeline_stages_never_import_the_simulation() -> None:
    # The simulation holds the planted truth: a stage that could import it could read it.
    offenders = [
        str(p.relative_to(ROOT))
        for stage in PIPELINE_STAGES
        for p in (PACKAGE / stage).rglob("*.py")
        if any(m.startswith("uptake.simulation") for m in _imports(p))
    ]
    assert not offenders, offenders
