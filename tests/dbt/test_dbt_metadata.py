"""dbt metadata that reaches consumers: contracts, persisted descriptions, exposures, source
freshness against the as-of date, and the docs site (`uptake docs`) on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.dbt.fixtures import AS_OF
from tests.dbt.harness import BuiltWarehouse, isolated_settings
from uptake.delivery.marts import DELIVERIES, TABLE_OF
from uptake.transform.dbt_runner import dbt_args, warehouse_guard

BI_MARTS = (
    "dim_accounts",
    "fct_feature_usage_daily",
    "account_feature_adoption",
    "account_adoption",
    "cohort_benchmarks",
)
# DuckDB's name for each declared contract type.
DUCKDB_TYPES = {
    "varchar": "VARCHAR",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "double precision": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
CRM_EXPORT_READS = {
    "dim_accounts",
    "account_adoption",
    "account_feature_adoption",
    "account_scores",
    "adoption_gaps",
}


def _manifest(build: BuiltWarehouse) -> dict[str, Any]:
    return json.loads((build.settings.dbt_target_dir / "manifest.json").read_text())


def _query(build: BuiltWarehouse, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(build.settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_bi_marts_enforce_their_contract_types(duckdb_build: BuiltWarehouse) -> None:
    nodes = _manifest(duckdb_build)["nodes"]
    for mart in BI_MARTS:
        node = nodes[f"model.uptake.{mart}"]
        assert node["contract"]["enforced"] is True, mart
        declared = {name: c["data_type"] for name, c in node["columns"].items()}
        assert all(declared.values()), mart
        built = dict(
            _query(
                duckdb_build,
                "select column_name, data_type from information_schema.columns "
                f"where table_schema = 'marts' and table_name = '{mart}'",
            )
        )
        assert built == {name: DUCKDB_TYPES[t] for name, t in declared.items()}, mart


def test_a_mart_whose_sql_breaks_its_contract_is_not_built(
    duckdb_build: BuiltWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dbt.cli.main import dbtRunner

    project = tmp_path / "dbt_project"
    shutil.copytree(
        duckdb_build.settings.dbt_project_dir,
        project,
        ignore=shutil.ignore_patterns("target", "logs"),
    )
    model = project / "models" / "marts" / "fct_feature_usage_daily.sql"
    sql = model.read_text()
    summed = "cast(sum(events) as {{ dbt.type_bigint() }}) as events"
    assert summed in sql
    # A count that turns into text must not reach BI: the contract says bigint.
    model.write_text(sql.replace(summed, "cast(sum(events) as varchar) as events"))
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(duckdb_build.settings.warehouse_path, warehouse)
    settings = isolated_settings(tmp_path / "home", monkeypatch, UPTAKE_WAREHOUSE=str(warehouse))
    before = _query(duckdb_build, "select count(*) from marts.fct_feature_usage_daily")

    with warehouse_guard(settings):  # also closes the file dbt-duckdb keeps open
        outcome = dbtRunner().invoke(
            ["build", "--select", "fct_feature_usage_daily", "--project-dir", str(project),
             "--profiles-dir", str(project), "--target-path", str(tmp_path / "target"),
             "--log-path", str(tmp_path / "logs")]
        )  # fmt: skip

    assert not outcome.success
    failed = [r for r in outcome.result.results if r.node.name == "fct_feature_usage_daily"]
    assert failed and "contract" in str(failed[0].message).lower()
    assert "events" in str(failed[0].message)
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:  # the previous table is still there, untouched
        assert (
            con.execute("select count(*) from marts.fct_feature_usage_daily").fetchall() == before
        )
    finally:
        con.close()


def test_descriptions_are_table_and_column_comments(duckdb_build: BuiltWarehouse) -> None:
    node = _manifest(duckdb_build)["nodes"]["model.uptake.account_adoption"]
    comments = dict(
        _query(
            duckdb_build,
            "select column_name, comment from duckdb_columns() "
            "where schema_name = 'marts' and table_name = 'account_adoption'",
        )
    )
    assert comments["adoption_score"] == node["columns"]["adoption_score"]["description"]
    assert comments["adoption_score"].startswith("0-100")
    assert all(comments.values())  # every column of a documented mart
    (table_comment,) = _query(
        duckdb_build,
        "select comment from duckdb_tables() "
        "where schema_name = 'marts' and table_name = 'account_adoption'",
    )[0]
    assert table_comment == node["description"]


def test_exposures_are_listed(
    duckdb_build: BuiltWarehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dbt.cli.main import dbtRunner

    settings = isolated_settings(duckdb_build.settings.home, monkeypatch)
    with warehouse_guard(settings):
        outcome = dbtRunner().invoke(
            dbt_args(settings, ["ls", "--resource-type", "exposure", "--output", "name"], None)
        )
    assert outcome.success
    assert sorted(outcome.result) == ["bi_copy", "crm_export", "csm_report"]


def _dependencies(manifest: dict[str, Any], exposure: str) -> set[str]:
    nodes = manifest["exposures"][f"exposure.uptake.{exposure}"]["depends_on"]["nodes"]
    return {node.rsplit(".", 1)[-1] for node in nodes}


def test_docs_site_is_generated_and_served_on_loopback(
    duckdb_build: BuiltWarehouse,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from uptake.cli import main
    from uptake.transform.docs import HOST, docs_server

    settings = isolated_settings(duckdb_build.settings.home, monkeypatch)
    build_results = (settings.dbt_target_dir / "run_results.json").read_bytes()
    assert main(["docs", "--no-serve"]) == 0
    assert f"dbt docs generated in {settings.dbt_docs_dir}" in capsys.readouterr().out
    site = settings.dbt_docs_dir
    # Its own target: the build's run_results.json (read by `uptake report`) is untouched.
    assert (settings.dbt_target_dir / "run_results.json").read_bytes() == build_results
    manifest = json.loads((site / "manifest.json").read_text())
    catalog = json.loads((site / "catalog.json").read_text())

    # Exposures depend on exactly what their code reads.
    marts = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }
    scored = {s["name"] for s in manifest["sources"].values() if s["source_name"] == "scored"}
    assert _dependencies(manifest, "bi_copy") == marts | scored
    assert _dependencies(manifest, "csm_report") == set(TABLE_OF.values()) - {DELIVERIES}
    assert _dependencies(manifest, "crm_export") == CRM_EXPORT_READS
    # The catalog read the warehouse: types and the persisted comments.
    adoption = catalog["nodes"]["model.uptake.account_adoption"]
    assert adoption["columns"]["adoption_score"]["type"] == "DOUBLE"
    assert adoption["columns"]["adoption_score"]["comment"].startswith("0-100")

    server = docs_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == HOST == "127.0.0.1"
        with urllib.request.urlopen(f"http://{host}:{port}/", timeout=10) as response:
            assert response.status == 200
            assert response.read() == (site / "index.html").read_bytes()
        with urllib.request.urlopen(f"http://{host}:{port}/manifest.json", timeout=10) as response:
            assert "exposure.uptake.csm_report" in json.loads(response.read())["exposures"]
        (site / "compiled").mkdir(exist_ok=True)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://{host}:{port}/compiled/", timeout=10)
        assert refused.value.code == 404  # only the site's three files are served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_source_freshness_is_measured_against_the_as_of_date(
    duckdb_build: BuiltWarehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    from uptake.transform import SourceFreshnessError, run_source_freshness

    settings = isolated_settings(duckdb_build.settings.home, monkeypatch)
    result = run_source_freshness(settings)  # as of the latest delivery, AS_OF
    assert result.as_of_date == AS_OF
    by_source = {s.source: s for s in result.sources}
    assert set(by_source) == {
        "raw.product_events",
        "raw.crm_accounts",
        "raw.crm_subscriptions",
        "raw.crm_renewals",
        "raw.support_tickets",
        "raw.cs_notes",
    }
    events = by_source["raw.product_events"]
    assert (events.status, events.newest_delivery, events.age_days) == ("pass", AS_OF, 0.0)
    assert (events.warn_after, events.error_after) == ("2 day", "30 day")
    # The fixture's last ticket delivery is 22 days before AS_OF: past warn_after (14 days).
    tickets = by_source["raw.support_tickets"]
    assert (tickets.status, tickets.newest_delivery, tickets.age_days) == (
        "warn",
        date(2026, 3, 9),
        22.0,
    )
    assert result.success and result.warnings == [tickets]
    assert (settings.dbt_target_dir / "sources.json").exists()

    # An earlier as-of date ignores the later deliveries: the ages count from that day.
    earlier = run_source_freshness(settings, as_of_date=date(2026, 3, 10))
    tickets = {s.source: s for s in earlier.sources}["raw.support_tickets"]
    assert (tickets.status, tickets.newest_delivery, tickets.age_days) == (
        "pass",
        date(2026, 3, 9),
        1.0,
    )

    # Two months after the last delivery: events and CRM are past error_after; it raises.
    with pytest.raises(SourceFreshnessError, match=r"raw.product_events \[error\]") as stale:
        run_source_freshness(settings, as_of_date=date(2026, 5, 31))
    failed = {s.source for s in stale.value.result.errors}
    assert failed == {
        "raw.product_events",
        "raw.crm_accounts",
        "raw.crm_subscriptions",
        "raw.crm_renewals",
    }
    assert "61 days before the as-of date" in str(stale.value)
