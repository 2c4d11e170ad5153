"""The candles behind the market pictures: `/chart` (one coin), `/compare` (two) and `/corr`
(the followed coins), each chosen, loaded and checked in one transaction.

Refusals, besides the arguments' own (`timeframe.*`, `period.*`) and `coins.unknown`:
`chart.one_coin` (count), `compare.two_coins`, `compare.same_coin`, `corr.no_coins`,
`chart.too_many_candles` (count, timeframe, most, command, coins, longer),
`chart.period_too_long` (coin, timeframe, available, shorter, command, coins),
`chart.no_candles` (coin, timeframe, following, within: the first arrive within that),
`compare.too_few_common`, `corr.not_enough`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from core.compare import Aligned, align, correlation_matrix
from core.indicators import FloatArray, bollinger, closes
from core.market import TIMEFRAMES, Candle
from core.periods import (
    MAX_CANDLES,
    Window,
    available_period,
    chart_window,
    covers,
    longer_timeframe,
    side_by_side_window,
    split_args,
)
from core.refusal import Refusal
from core.series_choice import Origin
from services.coins import follow
from services.deps import Deps
from services.market import coins_or_refuse
from services.series import Series, load_series

CORR_MAX = 12  # coins in one heat-map
CORR_MAX_CANDLES = 5 * MAX_CANDLES  # a heat-map shows numbers, not candles: more fit
CORR_MIN_CANDLES = 3  # a coin with fewer is left out of the heat-map
COMMON_MIN = 3  # candles two coins must share to be compared


@dataclass(frozen=True, slots=True)
class ChartData:
    """/chart: one coin's candles over the window asked."""

    coin: str
    name: str  # "Bitcoin"
    window: Window
    series: Series

    @property
    def candles(self) -> list[Candle]:
        return self.series.candles

    @property
    def origin(self) -> Origin:
        return self.series.origin

    @property
    def key(self) -> str:
        """What the picture shows, to find it again: the market, the window, the last candle."""
        last = self.candles[-1]
        window = f"{self.window.timeframe}:{self.window.period.label}"
        market = _market_key(self.origin)
        return f"chart:candles:{self.coin}:{market}:{window}:{last.ts.timestamp():.0f}:{last.close}"

    def bands(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Bollinger bands (upper, middle, lower), one value per candle."""
        return bollinger(closes(self.candles))


@dataclass(frozen=True, slots=True)
class CompareData:
    """/compare: two coins' closes on the candles both have, and how alike they move."""

    coins: tuple[str, str]
    window: Window
    aligned: Aligned
    correlation: float  # NaN when there is too little to tell
    origins: Mapping[str, Origin]  # each coin's market

    @property
    def key(self) -> str:
        a, b = self.coins
        window = f"{self.window.timeframe}:{self.window.period.label}"
        markets = ":".join(_market_key(self.origins[c]) for c in self.coins)
        last = ":".join(str(self.aligned.closes[c][-1]) for c in self.coins)
        at = f"{self.aligned.times[-1].timestamp():.0f}"
        return f"chart:compare:{a}:{b}:{markets}:{window}:{at}:{last}"

    def points(self) -> dict[str, list[tuple[datetime, float]]]:
        times = self.aligned.times
        return {c: list(zip(times, self.aligned.closes[c], strict=True)) for c in self.coins}


@dataclass(frozen=True, slots=True)
class CorrelationData:
    """/corr: how alike the followed coins move, pair by pair."""

    coins: tuple[str, ...]
    matrix: list[list[float]]
    window: Window
    last: datetime  # the latest candle any of them has
    origins: Mapping[str, Origin]  # each coin's market

    @property
    def key(self) -> str:
        window = f"{self.window.timeframe}:{self.window.period.label}"
        markets = ",".join(_market_key(self.origins[c]) for c in self.coins)
        return f"chart:corr:{','.join(self.coins)}:{markets}:{window}:{self.last.timestamp():.0f}"


async def chart_data(deps: Deps, typed: Sequence[str]) -> ChartData:
    """The candles of the one coin typed, over the timeframe and period typed (or the default)."""
    args = split_args(list(typed))
    if len(args.symbols) != 1:
        raise Refusal("chart.one_coin", count=len(args.symbols))
    window = chart_window(args)
    async with deps.write() as session:  # a coin without candles is followed from now
        (coin,) = await coins_or_refuse(deps, session, args.symbols)
        _check_count(window, MAX_CANDLES, "chart", (coin,))
        series = await _series(deps, session, coin, window, "chart", (coin,))
        started = await follow(deps, session, [coin]) if series is None else []
    if series is None:
        await refuse_no_candles(deps, coin, window.timeframe, started)
    return ChartData(coin, deps.directory.display.get(coin, coin), window, series)


async def compare_data(deps: Deps, typed: Sequence[str]) -> CompareData:
    """Two coins' closes side by side over the period typed (or 30 days)."""
    args = split_args(list(typed))
    if len(args.symbols) != 2:
        raise Refusal("compare.two_coins")
    window = side_by_side_window(args)
    async with deps.write() as session:  # a coin without candles is followed from now
        coins = await coins_or_refuse(deps, session, args.symbols)
        if len(coins) != 2:
            raise Refusal("compare.same_coin")
        _check_count(window, MAX_CANDLES, "compare", coins)
        found = {c: await _series(deps, session, c, window, "compare", coins) for c in coins}
        empty = [c for c, series in found.items() if series is None]
        started = await follow(deps, session, empty) if empty else []
    if empty:
        await refuse_no_candles(deps, empty[0], window.timeframe, started)
    loaded = {c: series for c, series in found.items() if series is not None}
    candles = {c: series.candles for c, series in loaded.items()}
    aligned = align(candles)
    if len(aligned.times) < COMMON_MIN:
        raise Refusal("compare.too_few_common")
    a, b = coins
    origins = {c: series.origin for c, series in loaded.items()}
    return CompareData((a, b), window, aligned, correlation_matrix(candles)[0][1], origins)


async def correlation_data(deps: Deps, typed: Sequence[str]) -> CorrelationData:
    """How alike the followed coins (the configured ones first) move over the period typed."""
    args = split_args(list(typed))
    if args.symbols:
        raise Refusal("corr.no_coins")
    window = side_by_side_window(args)
    _check_count(window, CORR_MAX_CANDLES, "corr", ())
    async with deps.read() as session:
        tracked = (await deps.directory_in(session)).tracked
        order = [s for s in deps.settings.symbols if s in tracked]
        order += [s for s in tracked if s not in order]
        series: dict[str, list[Candle]] = {}
        origins: dict[str, Origin] = {}
        for coin in order[:CORR_MAX]:
            found = await load_series(deps, session, coin, window.timeframe, window.period.span)
            if found is not None and len(found.candles) >= CORR_MIN_CANDLES:
                series[coin], origins[coin] = found.candles, found.origin
    if len(series) < 2:
        raise Refusal("corr.not_enough")
    last = max(candles[-1].ts for candles in series.values())
    return CorrelationData(tuple(series), correlation_matrix(series), window, last, origins)


# ---- the steps they share --------------------------------------------------------------------


def _check_count(window: Window, most: int, command: str, coins: tuple[str, ...]) -> None:
    if window.candles > most:
        raise Refusal(
            "chart.too_many_candles",
            count=window.candles,
            timeframe=window.timeframe,
            most=most,
            command=command,
            coins=coins,
            longer=longer_timeframe(window.timeframe),
        )


async def _series(
    deps: Deps,
    session: AsyncSession,
    coin: str,
    window: Window,
    command: str,
    coins: tuple[str, ...],
) -> Series | None:
    """The coin's candles over the window (a stale series': over its last span); None if
    there are none to draw; Refusal chart.period_too_long if they start too late for it."""
    span, timeframe = window.period.span, window.timeframe
    series = await load_series(deps, session, coin, timeframe, span=span)
    if series is None or len(series.candles) < 2:
        return None
    first, end = series.candles[0].ts, series.end
    if not covers(first, TIMEFRAMES[timeframe], end, span):
        available = available_period(end - first)
        raise Refusal(
            "chart.period_too_long",
            coin=coin,
            timeframe=timeframe,
            available=available.span,
            shorter=available.label,
            command=command,
            coins=coins,
        )
    return series


async def refuse_no_candles(deps: Deps, coin: str, timeframe: str, started: list[str]) -> NoReturn:
    """Refusal chart.no_candles, once the coins newly followed are announced."""
    if started:
        await deps.assets_changed()
    raise Refusal(
        "chart.no_candles",
        coin=coin,
        timeframe=timeframe,
        following=coin in started,
        within=timedelta(seconds=deps.settings.candle_interval),
    )


def _market_key(origin: Origin) -> str:
    return f"{origin.exchange}/{origin.pair}/{origin.kind}/{origin.fresh}"
