"""Zendesk exports, the CS platform and the catalog -> raw.support_*, raw.cs_*, raw.catalog_*."""

from __future__ import annotations

from datetime import datetime

ORGS = "support/dt=2026-03-01/organizations.jsonl"
TICKETS = "support/dt=2026-03-01/tickets.jsonl"
NOTES = "cs/dt=2026-03-01/notes.jsonl"
INTERVENTIONS = "cs/dt=2026-03-01/interventions.csv"


def test_zendesk_ids_become_text_and_tags_are_joined(landing, load, raw):
    landing.jsonl(
        ORGS,
        [
            {"id": 9001, "external_id": "001A", "name": "Acme", "shared_tickets": False},
            {"external_id": "001B", "name": "No id"},
        ],
    )
    ticket = {
        "id": 1,
        "organization_id": 9001,
        "requester_id": 77,
        "subject": "How do I export?",
        "description": "Where is the button",
        "status": "open",
        "priority": "normal",
        "type": "question",
        "tags": ["reports", "how_to"],
        "created_at": "2026-02-27T09:00:00Z",
        "updated_at": "2026-02-28T10:00:00Z",
        "via": {"channel": "email"},
    }
    landing.jsonl(
        TICKETS,
        [
            ticket,
            ticket | {"status": "solved", "tags": [], "updated_at": "2026-03-01T08:00:00Z"},
            ticket | {"id": 2, "tags": "single", "organization_id": None},
            ticket | {"id": 3, "created_at": "last week"},
            ticket | {"id": 4, "tags": "reports, how_to  billing,"},  # one string of tags
            ticket | {"id": 5, "tags": " , "},
        ],
    )
    load()
    assert raw.query("SELECT id, external_id, name FROM raw.support_organizations") == [
        ("9001", "001A", "Acme")
    ]
    assert raw.quarantine(ORGS) == [(2, "missing_field:id")]
    assert raw.query(
        "SELECT id, organization_id, requester_id, subject, status, type, tags, created_at, "
        "updated_at FROM raw.support_tickets ORDER BY _line_number"
    ) == [
        ("1", "9001", "77", "How do I export?", "open", "question", "reports|how_to",
         datetime(2026, 2, 27, 9), datetime(2026, 2, 28, 10)),
        ("1", "9001", "77", "How do I export?", "solved", "question", None,
         datetime(2026, 2, 27, 9), datetime(2026, 3, 1, 8)),
        ("2", None, "77", "How do I export?", "open", "question", "single",
         datetime(2026, 2, 27, 9), datetime(2026, 2, 28, 10)),
        ("4", "9001", "77", "How do I export?", "open", "question", "reports|how_to|billing",
         datetime(2026, 2, 27, 9), datetime(2026, 2, 28, 10)),
        ("5", "9001", "77", "How do I export?", "open", "question", None,
         datetime(2026, 2, 27, 9), datetime(2026, 2, 28, 10)),
    ]  # fmt: skip
    assert raw.quarantine(TICKETS) == [(4, "unparseable_timestamp:created_at")]


def test_cs_notes_and_interventions(landing, load, raw):
    landing.jsonl(
        NOTES,
        [
            {"id": "n-1", "account_id": "001A", "author": "csm-3",
             "created_at": "2026-02-20T15:00:00+01:00", "channel": "call",
             "body": "Asked about \"alerts\", said it's confusing"},
            {"id": "n-2", "author": "csm-3", "created_at": "2026-02-20T15:00:00Z"},
        ],
    )  # fmt: skip
    landing.csv(
        INTERVENTIONS,
        ["intervention_id", "account_id", "feature_key", "type", "owner", "started_at"],
        [
            ["i-1", "001A", "alerts", "training", "csm-3", "2026-02-21T09:00:00Z"],
            ["i-2", "001A", "alerts", "custom_workshop", "csm-3", "2026-02-22"],
            ["i-3", "001A", "alerts", "training", "csm-3", "not a date"],
        ],
    )
    load()
    notes = "SELECT id, account_id, author, created_at, channel, body FROM raw.cs_notes"
    assert raw.query(notes) == [
        ("n-1", "001A", "csm-3", datetime(2026, 2, 20, 14), "call",
         'Asked about "alerts", said it\'s confusing'),
    ]  # fmt: skip
    assert raw.quarantine(NOTES) == [(2, "missing_field:account_id")]
    assert raw.query(
        "SELECT intervention_id, type, started_at FROM raw.cs_interventions ORDER BY 1"
    ) == [
        ("i-1", "training", datetime(2026, 2, 21, 9)),
        ("i-2", "custom_workshop", datetime(2026, 2, 22)),
    ]
    assert raw.quarantine(INTERVENTIONS) == [(3, "unparseable_timestamp:started_at")]


def test_catalog_has_no_delivery_date_and_product_is_optional(landing, load, raw):
    landing.write(
        "catalog/features.csv",
        "feature_key,feature_name,category,events,active_min_events_30d,"
        "expected_days_to_adopt,value_weight,owner_team\n"
        "reports,Reports,core,Report Exported|Report Viewed,3,14,1.5,growth\n"
        "alerts,Alerts,advanced,Alert Created,two,30,1,growth\n",
    )
    summary = load()
    assert raw.query(
        "SELECT feature_key, feature_name, category, events, active_min_events_30d, "
        "expected_days_to_adopt, value_weight, _delivery_date, _source_file "
        "FROM raw.catalog_features"
    ) == [
        ("reports", "Reports", "core", "Report Exported|Report Viewed", 3, 14, 1.5, None,
         "catalog/features.csv"),
    ]  # fmt: skip
    assert raw.quarantine("catalog/features.csv") == [(2, "invalid_integer:active_min_events_30d")]
    # The plan row naming the quarantined feature is quarantined too (dbt's relationship test
    # would fail on it otherwise).
    assert raw.query("SELECT plan, feature_key FROM raw.catalog_plan_features ORDER BY 2") == [
        ("pro", "reports"),
    ]
    assert raw.quarantine("catalog/plan_features.csv") == [(2, "unknown_feature:feature_key")]
    assert summary.entity("catalog", "product").files_seen == 0

    landing.write("catalog/product.csv", "key,value\ncomplexity,high\n")
    load()
    assert raw.query("SELECT key, value FROM raw.catalog_product") == [("complexity", "high")]


def test_a_feature_without_its_adoption_rule_or_timing_is_quarantined(landing, load, raw):
    """A catalog with both thresholds empty failed the dbt build on a not_null test ("Got 14
    results"): each such row is now quarantined with the column it lacks. The value weight
    may be empty (staging reads it as 1)."""
    landing.write(
        "catalog/features.csv",
        "feature_key,feature_name,category,events,active_min_events_30d,"
        "expected_days_to_adopt,value_weight\n"
        "reports,Reports,core,Report Exported,3,14,\n"
        "alerts,Alerts,advanced,Alert Created,,30,1\n"
        "sso,SSO,premium,SSO Login,1,,1\n",
    )
    load()
    assert raw.query("SELECT feature_key, value_weight FROM raw.catalog_features") == [
        ("reports", None)
    ]
    assert raw.quarantine("catalog/features.csv") == [
        (2, "missing_field:active_min_events_30d"),
        (3, "missing_field:expected_days_to_adopt"),
    ]
