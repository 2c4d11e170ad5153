"""Charts rendered off the event loop, one at a time, on the charts thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial

from bot.charts.backtest import render_backtest
from bot.charts.calibration import render_calibration
from bot.charts.candles import Bands, render_candles
from bot.charts.compare import render_compare
from bot.charts.correlation import render_correlation
from bot.charts.portfolio import render_allocation, render_value_line
from bot.charts.sentiment import render_sentiment
from bot.i18n import Texts
from core.market import Candle


class ChartRenderer:
    """Owns the one thread charts are drawn on: matplotlib's settings are process-global."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="charts")
        # Load fonts and fill matplotlib's caches now, so the first /chart is not the slow one.
        self._pool.submit(_warm_up)

    # The market pictures speak `t`'s language (a Texts holds no state of a person: it is safe
    # to hand to the charts thread).

    async def candles(
        self,
        candles: Sequence[Candle],
        *,
        t: Texts,
        title: str,
        mav: Sequence[int] = (20, 50),
        bands: Bands | None = None,
        volume: bool = True,
    ) -> bytes:
        return await self._run(
            render_candles, candles, t=t, title=title, mav=mav, bands=bands, volume=volume
        )

    async def compare(
        self, series: Mapping[str, Sequence[tuple[datetime, float]]], *, t: Texts, title: str
    ) -> bytes:
        return await self._run(render_compare, series, t=t, title=title)

    async def correlation(
        self, symbols: Sequence[str], matrix: Sequence[Sequence[float]], *, t: Texts, title: str
    ) -> bytes:
        return await self._run(render_correlation, symbols, matrix, t=t, title=title)

    async def allocation(
        self, labels: Sequence[str], values: Sequence[float], *, t: Texts, title: str
    ) -> bytes:
        return await self._run(render_allocation, labels, values, t=t, title=title)

    async def value_line(
        self, points: Sequence[tuple[datetime, float]], *, t: Texts, title: str, currency: str
    ) -> bytes:
        return await self._run(render_value_line, points, t=t, title=title, currency=currency)

    async def sentiment(
        self,
        points: Sequence[tuple[datetime, float]],
        closes: Sequence[tuple[datetime, Decimal]],
        *,
        t: Texts,
        title: str,
        price_label: str,
    ) -> bytes:
        return await self._run(
            render_sentiment, points, closes, t=t, title=title, price_label=price_label
        )

    async def backtest(
        self,
        times: Sequence[datetime],
        strategy: Sequence[float],
        hold: Sequence[float],
        in_market: Sequence[bool],
        *,
        t: Texts,
        title: str,
        labels: tuple[str, str, str],
    ) -> bytes:
        return await self._run(
            render_backtest, times, strategy, hold, in_market, t=t, title=title, labels=labels
        )

    async def calibration(
        self,
        series: Mapping[str, Sequence[tuple[float, float, int]]],
        *,
        t: Texts,
        title: str,
        x_label: str,
        y_label: str,
    ) -> bytes:
        return await self._run(
            render_calibration, series, t=t, title=title, x_label=x_label, y_label=y_label
        )

    def close(self) -> None:
        """Drop queued renders and wait for the one being drawn (a few hundred ms at most)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    async def _run(self, render: Callable[..., bytes], *args: object, **kwargs: object) -> bytes:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(render, *args, **kwargs))


def _warm_up() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    render_value_line([(start, 1.0), (start + timedelta(days=1), 2.0)], title="", currency="")
