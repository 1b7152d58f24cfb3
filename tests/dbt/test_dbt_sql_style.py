"""sqlfluff (dbt templater, .sqlfluff) passes on every model; macros keep its line limit."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

from uptake.settings import PROJECT_ROOT, Settings


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


def test_macros_keep_the_sqlfluff_line_limit() -> None:
    # The dbt templater skips macro files (it lints them only through the models that call
    # them), so their own lines, doc comments included, are held to max_line_length here.
    config = configparser.ConfigParser()
    config.read(PROJECT_ROOT / ".sqlfluff")
    limit = config.getint("sqlfluff", "max_line_length")
    macros = sorted((PROJECT_ROOT / "dbt_project" / "macros").rglob("*.sql"))
    assert macros
    too_long = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}: {len(line)} > {limit}"
        for path in macros
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if len(line) > limit
    ]
    assert not too_long, "\n".join(too_long)
