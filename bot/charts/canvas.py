"""The one look every chart shares, and the one way a chart becomes PNG bytes.

Figures are built with matplotlib's object API on the Agg canvas (never pyplot), inside an
`rc_context` holding the house style. rcParams are process-global, so a render must only run
on the charts thread (see `renderer.py`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from io import BytesIO
from itertools import pairwise

import matplotlib
import matplotlib.style
import mplfinance as mpf
from babel.dates import format_skeleton
from babel.numbers import format_compact_decimal
from cycler import cycler
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter

from bot.i18n import Texts, texts_for

DPI = 100
Size = tuple[int, int]  # width, height in pixels: about what a phone shows full-width

SERIES_COLORS = ("#2962ff", "#ff6d00", "#00a86b", "#8e24aa", "#d81b60", "#00838f", "#6d4c41")
MA_COLORS = ("#ff9800", "#7e57c2", "#26a69a", "#ec407a")
BAND_COLOR = "#5c6bc0"

# mplfinance's "yahoo" style: light background, green/red candles, prices on the right.
STYLE = mpf.make_mpf_style(
    base_mpf_style="yahoo",
    gridstyle=":",
    mavcolors=list(MA_COLORS),
    y_on_right=True,
    rc={"font.size": 11},
)
UP = STYLE["marketcolors"]["candle"]["up"]
DOWN = STYLE["marketcolors"]["candle"]["down"]
VOLUME_UP = STYLE["marketcolors"]["volume"]["up"]
VOLUME_DOWN = STYLE["marketcolors"]["volume"]["down"]
TEXT = STYLE["rc"]["axes.labelcolor"]

# The same style as rcParams, so the line charts and heat-maps match the candles.
HOUSE_RC = {
    **matplotlib.style.library[STYLE["base_mpl_style"]],
    **STYLE["rc"],
    "axes.facecolor": STYLE["facecolor"],
    "axes.grid": True,
    "grid.color": STYLE["gridcolor"],
    "grid.linestyle": STYLE["gridstyle"],
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.prop_cycle": cycler(color=SERIES_COLORS),
    "legend.frameon": False,
    "legend.fontsize": 10,
    "text.parse_math": False,  # a "$" in a label is a dollar sign, not TeX
}


@contextmanager
def figure(size: Size) -> Iterator[Figure]:
    """A blank figure of exactly `size` pixels in the house style; call `png` inside the block."""
    with matplotlib.rc_context(HOUSE_RC):
        fig = Figure(figsize=(size[0] / DPI, size[1] / DPI), dpi=DPI)
        FigureCanvasAgg(fig)
        # No pyplot, so nothing to close: the figure is garbage once the block ends.
        # (Figure.clear() would cost a fifth of a small render: it rebuilds the axes' ticks.)
        yield fig


def png(fig: Figure) -> bytes:
    buffer = BytesIO()
    # zlib level 1: ~30 ms to encode a 1000×600 chart instead of ~50 at the default 6, for a
    # file ~15% larger (about 100 KiB) — Telegram recompresses photos anyway.
    fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def plot_area(fig: Figure, left: float, right: float, top: float, bottom: float) -> Axes:
    """Axes over that part of the figure (fractions): a fixed layout, no layout engine to run."""
    return fig.add_axes((left, bottom, right - left, top - bottom))


def heading(fig: Figure, text: str) -> None:
    """The chart's title, top left (cheaper than Axes.set_title, which measures the axes)."""
    fig.text(0.02, 0.975, text, fontsize=14, fontweight="bold", color=TEXT, va="top")


def words(t: Texts | None) -> Texts:
    """The language a chart speaks: English unless told."""
    return t if t is not None else texts_for("en")


def time_axis(ax: Axes, t: Texts | None = None) -> None:
    """Dates along the bottom, as few and as short as still say when (UTC), in `t`'s language."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(DateFormatter(words(t)))


class DateFormatter(Formatter):
    """Tick labels as short as the step between ticks allows: 14:30 · 1 Mar · Mar 2024."""

    step = timedelta(days=1)

    def __init__(self, t: Texts) -> None:
        self.t = t

    def set_locs(self, locs: list[float]) -> None:
        super().set_locs(locs)
        steps = [b - a for a, b in pairwise(locs) if b > a]
        self.step = timedelta(days=min(steps)) if steps else timedelta(days=1)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return time_label(self.t, mdates.num2date(x), self.step)


def time_label(t: Texts, when: datetime, step: timedelta) -> str:
    """`when` (UTC) as a tick label for ticks `step` apart."""
    if step >= timedelta(days=28):
        return format_skeleton("yMMM", when, locale=t.locale)
    if step >= timedelta(days=1) or (when.hour, when.minute) == (0, 0):
        return t.day(when)
    return t.time(when)


def minus(text: str) -> str:
    return text.replace("-", "−")


def compact(value: float, t: Texts | None = None) -> str:
    """950, 1.2K, 34.5K, 5.6M: volumes and sizes at a glance, in `t`'s language."""
    locale = words(t).locale
    return minus(format_compact_decimal(value, locale=locale, fraction_digits=1))


def decimal_text(t: Texts, value: float, places: int) -> str:
    """`value` with `places` decimals in `t`'s language, with a real minus sign."""
    return ("−" if round(value, places) < 0 else "") + t.decimal(abs(value), places)


class PriceFormatter(Formatter):
    """Tick labels with thousands separators and just the places the tick step needs."""

    places = 2

    def __init__(self, t: Texts | None = None) -> None:
        self.t = words(t)

    def set_locs(self, locs: list[float]) -> None:
        super().set_locs(locs)
        steps = [b - a for a, b in pairwise(locs) if b > a]
        self.places = places_for_step(min(steps)) if steps else 2

    def __call__(self, x: float, pos: int | None = None) -> str:
        return decimal_text(self.t, x, self.places)


def places_for_step(step: float) -> int:
    """Decimal places that show a tick step exactly: 500 -> 0, 0.5 -> 1, 0.25 -> 2."""
    if not math.isfinite(step) or step <= 0:
        return 2
    for places in range(13):
        if abs(round(step, places) - step) <= step * 1e-6:
            return places
    return 12
