"""Bar charts as geometry for inline SVG (drawn by templates/insights/_charts.html).

The console's Content-Security-Policy forbids inline styles and scripts: charts are plain
SVG elements with presentation attributes and CSS classes from the console's stylesheet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

WIDTH = 480
COLUMN_HEIGHT = 200
ROW_HEIGHT = 26
LEFT = 52        # room for the top value of a column chart
BOTTOM = 24      # room for the first and last date
TOP = 10
LABEL_WIDTH = 170  # room for the labels of a row chart
VALUE_WIDTH = 56


@dataclass(frozen=True)
class Bar:
    """One bar: its box, what it stands for, and its value as shown."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


@dataclass(frozen=True)
class Label:
    """A piece of text on the chart."""

    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass
class Chart:
    """What the template draws: bars, labels and the baseline."""

    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    baseline: tuple[float, float, float, float] = (0, 0, 0, 0)

    @property
    def empty(self) -> bool:
        return not any(bar.width and bar.height for bar in self.bars)


def columns(points: list[tuple[str, float | None]],
            shown: Callable[[float], str] = str) -> Chart:
    """Vertical bars, one per point (a day), left to right; None leaves a gap."""
    chart = Chart(WIDTH, COLUMN_HEIGHT)
    plot_width, plot_height = WIDTH - LEFT - 4, COLUMN_HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_height
    top = max((value for _, value in points if value), default=0)
    slot = plot_width / max(len(points), 1)
    for index, (label, value) in enumerate(points):
        height = plot_height * (value or 0) / top if top else 0
        chart.bars.append(Bar(round(LEFT + index * slot + slot * 0.1, 1), round(bottom - height, 1),
                              round(slot * 0.8, 1), round(height, 1), label,
                              "no data" if value is None else shown(value)))
    chart.baseline = (LEFT, bottom, WIDTH - 4, bottom)
    chart.labels.append(Label(LEFT - 6, TOP + 10, shown(top) if top else "0", "end"))
    if points:
        chart.labels.append(Label(LEFT, COLUMN_HEIGHT - 6, points[0][0]))
        chart.labels.append(Label(WIDTH - 4, COLUMN_HEIGHT - 6, points[-1][0], "end"))
    return chart


def rows(points: list[tuple[str, float]], shown: Callable[[float], str] = str) -> Chart:
    """Horizontal bars, one per point, top to bottom, labelled on the left."""
    chart = Chart(WIDTH, max(len(points), 1) * ROW_HEIGHT + 4)
    top = max((value for _, value in points), default=0)
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    for index, (label, value) in enumerate(points):
        y = index * ROW_HEIGHT + 4
        width = room * value / top if top else 0
        chart.bars.append(Bar(LABEL_WIDTH, y, round(width, 1), ROW_HEIGHT - 8, label,
                              shown(value)))
        chart.labels.append(Label(LABEL_WIDTH - 8, y + ROW_HEIGHT / 2, label, "end"))
        chart.labels.append(Label(LABEL_WIDTH + width + 6, y + ROW_HEIGHT / 2, shown(value)))
    chart.baseline = (LABEL_WIDTH, 0, LABEL_WIDTH, chart.height)
    return chart


def percent(value: float) -> str:
    """0.125 -> '12.5 %'."""
    return f"{value * 100:.1f} %"


def minutes(seconds: float) -> str:
    """Seconds as minutes, one decimal."""
    return f"{seconds / 60:.1f} min"


def count(value: float) -> str:
    return f"{int(value)}"
