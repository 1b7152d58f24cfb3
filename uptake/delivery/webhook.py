"""New critical alerts to a Slack-compatible incoming webhook, each alert once.

Delivery state lives in ``marts.alert_deliveries`` (alert_id, status, attempts, first/last
attempt, delivered_at, last_error), written through the warehouse writer lock: an alert is
posted while it has no ``delivered`` row, so a failed post is retried on the next run and a
delivered one is never posted again. The URL is a credential: it never reaches a log, an error
message or the warehouse.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from uptake.delivery.marts import DELIVERIES, SCHEMA
from uptake.delivery.views import Views
from uptake.settings import Settings
from uptake.warehouse import WarehouseConnection, open_warehouse

log = logging.getLogger(__name__)

DELIVERED, FAILED = "delivered", "failed"
TIMEOUT_SECONDS = 10.0
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0
RETRY_AFTER_MAX_SECONDS = 120.0
SECTION_MAX = 2900  # Slack refuses section texts over 3000 characters

Sleep = Callable[[float], None]


@dataclass
class Attempt:
    ok: bool
    attempts: int
    error: str = ""
    retryable: bool = True  # False: the endpoint refused this request (4xx other than 429)


@dataclass
class WebhookResult:
    configured: bool
    pending: int = 0  # critical open alerts not yet delivered before this run
    delivered: int = 0
    failed: int = 0
    deferred: int = 0  # not tried this run after a failure; tried again next run
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "configured": self.configured,
            "pending": self.pending,
            "delivered": self.delivered,
            "failed": self.failed,
            "deferred": self.deferred,
            "errors": self.errors,
        }


def _mrkdwn(value: object) -> str:
    """Slack's three control characters escaped: data cannot mention or link."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def alert_message(alert: pd.Series, views: Views) -> dict[str, object]:
    account = views.data.account_names().get(alert["account_id"], alert["account_id"])
    feature = views.names.get(alert["feature_key"], alert["feature_key"])
    headline = f"Critical adoption alert: {account}, {feature} (CSM {alert['csm_owner']})"
    first_seen = pd.Timestamp(alert["first_seen_at"]).date().isoformat()
    return {
        "text": headline,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": headline[:150]}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _mrkdwn(alert["summary"])[:SECTION_MAX]},
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": _mrkdwn(
                            f"account {alert['account_id']} | feature {alert['feature_key']} | "
                            f"first seen {first_seen} | alert {alert['alert_id']}"
                        ),
                    }
                ],
            },
        ],
    }


def _retry_after(headers: object) -> float | None:
    value = getattr(headers, "get", lambda _: None)("Retry-After")
    if not value:
        return None
    value = str(value).strip()
    if value.isdigit():
        return min(float(value), RETRY_AFTER_MAX_SECONDS)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), RETRY_AFTER_MAX_SECONDS)


def backoff(attempt: int) -> float:
    return min(BACKOFF_BASE_SECONDS * 2 ** (attempt - 1), BACKOFF_MAX_SECONDS)


def post_json(url: str, payload: dict[str, object], retries: int, sleep: Sleep) -> Attempt:
    """POST with up to ``retries`` retries on 5xx, 429 (waiting its Retry-After) and network
    errors, with exponential backoff. Errors name the status or the error type, never the URL."""
    body = json.dumps(payload).encode()
    error = ""
    for attempt in range(1, retries + 2):
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        wait = backoff(attempt)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                response.read()
            return Attempt(True, attempt)
        except urllib.error.HTTPError as exc:
            error = f"HTTP {exc.code}"
            if exc.code == 429:
                wait = _retry_after(exc.headers) or wait
            elif exc.code < 500:
                return Attempt(False, attempt, error, retryable=False)
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            error = f"{type(exc).__name__}: {type(reason).__name__}"
        if attempt <= retries:
            sleep(wait)
    return Attempt(False, retries + 1, error)


def ensure_table(con: WarehouseConnection) -> None:
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(
        f"create table if not exists {SCHEMA}.{DELIVERIES} (alert_id varchar primary key, "
        "status varchar, attempts integer, first_attempt_at timestamp, "
        "last_attempt_at timestamp, delivered_at timestamp, last_error varchar)"
    )


def pending_alerts(views: Views, delivered: set[str]) -> pd.DataFrame:
    alerts = views.open_alerts()
    if alerts.empty:
        return alerts
    critical = alerts[alerts["severity"] == "critical"]
    return critical[~critical["alert_id"].isin(delivered)].sort_values(
        ["first_seen_at", "alert_id"]
    )


def _record(con: WarehouseConnection, alert_id: str, outcome: Attempt) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute(
        f"insert into {SCHEMA}.{DELIVERIES} values (?, ?, ?, ?, ?, ?, ?) "
        "on conflict (alert_id) do update set status = excluded.status, "
        f"attempts = {DELIVERIES}.attempts + excluded.attempts, "
        "last_attempt_at = excluded.last_attempt_at, delivered_at = excluded.delivered_at, "
        "last_error = excluded.last_error",
        [
            alert_id,
            DELIVERED if outcome.ok else FAILED,
            outcome.attempts,
            now,
            now,
            now if outcome.ok else None,
            outcome.error or None,
        ],
    )


def deliver_alerts(settings: Settings, views: Views, sleep: Sleep = time.sleep) -> WebhookResult:
    """Post every open critical alert not delivered yet; record each outcome as it happens (a
    crash after a post can at worst repeat that one alert). After a failed post the rest wait
    for the next run rather than hammer an endpoint that is down."""
    if not settings.alert_webhook_url:
        return WebhookResult(configured=False)
    result = WebhookResult(configured=True)
    with open_warehouse(settings) as con:
        ensure_table(con)
        delivered = {
            row[0]
            for row in con.execute(
                f"select alert_id from {SCHEMA}.{DELIVERIES} where status = ?", [DELIVERED]
            ).fetchall()
        }
        pending = pending_alerts(views, delivered)
        result.pending = len(pending)
        for position, (_, alert) in enumerate(pending.iterrows()):
            outcome = post_json(
                settings.alert_webhook_url,
                alert_message(alert, views),
                settings.alert_webhook_retries,
                sleep,
            )
            _record(con, str(alert["alert_id"]), outcome)
            if outcome.ok:
                result.delivered += 1
                continue
            result.failed += 1
            message = f"alert {alert['alert_id']}: {outcome.error} after {outcome.attempts} tries"
            result.errors.append(message)
            log.warning("webhook delivery failed: %s", message)
            result.deferred = len(pending) - position - 1
            break
    return result
