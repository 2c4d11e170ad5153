"""How long a chart takes to draw: p50/p99 of each render function on the bundled real candles.

    .venv/bin/python bench/bench_chart.py

Each case runs 2 warm-ups, then 30 timed renders, in this process's main thread (the
ChartRenderer line adds the hop to its thread and back through an event loop). A fresh /chart
also pays for the database read and the sendPhoto upload; this measures only the picture.
"""

from __future__ import annotations

import asyncio
import csv
import gzip
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import talib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.charts import (  # noqa: E402
    Bands,
    ChartRenderer,
    render_allocation,
    render_candles,
    render_compare,
    render_correlation,
    render_value_line,
)
from bot.i18n import texts_for  # noqa: E402
from core.market import Candle  # noqa: E402

SYMBOLS = ("BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE")
EN = texts_for("en")
WARM_UPS = 2
RUNS = 30


def hourly(symbol: str) -> list[Candle]:
    path = ROOT / "data" / "sandbox" / f"{symbol}USDT_1h.csv.gz"
    with gzip.open(path, "rt", newline="") as rows:
        return [
            Candle(
                datetime.fromisoformat(row["date"]).replace(tzinfo=UTC),
                *(Decimal(row[k]) for k in ("open", "high", "low", "close", "volume")),
            )
            for row in csv.DictReader(rows)
        ]


def daily(candles: list[Candle]) -> list[Candle]:
    """Hourly candles rolled up into UTC days."""
    days: dict[object, list[Candle]] = {}
    for candle in candles:
        days.setdefault(candle.ts.date(), []).append(candle)
    return [
        Candle(
            hours[0].ts.replace(hour=0),
            hours[0].open,
            max(c.high for c in hours),
            min(c.low for c in hours),
            hours[-1].close,
            sum((c.volume for c in hours), Decimal(0)),
        )
        for hours in days.values()
    ]


def bands(candles: list[Candle]) -> Bands:
    return talib.BBANDS(np.array([float(c.close) for c in candles]), timeperiod=20)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def measure(render: Callable[[], bytes]) -> tuple[list[float], int]:
    for _ in range(WARM_UPS):
        size = len(render())
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        render()
        timings.append(time.perf_counter() - start)
    return timings, size


def report(label: str, timings: list[float], size: int | None = None) -> None:
    png = f"   {size / 1024:5.0f} KiB PNG" if size is not None else ""
    print(
        f"  {label:<50} p50 {1000 * statistics.median(timings):6.1f} ms   "
        f"p99 {1000 * percentile(timings, 0.99):6.1f} ms{png}",
        flush=True,
    )


async def through_renderer(candles: list[Candle], upper_mid_lower: Bands) -> list[float]:
    renderer = ChartRenderer()
    try:
        for _ in range(WARM_UPS):
            await renderer.candles(candles, t=EN, title="BTC/USDT · 1h · 7d", bands=upper_mid_lower)
        timings = []
        for _ in range(RUNS):
            start = time.perf_counter()
            await renderer.candles(candles, t=EN, title="BTC/USDT · 1h · 7d", bands=upper_mid_lower)
            timings.append(time.perf_counter() - start)
        return timings
    finally:
        renderer.close()


def main() -> None:
    history = {symbol: hourly(symbol) for symbol in SYMBOLS}
    week = history["BTC"][-168:]
    week_bands = bands(week)
    quarter = daily(history["BTC"])[-90:]
    quarter_bands = bands(quarter)
    month = {s: [(c.ts, float(c.close)) for c in history[s][-720:]] for s in ("BTC", "ETH")}
    common = sorted(set.intersection(*({c.ts for c in history[s]} for s in SYMBOLS)))[-720:]
    returns = []
    for symbol in SYMBOLS:
        by_time = {c.ts: float(c.close) for c in history[symbol]}
        returns.append(np.diff(np.log([by_time[ts] for ts in common])))
    matrix = np.corrcoef(returns).tolist()
    value = [(ts, 10_000 * price / month["BTC"][0][1]) for ts, price in month["BTC"]]

    cases: list[tuple[str, Callable[[], bytes]]] = [
        (
            "render_candles 168 x 1h, MA 20/50, bands",
            lambda: render_candles(week, t=EN, title="BTC/USDT · 1h · 7d", bands=week_bands),
        ),
        (
            "render_candles 90 x 1d, MA 20/50, bands",
            lambda: render_candles(quarter, t=EN, title="BTC/USDT · 1d · 90d", bands=quarter_bands),
        ),
        (
            "render_candles 168 x 1h, plain (no MA, no bands)",
            lambda: render_candles(week, t=EN, title="BTC/USDT · 1h · 7d", mav=()),
        ),
        (
            "render_compare BTC vs ETH, 720 hours",
            lambda: render_compare(month, t=EN, title="BTC vs ETH · 30d"),
        ),
        (
            "render_correlation 7 x 7",
            lambda: render_correlation(SYMBOLS, matrix, t=EN, title="Correlation · 30d"),
        ),
        (
            "render_allocation 7 holdings",
            lambda: render_allocation(SYMBOLS, [50, 20, 10, 8, 6, 4, 2], title="Allocation"),
        ),
        (
            "render_value_line 720 points",
            lambda: render_value_line(value, title="Value · 30d", currency="USD"),
        ),
    ]
    load = os.getloadavg()[0]
    print(f"{RUNS} runs after {WARM_UPS} warm-ups; {os.cpu_count()} CPUs, load average {load:.2f}")
    for label, render in cases:
        report(label, *measure(render))
    timings = asyncio.run(through_renderer(week, week_bands))
    report("ChartRenderer.candles 168 x 1h, bands (via its thread)", timings)


if __name__ == "__main__":
    main()
