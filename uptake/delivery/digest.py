"""The weekly digest per CSM: ``reports/digest/<csm>.md`` and ``.html``.

One structure (sections of items) rendered twice, so the two files always say the same thing.
The week is the 7 days ending on the marts' as-of date; the digest is rewritten every run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from uptake.delivery.html import esc, money, page, text
from uptake.delivery.risk_changes import WEEK, RiskRise, risk_rises
from uptake.delivery.safe_files import slug, write_atomic
from uptake.delivery.site import account_href
from uptake.delivery.views import ALERTING, Views

TOP_GAPS = 5
# Brackets escaped means no link can form, so parentheses can stay readable.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~])")


def md(value: object) -> str:
    """Untrusted text made inert in Markdown (no links, emphasis or HTML from data)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text(value)).replace("\n", " ")


@dataclass
class Item:
    text: str  # plain text
    account_id: str | None = None  # links to the account page


@dataclass
class Section:
    title: str
    items: list[Item] = field(default_factory=list)
    empty: str = "None."


@dataclass
class Digest:
    csm: str
    week_end: str
    sections: list[Section]

    @property
    def file_stem(self) -> str:
        return slug(self.csm)


def _alert_item(alert: pd.Series, views: Views) -> Item:
    name = views.data.account_names().get(alert["account_id"], alert["account_id"])
    feature = views.names.get(alert["feature_key"], alert["feature_key"])
    first = text(pd.Timestamp(alert["first_seen_at"]).date())
    return Item(
        f"[{alert['severity']}] {name}, {feature} (first seen {first}): {text(alert['summary'])}",
        str(alert["account_id"]),
    )


def _rise_item(rise: RiskRise, views: Views) -> Item:
    name = views.data.account_names().get(rise.account_id, rise.account_id)
    return Item(
        f"{name}: churn risk {rise.before_tier} ({rise.before_probability:.2f}) on "
        f"{rise.before_at.date()} -> {rise.tier} ({rise.probability:.2f}) now",
        rise.account_id,
    )


def build_digest(views: Views, csm: str) -> Digest:
    data = views.data
    as_of = data.as_of
    week_end = as_of.isoformat() if as_of else "unknown"
    alerts = views.open_alerts(csm)
    alerts = alerts[alerts["severity"].isin(ALERTING)] if len(alerts) else alerts
    if len(alerts) and as_of is not None:
        since = pd.Timestamp(as_of) - WEEK
        new_mask = pd.to_datetime(alerts["first_seen_at"]) > since
    else:
        new_mask = pd.Series(False, index=alerts.index)
    new = Section(
        "New alerts this week", [_alert_item(a, views) for _, a in alerts[new_mask].iterrows()]
    )
    still = Section(
        "Open alerts from earlier weeks",
        [_alert_item(a, views) for _, a in alerts[~new_mask].iterrows()],
    )
    gaps = data.gaps
    top = Section(f"Top {TOP_GAPS} gaps by priority")
    if len(gaps):
        mine = gaps[(gaps["csm_owner"] == csm) & gaps["severity"].isin(ALERTING)].head(TOP_GAPS)
        names = data.account_names()
        top.items = [
            Item(
                f"{names.get(g['account_id'], g['account_id'])}, "
                f"{views.names.get(g['feature_key'], g['feature_key'])}: "
                f"{text(g['gap_type']).replace('_', ' ')}, cause {g['root_cause']}, "
                f"ARR at risk {money(g['arr_at_risk'])}; next step "
                f"{text(g['recommended_action']).replace('_', ' ')}",
                str(g["account_id"]),
            )
            for _, g in mine.iterrows()
        ]
    history = data.risk_history
    if len(history) and data.scored_at is not None:
        history = history[pd.to_datetime(history["scored_at"]) < data.scored_at]
    own = views.portfolio.loc[views.portfolio["csm_owner"] == csm, "account_id"]
    scores = data.scores[data.scores["account_id"].isin(own)] if len(data.scores) else data.scores
    rose = Section(
        "Accounts whose churn risk rose",
        [_rise_item(rise, views) for rise in risk_rises(scores, history)],
        empty=(
            "None."
            if len(history)
            else "No earlier score is recorded yet: risk changes show from the next run on."
        ),
    )
    return Digest(csm, week_end, [new, still, top, rose])


def render_markdown(digest: Digest) -> str:
    lines = [f"# Weekly digest for {md(digest.csm)}, week ending {digest.week_end}", ""]
    for section in digest.sections:
        lines += [f"## {section.title} ({len(section.items)})", ""]
        lines += [f"- {md(item.text)}" for item in section.items] or [section.empty]
        lines.append("")
    return "\n".join(lines)


def render_html(digest: Digest) -> str:
    parts = []
    for section in digest.sections:
        parts.append(f"<h2>{esc(section.title)} ({len(section.items)})</h2>")
        if not section.items:
            parts.append(f'<p class="note">{esc(section.empty)}</p>')
            continue
        items = []
        for item in section.items:
            label = esc(item.text)
            if item.account_id is not None:
                href = esc(account_href(item.account_id, "../"))
                label += f' (<a href="{href}">account page</a>)'
            items.append(f"<li>{label}</li>")
        parts.append(f"<ul>{''.join(items)}</ul>")
    title = f"Weekly digest for {digest.csm}, week ending {digest.week_end}"
    nav = [("../index.html", "Portfolio")]
    return page(title, "".join(parts), nav, "Every number is read from the warehouse marts.")


def write_digests(views: Views, folder: Path) -> list[Path]:
    written = []
    for csm in views.csms():
        digest = build_digest(views, csm)
        written.append(write_atomic(folder / f"{digest.file_stem}.md", render_markdown(digest)))
        written.append(write_atomic(folder / f"{digest.file_stem}.html", render_html(digest)))
    return written
