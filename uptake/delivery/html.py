"""HTML building blocks: every value from data goes through :func:`esc` (names and notes come
from the CRM and CSMs: untrusted). Pages are self-contained: inline CSS, images as data URIs."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1d2430;
background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:12px 24px}
header a{color:#cfe0ff;margin-right:14px;text-decoration:none}
main{padding:16px 24px;max-width:1200px}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:22px 0 8px}h3{font-size:15px}
table{border-collapse:collapse;background:#fff;margin:6px 0 14px;width:100%}
th,td{border:1px solid #dde2ea;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f6;font-weight:600}td.num{text-align:right;white-space:nowrap}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #dde2ea;border-radius:6px;padding:10px 14px;min-width:150px}
.card b{display:block;font-size:20px}
.sev-critical,.tier-high{color:#b3261e;font-weight:600}
.sev-warning,.tier-medium{color:#a15c00;font-weight:600}
.sev-info,.tier-low{color:#2e6b30}
.gap{background:#fff;border:1px solid #dde2ea;border-radius:6px;padding:8px 14px;margin:10px 0}
.note{color:#5b6472;font-style:italic}
img.plot{max-width:100%;background:#fff;border:1px solid #dde2ea}
ul.points li{margin:4px 0}
.evidence{font-size:13px;color:#333}
pre{white-space:pre-wrap;background:#fff;border:1px solid #dde2ea;padding:6px}
"""


def esc(value: Any) -> str:
    return html.escape(text(value), quote=True)


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def text(value: Any) -> str:
    """Plain text of a mart value (no HTML): blanks for missing, short forms for numbers."""
    if is_missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, float):
        if math.isinf(value):
            return str(value)
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def money(value: Any) -> str:
    return "" if is_missing(value) else f"${float(value):,.0f}"


def pct(value: Any, digits: int = 0) -> str:
    """A 0..100 value shown as a percentage."""
    return "" if is_missing(value) else f"{float(value):.{digits}f}%"


def share(value: Any, digits: int = 0) -> str:
    """A 0..1 ratio shown as a percentage."""
    return "" if is_missing(value) else f"{100 * float(value):.{digits}f}%"


def signed_share(value: Any) -> str:
    return "" if is_missing(value) else f"{100 * float(value):+.0f}%"


def events(value: Any) -> str:
    """Event counts and their interpolated percentiles: one decimal at most."""
    if is_missing(value):
        return ""
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.1f}"


def link(href: str, label: Any) -> str:
    return f'<a href="{html.escape(href, quote=True)}">{esc(label)}</a>'


def table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()
) -> str:
    """Rows hold HTML already escaped by the caller (cells may be links)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{cell}</td>' if index in numeric else f"<td>{cell}</td>"
            for index, cell in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    if not body:
        return '<p class="note">None.</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def image(data_uri: str | None, alt: str, unavailable: str) -> str:
    if not data_uri:
        return f'<p class="note">{esc(unavailable)}</p>'
    return f'<img class="plot" alt="{esc(alt)}" src="{data_uri}">'


def page(title: str, body: str, nav: Sequence[tuple[str, str]], generated: str) -> str:
    links = "".join(link(href, label) for href, label in nav)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f"<header><strong>Uptake</strong> &nbsp; {links}</header>"
        f"<main><h1>{esc(title)}</h1>{body}"
        f'<p class="note">{esc(generated)}</p></main></body></html>\n'
    )
