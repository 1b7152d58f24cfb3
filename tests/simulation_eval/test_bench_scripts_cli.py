"""The benchmark scripts that build or fit on development homes refuse evaluation seeds and
contradictory options before doing any work (run as a user runs them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def run_script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / name), *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--split", "dev", "--seeds", "14,101"], "evaluation seeds [101] are not development"),
        (["--split", "both", "--seeds", "14"], "--seeds needs --split dev or --split eval"),
        (["--split", "dev", "--seeds", "x"], "invalid seed_list value"),
    ],
)
def test_bench_quality_refuses_seeds_it_cannot_take(args: list[str], message: str) -> None:
    result = run_script("bench_quality.py", *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_fit_root_cause_refuses_checking_only_and_not_checking_at_once(tmp_path: Path) -> None:
    result = run_script("fit_root_cause.py", str(tmp_path), "--check-only", "--no-check")
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr


def test_fit_root_cause_never_fits_on_an_evaluation_seed(tmp_path: Path) -> None:
    (tmp_path / "standard-101" / "landing" / "_truth").mkdir(parents=True)
    out = tmp_path / "model.toml"
    result = run_script("fit_root_cause.py", str(tmp_path), "--no-check", "--out", str(out))
    assert result.returncode == 1
    assert "evaluation seeds are never fitted on: ['standard-101']" in result.stderr
    assert not out.exists()


def test_bench_priority_need_refuses_an_unknown_need_and_an_evaluation_home(
    tmp_path: Path,
) -> None:
    result = run_script("bench_priority_need.py", str(tmp_path), "--needs", "shipped,median")
    assert result.returncode == 2
    assert "unknown needs ['median']" in result.stderr
    (tmp_path / "hard-103" / "landing" / "_truth").mkdir(parents=True)
    result = run_script("bench_priority_need.py", str(tmp_path))
    assert result.returncode == 1
    assert "evaluation seeds are never fitted on: ['hard-103']" in result.stderr


def test_fit_churn_prior_never_fits_on_an_evaluation_seed(tmp_path: Path) -> None:
    (tmp_path / "field_service-plain-102" / "landing" / "_truth").mkdir(parents=True)
    out = tmp_path / "prior.toml"
    result = run_script("fit_churn_prior.py", str(tmp_path), "--out", str(out))
    assert result.returncode == 1
    assert "evaluation seeds are never fitted on: ['field_service-plain-102']" in result.stderr
    assert not out.exists()
