"""What a passing gate still says: input the run accepted but cannot use well
(uptake.quality.gate_notes). Each case is one found on a landing zone of the third sweep."""

from __future__ import annotations

import duckdb

from uptake.quality.gate_notes import (
    accounts_missing_from_crm,
    active_customers_without_usage,
    customers_on_unlisted_plans,
    events_without_account,
    features_without_events,
    gate_notes,
    tickets_without_account,
    users_grouped_in_several_accounts,
)


def test_usage_of_accounts_the_crm_lacks_is_counted_with_examples(crm) -> None:
    """Found on a CRM export written in cp1252: the rows of 8 of 80 accounts were quarantined
    as not UTF-8, their usage reached no scored mart, and the run passed without a word."""
    crm.execute(
        """
        create table marts.fct_feature_usage_daily (account_id varchar, feature_key varchar);
        insert into marts.fct_feature_usage_daily values
            ('001A', 'a'), ('001X', 'a'), ('001X', 'b'), ('001Y', 'a');
        """
    )
    assert accounts_missing_from_crm(crm) == (
        "usage of 2 of 3 accounts (3 feature-usage rows) belongs to no account of the CRM, "
        "so they are not scored: '001X', '001Y'; look them up in crm accounts.csv and in the "
        "run report's quarantine"
    )
    crm.execute("insert into marts.dim_accounts values ('001X', true), ('001Y', true)")
    assert accounts_missing_from_crm(crm) is None
    assert accounts_missing_from_crm(duckdb.connect()) is None  # no marts: dbt says why


def test_active_customers_without_any_event_are_counted(crm) -> None:
    """Found on a landing zone where half the customers' workspaces sent no event: 35 of 69
    active customers were scored as never having started, with no word that the tracking
    might be what is missing."""
    crm.execute(
        """
        insert into marts.dim_accounts values ('001C', true), ('001D', true), ('001E', true);
        create table intermediate.int_user_activity_daily (account_id varchar);
        insert into intermediate.int_user_activity_daily values ('001C'), ('001C'), ('001A');
        create table marts.fct_feature_usage_daily (account_id varchar);
        """
    )
    expected = (
        "2 of 3 active customers sent no track event at all: '001D', '001E'; customers who "
        "never started, or product events that do not reach their account (context.groupId "
        "or the user's group call)"
    )
    assert active_customers_without_usage(crm) == expected
    assert gate_notes(crm) == (expected,)
    crm.execute("insert into intermediate.int_user_activity_daily values ('001D'), ('001E')")
    assert active_customers_without_usage(crm) is None
    assert gate_notes(crm) == ()


def test_track_events_that_resolve_to_no_account_are_counted() -> None:
    """Found on a landing zone whose tracks carry no context.groupId and a fifth of whose users
    have no group call: 40631 of 205439 track events were left out of all usage, and nothing
    said so."""
    con = duckdb.connect()
    con.execute(
        """
        create schema staging; create schema intermediate;
        create table staging.stg_segment__tracks (
            message_id varchar, user_id varchar, event_date date, delivered_on date
        );
        insert into staging.stg_segment__tracks values
            ('m-1', 'u-1', '2026-03-01', '2026-03-01'), ('m-2', 'u-2', '2026-03-01', '2026-03-01'),
            ('m-3', 'u-2', '2026-03-02', '2026-03-02'), ('m-4', 'u-3', '2026-03-02', '2026-03-02'),
            -- delivered after the as-of date: not known yet, not lost
            ('m-5', 'u-3', '2026-03-02', '2026-03-09');
        create table intermediate.int_track_events_attributed (
            message_id varchar, event_date date, delivered_on date
        );
        insert into intermediate.int_track_events_attributed values
            ('m-1', '2026-03-01', '2026-03-01'), ('m-9', '2026-03-02', '2026-03-02');
        """
    )
    assert events_without_account(con) == (
        "3 of 5 track events belong to no account: no context.groupId and no group call of "
        "their user before them, so they count as nobody's usage; most of them from users "
        "'u-2', 'u-3'"
    )
    con.execute(
        "insert into intermediate.int_track_events_attributed values "
        "('m-2', '2026-03-01', '2026-03-01'), ('m-3', '2026-03-02', '2026-03-02'), "
        "('m-4', '2026-03-02', '2026-03-02')"
    )
    assert events_without_account(con) is None
    assert events_without_account(duckdb.connect()) is None


def test_support_tickets_of_no_account_are_counted() -> None:
    """Found on a Zendesk export without organizations.jsonl: none of the 575 tickets reached
    an account, the root causes were read without them, and nothing said so."""
    con = duckdb.connect()
    con.execute(
        """
        create schema ml_inputs;
        create table ml_inputs.fct_support_tickets (account_id varchar, organization_id varchar);
        insert into ml_inputs.fct_support_tickets values
            ('001A', '9001'), (null, '9052'), (null, '9052'), (null, '9003'), (null, null);
        """
    )
    assert tickets_without_account(con) == (
        "4 of 5 support tickets belong to no CRM account, so no root cause reads them: their "
        "organizations ('9052', '9003') are in no support/dt=*/organizations.jsonl with an "
        "external_id that is a CRM Id"
    )
    con.execute("update ml_inputs.fct_support_tickets set account_id = '001A'")
    assert tickets_without_account(con) is None
    assert tickets_without_account(duckdb.connect()) is None


def test_active_customers_on_plans_the_catalog_does_not_list_are_counted() -> None:
    """Found on a CRM where a tenth of the customers sat on a legacy plan: they were entitled
    to nothing, so never scored, and nothing said so."""
    con = duckdb.connect()
    con.execute(
        """
        create schema marts; create schema staging;
        create table marts.dim_accounts (
            account_id varchar, plan varchar, is_active_customer boolean
        );
        insert into marts.dim_accounts values
            ('A', 'growth', true), ('B', 'Legacy Gold', true), ('C', 'Legacy Gold', true),
            ('D', null, true), ('E', 'Legacy Gold', false);
        create table staging.stg_catalog__plan_features (plan varchar, feature_key varchar);
        insert into staging.stg_catalog__plan_features values ('growth', 'reports');
        """
    )
    assert customers_on_unlisted_plans(con) == (
        "3 active customers are on plans catalog/plan_features.csv does not list, so they are "
        "entitled to nothing and not scored: 'Legacy Gold' (2), no plan (1)"
    )
    con.execute("update marts.dim_accounts set plan = 'growth'")
    assert customers_on_unlisted_plans(con) is None
    assert customers_on_unlisted_plans(duckdb.connect()) is None


def test_tracks_attributed_through_users_of_several_accounts_are_counted() -> None:
    """Found on a landing zone whose user ids are numbered inside each account: tracks without
    context.groupId went to whichever account last grouped user "1", and 60 unused features
    read as tried ones, with nothing said."""
    con = duckdb.connect()
    con.execute(
        """
        create schema staging; create schema intermediate;
        create table staging.stg_segment__groups (user_id varchar, account_id varchar);
        insert into staging.stg_segment__groups values
            ('1', 'A'), ('1', 'B'), ('1', 'C'), ('2', 'A'), ('2', 'B'), ('9', 'A');
        create table intermediate.int_track_events_attributed (
            user_id varchar, attribution_method varchar
        );
        insert into intermediate.int_track_events_attributed values
            ('1', 'group_call'), ('1', 'group_call'), ('1', 'context_group_id'),
            ('9', 'group_call');
        """
    )
    assert users_grouped_in_several_accounts(con) == (
        "2 track events without context.groupId were attributed by the latest group call of a "
        "user whose group calls name several accounts (2 users; accounts each: '1' (3), "
        "'2' (2)); if user ids are unique only inside an account, send context.groupId on "
        "every track, or these events land in the wrong account"
    )
    con.execute("delete from intermediate.int_track_events_attributed where user_id = '1'")
    assert users_grouped_in_several_accounts(con) is None
    assert users_grouped_in_several_accounts(duckdb.connect()) is None


def test_catalog_features_whose_events_no_track_carries_are_named() -> None:
    """One feature's events renamed in a release (`AI Insight Viewed` became
    `Insight Opened`): the gate passed, since other features matched, and nobody adopted it."""
    con = duckdb.connect()
    con.execute(
        """
        create schema staging; create schema intermediate;
        create table staging.stg_segment__tracks (event_name varchar);
        insert into staging.stg_segment__tracks values
            ('Report Exported'), (' report viewed '), ('Insight Opened');
        create table intermediate.int_catalog_events_split (
            feature_key varchar, event_name varchar
        );
        insert into intermediate.int_catalog_events_split values
            ('reports', 'report exported'), ('reports', 'report shared'),
            ('ai_insights', 'ai insight viewed'), ('ai_insights', 'ai insight pinned'),
            ('views', 'report viewed');
        """
    )
    assert features_without_events(con) == (
        "1 of 3 catalog features name no event any track carries, so no account adopts them and "
        "every gap on them reads as not relevant: 'ai_insights' (ai insight pinned, ai insight "
        "viewed); catalog/features.csv `events` and the tracks' names are compared trimmed, "
        "in any case"
    )
    con.execute("insert into staging.stg_segment__tracks values ('AI Insight Pinned')")
    assert features_without_events(con) is None
    assert features_without_events(duckdb.connect()) is None
