"""Expectation suites written as code in ``expectations/*.py``, loaded by path.

``expectations/`` is not a package on ``sys.path`` (PyPI has a package called
``expectations``), so each file is imported under a private module name. A suite file defines

- ``SCHEMA``: the warehouse schema its tables live in, e.g. ``"marts"``;
- ``SUITES``: ``{table: [gx expectation, ...]}``.

An expectation is fail-level unless built with :func:`warn` (``meta={"severity": "warn"}``):
warnings are reported and shown in Data Docs but do not stop the pipeline.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from uptake.quality.gate_results import FAIL, SEVERITIES, WARN


@dataclass(frozen=True)
class TableSuite:
    schema: str
    table: str
    expectations: tuple[Any, ...]
    source_file: Path

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"


def warn(expectation: Any) -> Any:
    """Mark an expectation as warn-level (reported, never stops the pipeline)."""
    expectation.meta = {**(expectation.meta or {}), "severity": WARN}
    return expectation


def severity_of(meta: dict[str, Any] | None) -> str:
    value = (meta or {}).get("severity", FAIL)
    if value not in SEVERITIES:
        raise ValueError(f"unknown expectation severity {value!r}; expected one of {SEVERITIES}")
    return value


def _import_by_path(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_uptake_expectations_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load expectation suite file {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_suites(expectations_dir: Path) -> list[TableSuite]:
    """Every table suite defined in ``expectations_dir/*.py``, sorted by name."""
    suites: list[TableSuite] = []
    for path in sorted(expectations_dir.glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = _import_by_path(path)
        schema = getattr(module, "SCHEMA", None)
        tables = getattr(module, "SUITES", None)
        if not isinstance(schema, str) or not isinstance(tables, dict):
            raise ValueError(f"{path} must define SCHEMA (str) and SUITES (dict of table -> list)")
        for table, expectations in tables.items():
            for expectation in expectations:
                severity_of(expectation.meta)  # reject typos in severity at load time
            suites.append(TableSuite(schema, table, tuple(expectations), path))
    names = [suite.name for suite in suites]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"tables with more than one suite: {duplicates}")
    return sorted(suites, key=lambda suite: suite.name)
