"""bench_quality.py --seeds: more development homes to fit on, never an evaluation seed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_quality.py"


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--split", "dev", "--seeds", "14,101"], "evaluation seeds [101] are not development"),
        (["--split", "both", "--seeds", "14"], "--seeds needs --split dev or --split eval"),
        (["--split", "dev", "--seeds", "x"], "invalid seed_list value"),
    ],
)
def test_seeds_that_are_not_development_seeds_are_refused(args: list[str], message: str) -> None:
    result = run_bench(*args)
    assert result.returncode == 2
    assert message in result.stderr
