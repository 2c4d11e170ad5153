"""Change, indicator and volume alerts, checked when a candle closes.

Each alert reads the stored candles that suit it (the alert's timeframe, or built from shorter
ones; for a move, candles that divide its window), enough of them for its indicator to warm up,
and `core.alerts.backtest.trigger_times` says on which candles its condition came true. It
fires when that is the newest closed candle of its timeframe and the candle closed after the
alert was made; the candle's open time is the trigger, so checking the same candle again, here
or in another process, fires nothing new.

A stored candle counts as closed once a later one is stored: the candle job stores the forming
candle too, and overwrites it with its final values only on its next run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from core.alerts.backtest import trigger_times
from core.alerts.spec import CandleCondition, Condition, PriceChange
from core.alerts.watched import WatchedAlert
from core.market import TIMEFRAMES, Candle, PriceQuote, floor_time
from services import matching
from services.deps import Deps
from services.firing import Candidate

log = logging.getLogger(__name__)

WARMUP = 250  # candles of the alert's timeframe before the one checked, at least
MAX_CANDLES = 5000  # stored candles read per series and check
MOVE_CANDLES = 1440  # a move is measured on the shortest stored candles fitting this many
RECHOOSE = timedelta(minutes=15)  # a series' market is chosen again this often (it may go stale)


class CandleCheck:
    """Which candles were already checked, per series and per alert; where each series is."""

    def __init__(self) -> None:
        self.checked: dict[int, datetime] = {}  # alert id -> open time of the candle checked
        # (symbol, timeframe) -> market id, and when it was chosen
        self.markets: dict[tuple[str, str], tuple[int, datetime]] = {}

    async def newly_true(
        self, deps: Deps, alerts: Sequence[WatchedAlert], cooling: Mapping[int, datetime]
    ) -> list[Candidate]:
        """The alerts whose condition came true on the candle that closed last."""
        groups: dict[tuple[str, str, int], list[WatchedAlert]] = defaultdict(list)
        markets: dict[tuple[str, str], int | None] = {}  # looked up once per run
        for alert in alerts:
            for base in base_timeframes(alert, deps.settings.candle_timeframes):
                if (alert.symbol, base) not in markets:
                    markets[alert.symbol, base] = await self._market(deps, alert.symbol, base)
                market_id = markets[alert.symbol, base]
                if market_id is not None:
                    groups[alert.symbol, base, market_id].append(alert)
                    break
        self.checked = {a.id: self.checked[a.id] for a in alerts if a.id in self.checked}
        quotes = await deps.cache.get_prices(sorted({symbol for symbol, _, _ in groups}))
        found: list[Candidate] = []
        for (symbol, base, market_id), group in groups.items():
            count = max(needed(alert, base) for alert in group)
            candles = await matching.closed_candles(deps, market_id, base, count)
            for alert in group if candles else ():
                try:
                    candidate = self._check(alert, candles, base, cooling, quotes.get(symbol))
                except ValueError:  # the candles cannot measure it; the others go on
                    log.warning("alert %s cannot be checked on %s candles", alert.id, base)
                    continue
                if candidate is not None:
                    found.append(candidate)
        return found

    async def _market(self, deps: Deps, symbol: str, base: str) -> int | None:
        """The market whose `base` candles to believe for `symbol` (`matching.best_market`),
        chosen again every RECHOOSE: an exchange that stops sending candles is left."""
        now = deps.clock.now()
        known = self.markets.get((symbol, base))
        if known is None or now - known[1] >= RECHOOSE:
            market = await matching.best_market(deps, symbol, base)
            if market is None:
                return None
            known = self.markets[symbol, base] = (market, now)
        return known[0]

    def _check(
        self,
        alert: WatchedAlert,
        candles: Sequence[Candle],
        base: str,
        cooling: Mapping[int, datetime],
        quote: PriceQuote | None,
    ) -> Candidate | None:
        condition = alert.condition
        frame = base if isinstance(condition, PriceChange) else _timeframe(condition)
        step = TIMEFRAMES[frame]
        newest = floor_time(candles[-1].ts + TIMEFRAMES[base], frame) - step  # last whole one
        closed_at = newest + step
        if self.checked.get(alert.id) == newest or closed_at <= alert.created_at:
            return None
        self.checked[alert.id] = newest
        if closed_at < cooling.get(alert.id, closed_at):
            return None
        times = trigger_times(condition, candles, base)
        if not times or times[-1] != newest:
            return None
        return _candidate(alert, candles, base, newest, closed_at, quote)


def _timeframe(condition: Condition) -> str:
    """The candles an indicator or volume alert is read on (price alerts are matched on ticks,
    moves on the stored candles that measure their window)."""
    assert isinstance(condition, CandleCondition), condition
    return condition.timeframe


def base_timeframes(alert: WatchedAlert, stored: Sequence[str]) -> list[str]:
    """The stored candles an alert can be checked on, best first: for a move the shortest
    that measure its window in at most MOVE_CANDLES, else the longest that build its
    timeframe (the fewest candles to read)."""
    condition = alert.condition
    steps = sorted((TIMEFRAMES[t], t) for t in stored if t in TIMEFRAMES)
    if isinstance(condition, PriceChange):
        window = condition.window
        fits = [(step, t) for step, t in steps if step <= window and not window % step]
        short = [t for step, t in fits if window // step <= MOVE_CANDLES]
        return short + [t for step, t in reversed(fits) if t not in short]
    want = TIMEFRAMES[_timeframe(condition)]
    return [t for step, t in reversed(steps) if step <= want and not want % step]


def needed(alert: WatchedAlert, base: str) -> int:
    """Stored candles of `base` an alert's check reads: its window, or its warm-up."""
    condition = alert.condition
    if isinstance(condition, PriceChange):
        return condition.window // TIMEFRAMES[base] + 2
    period = getattr(condition, "period", 0) or getattr(condition, "lookback", 0)
    per_candle = TIMEFRAMES[_timeframe(condition)] // TIMEFRAMES[base]
    return min(MAX_CANDLES, (max(WARMUP, 5 * period) + 2) * per_candle)


def _candidate(
    alert: WatchedAlert,
    candles: Sequence[Candle],
    base: str,
    opened: datetime,
    closed_at: datetime,
    quote: PriceQuote | None,
) -> Candidate:
    """The price now (the latest quote, else the close) with its 24h change; for a move, the
    close it was measured at and the move over its window."""
    condition = alert.condition
    trigger, symbol = opened.isoformat(), alert.symbol
    if isinstance(condition, PriceChange):
        back = condition.window // TIMEFRAMES[base]
        now, then = candles[-1].close, candles[-1 - back].close
        change = (now - then) / then * 100 if then else None
        currency = quote.quote if quote else "USD"
        return Candidate(
            alert.id, symbol, trigger, closed_at, now, currency, change, condition.window
        )
    if quote is None:
        return Candidate(alert.id, symbol, trigger, closed_at, candles[-1].close)
    price, currency, change = quote.price, quote.quote, quote.change_24h_pct
    return Candidate(alert.id, symbol, trigger, closed_at, price, currency, change)
