"""ruff (with the Airflow rules) keeps the Python tree clean; sqlfluff runs in tests/dbt."""

import subprocess
import sys
from pathlib import Path

from uptake.settings import PROJECT_ROOT

RUFF = Path(sys.executable).parent / "ruff"


def test_ruff_check_is_clean() -> None:
    result = subprocess.run(
        [str(RUFF), "check", "--no-cache", "."], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = subprocess.run(
        [str(RUFF), "format", "--check", "--no-cache", "."],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
