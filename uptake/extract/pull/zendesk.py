"""Zendesk Support from its incremental export API, as JSON-lines deliveries.

Tickets use the cursor-based export (``/api/v2/incremental/tickets/cursor.json``, first
``?start_time=``, then ``?cursor=<after_cursor>`` until ``end_of_stream``); organizations the
time-based one (``/api/v2/incremental/organizations.json?start_time=``, the next page starting
at the page's ``end_time``). Records are written one JSON object a line, as the API returned
them, to ``support/dt=<as_of>/tickets.jsonl`` and ``organizations.jsonl``; the position reached
(cursor, end time) is saved for the next pull only after both files are in place.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit

from uptake.extract.pull.files import Delivery, load_state, save_state
from uptake.extract.pull.http import HttpError, JsonClient
from uptake.extract.pull.pull_summary import PullError, SourcePull
from uptake.settings import Settings

log = logging.getLogger(__name__)

SOURCE = "support"
TICKETS_PATH = "/api/v2/incremental/tickets/cursor.json"
ORGANIZATIONS_PATH = "/api/v2/incremental/organizations.json"
# Where a first pull starts: the whole history (Unix time 0).
INITIAL_POSITION: dict[str, dict[str, Any]] = {
    "tickets": {"start_time": 0},
    "organizations": {"start_time": 0},
}


def is_http_url(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https") and bool(urlsplit(value).hostname)


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL: what logs and errors show of the configured source."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def auth_headers(settings: Settings) -> dict[str, str]:
    """Basic ``email/token:TOKEN`` with an email, else a Bearer (OAuth) token, else none."""
    token = settings.support_token
    if not token:
        return {}
    if settings.support_email:
        pair = f"{settings.support_email}/token:{token}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
    return {"Authorization": f"Bearer {token}"}


def _write(handle: IO[str], records: Any, key: str, path: str) -> int:
    if not isinstance(records, list):
        raise HttpError(f"GET {path}: the response has no '{key}' list")
    for record in records:
        handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    return len(records)


def _export_tickets(client: JsonClient, start: dict[str, Any], handle: IO[str]) -> tuple:
    """Every ticket changed since ``start``; returns (count, position for the next pull)."""
    if start.get("cursor"):
        path = f"{TICKETS_PATH}?cursor={quote(str(start['cursor']), safe='')}"
    else:
        path = f"{TICKETS_PATH}?start_time={int(start.get('start_time', 0))}"
    count, position = 0, dict(start)
    while True:
        page = client.get(path)
        count += _write(handle, page.get("tickets"), "tickets", path)
        cursor = page.get("after_cursor")
        if cursor:
            position = {"cursor": cursor}
        if page.get("end_of_stream") is True:
            return count, position
        next_path = f"{TICKETS_PATH}?cursor={quote(str(cursor), safe='')}" if cursor else None
        if next_path is None or next_path == path:
            raise HttpError(f"GET {path}: not at end_of_stream but no new after_cursor")
        path = next_path


def _export_organizations(client: JsonClient, start: dict[str, Any], handle: IO[str]) -> tuple:
    """Every organization changed since ``start``; returns (count, next position)."""
    start_time = int(start.get("start_time", 0))
    count = 0
    while True:
        path = f"{ORGANIZATIONS_PATH}?start_time={start_time}"
        page = client.get(path)
        count += _write(handle, page.get("organizations"), "organizations", path)
        end_time = page.get("end_time")
        if not isinstance(end_time, int):
            raise HttpError(f"GET {path}: the response has no integer end_time")
        if page.get("end_of_stream") is True:
            return count, {"start_time": end_time}
        if end_time <= start_time:
            # More changes in one second than a page holds: the time-based export cannot move.
            raise HttpError(f"GET {path}: end_time {end_time} does not move past start_time")
        start_time = end_time


EXPORTS: dict[str, Callable[[JsonClient, dict[str, Any], IO[str]], tuple]] = {
    "tickets": _export_tickets,
    "organizations": _export_organizations,
}


def pull_support(
    settings: Settings, as_of: date, root: Path, *, sleep: Callable[[float], None] = time.sleep
) -> SourcePull:
    """Pull tickets and organizations into ``root/support/dt=<as_of>/``; PullError on failure."""
    state_path = root / "_state" / f"{SOURCE}.json"
    saved = load_state(state_path)
    pull = SourcePull(SOURCE, "zendesk", as_of)
    pull.state_before = {"as_of": saved.get("as_of")} | {
        f"{stream}.next": saved.get(stream, {}).get("next") for stream in EXPORTS
    }
    last = date.fromisoformat(saved["as_of"]) if saved.get("as_of") else None
    if last is not None and as_of < last:
        pull.status = "skipped"
        pull.note = f"state is at {last}; earlier deliveries are kept as they are"
        log.warning("%s: pull for %s skipped: %s", SOURCE, as_of, pull.note)
        return pull

    base, where = settings.support_source, origin(settings.support_source)
    client = JsonClient(
        base,
        headers=auth_headers(settings),
        secrets=(settings.support_token,),
        max_retries=settings.pull_max_retries,
        sleep=sleep,
    )
    folder = root / SOURCE / f"dt={as_of.isoformat()}"
    new_state: dict[str, Any] = {"as_of": as_of.isoformat()}
    log.info("%s: pulling the Zendesk incremental exports of %s for %s", SOURCE, where, as_of)
    try:
        with Delivery(folder) as delivery:
            for stream, export in EXPORTS.items():
                kept = saved.get(stream, {})
                # A rerun of the same day starts where that day started, so its files are
                # rewritten whole (same records, plus any change since) instead of emptied.
                if last == as_of:
                    start = kept.get("from", INITIAL_POSITION[stream])
                else:
                    start = kept.get("next", INITIAL_POSITION[stream])
                with delivery.open(f"{stream}.jsonl") as handle:
                    count, position = export(client, start, handle)
                pull.rows_fetched[stream] = pull.rows_written[stream] = count
                new_state[stream] = {"from": start, "next": position}
            written = delivery.commit()
    except HttpError as exc:
        raise PullError(f"{SOURCE} (Zendesk at {where}): {exc}") from exc
    finally:
        pull.requests, pull.retries = client.requests, client.retries
    save_state(state_path, new_state)
    pull.files = [p.relative_to(root).as_posix() for p in written]
    pull.state_after = {"as_of": as_of.isoformat()} | {
        f"{stream}.next": new_state[stream]["next"] for stream in EXPORTS
    }
    log.info(
        "%s: wrote %s records to %s (%d requests)",
        SOURCE,
        pull.rows_written,
        folder,
        client.requests,
    )
    return pull
