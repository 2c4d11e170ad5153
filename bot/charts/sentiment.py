"""The news sentiment index over a week against a coin's price: the index on a fixed −1..+1
scale on the left, shaded green above 0 and red below, the price as a line on the right."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from matplotlib import dates as mdates

from bot.charts.canvas import (
    DOWN,
    SERIES_COLORS,
    UP,
    PriceFormatter,
    Size,
    decimal_text,
    figure,
    heading,
    plot_area,
    png,
    time_axis,
    words,
)
from bot.i18n import Texts

SENTIMENT_SIZE: Size = (1000, 600)
INDEX_COLOR = SERIES_COLORS[0]
PRICE_COLOR = SERIES_COLORS[1]


def render_sentiment(
    points: Sequence[tuple[datetime, float]],
    closes: Sequence[tuple[datetime, Decimal | float]],
    *,
    title: str,
    price_label: str,
    t: Texts | None = None,
) -> bytes:
    """The index's points (at least one) and the closes (may be none) over the same days."""
    if not points:
        raise ValueError("a sentiment picture needs at least one index point")
    t = words(t)
    x = mdates.date2num([ts for ts, _ in points])
    values = [value for _, value in points]
    with figure(SENTIMENT_SIZE) as fig:
        ax = plot_area(fig, left=0.08, right=0.9, top=0.86, bottom=0.08)
        ax.axhline(0, color="#9e9e9e", linewidth=0.8)
        ax.fill_between(x, values, 0, where=[v >= 0 for v in values], color=UP, alpha=0.25)
        ax.fill_between(x, values, 0, where=[v < 0 for v in values], color=DOWN, alpha=0.25)
        (index_line,) = ax.plot(
            x, values, color=INDEX_COLOR, linewidth=1.8, label=t._("news sentiment")
        )
        if len(x) == 1:
            ax.plot(x, values, "o", color=INDEX_COLOR)
        ax.set_ylim(-1.05, 1.05)
        ax.set_yticks([-1, -0.5, 0, 0.5, 1])
        ax.yaxis.set_major_formatter(lambda y, _: decimal_text(t, y, 1))
        lines = [index_line]
        if closes:
            prices = ax.twinx()
            prices.grid(False)
            px = mdates.date2num([ts for ts, _ in closes])
            (price_line,) = prices.plot(
                px, [float(c) for _, c in closes], color=PRICE_COLOR, linewidth=1.4,
                label=price_label,
            )  # fmt: skip
            prices.yaxis.set_major_formatter(PriceFormatter(t))
            lines.append(price_line)
            start, end = min(x[0], px[0]), max(x[-1], px[-1])
        else:
            start, end = x[0], x[-1]
        if end > start:
            ax.set_xlim(start, end)
        time_axis(ax, t)
        ax.legend(handles=lines, loc="upper left")
        heading(fig, title)
        return png(fig)
