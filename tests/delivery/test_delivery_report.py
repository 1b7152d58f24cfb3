"""The static HTML report: self-contained pages whose numbers are the marts' values."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from delivery_fixtures import HOSTILE_ID, HOSTILE_NAME, INACTIVE_IDS
from delivery_pages import (
    PNG_MAGIC,
    SVG_NAMESPACE,
    png_images,
    svg_images,
    urls,
    visible_text,
)

from uptake.delivery import publish_reports
from uptake.delivery.safe_files import slug
from uptake.delivery.site import account_href, csm_href


def _marts(settings, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql).fetchdf()
    finally:
        con.close()


def _read(settings, relative: str) -> str:
    return (settings.reports_dir / relative).read_text()


def test_every_page_is_self_contained(published):
    settings, summary = published
    root = settings.reports_dir
    assert summary.locations() == {
        "report": root / "index.html",
        "digests": root / "digest",
        "CRM export": settings.exports_dir / "crm_account_health.csv",
    }
    pages = sorted(root.rglob("*.html"))
    assert summary.report_pages == len([p for p in pages if "digest" not in p.parts])
    for path in pages:
        html = path.read_text()
        for url in urls(html):
            # Only relative links between pages and inline images: nothing to fetch.
            assert url.startswith(("data:image/png;base64,", "data:image/svg+xml;base64,")) or (
                "://" not in url and not url.startswith("//")
            ), (path, url[:80])
            if not url.startswith("data:"):
                target = (path.parent / url).resolve()
                assert target.is_file(), (path, url)
        assert "<style>" in html and 'rel="stylesheet"' not in html
        for png in png_images(html):
            assert png.startswith(PNG_MAGIC) and len(png) > 1024
        for figure in svg_images(html):  # well-formed, sized, and drawn (not an empty frame)
            assert figure.tag == f"{SVG_NAMESPACE}svg" and float(figure.get("width")) >= 400
            assert (
                len(figure.findall(f"{SVG_NAMESPACE}rect"))
                + len(figure.findall(f"{SVG_NAMESPACE}polyline"))
                > 2
            )


def test_untrusted_text_is_escaped_everywhere(published):
    settings, _ = published
    for path in settings.reports_dir.rglob("*.html"):
        html = path.read_text()
        assert "<script>" not in html, path
        assert "evil.example" not in html or "&lt;script&gt;" in html, path
    page = _read(settings, account_href(HOSTILE_ID))
    assert HOSTILE_NAME in visible_text(page)  # shown as text, exactly


def test_portfolio_shows_risk_arr_and_the_top_gaps_in_priority_order(published):
    settings, _ = published
    index = _read(settings, "index.html")
    shown = visible_text(index)
    gaps = _marts(
        settings, "select * from marts.adoption_gaps order by priority_score desc limit 25"
    )
    names = _marts(settings, "select account_id, account_name from marts.dim_accounts")
    name = dict(zip(names["account_id"], names["account_name"], strict=True))
    positions = [shown.index(f"{gaps['priority_score'].iloc[i]:,.0f}") for i in range(3)]
    assert positions == sorted(positions)
    top = gaps.iloc[0]
    assert name[top["account_id"]] in shown
    assert f"${top['arr_at_risk']:,.0f}" in shown
    accounts = _marts(
        settings,
        "select a.arr, s.risk_tier from marts.dim_accounts a join marts.account_scores s "
        "using (account_id) where a.is_active_customer",
    )
    assert f"${accounts['arr'].sum():,.0f}" in shown
    high = accounts.loc[accounts["risk_tier"] == "high", "arr"].sum()
    assert f"ARR at high churn risk ({(accounts['risk_tier'] == 'high').sum()} accounts)" in shown
    assert f"${high:,.0f}" in shown
    assert len(png_images(index)) >= 1  # the risk x adoption scatter
    # The fixture scores with the churn prior: the page says why there is no calibration.
    assert "Calibration not available: this run scored with the cross-company churn prior" in shown


def test_account_page_carries_heatmap_cohort_risk_gaps_and_talking_points(published):
    settings, _ = published
    gaps = _marts(
        settings, "select * from marts.adoption_gaps order by priority_score desc, account_id"
    )
    account = gaps["account_id"].iloc[0]
    html = _read(settings, account_href(account))
    shown = visible_text(html)
    adoption = _marts(
        settings, f"select * from marts.account_adoption where account_id = '{account}'"
    ).iloc[0]
    score = _marts(
        settings, f"select * from marts.account_scores where account_id = '{account}'"
    ).iloc[0]
    assert f"{adoption['cohort_percentile']:.0f}" in shown
    assert "percentile in its cohort" in shown
    trend = adoption["usage_trend_30d"]
    assert f"{'up' if trend > 0 else 'down'} {abs(100 * trend):.0f}% over the last 30 days" in (
        shown
    )
    assert f"{score['churn_probability']:.2f}" in shown
    for driver in score["top_risk_drivers"].split("; "):
        assert driver in shown
    mine = gaps[gaps["account_id"] == account]
    assert f"Gaps ({len(mine)})" in shown
    for _, gap in mine.iterrows():
        assert gap["summary"] in shown
        assert f"Cause: {gap['root_cause']}" in shown
        assert gap["recommended_action"].replace("_", " ") in shown
    assert "Evidence:" in shown and "peer adoption rate" in shown
    figures = svg_images(html)
    assert len(figures) == 2 and not png_images(html)  # heatmap and cohort adoption curves
    heat, curve = figures
    entitled = _marts(
        settings,
        "select distinct feature_name from marts.account_feature_adoption "
        f"where account_id = '{account}' and is_entitled",
    )["feature_name"]
    rows = {label.text for label in heat.iter(f"{SVG_NAMESPACE}text")}
    assert set(entitled) <= rows  # a row per entitled feature: the gaps show as pale lines
    lines = [line.get("stroke") for line in curve.iter(f"{SVG_NAMESPACE}polyline")]
    assert lines.count("#b3261e") == 1 and len(lines) >= 2  # the account among its cohort
    assert "p25" in shown and "p90" in shown and "position in the cohort" in shown


def test_csm_page_caps_alerts_as_the_alerts_are_capped(published):
    settings, _ = published
    alerts = _marts(settings, "select * from marts.adoption_alerts where status = 'open'")
    for csm, rows in alerts.groupby("csm_owner"):
        pushed = int(rows["is_pushed"].sum())
        assert pushed <= settings.alert_cap_per_csm
        shown = visible_text(_read(settings, csm_href(csm)))
        assert f"Open alerts ({pushed}, at most {settings.alert_cap_per_csm} per CSM)" in shown
        held = len(rows) - pushed
        if held:
            assert f"{held} more open alerts are over the cap" in shown


def test_pages_exist_for_active_accounts_and_accounts_with_gaps(published):
    settings, _ = published
    accounts = _marts(settings, "select account_id, is_active_customer from marts.dim_accounts")
    with_gaps = set(
        _marts(settings, "select distinct account_id from marts.adoption_gaps")["account_id"]
    )
    for account_id, active in zip(
        accounts["account_id"], accounts["is_active_customer"], strict=True
    ):
        exists = (settings.reports_dir / account_href(account_id)).exists()
        assert exists == (bool(active) or account_id in with_gaps), account_id
    assert set(INACTIVE_IDS) <= set(accounts["account_id"])


def test_rerun_is_identical_and_drops_pages_of_accounts_gone(desk):
    first = publish_reports(desk)
    index = desk.reports_dir / "index.html"
    before = {p: p.read_bytes() for p in desk.reports_dir.rglob("*.html")}
    stale = desk.reports_dir / "account" / f"{slug('gone')}.html"
    stale.write_text("old")
    second = publish_reports(desk)
    assert first.report_pages == second.report_pages
    after = {p: p.read_bytes() for p in desk.reports_dir.rglob("*.html")}
    assert after == before and not stale.exists()
    assert index.read_bytes() == before[index]


def test_a_missing_mart_is_named_and_its_plots_say_so(desk):
    con = duckdb.connect(str(desk.warehouse_path))
    con.execute("drop table marts.fct_feature_usage_daily")
    con.close()
    summary = publish_reports(desk)
    assert summary.unavailable == ["marts.fct_feature_usage_daily"]
    shown = visible_text((desk.reports_dir / "index.html").read_text())
    assert "Unavailable (table missing): marts.fct_feature_usage_daily" in shown
    page = next((desk.reports_dir / "account").glob("*.html")).read_text()
    assert "No feature usage recorded." in visible_text(page)


def test_marts_of_another_day_are_refused(desk):
    with pytest.raises(ValueError, match="the marts describe 2026-06-30"):
        publish_reports(desk, as_of=pd.Timestamp("2026-07-01").date())


def test_before_any_scoring_the_report_says_what_is_missing(desk):
    con = duckdb.connect(str(desk.warehouse_path))
    for table in ("account_scores", "adoption_gaps", "adoption_alerts"):
        con.execute(f"drop table marts.{table}")
    con.close()
    summary = publish_reports(desk)
    assert summary.unavailable == [
        "marts.account_scores",
        "marts.adoption_gaps",
        "marts.adoption_alerts",
    ]
    shown = visible_text((desk.reports_dir / "index.html").read_text())
    assert "Unavailable (table missing): marts.account_scores" in shown
    assert summary.crm_rows > 0 and summary.ok
