"""Test-wide setup: every test runs offline against temporary homes and warehouses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from uptake.settings import Settings, get_settings


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings pointing at a fresh temporary UPTAKE_HOME, applied to this process."""
    home = tmp_path / "uptake_home"
    monkeypatch.setenv("UPTAKE_HOME", str(home))
    monkeypatch.delenv("UPTAKE_LANDING_DIR", raising=False)
    monkeypatch.delenv("UPTAKE_WAREHOUSE", raising=False)
    monkeypatch.delenv("UPTAKE_BI_WAREHOUSE", raising=False)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("UPTAKE_AS_OF_DATE", raising=False)
    monkeypatch.delenv("UPTAKE_COHORT_MIN_ACCOUNTS", raising=False)
    resolved = get_settings()
    for key, value in resolved.tool_env().items():
        monkeypatch.setenv(key, value)
    resolved.apply()
    yield resolved
