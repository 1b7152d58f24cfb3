"""End to end on DuckDB: the fixture raw warehouse -> run_dbt_build -> real rows in the marts.

Expected values are worked out by hand in tests/dbt/fixtures.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.dbt.fixtures import AS_OF
from tests.dbt.harness import BuiltWarehouse
from uptake.warehouse import ML_INPUT_TABLES, schema_of

CONTRACT_COLUMNS = {
    "dim_accounts": "account_id, account_name, industry, employee_band, use_case, plan, seats, "
    "arr, contract_start, renewal_date, csm_owner, tenure_days, cohort_key",
    "fct_feature_usage_daily": "account_id, feature_key, usage_date, events, active_users",
    "account_feature_adoption": "account_id, feature_key, category, is_entitled, first_used_at, "
    "last_used_at, events_30d, users_30d, feature_adoption_rate, adoption_status, "
    "peer_adoption_rate",
    "account_adoption": "account_id, as_of_date, adoption_depth_pct, weighted_depth_pct, "
    "license_utilization, dau_mau, time_to_value_days, adoption_velocity_days, usage_trend_30d, "
    "dormant_users, adoption_score, cohort_percentile, benchmark_band",
    "cohort_benchmarks": "cohort_key, feature_key, accounts, peer_adoption_rate, p25_events_30d, "
    "p50_events_30d, p75_events_30d, p90_events_30d",
    "fct_account_snapshots_every_30_days": "account_id, snapshot_date, plan, seats, arr, "
    "tenure_days, active_users_30d, license_utilization, events_30d, events_prev_30d, "
    "usage_trend_30d, features_adopted, features_entitled, adoption_depth_pct, "
    "weighted_depth_pct, tickets_30d, bug_tickets_30d, how_to_tickets_30d, interventions_90d, "
    "renewal_in_days",
    "fct_renewal_outcomes": "renewal_id, account_id, close_date, is_closed, is_churned, arr",
    "fct_support_tickets": "ticket_id, account_id, feature_key, subject, description, type, tags, "
    "status, created_at, updated_at",
    "fct_cs_notes": "note_id, account_id, feature_key, author, channel, body, created_at",
    "fct_interventions": "intervention_id, account_id, feature_key, intervention_type, owner, "
    "started_at, is_adopted_within_60d, events_60d_before, events_60d_after",
}


def rows(build: BuiltWarehouse, sql: str) -> list[dict[str, Any]]:
    con = duckdb.connect(str(build.settings.warehouse_path), read_only=True)
    try:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def one(build: BuiltWarehouse, sql: str) -> dict[str, Any]:
    found = rows(build, sql)
    assert len(found) == 1, found
    return found[0]


def feature(build: BuiltWarehouse, account_id: str, feature_key: str) -> dict[str, Any]:
    return one(
        build,
        "select * from marts.account_feature_adoption "
        f"where account_id = '{account_id}' and feature_key = '{feature_key}'",
    )


def test_build_runs_models_data_tests_and_unit_tests(duckdb_build: BuiltWarehouse) -> None:
    result = duckdb_build.result
    assert result.success and result.status_counts["error"] == 0
    # persona_benchmarks, fct_gap_candidates and the first adoptions included
    assert result.count("model") == 39
    assert result.count("unit_test") >= 8  # adoption rule, cohort fallback, mapping, dedup, ...
    assert result.count("test") >= 100
    assert result.as_of_date is None  # the project defaulted to the latest delivery


@pytest.mark.parametrize("table", sorted(CONTRACT_COLUMNS))
def test_marts_carry_the_contract_columns(duckdb_build: BuiltWarehouse, table: str) -> None:
    qualified = f"{schema_of(table)}.{table}"
    found = rows(duckdb_build, f"select {CONTRACT_COLUMNS[table]} from {qualified}")
    assert found, f"{qualified} is empty"


def test_schemas_are_exactly_staging_intermediate_marts_ml_inputs(
    duckdb_build: BuiltWarehouse,
) -> None:
    tables = rows(duckdb_build, "select table_schema, table_name from information_schema.tables")
    schemas = {r["table_schema"] for r in tables}
    assert {"raw", "staging", "intermediate", "marts", "ml_inputs"} <= schemas
    assert not {s for s in schemas if s.endswith(("_staging", "_marts", "_intermediate"))}
    # BI tools read marts; the point-in-time ML facts stay in their own schema.
    in_ml_inputs = {r["table_name"] for r in tables if r["table_schema"] == "ml_inputs"}
    in_marts = {r["table_name"] for r in tables if r["table_schema"] == "marts"}
    assert in_ml_inputs == ML_INPUT_TABLES
    assert not in_marts & ML_INPUT_TABLES


def test_renamed_events_and_group_calls_make_a_feature_adopted(
    duckdb_build: BuiltWarehouse,
) -> None:
    # 3 "Report Exported" + 3 "report_exported" by one of two active users, no context.groupId.
    reports = feature(duckdb_build, "001A", "reports")
    assert reports["adoption_status"] == "adopted"
    assert reports["events_30d"] == 6
    assert reports["active_users_30d"] == 1
    assert reports["feature_adoption_rate"] == pytest.approx(0.5)
    assert reports["first_adopted_date"] == date(2026, 3, 24)
    # 2 of the 4 other software|smb|pro accounts adopted reports.
    assert reports["peer_adoption_rate"] == pytest.approx(0.5)


def test_statuses_trying_abandoned_never_used(duckdb_build: BuiltWarehouse) -> None:
    dashboards = feature(duckdb_build, "001A", "dashboards")
    # dup-1 delivered twice counts once: 2 events < 3.
    assert (dashboards["adoption_status"], dashboards["events_30d"]) == ("trying", 2)
    assert feature(duckdb_build, "001A", "salesforce_integration")["adoption_status"] == "abandoned"
    assert feature(duckdb_build, "005E", "reports")["adoption_status"] == "never_used"
    insights = feature(duckdb_build, "001A", "ai_insights")
    assert (insights["is_entitled"], insights["adoption_status"]) == (False, "trying")


def test_unattributable_events_are_left_out(duckdb_build: BuiltWarehouse) -> None:
    stranger = rows(
        duckdb_build,
        "select * from intermediate.int_track_events_attributed where user_id = 'stranger'",
    )
    assert stranger == []


def test_cohort_fallback(duckdb_build: BuiltWarehouse) -> None:
    levels = {
        r["account_id"]: (r["benchmark_cohort_key"], r["benchmark_cohort_level"])
        for r in rows(duckdb_build, "select * from marts.account_adoption")
    }
    assert levels["001A"] == ("software|smb|pro", "industry_band_plan")
    assert levels["006F"] == ("*|*|pro", "plan")
    assert levels["007G"] == ("*|*|*", "all")
    bench = one(
        duckdb_build,
        "select * from marts.cohort_benchmarks "
        "where cohort_key = 'software|smb|pro' and feature_key = 'reports'",
    )
    # events_30d of the five entitled accounts: 6, 5, 5, 0, 0.
    assert bench["accounts"] == 5 and bench["peer_adoption_rate"] == pytest.approx(0.6)
    assert bench["p50_events_30d"] == pytest.approx(5.0)
    assert bench["p90_events_30d"] == pytest.approx(5.6)


def test_account_adoption_metrics(duckdb_build: BuiltWarehouse) -> None:
    acme = one(duckdb_build, "select * from marts.account_adoption where account_id = '001A'")
    assert acme["as_of_date"] == AS_OF
    assert (acme["features_entitled"], acme["features_adopted"]) == (3, 1)
    assert acme["adoption_depth_pct"] == pytest.approx(33.33)
    # reports core 3*2=6 of 6 + dashboards 2*2=4 + salesforce 4 = 14 -> 42.86 %.
    assert acme["weighted_depth_pct"] == pytest.approx(42.86)
    assert acme["license_utilization"] == pytest.approx(0.2)  # 2 active users / 10 seats
    assert acme["time_to_value_days"] == 81  # 2025-12-01 -> first dashboards use 2026-02-20
    assert acme["adoption_velocity_days"] is None  # dashboards (core) never adopted
    assert (acme["events_30d"], acme["events_prev_30d"]) == (10, 2)
    assert acme["usage_trend_30d"] == pytest.approx(4.0)
    assert acme["benchmark_band"] == "below_good"  # low complexity: good starts at 50 %
    assert 0 <= acme["adoption_score"] <= 100
    assert acme["cohort_percentile"] == pytest.approx(100.0)


def test_crm_history_keeps_plan_and_owner_changes(duckdb_build: BuiltWarehouse) -> None:
    versions = rows(
        duckdb_build,
        "select valid_from, plan, csm_owner, is_plan_change, is_owner_change "
        "from intermediate.int_account_history_versioned where account_id = '001A' order by 1",
    )
    assert [(v["plan"], v["csm_owner"]) for v in versions] == [
        ("basic", "csm-1"),
        ("pro", "csm-1"),
        ("pro", "csm-2"),
    ]
    assert [v["is_plan_change"] for v in versions] == [False, True, False]
    assert [v["is_owner_change"] for v in versions] == [False, False, True]
    dim = one(duckdb_build, "select * from marts.dim_accounts where account_id = '001A'")
    assert (dim["plan"], dim["csm_owner"], dim["tenure_days"]) == ("pro", "csm-2", 120)


def test_snapshots_every_30_days_are_point_in_time(duckdb_build: BuiltWarehouse) -> None:
    snaps = {
        r["snapshot_date"]: r
        for r in rows(
            duckdb_build,
            "select * from ml_inputs.fct_account_snapshots_every_30_days where account_id = '001A'",
        )
    }
    assert sorted(snaps) == [date(2026, 1, 30), date(2026, 3, 1), AS_OF]
    # On 03-01 only the 02-20 event was known: the 02-25 one was delivered on 03-05 and
    # everything from March is later. The plan changed that very day.
    march = snaps[date(2026, 3, 1)]
    assert (march["events_30d"], march["plan"], march["tickets_30d"]) == (1, "pro", 0)
    january = snaps[date(2026, 1, 30)]
    assert (january["plan"], january["events_30d"], january["features_entitled"]) == ("basic", 3, 2)
    latest = snaps[AS_OF]
    assert (latest["features_adopted"], latest["tickets_30d"], latest["bug_tickets_30d"]) == (
        1,
        3,
        1,
    )
    assert latest["renewal_in_days"] == 244


def test_tickets_notes_renewals_interventions(duckdb_build: BuiltWarehouse) -> None:
    tickets = {
        r["ticket_id"]: r for r in rows(duckdb_build, "select * from ml_inputs.fct_support_tickets")
    }
    assert len(tickets) == 3
    assert (tickets["1"]["status"], tickets["1"]["feature_key"]) == ("solved", "reports")
    assert (tickets["2"]["feature_key"], tickets["2"]["feature_match_method"]) == (
        "salesforce_integration",
        "tag",
    )
    assert tickets["3"]["feature_key"] is None
    notes = {
        r["note_id"]: r["feature_key"]
        for r in rows(duckdb_build, "select * from ml_inputs.fct_cs_notes")
    }
    assert notes == {"n-1": "ai_insights", "n-2": None}
    churn = one(
        duckdb_build, "select * from ml_inputs.fct_renewal_outcomes where renewal_id = 'R-7'"
    )
    assert (churn["is_closed"], churn["is_churned"], churn["arr"]) == (True, True, 3000.0)
    training = one(
        duckdb_build, "select * from ml_inputs.fct_interventions where intervention_id = 'i-1'"
    )
    assert training["is_adopted_within_60d"] is True
    assert (training["events_60d_before"], training["events_60d_after"]) == (0, 6)
    guide = one(
        duckdb_build, "select * from ml_inputs.fct_interventions where intervention_id = 'i-2'"
    )
    assert guide["is_adopted_within_60d"] is None and guide["is_outcome_known"] is False


def test_late_events_reach_the_usage_marts(duckdb_build: BuiltWarehouse) -> None:
    # The 02-25 event arrived 8 days late (delivered 03-05): it counts on its own event day,
    # next to the 02-20 event delivered on time. Late events are never dropped: every run
    # rebuilds the usage marts from all deliveries up to its as-of date.
    days = rows(
        duckdb_build,
        "select usage_date, events from marts.fct_feature_usage_daily "
        "where account_id = '001A' and feature_key = 'dashboards' "
        "and usage_date between '2026-02-01' and '2026-02-28' order by usage_date",
    )
    assert [(r["usage_date"], r["events"]) for r in days] == [
        (date(2026, 2, 20), 1),
        (date(2026, 2, 25), 1),
    ]


SHARED_ACCOUNT_METRICS = (
    "features_entitled",
    "features_adopted",
    "adoption_depth_pct",
    "weighted_depth_pct",
    "active_users_30d",
    "license_utilization",
    "events_30d",
    "events_prev_30d",
    "usage_trend_30d",
)


def test_the_snapshot_on_the_as_of_date_equals_account_adoption(
    duckdb_build: BuiltWarehouse,
) -> None:
    """Two marts report the same account metrics: on the as-of date they must agree."""
    columns = ", ".join(SHARED_ACCOUNT_METRICS)
    snapshot = rows(
        duckdb_build,
        f"select account_id, {columns} from ml_inputs.fct_account_snapshots_every_30_days "
        f"where snapshot_date = '{AS_OF.isoformat()}' order by account_id",
    )
    adoption = rows(
        duckdb_build,
        f"select account_id, {columns} from marts.account_adoption "
        "where account_id in "
        "(select account_id from ml_inputs.fct_account_snapshots_every_30_days) "
        "order by account_id",
    )
    assert snapshot and [r["account_id"] for r in snapshot] == [r["account_id"] for r in adoption]
    for snap, adopt in zip(snapshot, adoption, strict=True):
        for column in SHARED_ACCOUNT_METRICS:
            assert snap[column] == pytest.approx(adopt[column], abs=1e-9, nan_ok=True), (
                snap["account_id"],
                column,
            )


def test_an_unchanged_build_is_kept_and_any_change_builds_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full build whose project, vars and warehouse inputs are those of the last successful
    one runs no node and says since when; a changed raw value or --full-refresh builds."""
    from tests.dbt.fixtures import write_duckdb_raw
    from tests.dbt.harness import isolated_settings
    from uptake.transform import run_dbt_build

    settings = isolated_settings(tmp_path / "home", monkeypatch)
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    write_duckdb_raw(settings.warehouse_path)
    first = run_dbt_build(settings)
    assert first.unchanged_since is None and first.count("model") > 0

    again = run_dbt_build(settings)
    assert again.unchanged_since is not None and again.counts_by_type == {}

    con = duckdb.connect(str(settings.warehouse_path))
    try:  # one value edited in place: same row count, same load times
        con.execute("update raw.crm_accounts set name = 'Renamed Co' where rowid = 0")
    finally:
        con.close()
    edited = run_dbt_build(settings)
    assert edited.unchanged_since is None and edited.count("model") == first.count("model")

    refreshed = run_dbt_build(settings, full_refresh=True)
    assert refreshed.unchanged_since is None and refreshed.count("model") == first.count("model")
    assert run_dbt_build(settings).unchanged_since is not None


def test_peer_use_rates_count_the_other_entitled_accounts_that_used_the_feature(
    duckdb_build: BuiltWarehouse,
) -> None:
    """fct_gap_candidates' peer use rates on the as-of day, recomputed here from the adoption
    mart and the users' daily use: among the other accounts entitled to the feature with the
    same use case (plan), the share that adopted it or used it more than a stray click."""
    import pandas as pd

    from uptake.scoring.rules import STRAY_USE_MAX_EVENTS

    entitled = pd.DataFrame(
        rows(
            duckdb_build,
            "select adoption.account_id, adoption.feature_key, adoption.adoption_status, "
            "accounts.use_case, accounts.plan, coalesce(used.events, 0) as events "
            "from marts.account_feature_adoption as adoption "
            "inner join marts.dim_accounts as accounts using (account_id) "
            "left join (select account_id, feature_key, sum(events) as events "
            "  from intermediate.int_user_feature_usage_daily "
            f"  where usage_date <= date '{AS_OF}' and delivered_on <= date '{AS_OF}' "
            "  group by account_id, feature_key) as used using (account_id, feature_key) "
            "where adoption.is_entitled",
        )
    )
    entitled["used"] = entitled["adoption_status"].eq("adopted") | (
        entitled["events"] > STRAY_USE_MAX_EVENTS
    )
    gaps = pd.DataFrame(
        rows(
            duckdb_build,
            "select account_id, feature_key, use_case_peers, use_case_peer_use_rate, "
            "plan_peers, plan_peer_use_rate from ml_inputs.fct_gap_candidates_every_30_days "
            "where is_as_of_day",
        )
    )
    assert len(gaps) > 0 and gaps["use_case_peer_use_rate"].notna().any()
    for gap in gaps.itertuples():
        me = entitled[
            (entitled["account_id"] == gap.account_id)
            & (entitled["feature_key"] == gap.feature_key)
        ].iloc[0]
        others = entitled[
            (entitled["feature_key"] == gap.feature_key)
            & (entitled["account_id"] != gap.account_id)
        ]
        for group, peers, rate in (
            ("use_case", gap.use_case_peers, gap.use_case_peer_use_rate),
            ("plan", gap.plan_peers, gap.plan_peer_use_rate),
        ):
            same = others[others[group] == me[group]]
            assert peers == len(same), (gap, group)
            if len(same) == 0:
                assert rate is None or pd.isna(rate), (gap, group)
            else:
                assert rate == pytest.approx(same["used"].mean()), (gap, group)


def test_failed_attempts_are_counted_by_the_snapshot_day(duckdb_build: BuiltWarehouse) -> None:
    """Events whose properties carry a non-empty error, dated and delivered by the day."""
    found = {
        (r["feature_key"], r["snapshot_date"]): r["failed_events_to_date"]
        for r in rows(
            duckdb_build,
            "select feature_key, snapshot_date, failed_events_to_date "
            "from ml_inputs.fct_gap_candidates_every_30_days where account_id = '001A'",
        )
    }
    assert found[("salesforce_integration", AS_OF)] == 2  # two errors, one empty error
    assert found[("dashboards", AS_OF)] == 1
    assert found[("dashboards", date(2026, 3, 1))] == 0  # the failure was delivered 03-05
    assert found[("reports", date(2026, 3, 1))] == 0
