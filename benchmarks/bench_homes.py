"""The homes ``bench_quality.py`` built under a ``--work`` folder, one table row each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd


def per_home_table(work: Path, figures_of: Callable[[Path], dict]) -> tuple[pd.DataFrame, pd.Index]:
    """One row per home under ``work`` (a folder with ``warehouse.duckdb``), the columns
    ``figures_of(home)`` returns, and each row's setting (the home's name without its seed)."""
    homes = sorted(p for p in work.iterdir() if (p / "warehouse.duckdb").exists())
    if not homes:
        raise SystemExit(f"no bench homes (warehouse.duckdb) under {work}")
    table = pd.DataFrame({home.name: figures_of(home) for home in homes}).T
    return table, table.index.str.rsplit("-", n=1).str[0]
