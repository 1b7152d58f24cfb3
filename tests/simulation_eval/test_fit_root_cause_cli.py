"""benchmarks/fit_root_cause.py refuses what it cannot fit on before reading any home."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "fit_root_cause.py"


def run_fit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_checking_only_and_not_checking_at_once_is_refused(tmp_path: Path) -> None:
    result = run_fit(str(tmp_path), "--check-only", "--no-check")
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr


def test_an_evaluation_seed_is_never_fitted_on(tmp_path: Path) -> None:
    (tmp_path / "standard-101" / "landing" / "_truth").mkdir(parents=True)
    result = run_fit(str(tmp_path), "--no-check", "--out", str(tmp_path / "model.toml"))
    assert result.returncode == 1
    assert "evaluation seeds are never fitted on: ['standard-101']" in result.stderr
    assert not (tmp_path / "model.toml").exists()
