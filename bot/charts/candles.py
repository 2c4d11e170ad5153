"""The /chart picture: candlesticks, moving averages, optional Bollinger bands, volume."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise

import mplfinance as mpf
import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter

from bot.charts.canvas import (
    BAND_COLOR,
    DOWN,
    MA_COLORS,
    STYLE,
    UP,
    VOLUME_DOWN,
    VOLUME_UP,
    PriceFormatter,
    Size,
    compact,
    figure,
    heading,
    plot_area,
    png,
    time_label,
)
from bot.i18n import Texts
from core.market import Candle

CANDLES_SIZE: Size = (1000, 600)
Bands = tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike]  # upper, middle, lower
COLUMNS = ("open", "high", "low", "close", "volume")  # of the frame mplfinance draws


def candle_frame(candles: Sequence[Candle]) -> pd.DataFrame:
    """Decimal candles as the float OHLCV frame mplfinance wants, indexed by open time (UTC)."""
    if len(candles) < 2:
        raise ValueError(f"a candle chart needs at least 2 candles, got {len(candles)}")
    if any(b.ts <= a.ts for a, b in pairwise(candles)):
        raise ValueError("candles must be in time order, oldest first, without repeats")
    return pd.DataFrame(
        {name: [float(getattr(c, name)) for c in candles] for name in COLUMNS},
        index=pd.DatetimeIndex([c.ts for c in candles]),
    )


def render_candles(
    candles: Sequence[Candle],
    *,
    t: Texts,
    title: str,
    mav: Sequence[int] = (20, 50),
    bands: Bands | None = None,
    volume: bool = True,
) -> bytes:
    """Candlesticks with moving averages over `mav` candles, bands if given, and volume below,
    labelled in `t`'s language.

    `bands` are three float sequences aligned with `candles`; leading NaNs are fine.
    """
    frame = candle_frame(candles)
    windows = tuple(int(n) for n in mav)
    if any(n < 2 for n in windows):
        raise ValueError(f"moving-average windows must be at least 2 candles, got {windows}")
    windows = tuple(n for n in windows if n < len(candles))  # a longer one would draw nothing
    lines = _band_lines(bands, len(candles))

    with figure(CANDLES_SIZE) as fig:
        price, below = _axes(fig, volume)
        extras: dict[str, object] = {}  # mplfinance rejects an explicit None for these
        if windows:
            extras["mav"] = windows
        if lines is not None:
            extras["addplot"] = _band_plots(price, lines)
        mpf.plot(
            frame,
            ax=price,
            type="candle",
            columns=COLUMNS,
            style=STYLE,
            xrotation=0,
            ylabel="",
            update_width_config={"line_width": 1.5},
            **extras,
        )
        price.yaxis.set_major_formatter(PriceFormatter(t))
        _time_ticks(t, price, [c.ts for c in candles])
        _last_price_tag(t, price, candles[-1])
        _legend(t, price, windows, lines is not None)
        if below is not None:
            _volume_bars(t, below, frame)
        heading(fig, title)
        return png(fig)


def _band_lines(bands: Bands | None, count: int) -> tuple[np.ndarray, ...] | None:
    if bands is None:
        return None
    if len(bands) != 3:
        raise ValueError(f"bands are (upper, middle, lower), got {len(bands)} sequences")
    lines = tuple(np.asarray(band, dtype=float) for band in bands)
    if any(line.shape != (count,) for line in lines):
        sizes = [len(line) for line in lines]
        raise ValueError(f"each band needs one value per candle ({count}), got {sizes}")
    return lines


def _band_plots(price: Axes, lines: tuple[np.ndarray, ...]) -> list[dict]:
    upper, middle, lower = lines
    fill = {"y1": upper, "y2": lower, "color": BAND_COLOR, "alpha": 0.08}
    return [
        mpf.make_addplot(upper, ax=price, color=BAND_COLOR, width=0.8, fill_between=fill),
        mpf.make_addplot(middle, ax=price, color=BAND_COLOR, width=0.8, linestyle="--"),
        mpf.make_addplot(lower, ax=price, color=BAND_COLOR, width=0.8),
    ]


def _axes(fig: Figure, volume: bool) -> tuple[Axes, Axes | None]:
    """Price on top and volume below it, sharing the time axis; labels on the right."""
    left, right, top, bottom = 0.02, 0.885, 0.91, 0.07
    if not volume:
        return plot_area(fig, left, right, top, bottom), None
    price = plot_area(fig, left, right, top, bottom=0.27)
    below = plot_area(fig, left, right, top=0.255, bottom=bottom)
    below.sharex(price)
    price.tick_params(labelbottom=False)
    return price, below


def _time_ticks(t: Texts, axis: Axes, times: Sequence[datetime], most: int = 8) -> None:
    """Ticks at the first candle of each round step of time (every 6 h, every day, every week),
    labelled in UTC; the finest step that gives at most `most` ticks wins."""
    seconds = np.array([ts.timestamp() for ts in times]) // 1
    for step in _TICK_STEPS:
        buckets = seconds // step.total_seconds()
        positions = np.flatnonzero(buckets[1:] != buckets[:-1]) + 1
        if len(positions) <= most:
            break

    def label(x: float, _pos: int | None) -> str:
        return time_label(t, times[min(max(round(x), 0), len(times) - 1)], step)

    axis.xaxis.set_major_locator(FixedLocator(positions.tolist()))
    axis.xaxis.set_major_formatter(FuncFormatter(label))


_TICK_STEPS = [timedelta(minutes=m) for m in (15, 30)]
_TICK_STEPS += [timedelta(hours=h) for h in (1, 2, 3, 4, 6, 12)]
_TICK_STEPS += [timedelta(days=d) for d in (1, 2, 7, 14, 28, 56, 91, 182, 364)]


def _last_price_tag(t: Texts, price: Axes, last: Candle) -> None:
    """The latest close as a coloured tag on the price axis, as trading screens show it."""
    color = UP if last.close >= last.open else DOWN
    level = float(last.close)
    price.axhline(level, color=color, linewidth=0.8, linestyle=":")
    price.annotate(
        t.price(last.close),
        xy=(1, level),
        xycoords=price.get_yaxis_transform(),
        xytext=(3, 0),
        textcoords="offset points",
        va="center",
        color="white",
        fontsize=10,
        bbox={"boxstyle": "square,pad=0.25", "facecolor": color, "edgecolor": "none"},
        annotation_clip=False,
    )


def _legend(t: Texts, price: Axes, windows: tuple[int, ...], bands: bool) -> None:
    handles = [
        Line2D([], [], color=color, linewidth=1.5, label=t._("MA {n}", n=n))
        for n, color in zip(windows, MA_COLORS, strict=False)
    ]
    if bands:
        label = t._("Bollinger bands")
        handles.append(Line2D([], [], color=BAND_COLOR, linewidth=1.5, label=label))
    if handles:
        price.legend(handles=handles, loc="upper left", ncols=len(handles), fontsize=9)


def _volume_bars(t: Texts, below: Axes, frame: pd.DataFrame) -> None:
    # One PolyCollection instead of mplfinance's Axes.bar: a bar per candle as separate
    # patches costs more than the rest of the chart put together.
    volume = frame["volume"].to_numpy()
    x = np.arange(len(volume), dtype=float)
    half, zero = 0.35, np.zeros_like(volume)
    corners = [(x - half, zero), (x - half, volume), (x + half, volume), (x + half, zero)]
    boxes = np.stack([np.column_stack(corner) for corner in corners], axis=1)
    rising = frame["close"].to_numpy() >= frame["open"].to_numpy()
    colors = np.where(rising, VOLUME_UP, VOLUME_DOWN)
    below.add_collection(PolyCollection(list(boxes), facecolors=colors, edgecolors="none"))
    below.set_ylim(0, max(float(volume.max()), 1e-12) * 1.15)
    below.yaxis.tick_right()
    below.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: compact(value, t)))
    below.locator_params(axis="y", nbins=3)
