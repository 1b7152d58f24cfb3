"""Webhook alerts: each new critical alert delivered once, retried with backoff, recorded."""

from __future__ import annotations

import logging
import socket
from dataclasses import replace

import duckdb
import pandas as pd
import pytest
from delivery_pages import visible_text
from delivery_webhook_server import webhook_server

from uptake.delivery import publish_reports, webhook
from uptake.delivery.marts import load_desk
from uptake.delivery.views import build_views


def _views(settings):
    return build_views(load_desk(settings))


def _deliveries(settings) -> pd.DataFrame:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute("select * from marts.alert_deliveries order by alert_id").fetchdf()
    finally:
        con.close()


def _critical_ids(settings) -> set[str]:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        rows = con.execute(
            "select alert_id from marts.adoption_alerts "
            "where status = 'open' and severity = 'critical' and is_pushed"
        ).fetchall()
    finally:
        con.close()
    return {row[0] for row in rows}


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_without_a_url_nothing_is_sent_or_written(desk):
    result = webhook.deliver_alerts(desk, _views(desk), Sleeps())
    assert not result.configured and result.delivered == 0
    con = duckdb.connect(str(desk.warehouse_path), read_only=True)
    tables = {
        r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
    }
    con.close()
    assert "alert_deliveries" not in tables


def test_each_critical_alert_reaches_the_server_exactly_once(desk):
    expected = _critical_ids(desk)
    assert len(expected) >= 2  # the fixture has critical alerts to send
    with webhook_server() as hook:
        settings = replace(desk, alert_webhook_url=hook.url)
        first = webhook.deliver_alerts(settings, _views(settings), Sleeps())
        second = webhook.deliver_alerts(settings, _views(settings), Sleeps())
    assert (first.pending, first.delivered, first.failed) == (len(expected), len(expected), 0)
    assert (second.pending, second.delivered) == (0, 0)
    sent = [
        body["blocks"][-1]["elements"][0]["text"].rsplit("alert ", 1)[1] for body in hook.received
    ]
    assert sorted(sent) == sorted(expected)
    body = hook.received[0]
    assert body["text"].startswith("Critical adoption alert: ")
    assert [block["type"] for block in body["blocks"]] == ["header", "section", "context"]
    table = _deliveries(settings)
    assert set(table["alert_id"]) == expected
    assert (table["status"] == "delivered").all() and (table["attempts"] == 1).all()
    assert table["delivered_at"].notna().all()


def test_5xx_is_retried_with_exponential_backoff(desk):
    with webhook_server() as hook:
        hook.script = [(500, {}), (502, {}), (503, {})]
        settings = replace(desk, alert_webhook_url=hook.url, alert_webhook_retries=4)
        sleeps = Sleeps()
        result = webhook.deliver_alerts(settings, _views(settings), sleeps)
    assert result.failed == 0 and result.delivered == result.pending
    assert sleeps == [1.0, 2.0, 4.0]
    table = _deliveries(settings)
    assert table["attempts"].max() == 4 and (table["status"] == "delivered").all()


def test_429_waits_for_retry_after(desk):
    with webhook_server() as hook:
        hook.script = [(429, {"Retry-After": "7"})]
        settings = replace(desk, alert_webhook_url=hook.url)
        sleeps = Sleeps()
        result = webhook.deliver_alerts(settings, _views(settings), sleeps)
    assert sleeps == [7.0] and result.failed == 0


def test_a_failed_delivery_is_retried_next_run_not_lost(desk, caplog):
    expected = _critical_ids(desk)
    with webhook_server() as hook:
        hook.script = [(500, {})] * 3  # the first alert fails all three tries
        settings = replace(desk, alert_webhook_url=hook.url, alert_webhook_retries=2)
        with caplog.at_level(logging.DEBUG):
            first = webhook.deliver_alerts(settings, _views(settings), Sleeps())
        assert (first.delivered, first.failed) == (0, 1)
        assert first.deferred == len(expected) - 1  # the rest wait for the next run
        assert first.errors == [
            f"alert {_deliveries(settings)['alert_id'].iloc[0]}: HTTP 500 after 3 tries"
        ]
        failed = _deliveries(settings)
        assert list(failed["status"]) == ["failed"] and failed["attempts"].iloc[0] == 3
        second = webhook.deliver_alerts(settings, _views(settings), Sleeps())
    assert (second.pending, second.delivered, second.failed) == (len(expected), len(expected), 0)
    table = _deliveries(settings)
    assert set(table["alert_id"]) == expected and (table["status"] == "delivered").all()
    assert table.loc[table["alert_id"] == failed["alert_id"].iloc[0], "attempts"].iloc[0] == 4
    assert len(hook.received) == len(expected)
    # The URL is a secret: not in the logs, the errors or the warehouse.
    assert "s3cr3t" not in caplog.text and "127.0.0.1" not in caplog.text
    assert "s3cr3t" not in repr(settings)
    assert not table.astype(str).apply(lambda column: column.str.contains("s3cr3t")).any().any()


def test_a_client_error_is_not_retried_in_the_run(desk):
    with webhook_server() as hook:
        hook.script = [(404, {})]
        settings = replace(desk, alert_webhook_url=hook.url)
        sleeps = Sleeps()
        result = webhook.deliver_alerts(settings, _views(settings), sleeps)
    assert sleeps == [] and hook.requests == 1 and result.failed == 1


def test_connection_errors_are_retried_then_recorded(desk):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = replace(
        desk, alert_webhook_url=f"http://127.0.0.1:{port}/hook", alert_webhook_retries=3
    )
    sleeps = Sleeps()
    result = webhook.deliver_alerts(settings, _views(settings), sleeps)
    assert sleeps == [1.0, 2.0, 4.0] and result.failed == 1
    assert result.errors[0].endswith("URLError: ConnectionRefusedError after 4 tries")
    assert str(port) not in result.errors[0]


def test_untrusted_text_cannot_mention_or_link_in_slack(desk):
    views = _views(desk)
    alert = views.open_alerts().iloc[0].copy()
    alert["summary"] = "<!channel> see <http://x|here> & more"
    body = webhook.alert_message(alert, views)
    assert (
        body["blocks"][1]["text"]["text"] == "&lt;!channel&gt; see &lt;http://x|here&gt; &amp; more"
    )


@pytest.mark.parametrize(("attempt", "seconds"), [(1, 1.0), (2, 2.0), (5, 16.0), (9, 30.0)])
def test_backoff_doubles_up_to_a_ceiling(attempt, seconds):
    assert webhook.backoff(attempt) == seconds


def test_publish_reports_a_failing_webhook_without_raising_and_shows_it(desk):
    expected = _critical_ids(desk)
    with webhook_server() as hook:
        hook.script = [(500, {})] * 2
        settings = replace(desk, alert_webhook_url=hook.url, alert_webhook_retries=1)
        failing = publish_reports(settings, sleep=Sleeps())
        assert not failing.ok and failing.webhook["failed"] == 1
        assert failing.errors[0].startswith("webhook: alert ") and "HTTP 500" in failing.errors[0]
        assert (settings.reports_dir / "index.html").exists()  # the rest was delivered
        shown = visible_text((settings.reports_dir / "index.html").read_text())
        assert "critical alerts to the webhook, all runs 0 sent, 1 failing" in shown
        pages = " ".join(
            visible_text(path.read_text()) for path in (settings.reports_dir / "csm").glob("*")
        )
        assert "failing (2 tries, HTTP 500); retried next run" in pages
        fixed = publish_reports(settings, sleep=Sleeps())
    assert fixed.ok and fixed.webhook["delivered"] == len(expected)
    assert len(hook.received) == len(expected)
    shown = visible_text((settings.reports_dir / "index.html").read_text())
    assert f"{len(expected)} sent, 0 failing" in shown
    pages = " ".join(
        visible_text(path.read_text()) for path in (settings.reports_dir / "csm").glob("*")
    )
    assert pages.count("sent ") >= len(expected) and "failing (" not in pages
