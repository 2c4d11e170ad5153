"""`/ta`: one coin's indicators over its latest candles.

Refusals, besides the arguments' own (`timeframe.*`, `period.*`) and `coins.unknown`:
`ta.one_coin` (not exactly one coin, or a period given), `chart.no_candles` (as for /chart),
`ta.not_enough_candles` (coin, timeframe, have, needed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.periods import DEFAULT_TIMEFRAME, split_args
from core.refusal import Refusal
from core.series_choice import Origin
from core.ta import MIN_CANDLES, TAReport, analyse
from services.charts import refuse_no_candles
from services.coins import follow
from services.deps import Deps
from services.market import coins_or_refuse
from services.series import load_series

HISTORY = 500  # candles analysed: EMA, RSI and ATR settle, SMA 200 has room


@dataclass(frozen=True, slots=True)
class Analysis:
    coin: str
    name: str  # "Bitcoin"
    timeframe: str
    report: TAReport
    origin: Origin  # the market the candles came from, and whether they are fresh


async def technical_analysis(deps: Deps, typed: Sequence[str]) -> Analysis:
    """RSI, MACD, Bollinger %B, ATR, moving-average crosses and volatility of the coin typed."""
    args = split_args(list(typed))
    if len(args.symbols) != 1 or args.period is not None:
        raise Refusal("ta.one_coin")
    timeframe = args.timeframe or DEFAULT_TIMEFRAME
    async with deps.write() as session:  # a coin without candles is followed from now
        (coin,) = await coins_or_refuse(deps, session, args.symbols)
        series = await load_series(deps, session, coin, timeframe, limit=HISTORY)
        empty = series is None or not series.candles
        started = await follow(deps, session, [coin]) if empty else []
    if series is None or empty:
        await refuse_no_candles(deps, coin, timeframe, started)
    if len(series.candles) < MIN_CANDLES:
        raise Refusal(
            "ta.not_enough_candles",
            coin=coin,
            timeframe=timeframe,
            have=len(series.candles),
            needed=MIN_CANDLES,
        )
    report = analyse(series.candles, timeframe)
    name = deps.directory.display.get(coin, coin)
    return Analysis(coin, name, timeframe, report, series.origin)
