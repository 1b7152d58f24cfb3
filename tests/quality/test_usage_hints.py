"""The gate's reason for empty marts: the catalog names no event, no event belongs to a CRM
account, or no subscription is Active; the examples come from both sides (the expectations
themselves: test_quality_gate.py)."""

from __future__ import annotations

import duckdb

from uptake.quality.usage_hints import why_marts_are_empty, why_no_usage


def test_events_that_belong_to_no_crm_account_are_named(con) -> None:
    hint = why_no_usage(con)
    assert hint is not None
    assert "none of the 3 track events belongs to a CRM account" in hint
    assert "'acct-9'" in hint and "'001A', '001B'" in hint


def test_a_catalog_that_names_no_event_is_named(con) -> None:
    con.execute("update intermediate.int_catalog_events_split set event_name = 'v2.export'")
    hint = why_no_usage(con)
    assert hint is not None
    assert "none of the 3 track events is named in catalog/features.csv `events`" in hint
    assert "'Report Exported', 'Login'" in hint and "'v2.export'" in hint  # most frequent first


def test_no_track_event_at_all_is_named(con) -> None:
    con.execute("delete from staging.stg_segment__tracks")
    assert "no track event was loaded" in (why_no_usage(con) or "")


def test_usage_that_reaches_an_account_gives_no_hint(con) -> None:
    con.execute("insert into intermediate.int_track_events_attributed values ('001B')")
    assert why_no_usage(con) is None


def test_missing_relations_leave_the_message_to_dbt() -> None:
    assert why_no_usage(duckdb.connect()) is None


def test_no_active_customer_is_named_before_usage(crm) -> None:
    hint = why_marts_are_empty(crm)
    assert hint is not None
    assert (
        "no account is an active customer: none of the 3 subscriptions of the latest CRM "
        "snapshot has Status 'Active'; their statuses: empty (2), 'Paused' (1)"
    ) in hint


def test_no_subscription_at_all_is_named(crm) -> None:
    crm.execute("delete from staging.stg_crm__subscriptions")
    assert "no subscription was loaded" in (why_marts_are_empty(crm) or "")


def test_an_active_customer_leaves_the_usage_reason(crm) -> None:
    crm.execute("update marts.dim_accounts set is_active_customer = true where account_id = '001B'")
    assert why_marts_are_empty(crm) == why_no_usage(crm)
    assert "belongs to a CRM account" in (why_marts_are_empty(crm) or "")


def test_a_catalog_whose_every_feature_was_quarantined_is_named(con) -> None:
    """A catalog with both thresholds empty on every row: each row was quarantined, and the
    gate said only that "the catalog lists none" of the event names."""
    con.execute(
        """
        delete from staging.stg_catalog__features;
        delete from intermediate.int_catalog_events_split;
        create schema raw;
        create table raw.quarantine (source varchar, entity varchar, reason varchar);
        insert into raw.quarantine values
            ('catalog', 'features', 'missing_field:active_min_events_30d'),
            ('catalog', 'features', 'missing_field:active_min_events_30d'),
            ('catalog', 'plan_features', 'unknown_feature:feature_key');
        """
    )
    assert why_no_usage(con) == (
        "no feature of catalog/features.csv was loaded: quarantined at load: "
        "missing_field:active_min_events_30d (2 rows)"
    )
    con.execute("drop table raw.quarantine")
    assert why_no_usage(con) == "no feature of catalog/features.csv was loaded"
