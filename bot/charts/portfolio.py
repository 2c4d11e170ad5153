"""Pictures of a portfolio: what it holds, and what it has been worth."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from matplotlib import dates as mdates

from bot.charts.canvas import (
    SERIES_COLORS,
    TEXT,
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

ALLOCATION_SIZE: Size = (800, 600)
VALUE_SIZE: Size = (1000, 600)
OTHER = "other"


def group_allocation(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    min_share: float = 0.02,
    max_slices: int = 8,
    other: str = OTHER,
) -> list[tuple[str, float]]:
    """Largest first; holdings under `min_share` of the total, or past `max_slices`, as one
    slice labelled `other` (the word in the person's language)."""
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels for {len(values)} values")
    if any(value < 0 for value in values):
        raise ValueError("allocation values cannot be negative")
    total = float(sum(values))
    if total <= 0:
        raise ValueError("nothing to show: the allocation adds up to 0")
    ranked = sorted(zip(labels, map(float, values), strict=True), key=lambda lv: -lv[1])
    kept = [(label, value) for label, value in ranked if value / total >= min_share]
    if len(kept) < len(ranked) or len(kept) > max_slices:  # leave a slice for "other"
        kept = kept[: max_slices - 1]
    rest = total - sum(value for _, value in kept)
    if rest > total * 1e-9:  # holdings of exactly 0 need no slice
        kept.append((other, rest))
    return kept


def render_allocation(
    labels: Sequence[str], values: Sequence[float], *, title: str, t: Texts | None = None
) -> bytes:
    """Horizontal bars, largest on top, each labelled with its share of the whole, in `t`'s
    language."""
    t = words(t)
    slices = group_allocation(labels, values, other=t._("other"))
    total = sum(value for _, value in slices)
    shares = [t.pct(round(100 * value / total, 1), 1, signed=False) for _, value in slices]
    with figure(ALLOCATION_SIZE) as fig:
        ax = plot_area(fig, left=0.16, right=0.9, top=0.88, bottom=0.05)
        rows = range(len(slices) - 1, -1, -1)
        colors = [SERIES_COLORS[i % len(SERIES_COLORS)] for i in range(len(slices))]
        ax.barh(list(rows), [value for _, value in slices], color=colors, height=0.7)
        ax.set_yticks(list(rows), labels=[label for label, _ in slices])
        ax.tick_params(axis="y", length=0, labelsize=12)
        ax.set_xticks([])
        ax.grid(False)
        ax.set_xlim(0, max(value for _, value in slices) * 1.18)
        for row, (_, value), share in zip(rows, slices, shares, strict=True):
            ax.text(value, row, f" {share}", va="center", fontsize=11, color=TEXT)
        heading(fig, title)
        return png(fig)


def render_value_line(
    points: Sequence[tuple[datetime, float]], *, title: str, currency: str, t: Texts | None = None
) -> bytes:
    """Portfolio value over time, shaded beneath, in `currency` on the right-hand axis; dates
    and numbers as `t`'s language writes them."""
    if len(points) < 2:
        raise ValueError(f"a value chart needs at least 2 points, got {len(points)}")
    ordered = sorted(points, key=lambda point: point[0])
    x = mdates.date2num([ts for ts, _ in ordered])
    y = [float(value) for _, value in ordered]
    with figure(VALUE_SIZE) as fig:
        ax = plot_area(fig, left=0.03, right=0.9, top=0.91, bottom=0.08)
        color = SERIES_COLORS[0]
        ax.plot(x, y, color=color, linewidth=1.8)
        floor = min(y)
        ax.fill_between(x, y, floor, color=color, alpha=0.1)
        ax.set_xlim(x[0], x[-1])
        time_axis(ax, t)
        ax.yaxis.tick_right()
        ax.yaxis.set_label_position("right")
        ax.yaxis.set_major_formatter(PriceFormatter(t))
        ax.set_ylabel(currency)
        heading(fig, title)
        return png(fig)
