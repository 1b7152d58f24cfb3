"""The pulled sources' configuration comes from the environment, secrets kept out of repr."""

from __future__ import annotations

from pathlib import Path

from uptake.extract.pull import pulled_sources, source_roots
from uptake.settings import get_settings


def test_pull_variables_are_read_and_secrets_stay_out_of_repr(tmp_path: Path) -> None:
    settings = get_settings(
        {
            "UPTAKE_HOME": str(tmp_path),
            "UPTAKE_CRM_SOURCE": "postgresql://crm:pw-123@db:5432/sales",
            "UPTAKE_CRM_SCHEMA": "salesforce",
            "UPTAKE_CRM_OVERLAP_SECONDS": "60",
            "UPTAKE_SUPPORT_SOURCE": "https://acme.zendesk.com",
            "UPTAKE_SUPPORT_EMAIL": "agent@acme.com",
            "UPTAKE_SUPPORT_TOKEN": "tok-456",
            "UPTAKE_PULL_MAX_RETRIES": "2",
        }
    )
    assert (settings.crm_schema, settings.crm_overlap_seconds) == ("salesforce", 60)
    assert (settings.support_email, settings.support_token) == ("agent@acme.com", "tok-456")
    assert settings.pull_max_retries == 2
    assert pulled_sources(settings) == {"crm": "postgresql", "support": "zendesk"}
    assert source_roots(settings)["crm"] == tmp_path / "pulled"
    for secret in ("pw-123", "tok-456", "agent@acme.com"):
        assert secret not in repr(settings)


def test_unset_or_empty_variables_mean_files(tmp_path: Path) -> None:
    empty = {
        name: ""
        for name in (
            "UPTAKE_CRM_SOURCE",
            "UPTAKE_CRM_SCHEMA",
            "UPTAKE_CRM_OVERLAP_SECONDS",
            "UPTAKE_SUPPORT_SOURCE",
            "UPTAKE_PULL_MAX_RETRIES",
        )
    }
    for env in ({}, empty):
        settings = get_settings({"UPTAKE_HOME": str(tmp_path), **env})
        assert pulled_sources(settings) == {}
        assert (settings.crm_schema, settings.crm_overlap_seconds) == ("public", 300)
        assert settings.pull_max_retries == 5
        assert set(source_roots(settings).values()) == {settings.landing_dir}
