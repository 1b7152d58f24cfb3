"""sqlfluff (dbt templater, .sqlfluff) passes on every model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from uptake.settings import Settings


def test_models_pass_sqlfluff(settings: Settings, tmp_path: Path) -> None:
    env = {**settings.tool_env(), "UPTAKE_WAREHOUSE": str(tmp_path / "lint.duckdb")}
    env["PATH"] = str(Path(sys.executable).parent)
    completed = subprocess.run(
        [sys.executable, "-m", "sqlfluff", "lint", "dbt_project/models"],
        cwd=settings.project_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # Exit 0 means every model compiled and no rule was violated (1: violations, 2: errors).
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    assert "WARNING" not in completed.stderr, completed.stderr[-2000:]
