"""The raw schema is exactly the one docs/architecture.md promises to dbt staging."""

from __future__ import annotations

V = "VARCHAR"
META = [("_source_file", V), ("_delivery_date", "DATE"), ("_line_number", "INTEGER"),
        ("_loaded_at", "TIMESTAMP")]  # fmt: skip

EXPECTED = {
    "catalog_features": [("feature_key", V), ("feature_name", V), ("category", V),
                         ("events", V), ("active_min_events_30d", "INTEGER"),
                         ("expected_days_to_adopt", "INTEGER"), ("value_weight", "DOUBLE")],
    "catalog_plan_features": [("plan", V), ("feature_key", V)],
    "catalog_product": [("key", V), ("value", V)],
    "product_events": [("message_id", V), ("event_type", V), ("event_timestamp", "TIMESTAMP"),
                       ("user_id", V), ("event_name", V), ("group_id", V),
                       ("properties_json", V), ("traits_json", V)],
    "crm_accounts": [("snapshot_date", "DATE"), ("id", V), ("name", V), ("industry", V),
                     ("number_of_employees", "INTEGER"), ("billing_country", V),
                     ("owner_id", V), ("primary_use_case", V), ("created_date", "DATE")],
    "crm_subscriptions": [("snapshot_date", "DATE"), ("id", V), ("account_id", V), ("plan", V),
                          ("seats", "INTEGER"), ("arr", "DOUBLE"), ("start_date", "DATE"),
                          ("end_date", "DATE"), ("status", V)],
    "crm_renewals": [("snapshot_date", "DATE"), ("id", V), ("account_id", V),
                     ("close_date", "DATE"), ("type", V), ("stage_name", V),
                     ("amount", "DOUBLE")],
    "support_organizations": [("id", V), ("external_id", V), ("name", V)],
    "support_tickets": [("id", V), ("organization_id", V), ("requester_id", V), ("subject", V),
                        ("description", V), ("status", V), ("priority", V), ("type", V),
                        ("tags", V), ("created_at", "TIMESTAMP"), ("updated_at", "TIMESTAMP")],
    "cs_notes": [("id", V), ("account_id", V), ("author", V), ("created_at", "TIMESTAMP"),
                 ("channel", V), ("body", V)],
    "cs_interventions": [("intervention_id", V), ("account_id", V), ("feature_key", V),
                         ("type", V), ("owner", V), ("started_at", "TIMESTAMP")],
}  # fmt: skip


def test_raw_tables_and_columns_match_the_architecture(landing, load, raw):
    load()
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in raw.query(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'raw' ORDER BY table_name, ordinal_position"
    ):
        columns.setdefault(table, []).append((column, data_type))

    for table, data_columns in EXPECTED.items():
        assert columns.pop(table) == data_columns + META, table
    assert [name for name, _ in columns.pop("load_audit")] == [
        "load_id", "source", "entity", "file_path", "delivery_date", "content_hash", "rows_in",
        "rows_loaded", "rows_quarantined", "rows_duplicate", "loaded_at",
    ]  # fmt: skip
    assert columns.pop("quarantine") == [
        ("source", V), ("entity", V), ("file_path", V), ("line_number", "INTEGER"),
        ("reason", V), ("record", V), ("quarantined_at", "TIMESTAMP"),
    ]  # fmt: skip
    assert columns == {}
