"""The chart files drawn with matplotlib, at slide size (16:9), as SVG and PNG.

matplotlib is imported on first use, with the non-interactive Agg backend.  Every figure is
drawn under :data:`STYLE`: text stays text in the SVG (editable in a slide), is never read as
mathtext (a name such as ``$\\alpha$`` shows as written) and the SVG's ids are salted with a
fixed string, so the same result draws the same bytes.
"""

from __future__ import annotations

import io
import math
import sys
from typing import Any

from ..._version import __version__
from ..figures import NEUTRAL_COLOUR, nice_range, nice_ticks, tick_text
from .content import Chart

#: Slide size: 16 by 9 inches at 100 dots per inch, a 1600 x 900 PNG.
SIZE, DPI = (16.0, 9.0), 100
INK, MUTED, RULE, TRACK = "#1f2328", "#59636e", "#d1d9e0", "#eef1f5"
STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "assess",
    "text.parse_math": False,
    "text.usetex": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Liberation Sans", "Helvetica"],
    "font.size": 15,
    "text.color": INK,
    "axes.edgecolor": RULE,
    "axes.labelcolor": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "legend.frameon": False,
}


def figure_bytes(chart: Chart) -> dict[str, bytes]:
    """The chart drawn as ``{"svg": ..., "png": ...}``.

    Parameters
    ----------
    chart : Chart
        What to draw (see :mod:`assess.report.charts.content`).

    Returns
    -------
    dict of str to bytes
        The SVG document and the PNG image.
    """
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:  # leave a session's own plotting alone
        matplotlib.use("Agg")
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    with rc_context(STYLE):
        fig = Figure(figsize=SIZE, dpi=DPI)
        DRAW[chart.name](fig, chart)
        _titles(fig, chart)
        out = {}
        for fmt, metadata in (
            ("svg", {"Date": None, "Creator": f"assess {__version__}"}),
            ("png", {"Software": f"assess {__version__}"}),
        ):
            buffer = io.BytesIO()
            fig.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
            out[fmt] = buffer.getvalue()
    return out


def _titles(fig: Any, chart: Chart) -> None:
    fig.text(0.03, 0.955, chart.title, fontsize=26, fontweight="bold", va="top")
    fig.text(0.03, 0.885, chart.subtitle, fontsize=15, color=MUTED, va="top")


def _axes(
    fig: Any, left: float = 0.24, bottom: float = 0.1, top: float = 0.82, right: float = 0.96
) -> Any:
    ax = fig.add_axes((left, bottom, right - left, top - bottom))
    ax.tick_params(length=0, pad=8)
    return ax


def _score_axis(ax: Any, label: str) -> None:
    """A 0-100 score axis across, ticks at round numbers, light grid lines."""
    ax.set_xlim(0, 100)
    ax.set_xticks(nice_ticks(0, 100, 4), [tick_text(t) for t in nice_ticks(0, 100, 4)])
    ax.set_xlabel(label)
    ax.grid(axis="x", color=RULE, linewidth=0.8)
    ax.set_axisbelow(True)


def _bands(fig: Any, chart: Chart) -> None:
    ax = _axes(fig, left=0.2, bottom=0.12)
    labels = [b.label for b in chart.bars]
    y = list(range(len(chart.bars)))
    _, top, ticks = nice_range(0, max(chart.axis_max, 1), 5, integer=True)
    ax.barh(y, [top] * len(y), color=TRACK, height=0.7)
    ax.barh(y, [b.value for b in chart.bars], color=[b.colour for b in chart.bars], height=0.7)
    for i, b in enumerate(chart.bars):
        ax.text(b.value + top * 0.01, i, b.text, va="center", fontsize=16, fontweight="bold")
    ax.set_yticks(y, labels, fontsize=17)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.12)
    ax.set_xticks(ticks, [tick_text(t) for t in ticks])
    ax.spines["bottom"].set_bounds(0, top)
    ax.set_xlabel(chart.axis)
    ax.spines["left"].set_visible(False)


def _contributions(fig: Any, chart: Chart) -> None:
    ax = _axes(fig, left=0.36, bottom=0.1, top=0.77, right=0.93)
    y = list(range(len(chart.bars)))
    size = max(8.0, min(13.0, 380 / max(len(y), 1)))
    starts = [0.0] * len(y)
    for j, (name, colour) in enumerate(chart.series):
        widths = [b.parts[j] for b in chart.bars]
        ax.barh(
            y,
            widths,
            left=starts,
            color=colour,
            height=0.72,
            label=name,
            edgecolor="white",
            linewidth=0.6,
        )
        starts = [s + w for s, w in zip(starts, widths, strict=True)]
    for i, b in enumerate(chart.bars):
        ax.text(starts[i] + 0.8, i, b.text, va="center", fontsize=size, fontweight="bold")
    ax.set_yticks(y, [b.label for b in chart.bars], fontsize=size)
    ax.set_ylim(len(y) - 0.5, -0.5)
    _score_axis(ax, chart.axis)
    ax.spines["left"].set_visible(False)
    _legend(fig, ax)


def _criteria(fig: Any, chart: Chart) -> None:
    ax = _axes(fig, left=0.07, bottom=0.15, top=0.76)
    groups, k = len(chart.bars), len(chart.series)
    width = 0.8 / max(k, 1)
    for j, (name, colour) in enumerate(chart.series):
        xs = [g - 0.4 + width * (j + 0.5) for g in range(groups)]
        values = [b.parts[j] for b in chart.bars]
        ax.bar(
            xs,
            [0 if math.isnan(v) else v for v in values],
            width=width * 0.92,
            color=colour,
            label=name,
        )
    ax.set_xticks(
        range(groups),
        [_wrapped(b.label) for b in chart.bars],
        fontsize=13 if groups > 6 else 15,
        color=INK,
    )
    ticks = nice_ticks(0, chart.axis_max, 5)
    ax.set_ylim(0, chart.axis_max)
    ax.set_yticks(ticks, [tick_text(t) for t in ticks])
    ax.set_ylabel(chart.axis)
    ax.grid(axis="y", color=RULE, linewidth=0.8)
    ax.set_axisbelow(True)
    _legend(fig, ax)


def _legend(fig: Any, ax: Any) -> None:
    """The criteria's colours in a row under the subtitle, from the left edge."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(0.025, 0.84),
        ncol=min(5, len(labels)),
        fontsize=13,
        handlelength=1.0,
        columnspacing=1.6,
    )


def _wrapped(label: str, width: int = 16) -> str:
    """A category label over two lines at most, broken at a space."""
    if len(label) <= width or " " not in label:
        return label
    cut = label.rfind(" ", 0, max(width, len(label) // 2) + 1)
    cut = cut if cut > 0 else label.find(" ")
    return label[:cut] + "\n" + label[cut + 1 :]


def _comparison(fig: Any, chart: Chart) -> None:
    ax = _axes(fig, left=0.3, bottom=0.12)
    y = list(range(len(chart.bars)))
    for i, b in enumerate(chart.bars):
        if not (math.isnan(b.low) or math.isnan(b.high)):
            ax.plot(
                [b.low, b.high], [i, i], color=MUTED, alpha=0.5, linewidth=9, solid_capstyle="round"
            )
        if not math.isnan(b.value):
            ax.plot(
                [b.value],
                [i],
                "o",
                markersize=11,
                markeredgecolor=INK,
                markerfacecolor=NEUTRAL_COLOUR if b.tested else "white",
            )
            ax.text(b.value, i - 0.32, b.text, ha="center", fontsize=12, color=MUTED)
    ax.set_yticks(y, [b.label for b in chart.bars], fontsize=15)
    ax.set_ylim(len(y) - 0.5, -0.7)
    _score_axis(ax, chart.axis)
    ax.spines["left"].set_visible(False)


DRAW = {
    "bands": _bands,
    "contributions": _contributions,
    "criteria": _criteria,
    "comparison": _comparison,
}
