"""The report as a person sees it: headless Debian chromium opens the pages from disk.

Skipped only when chromium is not installed (.ci/run installs it before `make test`).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from delivery_pages import PNG_MAGIC, png_images, svg_images, visible_text
from PIL import Image

from uptake.delivery.site import account_href

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install -y chromium; .ci/run does it)",
)


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """One headless run with its own profile (other chromium processes may be running)."""
    command = [
        str(CHROMIUM), "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
        "--no-first-run", "--disable-extensions", f"--user-data-dir={profile}", *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def _top_gap(settings) -> tuple[str, str, str]:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        row = con.execute(
            "select g.account_id, a.account_name, f.feature_name from marts.adoption_gaps g "
            "join marts.dim_accounts a using (account_id) "
            "join marts.account_feature_adoption f using (account_id, feature_key) "
            "order by g.priority_score desc, g.account_id limit 1"
        ).fetchone()
    finally:
        con.close()
    return row


def test_portfolio_shows_the_top_gap_and_a_non_empty_plot(published, tmp_path):
    settings, _ = published
    _, name, feature = _top_gap(settings)
    dom = chromium(
        tmp_path / "profile", "--dump-dom", (settings.reports_dir / "index.html").as_uri()
    )
    shown = visible_text(dom.stdout)
    first_row = shown.split("Top 25 gaps by priority", 1)[1][:400]
    assert name in first_row and feature in first_row
    images = png_images(dom.stdout)
    assert images and all(png.startswith(PNG_MAGIC) and len(png) > 1024 for png in images)


def test_account_page_shows_gap_heatmap_and_cohort_curve(published, tmp_path):
    settings, _ = published
    account_id, name, feature = _top_gap(settings)
    page = settings.reports_dir / account_href(account_id)
    dom = chromium(tmp_path / "profile", "--dump-dom", page.as_uri())
    shown = visible_text(dom.stdout)
    assert "Uptake Portfolio" in shown and name in shown and f"{feature}:" in shown
    assert "Talking points for a business review" in shown
    figures = svg_images(dom.stdout)  # as the browser parsed the page
    assert len(figures) == 2
    assert all(float(figure.get("width")) >= 400 for figure in figures)


def test_screenshots_render_the_pages(published, tmp_path):
    settings, _ = published
    account_id, _, _ = _top_gap(settings)
    for page in ("index.html", account_href(account_id)):
        shot = tmp_path / f"{Path(page).stem}.png"
        chromium(
            tmp_path / "profile",
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            (settings.reports_dir / page).as_uri(),
        )
        image = Image.open(shot).convert("RGB")
        assert image.size == (1280, 2000)
        # A rendered page, not a blank one: many distinct colours (text, tables, plots).
        assert len(image.getcolors(maxcolors=1_000_000) or []) > 200
