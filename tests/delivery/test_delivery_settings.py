"""Delivery settings: read from the environment, the webhook URL kept out of repr()."""

from __future__ import annotations

from uptake.settings import get_settings


def test_delivery_defaults():
    settings = get_settings({})
    assert settings.alert_webhook_url == ""
    assert settings.alert_webhook_retries == 4
    assert settings.crm_export_table == "uptake_account_health"
    assert settings.exports_dir == settings.home / "exports"


def test_delivery_overrides_and_the_url_stays_secret():
    url = "https://hooks.slack.com/services/T1/B2/very-secret"
    settings = get_settings(
        {
            "UPTAKE_ALERT_WEBHOOK_URL": f" {url} ",
            "UPTAKE_ALERT_WEBHOOK_RETRIES": "2",
            "UPTAKE_CRM_EXPORT_TABLE": "",
        }
    )
    assert settings.alert_webhook_url == url
    assert settings.alert_webhook_retries == 2
    assert settings.crm_export_table == ""
    assert "very-secret" not in repr(settings)
    assert "very-secret" not in str(settings.tool_env())
