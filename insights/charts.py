"""The report's charts, drawn by matplotlib and inlined as SVG text.

Figures are built without pyplot (no global state, no display). Text stays text
in the SVG (``svg.fonttype: none``): the page uses the reader's own sans-serif
font and loads nothing. A fixed ``hashsalt`` and no date make the same figures
give the same bytes.
"""

import io
from datetime import date, timedelta
from html import escape
from typing import Dict, List, Sequence, Tuple

import matplotlib
import matplotlib.dates as mdates
from matplotlib.figure import Figure

COLOURS = ("#1f5f8b", "#e07b39", "#4c9a5f", "#9b59b6", "#c0392b", "#7f8c8d")
STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "ptce-insights",
    # Layout is measured with DejaVu Sans, a wide font; the page shows its own sans-serif.
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
WIDTH_INCHES = 8.0
MAX_DAY_TICKS = 10


def _svg(figure: Figure, title: str) -> str:
    """The figure as an ``<svg>`` element with a French accessible title."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    head_end = svg.index(">") + 1
    return f"{svg[:head_end]}<title>{escape(title)}</title>{svg[head_end:]}"


def per_day(days: Dict[date, Dict[str, int]], channels: Sequence[str], title: str) -> str:
    """Stacked bars: conversations per day, one colour per channel."""
    ordered = sorted(days)
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, 3.2))
        axes = figure.subplots()
        bottom = [0] * len(ordered)
        for colour, channel in zip(COLOURS, channels, strict=False):
            heights = [days[day].get(channel, 0) for day in ordered]
            axes.bar(ordered, heights, bottom=bottom, color=colour, label=channel, width=0.8)
            bottom = [low + high for low, high in zip(bottom, heights, strict=True)]
        axes.set_ylabel("conversations")
        axes.set_xlim(ordered[0] - timedelta(days=1), ordered[-1] + timedelta(days=1))
        step = max(1, ((ordered[-1] - ordered[0]).days + 1) // MAX_DAY_TICKS)
        axes.xaxis.set_major_locator(mdates.DayLocator(interval=step))
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m"))
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=len(channels))
        return _svg(figure, title)


def bars(items: List[Tuple[str, int]], title: str) -> str:
    """Horizontal bars, the first item on top, each labelled with its value."""
    labels = [label for label, _ in items]
    values = [value for _, value in items]
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, 0.45 * len(items) + 0.6))
        axes = figure.subplots()
        positions = range(len(items))[::-1]
        axes.barh(list(positions), values, color=COLOURS[0], height=0.6)
        axes.set_yticks(list(positions), labels)
        for position, value in zip(positions, values, strict=True):
            axes.annotate(f" {value}", (value, position), va="center", ha="left", fontsize=9)
        axes.set_xlim(0, max(values + [1]) * 1.15)
        axes.xaxis.set_visible(False)
        axes.spines["bottom"].set_visible(False)
        return _svg(figure, title)
