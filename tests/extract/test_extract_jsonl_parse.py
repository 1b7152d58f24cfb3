"""One JSON parse per line: what is an object, and values as json_extract_string gives them."""

from __future__ import annotations

import json

import pytest

from uptake.extract.specs import PRODUCT_EVENTS, SUPPORT_TICKETS, EntitySpec, Field
from uptake.extract.sql import _json_structure

EVENTS = "product_events/dt=2026-03-02/events.jsonl"


def test_objects_are_told_from_other_json_by_their_first_character(landing, load, raw):
    ok = (
        '{"type": "track", "messageId": "m-1", "timestamp": "2026-03-01T00:00:00Z", '
        '"userId": "u", "event": "E"}'
    )
    lines = [
        " \t" + ok,  # 1: blanks before an object: still an object
        '"just text"',  # 2
        "12",  # 3
        "null",  # 4
        ok + " trailing",  # 5: more than one value is not JSON
        "  ",  # 6: blank, not a record
        '{"type": "track", "messageId": 7, "timestamp": "2026-03-01T00:00:00Z", "userId": 8, '
        '"event": 1.5}',
    ]
    landing.jsonl(EVENTS, lines)

    load()

    assert raw.quarantine(EVENTS) == [
        (2, "not_a_json_object"),
        (3, "not_a_json_object"),
        (4, "not_a_json_object"),
        (5, "invalid_json"),
    ]
    rows = raw.query(
        "SELECT _line_number, message_id, event_name FROM raw.product_events ORDER BY 1"
    )
    assert rows == [(1, "m-1", "E"), (7, "7", "1.5")]
    assert raw.audit(EVENTS) == (6, 2, 4, 0)


def test_documents_keep_their_json_text_and_nested_paths_tolerate_other_shapes(landing, load, raw):
    base = {"type": "track", "timestamp": "2026-03-01T00:00:00Z", "userId": "u", "event": "E"}
    records = [
        {**base, "messageId": "a", "context": "not an object", "properties": "text"},
        {**base, "messageId": "b", "context": {"groupId": {"nested": 1}}, "properties": [1]},
        {**base, "messageId": "c", "context": None, "properties": None},
    ]
    landing.jsonl(EVENTS, [json.dumps(r) for r in records])

    load()

    rows = raw.query(
        "SELECT message_id, group_id, properties_json FROM raw.product_events ORDER BY 1"
    )
    # "b" names its account with an object: a broken contract, quarantined (not loaded as text).
    assert rows == [("a", None, '"text"'), ("c", None, None)]
    assert raw.quarantine(EVENTS) == [(2, "wrong_json_type:context.groupId")]


def test_the_extracted_structure_follows_the_spec_and_refuses_ambiguous_paths():
    events = _json_structure(PRODUCT_EVENTS)
    assert events["context"] == {"groupId": "VARCHAR"}
    assert (events["messageId"], events["properties"]) == ("VARCHAR", "JSON")
    assert _json_structure(SUPPORT_TICKETS)["tags"] == "JSON"
    clash = EntitySpec(
        source="s",
        entity="e",
        table="t",
        file_format="jsonl",
        fields=(Field("a", "context"), Field("b", "context.groupId")),
        columns=(("a", "VARCHAR"), ("b", "VARCHAR")),
    )
    with pytest.raises(ValueError, match="context"):
        _json_structure(clash)
