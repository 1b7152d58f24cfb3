"""The account pages' SVG figures: well-formed, labelled from the data (escaped), shaded on the
heatmap's square-root scale, and the cohort's lines shared by its accounts."""

from __future__ import annotations

import base64
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from uptake.delivery import charts, svg

NS = "{http://www.w3.org/2000/svg}"


def _parse(uri: str | None) -> ElementTree.Element:
    assert uri is not None and uri.startswith("data:image/svg+xml;base64,")
    return ElementTree.fromstring(base64.b64decode(uri.split(",", 1)[1]))


def test_colour_runs_from_pale_to_dark_through_the_stops() -> None:
    assert svg.colour(0.0) == svg.PALETTE[0]
    assert svg.colour(1.0) == svg.PALETTE[-1]
    assert svg.colour(0.5) == svg.PALETTE[4]
    assert svg.colour(-3) == svg.PALETTE[0] and svg.colour(7) == svg.PALETTE[-1]
    between = svg.colour(1 / 16)  # halfway between the first two stops
    assert between not in svg.PALETTE and between.startswith("#") and len(between) == 7


def test_nice_ticks_are_round_and_cover_the_range() -> None:
    assert svg.nice_ticks(0, 100) == [0, 50, 100]
    assert svg.nice_ticks(12, 611) == [200, 400, 600]
    assert svg.nice_ticks(0, 1) == [0, 0.5, 1]
    assert svg.nice_ticks(5, 5) == [5]


def test_long_labels_are_shortened_to_the_margin() -> None:
    assert svg.shortened("Sync") == "Sync"
    long = svg.shortened("Salesforce bidirectional synchronisation (beta)")
    assert len(long) == 30 and long.endswith("\u2026")


def test_the_heatmap_has_a_row_per_feature_and_escapes_its_labels() -> None:
    usage = pd.DataFrame(
        {
            "feature_key": ["a", "a", "b"],
            "month": ["2024-01-01", "2024-03-01", "2024-03-01"],
            "events": [4, 16, 1],
        }
    )
    names = {"a": "Reports <b>&</b>", "b": "Sync"}
    figure = _parse(charts.usage_heatmap(usage, names, entitled=["a", "b", "never"]))
    labels = [t.text for t in figure.iter(f"{NS}text")]
    assert labels[:4] == ["events per month: pale = none, darkest = 16", *names.values(), "never"]
    assert labels[4:] == ["Mar 24"]  # every third month, counting from the last
    cells = [r.get("fill") for r in figure.iter(f"{NS}rect")][1:]  # after the background
    assert len(cells) == 3 * 3  # three features x January to March (February had nothing)
    a_jan, a_feb, a_mar, b_jan, b_feb, b_mar, *never = cells
    assert a_mar == svg.PALETTE[-1] and a_feb == b_jan == b_feb == svg.PALETTE[0]
    assert b_mar == svg.colour(np.sqrt(1 / 16))
    assert a_jan == svg.colour(np.sqrt(4 / 16))  # square root: 4 of 16 is halfway
    assert set(never) == {svg.PALETTE[0]}


def test_cohort_lines_are_drawn_once_per_cohort_with_the_account_in_red() -> None:
    snapshots = pd.DataFrame(
        {
            "account_id": ["x", "x", "y", "y", "z"],
            "tenure_days": [30, 60, 30, 90, 30],
            "adoption_depth_pct": [10.0, 40.0, 20.0, 80.0, 50.0],
        }
    )
    curves = charts.CohortCurves(snapshots)
    first = _parse(curves.curve("x", "k", ["x", "y"]))
    second = _parse(curves.curve("y", "k", ["x", "y"]))
    assert len(curves._charts) == 1  # the cohort's frame and grey lines, built once
    # x spans the cohort's tenure, 30 to 90 days: x's line ends halfway, y's at the right edge
    right = svg.LineChart.WIDTH - svg.LineChart.RIGHT
    halfway = (svg.LineChart.LEFT + right) / 2
    for figure, end in ((first, halfway), (second, right)):
        lines = list(figure.iter(f"{NS}polyline"))
        assert [line.get("stroke") for line in lines] == [
            svg.PEER_COLOUR, svg.PEER_COLOUR, svg.OWN_COLOUR,
        ]  # fmt: skip
        assert float(lines[-1].get("points").split()[-1].split(",")[0]) == end
    assert curves.curve("z", "k", ["x", "y"]) is None  # not one of its cohort
    assert charts.usage_heatmap(pd.DataFrame(), {}) is None
