"""The pipeline accepts any landing zone written to the contract: another catalog, other event
names and plans, optional CRM fields empty on every account, run through Airflow exactly like
`make run` does (extract, build, train, score)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from other_company import blank_optional_crm_fields, convert, write_crm_loosely

from uptake.orchestration.run_checks import CONTRACT_TABLES
from uptake.settings import get_settings

pytestmark = pytest.mark.e2e


def test_another_company_fills_every_contract_table(tmp_path: Path) -> None:
    from uptake.orchestration.dags_test_runner import run_pipeline
    from uptake.simulation import simulate

    simulate(tmp_path / "simulated", accounts=30, months=6, seed=23)
    vocab = convert(tmp_path / "simulated", tmp_path / "landing")
    # The train DAG once crashed here: no use case anywhere left the adoption model an
    # all-empty column its booster could not bin.
    blank_optional_crm_fields(tmp_path / "landing")
    # Padded ids once matched nothing (the run stopped at the gate); a lower-case
    # `closed lost` was an open stage, so the churn went unseen.
    churned = write_crm_loosely(tmp_path / "landing")
    settings = replace(
        get_settings({"UPTAKE_HOME": str(tmp_path / "home")}),
        landing_dir=tmp_path / "landing",
    )
    settings.apply()
    run_pipeline(settings)

    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        for table in CONTRACT_TABLES:
            assert con.execute(f"select count(*) from marts.{table}").fetchone()[0] > 0, table

        def values(sql: str) -> set[str]:
            return {row[0] for row in con.execute(sql).fetchall()}

        features = values("select feature_key from marts.adoption_gaps")
        plans = values("select plan from marts.dim_accounts")
        complexity = values("select product_complexity from marts.account_adoption")
        use_cases = values("select use_case from marts.dim_accounts")
        intervened = values("select feature_key from ml_inputs.fct_interventions")
        tagged = values(
            "select feature_key from ml_inputs.fct_support_tickets "
            "where feature_match_method = 'tag'"
        )
        account_ids = values("select account_id from marts.dim_accounts")
        active = values("select account_id from marts.dim_accounts where is_active_customer")
        churns = values("select account_id from ml_inputs.fct_renewal_outcomes where is_churned")
        used = con.execute(
            "select count(*) from marts.fct_feature_usage_daily where events > 0"
        ).fetchone()[0]
    finally:
        con.close()
    # Outputs carry the catalog's keys and plans as it spells them; the CRM's capitalised
    # plans, the CSMs' lower-case intervention keys and the help desk's lower-case tags are
    # matched to them case-insensitively.
    keys = set(vocab.feature_key.values())
    assert features and features <= keys
    assert plans and plans <= set(vocab.plan.values())
    assert intervened and intervened <= keys
    assert tagged and tagged <= keys
    assert used > 0  # renamed events were mapped to the renamed features through the catalog
    assert use_cases == {None}
    assert account_ids and all(a == a.strip() for a in account_ids)
    assert active  # `active` subscriptions are Active
    assert churned and churns == churned
    assert complexity == {"high"}  # the catalog's product.csv picks the benchmark band
