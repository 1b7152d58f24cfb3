"""Per-account figures as SVG written directly: a heatmap and a set of lines.

Every account page has two figures; drawn by matplotlib and encoded as PNG they made a page
cost 114 ms at a thousand accounts, most of the delivery step. Written as plain text
(rectangles, polylines and labels) a page costs 15 ms on the same warehouse (docs/delivery.md),
and the figures are as sharp at any zoom. They are embedded like the PNGs, as ``data:`` URIs,
so pages stay self-contained; the text they hold comes from the data and is XML-escaped.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

import numpy as np

# ColorBrewer's YlGnBu, pale (no events) to dark (the account's busiest month).
PALETTE = (
    "#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4",
    "#1d91c0", "#225ea8", "#253494", "#081d58",
)  # fmt: skip
FONT = "font-family:sans-serif"
PEER_COLOUR = "#b8c4d6"
OWN_COLOUR = "#b3261e"
AXIS_COLOUR = "#5b6470"


def to_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _svg(width: float, height: float, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" style="{FONT}">'
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#fff"/>' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, value: str, size: int, anchor: str = "start", **extra: str) -> str:
    attributes = "".join(f' {name.replace("_", "-")}="{v}"' for name, v in extra.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="#1c2430"{attributes}>{escape(str(value))}</text>'
    )


def shortened(label: object, limit: int = 30) -> str:
    """A row label that fits the heatmap's left margin."""
    text = str(label)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def colour(share: float) -> str:
    """The palette at ``share`` (0 to 1), interpolated between its stops."""
    position = min(max(share, 0.0), 1.0) * (len(PALETTE) - 1)
    low = math.floor(position)
    high = min(low + 1, len(PALETTE) - 1)
    weight = position - low
    a, b = (bytes.fromhex(PALETTE[i][1:]) for i in (low, high))
    mixed = (round(x + (y - x) * weight) for x, y in zip(a, b, strict=True))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def heatmap(
    values: np.ndarray,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    title: str,
    width: int = 720,
) -> str:
    """One cell per row and column, shaded by value on a square-root scale (so a few events
    show against a busy month); every third column is labelled, counting from the last."""
    rows, columns = values.shape
    left, right, top, bottom, cell_height = 190.0, 10.0, 22.0, 24.0, 20.0
    cell_width = (width - left - right) / max(columns, 1)
    height = top + cell_height * rows + bottom
    peak = max(1.0, float(values.max())) if values.size else 1.0
    body = [_text(left, 14, title, 11)]
    for i, label in enumerate(row_labels):
        y = top + i * cell_height
        body.append(_text(left - 6, y + cell_height * 0.68, shortened(label), 11, "end"))
        for j in range(columns):
            body.append(
                f'<rect x="{left + j * cell_width:.1f}" y="{y:.1f}" width="{cell_width:.1f}" '
                f'height="{cell_height:.1f}" fill="{colour(math.sqrt(values[i, j] / peak))}"/>'
            )
    for j in range(columns - 1, -1, -3):
        x = left + (j + 0.5) * cell_width
        body.append(_text(x, top + cell_height * rows + 16, column_labels[j], 10, "middle"))
    return _svg(width, height, body)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) covering ``low`` to ``high``."""
    if not math.isfinite(low) or not math.isfinite(high) or high <= low:
        return [low] if math.isfinite(low) else []
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [first + k * step for k in range(int((high - first) / step + 1e-9) + 1)]


class LineChart:
    """Lines over a shared frame: many thin background lines drawn once, a bold one per call.

    The frame (axes, ticks, labels) and the background lines are text assembled once; each
    foreground line appends one polyline, so a cohort's accounts share the cost of its peers."""

    WIDTH, HEIGHT = 640.0, 300.0
    LEFT, RIGHT, TOP, BOTTOM = 52.0, 14.0, 26.0, 42.0

    def __init__(
        self,
        background: Sequence[tuple[np.ndarray, np.ndarray]],
        x_range: tuple[float, float],
        y_range: tuple[float, float],
        labels: tuple[str, str, str],
    ) -> None:
        self.x_low, self.x_high = x_range
        if self.x_high <= self.x_low:
            self.x_high = self.x_low + 1.0
        self.y_low, self.y_high = y_range
        title, x_label, y_label = labels
        plot_right, plot_bottom = self.WIDTH - self.RIGHT, self.HEIGHT - self.BOTTOM
        parts = [_text(self.LEFT, 16, title, 12)]
        for tick in nice_ticks(self.y_low, self.y_high):
            y = self._y(tick)
            parts.append(
                f'<line x1="{self.LEFT}" x2="{plot_right}" y1="{y:.1f}" y2="{y:.1f}" '
                'stroke="#eef1f5"/>'
            )
            parts.append(_text(self.LEFT - 6, y + 4, f"{tick:g}", 10, "end"))
        for tick in nice_ticks(self.x_low, self.x_high):
            x = self._x(tick)
            parts.append(_text(x, plot_bottom + 16, f"{tick:g}", 10, "middle"))
        parts.append(
            f'<path d="M{self.LEFT},{self.TOP}V{plot_bottom}H{plot_right}" fill="none" '
            f'stroke="{AXIS_COLOUR}"/>'
        )
        parts.append(_text((self.LEFT + plot_right) / 2, self.HEIGHT - 8, x_label, 11, "middle"))
        middle = (self.TOP + plot_bottom) / 2
        parts.append(
            _text(14, middle, y_label, 11, "middle", transform=f"rotate(-90 14 {middle:.1f})")
        )
        parts += [self._line(x, y, PEER_COLOUR, 0.8) for x, y in background]
        self._frame = parts

    def _x(self, value: float) -> float:
        span = self.WIDTH - self.RIGHT - self.LEFT
        return self.LEFT + span * (value - self.x_low) / (self.x_high - self.x_low)

    def _y(self, value: float) -> float:
        span = self.HEIGHT - self.BOTTOM - self.TOP
        return self.HEIGHT - self.BOTTOM - span * (value - self.y_low) / (self.y_high - self.y_low)

    def _line(self, xs: np.ndarray, ys: np.ndarray, stroke: str, width: float) -> str:
        points = " ".join(
            f"{self._x(float(x)):.1f},{self._y(float(y)):.1f}" for x, y in zip(xs, ys, strict=True)
        )
        return (
            f'<polyline points="{points}" fill="none" stroke="{stroke}" '
            f'stroke-width="{width}" stroke-linejoin="round"/>'
        )

    def with_line(self, xs: np.ndarray, ys: np.ndarray) -> str:
        """The chart with one bold foreground line."""
        return _svg(self.WIDTH, self.HEIGHT, [*self._frame, self._line(xs, ys, OWN_COLOUR, 2.2)])
