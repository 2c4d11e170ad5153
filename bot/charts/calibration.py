"""The calibration picture of /accuracy: for each horizon, the share of calls that went up
against the chance given, bin by bin (dot size: calls in the bin), with the diagonal a
perfectly calibrated forecaster would sit on."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from bot.charts.canvas import SERIES_COLORS, Size, figure, heading, plot_area, png, words
from bot.i18n import Texts

CALIBRATION_SIZE: Size = (800, 720)

# (chance given, share up, calls) per bin
Points = Sequence[tuple[float, float, int]]


def render_calibration(
    series: Mapping[str, Points],
    *,
    title: str,
    x_label: str,
    y_label: str,
    t: Texts | None = None,
) -> bytes:
    """One line of dots per label of `series` (at least one point in all)."""
    if not any(series.values()):
        raise ValueError("a calibration picture needs at least one bin")
    t = words(t)
    most = max(n for points in series.values() for _, _, n in points)
    with figure(CALIBRATION_SIZE) as fig:
        ax = plot_area(fig, left=0.11, right=0.96, top=0.88, bottom=0.1)
        ax.plot([0, 1], [0, 1], color="#9e9e9e", linewidth=1, linestyle="--")
        for i, (label, points) in enumerate(series.items()):
            if not points:
                continue
            color = SERIES_COLORS[i % len(SERIES_COLORS)]
            xs = [p for p, _, _ in points]
            ys = [o for _, o, _ in points]
            sizes = [30 + 400 * math.sqrt(n / most) for _, _, n in points]
            ax.plot(xs, ys, color=color, linewidth=1.2, alpha=0.7)
            ax.scatter(xs, ys, s=sizes, color=color, alpha=0.75, label=label, zorder=3)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ticks = [0, 0.2, 0.4, 0.6, 0.8, 1]
        ax.set_xticks(ticks)
        ax.set_yticks(ticks)
        ax.xaxis.set_major_formatter(lambda v, _: t.pct(round(v * 100), 0, signed=False))
        ax.yaxis.set_major_formatter(lambda v, _: t.pct(round(v * 100), 0, signed=False))
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.legend(loc="upper left", markerscale=0.5)
        heading(fig, title)
        return png(fig)
