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


def isolated_settings(home: Path, monkeypatch: pytest.MonkeyPatch, **environ: str) -> Settings:
    """Settings for a temporary home, exported through monkeypatch so the env is restored."""
    resolved = get_settings({"UPTAKE_HOME": str(home), **environ})
    for key, value in resolved.tool_env().items():
        monkeypatch.setenv(key, value)
    return resolved
