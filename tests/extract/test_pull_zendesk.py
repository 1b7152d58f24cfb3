"""Zendesk pulled from a local fake of its incremental export API (http.server on 127.0.0.1)."""

from __future__ import annotations

import base64
import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest

from uptake.extract import extract_all
from uptake.extract.pull import PullError, pull_sources, source_roots
from uptake.settings import Settings

TOKEN = "zd-SECRET-token-4242"
EMAIL = "agent@example.com"
DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2)
TICKETS = "/api/v2/incremental/tickets/cursor.json"
ORGS = "/api/v2/incremental/organizations.json"


def _ticket(n: int) -> dict[str, Any]:
    return {
        "id": n,
        "organization_id": 9000 + n % 2,
        "requester_id": 70 + n,
        "subject": f"Ticket {n} é",
        "description": "How do I export?",
        "status": "open",
        "priority": "normal",
        "type": "question",
        "tags": ["export", f"t{n}"],
        "created_at": "2026-02-20T10:00:00Z",
        "updated_at": f"2026-02-{20 + n % 8:02d}T11:00:00Z",
        "custom_fields": [{"id": 1, "value": None}],
    }


def _org(n: int, ts: int) -> dict[str, Any]:
    return {"id": 9000 + n, "external_id": f"001A{n}", "name": f"Org {n}", "_ts": ts}


@dataclass
class FakeZendesk:
    """Serves tickets (cursor export) and organizations (time-based export) in pages."""

    tickets: list[dict[str, Any]] = field(default_factory=list)
    orgs: list[dict[str, Any]] = field(default_factory=list)  # "_ts": their update time
    page_size: int = 2
    # Path -> statuses to answer before serving it normally (e.g. [(429, {"Retry-After": "7"})]).
    failures: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    always_fail: dict[str, int] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)  # every request's path and query
    auth: list[str | None] = field(default_factory=list)

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        if path in self.always_fail:
            # A careless server echoing the credentials it got: they must not reach an error.
            auth = self.auth[-1] or ""
            decoded = base64.b64decode(auth[6:]).decode() if auth.startswith("Basic ") else ""
            return self.always_fail[path], {}, {"error": "boom", "got": [auth, decoded]}
        if self.failures.get(path):
            status, headers = self.failures[path].pop(0)
            return status, headers, {"error": "try later"}
        if path == TICKETS:
            if "cursor" in query:
                start = int(query["cursor"].removeprefix("c"))
            else:  # the fake's tickets are all "updated" at time 1 + their position
                start = max(0, int(query["start_time"]) - 1)
            page = self.tickets[start : start + self.page_size]
            after = start + len(page)
            return (
                200,
                {},
                {
                    "tickets": page,
                    "after_cursor": f"c{after}",
                    "after_url": f"http://ignored{TICKETS}?cursor=c{after}",
                    "before_cursor": None,
                    "end_of_stream": after >= len(self.tickets),
                },
            )
        if path == ORGS:
            start_time = int(query["start_time"])
            pending = [o for o in self.orgs if o["_ts"] >= start_time]
            page = pending[: self.page_size]
            end_time = page[-1]["_ts"] if page else start_time
            return (
                200,
                {},
                {
                    "organizations": page,
                    "count": len(page),
                    "end_time": end_time,
                    "next_page": f"http://ignored{ORGS}?start_time={end_time}",
                    "end_of_stream": len(pending) <= self.page_size,
                },
            )
        return 404, {}, {"error": "RecordNotFound"}


@pytest.fixture
def zendesk() -> Iterator[tuple[FakeZendesk, str]]:
    fake = FakeZendesk()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            fake.seen.append(self.path)
            fake.auth.append(self.headers.get("Authorization"))
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            status, headers, body = fake.answer(url.path, query)
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _configured(settings: Settings, url: str, **changes: Any) -> Settings:
    return replace(
        settings, support_source=url, support_email=EMAIL, support_token=TOKEN, **changes
    )


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_multi_page_export_then_resumes_from_the_saved_cursor(
    settings: Settings, zendesk: tuple[FakeZendesk, str]
) -> None:
    fake, url = zendesk
    fake.tickets = [_ticket(n) for n in range(1, 6)]  # 3 pages of 2
    fake.orgs = [_org(1, 100), _org(2, 200), _org(3, 300)]
    s = _configured(settings, url)

    summary = pull_sources(s, DAY1, sleep=Sleeps())
    pull = summary.get("support")
    assert pull is not None and pull.status == "pulled"
    folder = s.pulled_dir / "support" / "dt=2026-03-01"
    assert _lines(folder / "tickets.jsonl") == fake.tickets  # as the API returned them
    # Two pages of the time-based export: the second starts at the first's end_time, so the
    # organization updated at that second comes twice (as from Zendesk; staging keeps one).
    orgs = [o["id"] for o in _lines(folder / "organizations.jsonl")]
    assert orgs == [9001, 9002, 9002, 9003]
    assert pull.rows_fetched == {"tickets": 5, "organizations": 4}
    assert sorted(pull.files) == [
        "support/dt=2026-03-01/organizations.jsonl",
        "support/dt=2026-03-01/tickets.jsonl",
    ]
    assert fake.seen[:3] == [
        f"{TICKETS}?start_time=0",
        f"{TICKETS}?cursor=c2",
        f"{TICKETS}?cursor=c4",
    ]
    expected_auth = "Basic " + base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()
    assert set(fake.auth) == {expected_auth}
    assert pull.state_after["tickets.next"] == {"cursor": "c5"}
    assert pull.state_after["organizations.next"] == {"start_time": 300}

    # Day 2: two new tickets and one changed organization; only those are fetched.
    fake.tickets += [_ticket(6), _ticket(7)]
    fake.orgs.append(_org(1, 400) | {"name": "Org 1 renamed"})
    fake.seen.clear()
    pull2 = pull_sources(s, DAY2, sleep=Sleeps()).get("support")
    assert pull2 is not None
    assert fake.seen[0] == f"{TICKETS}?cursor=c5"
    day2 = s.pulled_dir / "support" / "dt=2026-03-02"
    assert [t["id"] for t in _lines(day2 / "tickets.jsonl")] == [6, 7]
    # The time-based export repeats the item at its boundary time (as Zendesk does).
    assert [(o["id"], o["name"]) for o in _lines(day2 / "organizations.jsonl")] == [
        (9003, "Org 3"),
        (9001, "Org 1 renamed"),
    ]
    assert pull2.rows_fetched == {"tickets": 2, "organizations": 2}
    # Day 1's delivery is untouched.
    assert [t["id"] for t in _lines(folder / "tickets.jsonl")] == [1, 2, 3, 4, 5]


def test_rerun_of_the_same_day_rewrites_it_whole_and_an_older_day_is_skipped(
    settings: Settings, zendesk: tuple[FakeZendesk, str]
) -> None:
    fake, url = zendesk
    fake.tickets = [_ticket(n) for n in range(1, 4)]
    fake.orgs = [_org(1, 100)]
    s = _configured(settings, url)
    pull_sources(s, DAY1, sleep=Sleeps())
    pull_sources(s, DAY2, sleep=Sleeps())  # nothing new: empty files
    day2 = s.pulled_dir / "support" / "dt=2026-03-02" / "tickets.jsonl"
    assert day2.read_text() == ""
    fake.tickets.append(_ticket(4))
    pull_sources(s, DAY2, sleep=Sleeps())
    first = day2.read_bytes()
    assert [t["id"] for t in _lines(day2)] == [4]
    pull_sources(s, DAY2, sleep=Sleeps())  # same day again: same bytes, not emptied
    assert day2.read_bytes() == first

    state = (s.pulled_dir / "_state" / "support.json").read_bytes()
    older = pull_sources(s, DAY1, sleep=Sleeps()).get("support")
    assert older is not None and older.status == "skipped"
    assert (s.pulled_dir / "_state" / "support.json").read_bytes() == state
    day1 = s.pulled_dir / "support" / "dt=2026-03-01" / "tickets.jsonl"
    assert [t["id"] for t in _lines(day1)] == [1, 2, 3]


def test_429_retry_after_is_honoured_and_503_is_retried_with_backoff(
    settings: Settings, zendesk: tuple[FakeZendesk, str]
) -> None:
    fake, url = zendesk
    fake.tickets = [_ticket(n) for n in range(1, 4)]
    fake.orgs = [_org(1, 100)]
    fake.failures[TICKETS] = [(429, {"Retry-After": "7"}), (503, {})]
    sleeps = Sleeps()
    pull = pull_sources(_configured(settings, url), DAY1, sleep=sleeps).get("support")
    assert pull is not None
    assert sleeps == [7.0, 2.0]  # Retry-After as given, then the backoff of a second retry
    assert pull.retries == 2
    assert pull.requests == 2 + 2 + 1  # two failures, two ticket pages, one organization page
    assert pull.rows_fetched["tickets"] == 3


def test_a_permanent_500_fails_loudly_writes_nothing_and_keeps_the_cursor(
    settings: Settings, zendesk: tuple[FakeZendesk, str]
) -> None:
    fake, url = zendesk
    fake.tickets = [_ticket(n) for n in range(1, 4)]
    fake.orgs = [_org(1, 100)]
    s = _configured(settings, url, pull_max_retries=2)
    pull_sources(s, DAY1, sleep=Sleeps())
    state_path = s.pulled_dir / "_state" / "support.json"
    state = state_path.read_bytes()

    fake.tickets.append(_ticket(4))
    fake.always_fail[ORGS] = 500  # tickets succeed, organizations never do
    sleeps = Sleeps()
    fake.seen.clear()
    with pytest.raises(PullError) as failure:
        pull_sources(s, DAY2, sleep=sleeps)
    message = str(failure.value)
    assert message.startswith("support (Zendesk at http://127.0.0.1:")
    assert "HTTP 500" in message and "gave up after 2 retries" in message
    assert sleeps == [1.0, 2.0]
    assert sum(path.startswith(ORGS) for path in fake.seen) == 3
    day2 = s.pulled_dir / "support" / "dt=2026-03-02"
    assert list(day2.iterdir()) == []  # not even the tickets that were fetched
    assert state_path.read_bytes() == state

    del fake.always_fail[ORGS]
    pull = pull_sources(s, DAY2, sleep=Sleeps()).get("support")
    assert pull is not None and pull.rows_fetched["tickets"] == 1
    assert [t["id"] for t in _lines(day2 / "tickets.jsonl")] == [4]


def test_client_errors_fail_at_once_and_connection_errors_are_retried(
    settings: Settings, zendesk: tuple[FakeZendesk, str]
) -> None:
    fake, url = zendesk
    fake.always_fail[TICKETS] = 401
    sleeps = Sleeps()
    with pytest.raises(PullError, match=r"HTTP 401"):
        pull_sources(_configured(settings, url), DAY1, sleep=sleeps)
    assert sleeps == [] and len(fake.seen) == 1

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    sleeps = Sleeps()
    with pytest.raises(PullError, match=r"connection error.*gave up after 1 retries"):
        pull_sources(_configured(settings, closed, pull_max_retries=1), DAY1, sleep=sleeps)
    assert sleeps == [1.0]


def test_the_token_never_reaches_logs_errors_or_files(
    settings: Settings, zendesk: tuple[FakeZendesk, str], caplog: pytest.LogCaptureFixture
) -> None:
    fake, url = zendesk
    fake.tickets = [_ticket(n) for n in range(1, 4)]
    fake.orgs = [_org(1, 100)]
    fake.failures[TICKETS] = [(503, {})]
    s = _configured(settings, url, pull_max_retries=1)
    secrets = [TOKEN, base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()]
    caplog.set_level(logging.DEBUG)
    pull_sources(s, DAY1, sleep=Sleeps())
    fake.always_fail[TICKETS] = 500
    with pytest.raises(PullError) as failure:
        pull_sources(s, DAY2, sleep=Sleeps())
    bearer = replace(s, support_email="")
    fake.always_fail[TICKETS] = 403
    with pytest.raises(PullError) as forbidden:
        pull_sources(bearer, DAY2, sleep=Sleeps())
    assert fake.auth[-1] == f"Bearer {TOKEN}"
    written = [p.read_bytes() for p in s.pulled_dir.rglob("*") if p.is_file()]
    assert written  # the deliveries and the state were written
    texts = [caplog.text, str(failure.value), str(forbidden.value), repr(s), str(s)]
    for secret in secrets:
        assert all(secret not in text for text in texts)
        assert all(secret.encode() not in data for data in written)


def test_configuration_is_checked_and_roots_follow_it(settings: Settings) -> None:
    assert set(source_roots(settings).values()) == {settings.landing_dir}
    assert pull_sources(settings, DAY1).sources == []
    with pytest.raises(PullError, match="UPTAKE_SUPPORT_SOURCE must be an http"):
        pull_sources(replace(settings, support_source="ftp://x"), DAY1)
    with pytest.raises(PullError, match="must not carry credentials") as failure:
        pull_sources(replace(settings, support_source="https://me:pw@x.zendesk.com"), DAY1)
    assert "pw" not in str(failure.value)
    with pytest.raises(PullError, match=r"UPTAKE_CRM_SOURCE must be a postgresql:// URL") as bad:
        source_roots(replace(settings, crm_source="mysql://u:hunter2@h/db"))
    assert "hunter2" not in str(bad.value)
    roots = source_roots(replace(settings, support_source="https://x.zendesk.com"))
    assert roots["support"] == settings.pulled_dir == settings.home / "pulled"
    assert roots["crm"] == roots["catalog"] == settings.landing_dir
    assert source_roots(replace(settings, crm_source="files"))["crm"] == settings.landing_dir


def test_extract_all_loads_the_pulled_support_and_ignores_landed_support_files(
    settings: Settings, zendesk: tuple[FakeZendesk, str], landing: Any
) -> None:
    fake, url = zendesk
    fake.tickets = [_ticket(n) for n in range(1, 4)]
    fake.orgs = [_org(1, 100), _org(2, 200)]
    landing.jsonl("support/dt=2026-03-01/tickets.jsonl", [_ticket(99)])  # not read: pulled
    s = _configured(settings, url)

    summary = extract_all(s, as_of=DAY1)
    assert [p["source"] for p in summary.pulls] == ["support"]
    assert "support/dt=2026-03-01/tickets.jsonl" in summary.ignored_paths
    tickets = summary.entity("support", "tickets")
    assert (tickets.files_loaded, tickets.rows_loaded, tickets.rows_quarantined) == (1, 3, 0)
    with duckdb.connect(str(s.warehouse_path), read_only=True) as con:
        ids = con.execute("SELECT id FROM raw.support_tickets ORDER BY id").fetchall()
        orgs = con.execute("SELECT count(*) FROM raw.support_organizations").fetchone()
    assert ids == [("1",), ("2",), ("3",)] and orgs == (2,)

    again = extract_all(s, as_of=DAY1)  # nothing changed at the source: nothing reloaded
    assert again.entity("support", "tickets").files_skipped_unchanged == 1
    assert again.entity("support", "tickets").files_loaded == 0
