"""Shared helpers of the dbt tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from uptake.settings import Settings, get_settings
from uptake.transform import DbtBuildResult


@dataclass(frozen=True)
class BuiltWarehouse:
    settings: Settings
    result: DbtBuildResult


# The fixture's seven accounts are reasoned with benchmark cohorts of 5 peers (the project
# default of 8 would put every account in *|*|*); the dbt unit tests cover the default.
FIXTURE_COHORT_MIN_ACCOUNTS = "5"


def isolated_settings(home: Path, monkeypatch: pytest.MonkeyPatch, **environ: str) -> Settings:
    """Settings for a temporary home, exported through monkeypatch so the env is restored."""
    resolved = get_settings(
        {
            "UPTAKE_HOME": str(home),
            "UPTAKE_COHORT_MIN_ACCOUNTS": FIXTURE_COHORT_MIN_ACCOUNTS,
            **environ,
        }
    )
    for key, value in resolved.tool_env().items():
        monkeypatch.setenv(key, value)
    return resolved
