"""Server-rendered SVG charts: geometry is computed here, ``templates/includes/_chart.html`` draws it.

No JavaScript and no inline styles (the CSP forbids both); colours are SVG presentation attributes.
"""

from dataclasses import dataclass, field

from django.utils.formats import number_format

# Colour-blind friendly palette (Okabe–Ito), readable in greyscale print thanks to the labels.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

ROW_HEIGHT = 28
LABEL_WIDTH = 220
BAR_AREA = 360
VALUE_WIDTH = 60


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    value: int | float
    series: str


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    text_y: float
    segments: list[Segment]
    total: int | float
    total_text: str


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    legend: list[tuple[str, str]] = field(default_factory=list)
    width: int = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * ROW_HEIGHT + 8

    @property
    def value_x(self) -> int:
        return LABEL_WIDTH + BAR_AREA + 6


def stacked_bars(*, title: str, rows: list[tuple[str, list[int | float]]], series: list[str], unit: str = "") -> Chart:
    """Horizontal bars, one per row, each split into the given series."""
    largest = max((sum(values) for _label, values in rows), default=0) or 1
    bars = []
    for index, (label, values) in enumerate(rows):
        x = float(LABEL_WIDTH)
        segments = []
        for position, value in enumerate(values):
            width = BAR_AREA * value / largest
            if value:
                segments.append(Segment(x, round(width, 2), PALETTE[position % len(PALETTE)], value, series[position]))
            x += width
        total = sum(values)
        total_text = number_format(total, decimal_pos=1 if isinstance(total, float) else None) + unit
        y = index * ROW_HEIGHT + 4
        bars.append(Bar(label, y, y + ROW_HEIGHT / 2 + 1, segments, total, total_text))
    legend = [(name, PALETTE[i % len(PALETTE)]) for i, name in enumerate(series)] if len(series) > 1 else []
    return Chart(title=title, bars=bars, legend=legend)


def bars(*, title: str, rows: list[tuple[str, int | float]], series: str = "", unit: str = "") -> Chart:
    return stacked_bars(title=title, rows=[(label, [value]) for label, value in rows], series=[series], unit=unit)
