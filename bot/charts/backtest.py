"""/backtest's picture: the strategy's equity against buy-and-hold's, both 100 at the start,
with the hours the strategy held the coin shaded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from matplotlib import dates as mdates

from bot.charts.canvas import (
    SERIES_COLORS,
    PriceFormatter,
    Size,
    figure,
    heading,
    plot_area,
    png,
    time_axis,
    words,
)
from bot.i18n import Texts

BACKTEST_SIZE: Size = (1000, 600)
STRATEGY_COLOR = SERIES_COLORS[0]
HOLD_COLOR = "#9e9e9e"
IN_MARKET_COLOR = SERIES_COLORS[2]


def render_backtest(
    times: Sequence[datetime],
    strategy: Sequence[float],
    hold: Sequence[float],
    in_market: Sequence[bool],
    *,
    title: str,
    labels: tuple[str, str, str],
    t: Texts | None = None,
) -> bytes:
    """Equity curves (growth factors, 1.0 at the start) marked at `times`; `in_market[i]`: held
    over the hour(s) ending at `times[i]`. `labels`: strategy, buy-and-hold, the shading."""
    if len(times) < 2 or not len(times) == len(strategy) == len(hold) == len(in_market):
        raise ValueError("a backtest picture needs 2 or more times, each with both equities")
    t = words(t)
    x = mdates.date2num(list(times))
    ours = [100 * v for v in strategy]
    theirs = [100 * v for v in hold]
    with figure(BACKTEST_SIZE) as fig:
        ax = plot_area(fig, left=0.03, right=0.92, top=0.91, bottom=0.08)
        ax.axhline(100, color="#bdbdbd", linewidth=0.8)
        # shaded over the hour ending at each close the strategy held through
        ax.fill_between(
            x, 0, 1, where=list(in_market), step="pre", color=IN_MARKET_COLOR, alpha=0.12,
            linewidth=0, transform=ax.get_xaxis_transform(), label=labels[2],
        )  # fmt: skip
        ax.plot(x, theirs, color=HOLD_COLOR, linewidth=1.4, label=labels[1])
        ax.plot(x, ours, color=STRATEGY_COLOR, linewidth=1.9, label=labels[0])
        ax.set_xlim(x[0], x[-1])
        time_axis(ax, t)
        ax.yaxis.tick_right()
        ax.yaxis.set_major_formatter(PriceFormatter(t))
        handles, names = ax.get_legend_handles_labels()
        order = [names.index(label) for label in labels if label in names]
        ax.legend([handles[i] for i in order], [names[i] for i in order], loc="upper left")
        start = t._("start = 100")
        ax.text(0, 1.01, start, transform=ax.transAxes, fontsize=9, color="#757575")
        heading(fig, title)
        return png(fig)
