"""Segment event files -> raw.product_events and raw.quarantine."""

from __future__ import annotations

import json
from datetime import date, datetime

EVENTS = "product_events/dt=2026-03-02/events.jsonl"
TS = "2026-03-01T12:34:56.789Z"


def track(message_id: str, **extra: object) -> dict:
    message = {
        "type": "track",
        "messageId": message_id,
        "timestamp": TS,
        "userId": "u-1",
        "event": "Report Exported",
        "properties": {"format": "csv"},
        "context": {"groupId": "001A"},
    }
    message.update(extra)
    return message


def test_every_kind_of_bad_line_is_quarantined_with_its_reason(landing, load, raw):
    no_id = track("x")
    del no_id["messageId"]
    no_ts = track("x")
    del no_ts["timestamp"]
    no_type = track("x")
    del no_type["type"]
    no_event = track("m-9")
    del no_event["event"]
    lines = [
        track("m-1"),  # 1
        "not json at all",  # 2
        "[1, 2]",  # 3
        no_id,  # 4
        no_ts,  # 5
        no_type,  # 6
        track("m-7", timestamp="yesterday at noon"),  # 7
        track("m-8", type="pageview"),  # 8: not a Segment call
        no_event,  # 9
        {"type": "group", "messageId": "m-10", "timestamp": TS, "userId": "u-1"},  # 10
        "",  # 11: blank, not a record
        '{"type": "track", "messageId": "m-12"',  # 12: truncated
        track("", event="Blank Id"),  # 13
        track("m-14", timestamp="2026-02-30T10:00:00Z"),  # 14: no such day
        track("m-15"),  # 15
    ]
    landing.jsonl(EVENTS, lines)

    summary = load()

    assert raw.quarantine(EVENTS) == [
        (2, "invalid_json"),
        (3, "not_a_json_object"),
        (4, "missing_field:messageId"),
        (5, "missing_field:timestamp"),
        (6, "missing_field:type"),
        (7, "unparseable_timestamp:timestamp"),
        (8, "unknown_event_type"),
        (9, "missing_field:event"),
        (10, "missing_field:groupId"),
        (12, "invalid_json"),
        (13, "missing_field:messageId"),
        (14, "unparseable_timestamp:timestamp"),
    ]
    loaded = raw.query("SELECT message_id, _line_number FROM raw.product_events ORDER BY 2")
    assert loaded == [("m-1", 1), ("m-15", 15)]
    # Reconciliation: 14 records (the blank line is none) = 2 loaded + 12 quarantined.
    assert raw.audit(EVENTS) == (14, 2, 12, 0)
    events = summary.entity("product_events", "events")
    assert (events.rows_in, events.rows_loaded, events.rows_quarantined) == (14, 2, 12)
    record = raw.query("SELECT record FROM raw.quarantine WHERE line_number = 2")
    assert record == [("not json at all",)]


def test_track_identify_and_group_columns(landing, load, raw):
    landing.jsonl(
        EVENTS,
        [
            track("m-1", unknownKey={"nested": True}),
            {
                "type": "identify",
                "messageId": "m-2",
                "timestamp": "2026-03-01T12:00:00+02:00",
                "userId": "u-2",
                "traits": {"email": "a@example.com", "role": "admin"},
            },
            {
                "type": "group",
                "messageId": "m-3",
                "timestamp": "2026-03-01T23:30:00-05:00",
                "userId": "u-2",
                "groupId": "001B",
                "traits": {"name": "Acme"},
            },
            track("m-4", context={"library": {"name": "analytics.js"}}),
            # A numeric messageId is kept as text.
            {
                "type": "track",
                "messageId": 5,
                "timestamp": TS,
                "event": "Report Viewed",
                "userId": 7,
            },
        ],
    )
    load()
    rows = raw.query(
        "SELECT message_id, event_type, event_timestamp, user_id, event_name, group_id, "
        "properties_json, traits_json, _source_file, _delivery_date, _line_number "
        "FROM raw.product_events ORDER BY _line_number"
    )
    assert rows == [
        ("m-1", "track", datetime(2026, 3, 1, 12, 34, 56, 789000), "u-1", "Report Exported",
         "001A", '{"format":"csv"}', None, EVENTS, date(2026, 3, 2), 1),
        ("m-2", "identify", datetime(2026, 3, 1, 10, 0), "u-2", None, None, None,
         '{"email":"a@example.com","role":"admin"}', EVENTS, date(2026, 3, 2), 2),
        ("m-3", "group", datetime(2026, 3, 2, 4, 30), "u-2", None, "001B", None,
         '{"name":"Acme"}', EVENTS, date(2026, 3, 2), 3),
        # No context.groupId: NULL here, staging resolves it from the user's group call.
        ("m-4", "track", datetime(2026, 3, 1, 12, 34, 56, 789000), "u-1", "Report Exported",
         None, '{"format":"csv"}', None, EVENTS, date(2026, 3, 2), 4),
        ("5", "track", datetime(2026, 3, 1, 12, 34, 56, 789000), "7", "Report Viewed",
         None, None, None, EVENTS, date(2026, 3, 2), 5),
    ]  # fmt: skip
    assert raw.query("SELECT count(*) FROM raw.quarantine") == [(0,)]


def test_other_segment_calls_load_and_anonymous_ones_are_quarantined(landing, load, raw):
    """page, screen and alias are valid Segment calls Uptake does not use: they load. A track,
    identify or group call with only an anonymousId belongs to no user, and adoption counts
    users: quarantined as missing_field:userId (it was counted as a user before, and a
    feature's adoption rate passed 1)."""
    anonymous = track("m-4", anonymousId="anon-1")
    del anonymous["userId"]
    landing.jsonl(
        EVENTS,
        [
            {"type": "page", "messageId": "m-1", "timestamp": TS, "name": "Home",
             "anonymousId": "anon-1"},
            {"type": "screen", "messageId": "m-2", "timestamp": TS, "userId": "u-1",
             "name": "Dashboard"},
            {"type": "alias", "messageId": "m-3", "timestamp": TS, "userId": "u-1",
             "previousId": "anon-1"},
            anonymous,
            track("m-5", userId="  "),
            {"type": "identify", "messageId": "m-6", "timestamp": TS, "anonymousId": "anon-1",
             "traits": {"plan": "trial"}},
            {"type": "group", "messageId": "m-7", "timestamp": TS, "anonymousId": "anon-1",
             "groupId": "001A"},
            track("m-8"),
        ],
    )  # fmt: skip

    summary = load()

    assert raw.quarantine(EVENTS) == [
        (4, "missing_field:userId"),
        (5, "missing_field:userId"),
        (6, "missing_field:userId"),
        (7, "missing_field:userId"),
    ]
    loaded = raw.query("SELECT event_type, _line_number FROM raw.product_events ORDER BY 2")
    assert loaded == [("page", 1), ("screen", 2), ("alias", 3), ("track", 8)]
    events = summary.entity("product_events", "events")
    assert (events.rows_in, events.rows_loaded, events.rows_quarantined) == (8, 4, 4)


def test_gzip_files_and_a_corrupt_one_that_does_not_stop_the_batch(landing, load, raw):
    good = "product_events/dt=2026-03-02/part-1.jsonl.gz"
    corrupt = "product_events/dt=2026-03-02/part-2.jsonl.gz"
    truncated = "product_events/dt=2026-03-02/part-3.jsonl.gz"
    landing.jsonl(good, [track("m-1"), track("m-2")], gz=True)
    landing.write(corrupt, b"this is not gzip")
    whole = landing.jsonl(truncated, [track("m-3")], gz=True).read_bytes()
    landing.write(truncated, whole[: len(whole) // 2])
    landing.jsonl(EVENTS, [track("m-4")])

    summary = load()

    assert raw.query("SELECT message_id FROM raw.product_events ORDER BY 1") == [
        ("m-1",),
        ("m-2",),
        ("m-4",),
    ]
    for path in (corrupt, truncated):
        assert raw.quarantine(path) == [(None, "unreadable_file")]
        assert raw.audit(path) == (1, 0, 1, 0)
    assert raw.audit(good) == (2, 2, 0, 0)
    events = summary.entity("product_events", "events")
    assert (events.files_seen, events.files_loaded, events.rows_quarantined) == (4, 4, 2)


def test_crlf_bom_blank_lines_and_bytes_that_are_not_utf8(landing, load, raw):
    body = "\r\n".join([json.dumps(track("m-1")), "   ", "oops", json.dumps(track("m-2"))])
    landing.write(EVENTS, b"\xef\xbb\xbf" + body.encode() + b"\r\n\r\n")
    latin = "product_events/dt=2026-03-02/latin.jsonl"
    landing.write(latin, json.dumps(track("m-3")).encode() + b'\n{"caf\xe9": 1}\n')

    load()

    assert raw.query("SELECT message_id, _line_number FROM raw.product_events ORDER BY 1") == [
        ("m-1", 1),
        ("m-2", 4),
        ("m-3", 1),
    ]
    assert raw.quarantine(EVENTS) == [(3, "invalid_json")]
    assert raw.query("SELECT record FROM raw.quarantine WHERE file_path = ?", [EVENTS]) == [
        ("oops",)
    ]
    assert raw.quarantine(latin) == [(2, "invalid_utf8")]
    assert raw.audit(EVENTS) == (3, 2, 1, 0)


def test_duplicates_are_kept_and_counted_across_files(landing, load, raw, settings):
    first = "product_events/dt=2026-03-01/events.jsonl"
    second = "product_events/dt=2026-03-02/events.jsonl"
    landing.jsonl(first, [track("m-1"), track("m-2"), track("m-1")])
    landing.jsonl(second, [track("m-2"), track("m-3")])

    summary = load()

    assert raw.audit(first) == (3, 3, 0, 1)
    assert raw.audit(second) == (2, 2, 0, 1)
    assert summary.entity("product_events", "events").rows_duplicate == 2
    assert raw.query("SELECT count(*) FROM raw.product_events") == [(5,)]

    def distinct_equals_loaded_minus_duplicates() -> None:
        (distinct,) = raw.query("SELECT count(DISTINCT message_id) FROM raw.product_events")[0]
        (net,) = raw.query(
            "SELECT sum(rows_loaded - rows_duplicate) FROM raw.load_audit "
            "WHERE source = 'product_events'"
        )[0]
        assert distinct == net

    distinct_equals_loaded_minus_duplicates()
    # A late file for an earlier day takes the first occurrence of m-3 from the second file.
    late = "product_events/dt=2026-02-28/events.jsonl"
    landing.jsonl(late, [track("m-3")])
    summary = load()
    assert raw.audit(late) == (1, 1, 0, 0)
    assert raw.audit(second) == (2, 2, 0, 2)
    distinct_equals_loaded_minus_duplicates()
