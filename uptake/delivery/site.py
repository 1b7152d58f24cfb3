"""The static HTML report: ``reports/index.html`` (portfolio), ``reports/csm/<csm>.html`` and
``reports/account/<account>.html``. Self-contained pages that open from disk."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from uptake.delivery import charts
from uptake.delivery.calibration import Calibration
from uptake.delivery.html import (
    esc,
    events,
    image,
    is_missing,
    link,
    money,
    page,
    pct,
    share,
    table,
    text,
)
from uptake.delivery.html import signed_share as signed
from uptake.delivery.safe_files import slug, write_atomic
from uptake.delivery.talking_points import evidence_of, ordinal, talking_points
from uptake.delivery.views import Views

TOP_GAPS = 25
BENCH_COLUMNS = (
    "events_30d",
    "p25_events_30d",
    "p50_events_30d",
    "p75_events_30d",
    "p90_events_30d",
)
ALERT_HEADERS = ("severity", "account", "feature", "first seen", "summary")
GAP_HEADERS = (
    "account", "feature", "status", "severity", "root cause", "priority", "ARR at risk",
    "recommended action",
)  # fmt: skip
ACCOUNT_HEADERS = (
    "account", "CSM", "plan", "ARR", "risk tier", "churn probability", "adoption score",
    "cohort percentile", "usage trend 30d", "open alerts",
)  # fmt: skip


@dataclass
class SiteResult:
    index: Path
    pages: int = 0
    plots: int = 0
    unavailable: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def _delivery(row: pd.Series) -> str:
    """An alert's webhook state from marts.alert_deliveries."""
    if row["status"] == "delivered":
        return f"sent {text(pd.Timestamp(row['delivered_at']).floor('s'))}"
    return (
        f"failing ({int(row['attempts'])} tries, {text(row.get('last_error'))}); retried next run"
    )


def active_accounts(frame: pd.DataFrame) -> pd.DataFrame:
    if "is_active_customer" not in frame.columns:
        return frame
    return frame[frame["is_active_customer"].fillna(False).astype(bool)]


def account_href(account_id: str, prefix: str = "") -> str:
    return f"{prefix}account/{slug(account_id)}.html"


def csm_href(csm: str, prefix: str = "") -> str:
    return f"{prefix}csm/{slug(csm)}.html"


def _tier(value: object) -> str:
    return f'<span class="tier-{esc(value)}">{esc(value)}</span>'


def _severity(value: object) -> str:
    return f'<span class="sev-{esc(value)}">{esc(value)}</span>'


def _feature(views: Views, key: object) -> str:
    return esc(views.names.get(str(key), key))


class Site:
    def __init__(self, views: Views, calibration: Calibration, root: Path) -> None:
        self.views = views
        self.calibration = calibration
        self.root = root
        self.as_of = views.data.as_of
        scored = views.data.scored_at
        self.footer = (
            f"Data as of {self.as_of or 'unknown'}; scored at {text(scored) or 'not scored'}. "
            "Every number is read from the warehouse marts."
        )
        self.result = SiteResult(index=root / "index.html")
        self.curves = charts.CohortCurves(views.data.snapshots)

    def _write(self, relative: str, title: str, body: str, prefix: str) -> None:
        nav = [(f"{prefix}index.html", "Portfolio")]
        nav += [(csm_href(csm, prefix), csm) for csm in self.views.csms()]
        path = write_atomic(self.root / relative, page(title, body, nav, self.footer))
        self.result.written.append(path)
        self.result.pages += 1

    def _plot(self, make: Callable[[], str | None]) -> str | None:
        uri = make()
        if uri:
            self.result.plots += 1
        return uri

    # -- rows shared by several pages -------------------------------------------------------
    def _account_rows(self, frame: pd.DataFrame, prefix: str) -> list[list[str]]:
        alerts = self.views.open_alerts()
        open_count = alerts.groupby("account_id").size() if len(alerts) else pd.Series(dtype=int)
        rows = []
        for _, row in frame.iterrows():
            account_id = str(row["account_id"])
            rows.append(
                [
                    link(account_href(account_id, prefix), row.get("account_name") or account_id),
                    esc(row.get("csm_owner")),
                    esc(row.get("plan")),
                    money(row.get("arr")),
                    _tier(row.get("risk_tier")),
                    esc(text(row.get("churn_probability"))),
                    esc(text(row.get("adoption_score"))),
                    pct(row.get("cohort_percentile")),
                    signed(row.get("usage_trend_30d")),
                    str(int(open_count.get(account_id, 0))),
                ]
            )
        return rows

    def _gap_rows(self, gaps: pd.DataFrame, prefix: str) -> list[list[str]]:
        names = self.views.data.account_names()
        return [
            [
                link(account_href(str(g["account_id"]), prefix), names.get(g["account_id"], "")),
                _feature(self.views, g["feature_key"]),
                esc(text(g.get("gap_type")).replace("_", " ")),
                _severity(g.get("severity")),
                esc(g.get("root_cause")),
                esc(text(g.get("priority_score"))),
                money(g.get("arr_at_risk")),
                esc(text(g.get("recommended_action")).replace("_", " ")),
            ]
            for _, g in gaps.iterrows()
        ]

    def _alert_rows(self, alerts: pd.DataFrame, prefix: str) -> list[list[str]]:
        names = self.views.data.account_names()
        rows = [
            [
                _severity(a.get("severity")),
                link(account_href(str(a["account_id"]), prefix), names.get(a["account_id"], "")),
                _feature(self.views, a["feature_key"]),
                esc(text(a.get("first_seen_at"))),
                esc(a.get("summary")),
            ]
            for _, a in alerts.iterrows()
        ]
        deliveries = self.views.data.deliveries
        if not deliveries.empty:
            state = deliveries.set_index("alert_id")
            for row, alert_id in zip(rows, alerts["alert_id"], strict=True):
                row.append(esc(_delivery(state.loc[alert_id]) if alert_id in state.index else ""))
        return rows

    def _alert_headers(self) -> list[str]:
        extra = [] if self.views.data.deliveries.empty else ["webhook"]
        return [*ALERT_HEADERS, *extra]

    # -- pages -------------------------------------------------------------------------------
    def portfolio(self) -> None:
        views, data = self.views, self.views.data
        active = active_accounts(views.portfolio)
        cards = [("active accounts", str(len(active))), ("ARR", money(active["arr"].sum()))]
        if "risk_tier" in active.columns:
            for tier in ("high", "medium"):
                arr = active.loc[active["risk_tier"] == tier, "arr"].sum()
                count = int((active["risk_tier"] == tier).sum())
                cards.append((f"ARR at {tier} churn risk ({count} accounts)", money(arr)))
        alerts = views.open_alerts()
        cards.append(("open alerts (pushed)", str(len(alerts))))
        deliveries = data.deliveries
        if not deliveries.empty:
            delivered = int((deliveries["status"] == "delivered").sum())
            failed = int((deliveries["status"] != "delivered").sum())
            cards.append(
                ("critical alerts to the webhook, all runs", f"{delivered} sent, {failed} failing")
            )
        body = ['<div class="cards">']
        body += [f'<div class="card">{esc(label)}<b>{value}</b></div>' for label, value in cards]
        body.append("</div>")
        if data.missing:
            body.append(
                f'<p class="note">Unavailable (table missing): {esc(", ".join(data.missing))}</p>'
            )
        body.append("<h2>Accounts by churn risk and adoption score</h2>")
        scatter = None
        if {"adoption_score", "churn_probability", "risk_tier"} <= set(active.columns):
            scatter = self._plot(lambda: charts.risk_vs_adoption(active))
        body.append(
            image(scatter, "accounts by adoption score and churn probability", "No scores yet.")
        )
        body.append(f"<h2>Top {TOP_GAPS} gaps by priority</h2>")
        body.append(table(GAP_HEADERS, self._gap_rows(data.gaps.head(TOP_GAPS), ""), [5, 6]))
        body.append("<h2>Churn model calibration</h2>")
        calib = None
        if self.calibration.table is not None:
            calib = self._plot(
                lambda: charts.calibration(self.calibration.table, self.calibration.label)
            )
            body.append(
                f'<p class="note">{esc(self.calibration.label)}: mean predicted probability '
                "against the observed churn rate per probability bin.</p>"
            )
        body.append(image(calib, "churn calibration", self.calibration.label))
        body.append("<h2>Accounts (active), highest churn risk first</h2>")
        body.append(table(ACCOUNT_HEADERS, self._account_rows(active, ""), [3, 5, 6, 7, 8]))
        self._write("index.html", "Portfolio", "".join(body), "")

    def csm_page(self, csm: str, cap: int) -> None:
        views = self.views
        mine = active_accounts(views.portfolio)
        mine = mine[mine["csm_owner"] == csm]
        pushed = views.open_alerts(csm)
        held = views.open_alerts(csm, pushed_only=False)
        held = held[~held["alert_id"].isin(pushed["alert_id"])] if len(held) else held
        digest = link(f"../digest/{slug(csm)}.html", "this week's digest")
        body = [f"<p>Also: {digest} (Markdown beside it).</p>"]
        body.append(f"<h2>Open alerts ({len(pushed)}, at most {cap} per CSM)</h2>")
        body.append(table(self._alert_headers(), self._alert_rows(pushed, "../"), []))
        if len(held):
            body.append(
                f'<p class="note">{len(held)} more open alerts are over the cap and kept in '
                "marts.adoption_alerts with severity info.</p>"
            )
        body.append(f"<h2>Accounts ({len(mine)})</h2>")
        body.append(table(ACCOUNT_HEADERS, self._account_rows(mine, "../"), [3, 5, 6, 7, 8]))
        gaps = views.data.gaps
        if len(gaps):
            top = gaps[(gaps["csm_owner"] == csm) & gaps["severity"].isin(["critical", "warning"])]
            body.append("<h2>Top gaps</h2>")
            body.append(table(GAP_HEADERS, self._gap_rows(top.head(10), "../"), [5, 6]))
        self._write(csm_href(csm), f"CSM {csm}", "".join(body), "../")

    def account_page(self, account_id: str) -> None:
        views = self.views
        account = views.account_by_id.get(account_id, pd.Series({"account_id": account_id}))
        adoption = views.adoption_by_account.get(account_id)
        score = views.score_by_account.get(account_id)
        gaps = views.gaps_by_account.get(account_id, pd.DataFrame())
        cohort = views.cohort_rows(account_id)
        name = account.get("account_name") or account_id
        csm = account.get("csm_owner")
        cards = [
            ("CSM", link(csm_href(str(csm), "../"), csm) if not is_missing(csm) else ""),
            ("plan", esc(account.get("plan"))),
            ("ARR", money(account.get("arr"))),
            ("renewal", esc(text(account.get("renewal_date")))),
        ]
        if score is not None:
            cards.append(("churn risk", f"{_tier(score.get('risk_tier'))} "))
            cards.append(("churn probability", esc(text(score.get("churn_probability")))))
        if adoption is not None:
            cards.append(("adoption score", esc(text(adoption.get("adoption_score")))))
            percentile = adoption.get("cohort_percentile")
            shown = "" if is_missing(percentile) else f"{ordinal(float(percentile))} in cohort"
            cards.append(("cohort percentile", esc(shown)))
            cards.append(("usage trend 30d", signed(adoption.get("usage_trend_30d"))))
        body = [f'<p>Account id <code>{esc(account_id)}</code></p><div class="cards">']
        body += [f'<div class="card">{esc(label)}<b>{value}</b></div>' for label, value in cards]
        body.append("</div><h2>Talking points for a business review</h2>")
        points = talking_points(
            account, adoption, score, views.top_gap(account_id), cohort, views.names
        )
        items = "".join(f"<li>{esc(point)}</li>" for point in points)
        body.append(f'<ul class="points">{items}</ul>' if items else '<p class="note">None.</p>')
        body.append("<h2>Churn risk and its drivers</h2>")
        if score is None:
            body.append('<p class="note">Not scored in this run.</p>')
        else:
            drivers = [d for d in text(score.get("top_risk_drivers")).split("; ") if d]
            body.append(
                f"<p>{_tier(score.get('risk_tier'))} risk, probability "
                f"{esc(text(score.get('churn_probability')))} (model "
                f"{esc(score.get('model_name'))} v{esc(score.get('model_version'))}).</p>"
            )
            body.append("<ul>" + "".join(f"<li>{esc(d)}</li>" for d in drivers) + "</ul>")
        body.append("<h2>Adoption by feature and month</h2>")
        usage = views.usage_by_account.get(account_id, pd.DataFrame())
        entitled = list(cohort["feature_key"]) if "feature_key" in cohort else []
        heat = self._plot(lambda: charts.usage_heatmap(usage, views.names, entitled))
        body.append(image(heat, "adoption heatmap", "No feature usage recorded."))
        body.append("<h2>Against its cohort (30-day events, p25 to p90)</h2>")
        body.append(
            '<p class="note">Bar: the cohort\'s p25 to p90, tick: its median, dot: this '
            "account.</p>"
        )
        body.append(table(*self._cohort_table(cohort), numeric=[2, 3, 4, 5, 6, 7]))
        body.append("<h2>Adoption depth over tenure, with its cohort</h2>")
        body.append(self._cohort_curve(account_id, adoption))
        body.append(f"<h2>Gaps ({len(gaps)})</h2>")
        body += [self._gap_block(g) for _, g in gaps.iterrows()] or ['<p class="note">None.</p>']
        self._write(account_href(account_id), text(name), "".join(body), "../")

    def _cohort_table(self, cohort: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
        headers = [
            "feature", "status", "events 30d", "p25", "p50", "p75", "p90", "peers adopted",
            "position in the cohort",
        ]  # fmt: skip
        rows = [
            [
                _feature(self.views, r["feature_key"]),
                esc(text(r.get("adoption_status")).replace("_", " ")),
                *(events(r.get(column)) for column in BENCH_COLUMNS),
                share(r.get("peer_adoption_rate")),
                range_bar(r),
            ]
            for _, r in cohort.iterrows()
        ]
        return headers, rows

    def _cohort_curve(self, account_id: str, adoption: pd.Series | None) -> str:
        data = self.views.data
        if adoption is None or data.snapshots.empty or data.adoption.empty:
            return '<p class="note">No 30-day snapshots.</p>'
        key = str(adoption.get("benchmark_cohort_key"))
        peers = data.adoption.loc[data.adoption["benchmark_cohort_key"] == key, "account_id"]
        curve = self._plot(lambda: self.curves.curve(account_id, key, list(peers)))
        return image(
            curve,
            "cohort adoption curves",
            "No 30-day snapshots or benchmark cohort for this account.",
        )

    def _gap_block(self, gap: pd.Series) -> str:
        items = [
            f"{esc(key.replace('_', ' '))}: <b>{esc(text(value))}</b>"
            for key, value in evidence_of(gap).items()
            if not is_missing(value)
        ]
        facts = f'<p class="evidence"><b>Evidence:</b> {" &middot; ".join(items)}</p>'
        return (
            f'<div class="gap"><h3>{_feature(self.views, gap["feature_key"])}: '
            f"{esc(text(gap.get('gap_type')).replace('_', ' '))} "
            f"({_severity(gap.get('severity'))}, priority {esc(text(gap.get('priority_score')))})"
            f"</h3><p><b>Cause:</b> {esc(gap.get('root_cause'))} (confidence "
            f"{share(gap.get('root_cause_confidence'))}). <b>Action:</b> "
            f"{esc(text(gap.get('recommended_action')).replace('_', ' '))} (adoption within 60 "
            f"days when engaged: {share(gap.get('adoption_probability_if_engaged'))}). "
            f"<b>ARR at risk:</b> {money(gap.get('arr_at_risk'))}.</p>"
            f"<p>{esc(gap.get('summary'))}</p>{facts}</div>"
        )


def range_bar(row: pd.Series) -> str:
    """An inline CSS bar (no image): the cohort's p25..p90, its median and the account. The
    positions only scale mart values to the bar's width."""
    values = [row.get(column) for column in BENCH_COLUMNS]
    if any(is_missing(value) for value in values[1:]):
        return ""
    own, p25, p50, _, p90 = (0.0 if is_missing(v) else float(v) for v in values)
    top = max(p90, own, 1.0) * 1.05

    def at(value: float) -> float:
        return round(100 * value / top, 1)

    return (
        '<div style="position:relative;width:180px;height:12px;background:#f0f2f5">'
        f'<div style="position:absolute;left:{at(p25)}%;width:{at(p90) - at(p25)}%;'
        'height:12px;background:#c9d7ea"></div>'
        f'<div style="position:absolute;left:{at(p50)}%;width:2px;height:12px;'
        'background:#1f3a5f"></div>'
        f'<div style="position:absolute;left:calc({at(own)}% - 4px);top:2px;width:8px;'
        'height:8px;border-radius:4px;background:#b3261e"></div></div>'
    )


def report_accounts(views: Views) -> list[str]:
    """Accounts that get a page: active customers and any account with gaps or open alerts."""
    chosen = set(active_accounts(views.portfolio)["account_id"])
    chosen |= set(views.gaps_by_account)
    chosen |= set(views.open_alerts(pushed_only=False).get("account_id", pd.Series(dtype=str)))
    return sorted(str(account) for account in chosen)


def write_site(views: Views, calibration: Calibration, root: Path, cap: int) -> SiteResult:
    site = Site(views, calibration, root)
    site.portfolio()
    for csm in views.csms():
        site.csm_page(csm, cap)
    for account_id in report_accounts(views):
        site.account_page(account_id)
    site.result.unavailable = list(views.data.missing)
    return site.result
