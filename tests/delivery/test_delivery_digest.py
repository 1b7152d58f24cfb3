"""Weekly digests: new and open alerts, top gaps, risk that rose; Markdown and HTML agree."""

from __future__ import annotations

import duckdb
import pandas as pd
from delivery_fixtures import HOSTILE_NAME
from delivery_pages import visible_text
from mart_fixtures import AS_OF

from uptake.delivery.digest import build_digest, md, write_digests
from uptake.delivery.marts import load_desk
from uptake.delivery.risk_changes import RISK_RISE_MIN, risk_rises
from uptake.delivery.views import build_views


def _alerts(settings) -> pd.DataFrame:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(
            "select * from marts.adoption_alerts where status = 'open' and is_pushed"
        ).fetchdf()
    finally:
        con.close()


def test_one_markdown_and_one_html_digest_per_csm(published):
    settings, summary = published
    folder = settings.reports_dir / "digest"
    csms = sorted(_alerts(settings)["csm_owner"].unique())
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{c}.md" for c in csms] + [f"{c}.html" for c in csms]
    )
    assert len(summary.digests) == 2 * len(csms)


def test_new_alerts_this_week_and_earlier_ones_are_told_apart(desk):
    con = duckdb.connect(str(desk.warehouse_path))
    alerts = con.execute(
        "select alert_id, csm_owner from marts.adoption_alerts "
        "where status = 'open' and is_pushed order by alert_id"
    ).fetchdf()
    old = alerts["alert_id"].iloc[0]
    con.execute(
        "update marts.adoption_alerts set first_seen_at = timestamp '2026-05-01' "
        "where alert_id = ?",
        [old],
    )
    con.close()
    csm = alerts["csm_owner"].iloc[0]
    digest = build_digest(build_views(load_desk(desk)), csm)
    sections = {s.title: s for s in digest.sections}
    mine = alerts[alerts["csm_owner"] == csm]
    assert len(sections["Open alerts from earlier weeks"].items) == 1
    assert "(first seen 2026-05-01)" in sections["Open alerts from earlier weeks"].items[0].text
    assert len(sections["New alerts this week"].items) == len(mine) - 1
    assert digest.week_end == "2026-06-30"


def test_accounts_whose_risk_rose_are_listed_against_a_week_ago(desk):
    data = load_desk(desk)
    scores = data.scores
    week_ago = scores.assign(scored_at=pd.Timestamp("2026-06-23"))
    risen = scores.sort_values("churn_probability").iloc[-1]["account_id"]
    lower = week_ago["account_id"] == risen
    week_ago.loc[lower, "churn_probability"] = 0.01
    week_ago.loc[lower, "risk_tier"] = "low"
    con = duckdb.connect(str(desk.warehouse_path))
    con.register("week_ago", week_ago)
    con.execute("delete from marts.account_scores_history where scored_at = '2026-06-23'")
    con.execute("insert into marts.account_scores_history by name select * from week_ago")
    con.close()
    views = build_views(load_desk(desk))
    history = views.data.risk_history
    rises = risk_rises(views.data.scores, history[history["scored_at"] < pd.Timestamp(AS_OF)])
    assert [r.account_id for r in rises] == [risen]
    csm = views.account_by_id[risen]["csm_owner"]
    digest = build_digest(views, csm)
    rose = next(s for s in digest.sections if s.title == "Accounts whose churn risk rose")
    assert len(rose.items) == 1 and "low (0.01) on 2026-06-23 ->" in rose.items[0].text
    assert RISK_RISE_MIN == 0.10


def test_first_run_says_risk_changes_need_an_earlier_score(published):
    settings, _ = published
    text = next((settings.reports_dir / "digest").glob("*.md")).read_text()
    assert "No earlier score is recorded yet" in text


def test_markdown_and_html_neutralise_untrusted_names(desk):
    alert = _alerts(desk).sort_values("alert_id").iloc[0]
    con = duckdb.connect(str(desk.warehouse_path))
    con.execute(
        "update marts.dim_accounts set account_name = ? where account_id = ?",
        [HOSTILE_NAME, alert["account_id"]],
    )
    con.close()
    views = build_views(load_desk(desk))
    paths = write_digests(views, desk.reports_dir / "digest")
    markdown = next(p for p in paths if p.name == f"{alert['csm_owner']}.md").read_text()
    html = next(p for p in paths if p.name == f"{alert['csm_owner']}.html").read_text()
    assert md(HOSTILE_NAME) in markdown
    assert "[x](http" not in markdown and "<script>" not in markdown
    assert "<script>" not in html and HOSTILE_NAME in visible_text(html)
    assert md("a*b_[c](d)<e>") == r"a\*b\_\[c\](d)\<e\>"
