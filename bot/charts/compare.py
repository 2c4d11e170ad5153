"""Two or more assets on one scale: each close as a share of where it stood at the start."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from matplotlib import dates as mdates

from bot.charts.canvas import (
    PriceFormatter,
    Size,
    figure,
    heading,
    plot_area,
    png,
    time_axis,
)
from bot.i18n import Texts

COMPARE_SIZE: Size = (1000, 600)


def normalise_to_100(
    series: Mapping[str, Sequence[tuple[datetime, float]]],
) -> tuple[list[datetime], dict[str, list[float]]]:
    """Keep the timestamps every series has; scale each so it is 100 at the first of them."""
    if not series:
        raise ValueError("nothing to compare: no series given")
    by_time = {name: {ts: float(value) for ts, value in points} for name, points in series.items()}
    common = sorted(set.intersection(*(set(values) for values in by_time.values())))
    if len(common) < 2:
        raise ValueError(f"the series share {len(common)} timestamps; comparing needs at least 2")
    scaled = {}
    for name, values in by_time.items():
        start = values[common[0]]
        if start <= 0:
            raise ValueError(f"{name} starts at {start}, which cannot be scaled to 100")
        scaled[name] = [100 * values[ts] / start for ts in common]
    return common, scaled


def render_compare(
    series: Mapping[str, Sequence[tuple[datetime, float]]], *, t: Texts, title: str
) -> bytes:
    """One line per asset, all starting at 100; the legend says how far each has moved."""
    times, scaled = normalise_to_100(series)
    x = mdates.date2num(times)
    with figure(COMPARE_SIZE) as fig:
        ax = plot_area(fig, left=0.03, right=0.92, top=0.91, bottom=0.08)
        ax.axhline(100, color="#9e9e9e", linewidth=0.8)
        for name, values in scaled.items():
            moved = t.pct(Decimal(f"{values[-1] - 100:.2f}"))
            ax.plot(x, values, linewidth=1.8, label=f"{name} {moved}")
        ax.set_xlim(x[0], x[-1])
        time_axis(ax, t)
        ax.yaxis.tick_right()
        ax.yaxis.set_major_formatter(PriceFormatter(t))
        ax.legend(loc="upper left")
        start = t._("start = 100")
        ax.text(0, 1.01, start, transform=ax.transAxes, fontsize=9, color="#757575")
        heading(fig, title)
        return png(fig)
