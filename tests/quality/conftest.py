"""Fixtures: small hand-made marts tables that satisfy expectations/marts.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import duckdb
import pytest

from uptake.settings import Settings
from uptake.warehouse import connect

MARTS_SQL = """
create schema if not exists marts;
create schema if not exists ml_inputs;

create or replace table marts.dim_accounts (
    account_id varchar, account_name varchar, industry varchar, employee_band varchar,
    use_case varchar, plan varchar, seats integer, arr double, contract_start date,
    renewal_date date, csm_owner varchar, tenure_days integer, cohort_key varchar
);
insert into marts.dim_accounts values
    ('001A', 'Acme', 'software', '51-200', 'reporting', 'pro', 20, 24000,
     '2025-06-01', '2026-06-01', 'csm-1', 273, 'software|51-200|pro'),
    ('001B', 'Globex', 'retail', '1-50', 'analytics', 'starter', 5, 3000,
     '2025-12-01', '2026-12-01', 'csm-2', 90, 'retail|1-50|starter');

create or replace table marts.fct_feature_usage_daily (
    account_id varchar, feature_key varchar, usage_date date, events integer,
    active_users integer
);
insert into marts.fct_feature_usage_daily values
    ('001A', 'reports', '2026-02-27', 12, 3),
    ('001A', 'reports', '2026-02-28', 7, 2),
    ('001B', 'dashboards', '2026-02-28', 4, 1);

create or replace table marts.account_feature_adoption (
    account_id varchar, feature_key varchar, category varchar, is_entitled boolean,
    first_used_at timestamp, last_used_at timestamp, events_30d integer, users_30d integer,
    feature_adoption_rate double, adoption_status varchar, peer_adoption_rate double
);
insert into marts.account_feature_adoption values
    ('001A', 'reports', 'core', true, '2025-07-01 10:00:00', '2026-02-28 09:00:00',
     40, 3, 0.6, 'adopted', 0.7),
    ('001A', 'sso', 'premium', true, null, null, 0, 0, 0.0, 'never_used', 0.2),
    ('001B', 'dashboards', 'core', true, '2026-01-05 08:00:00', '2026-02-28 11:00:00',
     4, 1, 0.25, 'trying', 0.5);

create or replace table marts.account_adoption (
    account_id varchar, as_of_date date, adoption_depth_pct double, weighted_depth_pct double,
    license_utilization double, dau_mau double, time_to_value_days integer,
    adoption_velocity_days integer, usage_trend_30d double, dormant_users integer,
    adoption_score double, cohort_percentile double, benchmark_band varchar
);
insert into marts.account_adoption values
    ('001A', '2026-03-01', 50, 55, 0.4, 0.3, 12, 40, 0.1, 1, 62.5, 75, 'great'),
    ('001B', '2026-03-01', 33.3, 30, 0.8, 0.2, 20, null, -0.2, 0, 41, 25, 'good');

create or replace table marts.cohort_benchmarks (
    cohort_key varchar, feature_key varchar, accounts integer, peer_adoption_rate double,
    p25_events_30d double, p50_events_30d double, p75_events_30d double,
    p90_events_30d double
);
insert into marts.cohort_benchmarks values
    ('software|51-200|pro', 'reports', 8, 0.7, 5, 12, 30, 55),
    ('retail|1-50|starter', 'dashboards', 6, 0.5, 1, 4, 9, 20);

create or replace table ml_inputs.fct_account_snapshots_every_30_days (
    account_id varchar, snapshot_date date, license_utilization double,
    adoption_depth_pct double, usage_trend_30d double, renewal_in_days integer
);
insert into ml_inputs.fct_account_snapshots_every_30_days values
    ('001A', '2026-03-01', 0.4, 50, 0.1, 92),
    ('001A', '2026-01-30', 0.3, 40, 0.0, 122);

create or replace table ml_inputs.fct_renewal_outcomes (
    renewal_id varchar, account_id varchar, close_date date, is_closed boolean,
    is_churned boolean, arr double
);
insert into ml_inputs.fct_renewal_outcomes values ('r-1', '001A', '2025-06-01', true, false, 24000);

create or replace table ml_inputs.fct_support_tickets (
    ticket_id varchar, account_id varchar, created_at timestamp, updated_at timestamp
);
insert into ml_inputs.fct_support_tickets values
    ('1', '001A', '2026-02-01 10:00:00', '2026-02-02 10:00:00');

create or replace table ml_inputs.fct_cs_notes (
    note_id varchar, account_id varchar, created_at timestamp
);
insert into ml_inputs.fct_cs_notes values ('n-1', '001A', '2026-02-03 10:00:00');

create or replace table ml_inputs.fct_interventions (
    intervention_id varchar, account_id varchar, feature_key varchar, started_at timestamp
);
insert into ml_inputs.fct_interventions values ('i-1', '001A', 'reports', '2026-01-10 10:00:00');
"""


@pytest.fixture
def build_marts(settings: Settings) -> Callable[..., None]:
    """Create passing marts in the test warehouse, then apply SQL that breaks something."""

    def build(*extra_sql: str) -> None:
        with connect(settings.warehouse_path) as con:
            con.execute(MARTS_SQL)
            for statement in extra_sql:
                con.execute(statement)

    return build


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute(
        """
        create schema staging; create schema intermediate;
        create table staging.stg_segment__tracks (event_name varchar, context_group_id varchar);
        insert into staging.stg_segment__tracks values
            ('Report Exported', 'acct-9'), ('Report Exported', 'acct-9'), ('Login', 'acct-9');
        create table intermediate.int_catalog_events_split (
            feature_key varchar, event_name varchar
        );
        insert into intermediate.int_catalog_events_split values ('reports', 'report exported');
        create table staging.stg_catalog__features (feature_key varchar);
        insert into staging.stg_catalog__features values ('reports');
        create table intermediate.int_track_events_attributed (account_id varchar);
        insert into intermediate.int_track_events_attributed values ('acct-9'), ('acct-9');
        create table staging.stg_crm__accounts (account_id varchar);
        insert into staging.stg_crm__accounts values ('001A'), ('001B');
        """
    )
    yield con
    con.close()


@pytest.fixture
def crm(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A CRM export that left Status out of its mapping: no account is an active customer."""
    con.execute(
        """
        create schema marts;
        create table marts.dim_accounts (account_id varchar, is_active_customer boolean);
        insert into marts.dim_accounts values ('001A', false), ('001B', false);
        create table staging.stg_crm__subscriptions (
            snapshot_date date, subscription_status varchar
        );
        insert into staging.stg_crm__subscriptions values
            ('2026-01-01', 'Active'), ('2026-02-01', null), ('2026-02-01', null),
            ('2026-02-01', 'Paused');
        """
    )
    return con
