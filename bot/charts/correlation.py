"""How alike several assets move: a heat-map of their pairwise correlations."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from bot.charts.canvas import TEXT, Size, decimal_text, figure, heading, plot_area, png
from bot.i18n import Texts

CORRELATION_SIZE: Size = (800, 700)
TICKS = [-1, -0.5, 0, 0.5, 1]  # on the colour scale


def render_correlation(
    symbols: Sequence[str], matrix: Sequence[Sequence[float]], *, t: Texts, title: str
) -> bytes:
    """Each cell coloured from −1 (blue) to +1 (red) and labelled with its value; NaN is blank."""
    values = np.asarray(matrix, dtype=float)
    count = len(symbols)
    if count < 2 or values.shape != (count, count):
        raise ValueError(
            f"need a square matrix for {count} symbols (at least 2), got shape {values.shape}"
        )
    with figure(CORRELATION_SIZE) as fig:
        ax = plot_area(fig, left=0.1, right=0.86, top=0.9, bottom=0.06)
        image = ax.imshow(values, cmap="RdBu_r", vmin=-1, vmax=1)
        ax.grid(False)
        ax.set_xticks(range(count), labels=list(symbols))
        ax.set_yticks(range(count), labels=list(symbols))
        ax.tick_params(length=0)
        size = max(7.0, 13.0 - 0.5 * count)
        for (row, col), value in np.ndenumerate(values):
            if math.isnan(value):
                continue
            color = "white" if abs(value) > 0.6 else TEXT
            text = decimal_text(t, value, 2)
            ax.text(col, row, text, ha="center", va="center", fontsize=size, color=color)
        scale = plot_area(fig, left=0.89, right=0.915, top=0.9, bottom=0.06)
        fig.colorbar(image, cax=scale, ticks=TICKS)
        scale.set_yticklabels([decimal_text(t, tick, 0 if tick % 1 == 0 else 1) for tick in TICKS])
        scale.grid(False)
        heading(fig, title)
        return png(fig)
