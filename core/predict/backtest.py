"""`/backtest`: "long when P(up) > threshold, else flat" against buy-and-hold, on out-of-sample
probabilities only. Pure: closes and probabilities in, an equity curve and its figures out.

How a position is held (no look-ahead; the rule the views say in one line):

- Decisions are made at candle closes that carry a probability made at that close (the model's
  walk-forward out-of-fold predictions: `core.predict.bundle.Bundle.oof`).
- Flat, at a close whose P(up) > threshold: buy at that close (a fee on the way in) and hold for
  the horizon the probability speaks about (1h, 4h or 24h).
- When the horizon has passed (the first close at or after entry + horizon), decide again with
  the probability made at that close: still above the threshold, keep holding another horizon
  (no trade, no fee); otherwise, or without a probability there, sell at that close (a fee on
  the way out). So positions never overlap and every hour is either in the market or not.
- At the end of the window a position still held is sold at the last close (fees paid), as
  buy-and-hold is: bought at the first close, sold at the last, a fee on each side.

What it is not: the probabilities are out of sample (each made by a model fitted on earlier
candles only), but the model that serves was chosen by how those same predictions scored, and
the threshold is the person's choice after seeing the past: a backtest flatters. Slippage and
funding are not counted; a position is sold at the next decision's close, not at a stop.

Fees are a fraction of what is traded, taken on each side: FEE_PER_SIDE (0.1 %, a taker's fee
on the big exchanges; a constant, said in every answer). Equity is a growth factor (1.0 at the
start), not money: floats throughout.

Arguments (`parse_args`), refusals (`core.refusal.BadArgument`): `backtest.one_coin` (count),
`backtest.horizon_unknown` (typed, allowed), `backtest.horizon_twice`,
`backtest.threshold_range` (typed, low, high), `backtest.threshold_twice`, and the periods'
own (`period.unreadable`, `period.too_long`, `period.twice`).
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from core.periods import Period, parse_period
from core.predict import DEFAULT_HORIZON, HORIZONS
from core.refusal import BadArgument

FEE_PER_SIDE = 0.001  # 0.1 % of what is bought or sold, each side
DEFAULT_THRESHOLD = 0.55
LOWEST_THRESHOLD = 0.5  # "long whenever the model leans up"; below it, long on a lean down
HIGHEST_THRESHOLD = 0.95  # beyond it a calibrated model hardly ever speaks
MIN_DECISIONS = 2  # closes with a probability a backtest needs
CLIPPED_SHARE = 0.1  # a window this much shorter than the period asked says so

_THRESHOLD = re.compile(r"^(?:(?:p(?:\(up\))?)?\s*>=?\s*)?(\d{0,2}(?:[.,]\d+)?|\d{1,3})\s*(%?)$")
_SAYING_ABOVE = (">", "p>", "p(up)>", "p", "p(up)")  # "P(up) > 0.6" typed apart
_HOURS = re.compile(r"^\d+\s*h$")


# ---- what was asked ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BacktestArgs:
    symbols: tuple[str, ...]  # as typed: exactly one, resolved to a coin by the caller
    horizon: str  # a key of HORIZONS
    period: Period | None  # None: everything the model's out-of-sample window covers
    threshold: float


def parse_args(args: Sequence[str]) -> BacktestArgs:
    """`BTC`, `BTC 24h 3m`, `BTC 4h 1y 0.6`, `eth 60% 1h`: the coin, then horizon, period and
    threshold in any order. A token in hours is a horizon (an hours-long backtest is too short
    to say anything); one with days, weeks, months or years a period; a number a threshold
    (0.6, 0,6, 60%, or 60 for 60 %; `P(up) > 0.6` and `>0.6` too), from 0.5 to 0.95."""
    symbols: list[str] = []
    horizon: str | None = None
    period: Period | None = None
    threshold: float | None = None
    for arg in args:
        token = arg.strip().lower()
        if not token or token in _SAYING_ABOVE:
            continue
        if token in HORIZONS or _HOURS.match(token):
            if token not in HORIZONS:
                raise BadArgument(
                    "backtest.horizon_unknown", typed=arg.strip()[:24], allowed=tuple(HORIZONS)
                )
            if horizon is not None:
                raise BadArgument("backtest.horizon_twice")
            horizon = token
        elif _THRESHOLD.match(token) and any(ch.isdigit() for ch in token):
            if threshold is not None:
                raise BadArgument("backtest.threshold_twice")
            threshold = parse_threshold(arg)
        elif token[0].isdigit():
            if period is not None:
                raise BadArgument("period.twice")
            period = parse_period(token)
        else:
            symbols.append(arg.strip())
    if len(symbols) != 1:
        raise BadArgument("backtest.one_coin", count=len(symbols))
    return BacktestArgs(
        tuple(symbols),
        horizon or DEFAULT_HORIZON,
        period,
        DEFAULT_THRESHOLD if threshold is None else threshold,
    )


def parse_threshold(text: str) -> float:
    """0.6 · 0,6 · .6 · 60% · 60 · p>0.6 · >0.6 · P(up)>60% → 0.6; BadArgument
    backtest.threshold_range outside 0.5–0.95."""
    match = _THRESHOLD.match(text.strip().lower())
    refused = BadArgument(
        "backtest.threshold_range",
        typed=text.strip()[:24],
        low=LOWEST_THRESHOLD,
        high=HIGHEST_THRESHOLD,
    )
    if match is None or not any(ch.isdigit() for ch in match.group(1)):
        raise refused
    number, percent = match.group(1).replace(",", "."), match.group(2)
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise refused from None
    if percent or value > 1:  # 60% or 60: a percentage
        value /= 100
    if not Decimal(str(LOWEST_THRESHOLD)) <= value <= Decimal(str(HIGHEST_THRESHOLD)):
        raise refused
    return float(value)


# ---- the window ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """The closes a backtest decides at: what was asked, cut to what the out-of-sample
    probabilities cover. `clipped` says the period asked reaches beyond them by more than a
    horizon and more than a tenth of it (the probabilities always end a horizon before the
    candles used to train: their outcome had to be known)."""

    start: datetime  # the first decision (a close with a probability)
    end: datetime  # the last close marked: the last decision + the horizon, or the last close
    covered_from: datetime  # the model's out-of-sample window, first and last probability
    covered_to: datetime
    clipped: bool


def window(
    oof_times: Sequence[datetime],
    closes_to: datetime,
    horizon: str,
    since: datetime | None,
) -> Window | None:
    """The window of a backtest over [since, closes_to] (since None: as far back as the
    probabilities go) on probabilities made at the sorted `oof_times`: None when fewer than
    MIN_DECISIONS of them fall in it. `closes_to` is the close time of the last candle stored."""
    if not oof_times:
        return None
    first, last = oof_times[0], oof_times[-1]
    lo = bisect.bisect_left(oof_times, since) if since is not None else 0
    hi = bisect.bisect_right(oof_times, closes_to)
    if hi - lo < MIN_DECISIONS:
        return None
    start, final = oof_times[lo], oof_times[hi - 1]
    hold_for = timedelta(hours=HORIZONS[horizon])
    end = min(final + hold_for, closes_to)
    clipped = False
    if since is not None:  # what was asked, less a horizon or a tenth of it, is left out
        asked, used = closes_to - since, end - start
        clipped = asked - used > max(hold_for, asked * CLIPPED_SHARE)
    return Window(start, end, first, last, clipped)


# ---- the strategy ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Trade:
    entered: datetime
    exited: datetime
    entry_price: float
    exit_price: float
    net_return: float  # after both fees: 0.01 = +1 %

    @property
    def won(self) -> bool:
        return self.net_return > 0


@dataclass(frozen=True, slots=True)
class Backtest:
    """The strategy and buy-and-hold over the same closes, marked at each of them.

    `times[i]`: a close; `strategy[i]`, `hold[i]`: each one's equity after that close (and any
    fee paid at it), 1.0 before the start; `in_market[i]`: whether the strategy held the coin
    over the hour(s) ending at `times[i]` (False at the first close)."""

    horizon: str
    threshold: float
    fee: float
    times: tuple[datetime, ...]
    strategy: tuple[float, ...]
    hold: tuple[float, ...]
    in_market: tuple[bool, ...]
    trades: tuple[Trade, ...]
    decisions: int  # closes with a probability in the window

    @property
    def start(self) -> datetime:
        return self.times[0]

    @property
    def end(self) -> datetime:
        return self.times[-1]

    @property
    def strategy_return(self) -> float:
        return self.strategy[-1] - 1.0

    @property
    def hold_return(self) -> float:
        return self.hold[-1] - 1.0

    @property
    def max_drawdown(self) -> float:
        """The strategy's largest fall from a peak, as a fraction (0.2 = −20 %); 0 if none."""
        return max_drawdown(self.strategy)

    @property
    def hold_drawdown(self) -> float:
        return max_drawdown(self.hold)

    @property
    def hours(self) -> float:
        return (self.end - self.start) / timedelta(hours=1)

    @property
    def hours_in_market(self) -> float:
        held = timedelta(0)
        for i in range(1, len(self.times)):
            if self.in_market[i]:
                held += self.times[i] - self.times[i - 1]
        return held / timedelta(hours=1)

    @property
    def time_in_market(self) -> float:
        """The share of the window's hours the strategy held the coin."""
        return self.hours_in_market / self.hours if self.hours else 0.0

    @property
    def won(self) -> int:
        return sum(1 for trade in self.trades if trade.won)


def max_drawdown(equity: Sequence[float]) -> float:
    """The largest fall from a running peak, as a fraction of that peak (starting from 1.0)."""
    peak, worst = 1.0, 0.0
    for value in equity:
        peak = max(peak, value)
        if peak > 0:
            worst = max(worst, 1.0 - value / peak)
    return worst


def run(
    closes: Sequence[tuple[datetime, float]],
    probabilities: Mapping[datetime, float],
    horizon: str,
    threshold: float = DEFAULT_THRESHOLD,
    fee: float = FEE_PER_SIDE,
) -> Backtest:
    """The strategy over `closes` (close time, close price; sorted: the window's, through the
    last close to mark), deciding at the closes that have a probability in `probabilities`
    (close time → P(up) made at that close). It starts at the first close with a probability
    (earlier ones are left out); ValueError when fewer than two closes are left from there, or
    a price is not a positive number."""
    first = next((i for i, (when, _) in enumerate(closes) if when in probabilities), None)
    closes = closes[first:] if first is not None else ()
    if len(closes) < 2:
        raise ValueError("a backtest needs 2 closes or more from the first with a probability")
    if any(not (price > 0 and math.isfinite(price)) for _, price in closes):
        raise ValueError("every close of a backtest must be a positive number")
    if not 0 <= fee < 1:
        raise ValueError(f"a fee is a fraction of what is traded, got {fee}")
    hold_for = timedelta(hours=HORIZONS[horizon])
    last = len(closes) - 1
    keep = 1.0 - fee

    times = [t for t, _ in closes]
    equity, hold = 1.0, keep  # buy-and-hold buys at the first close
    strategy_curve: list[float] = []
    hold_curve: list[float] = []
    in_market: list[bool] = []
    trades: list[Trade] = []
    holding = False
    entered_at, entry_price, entry_equity = times[0], 0.0, 1.0
    due = times[0]
    decisions = 0

    for i, (when, price) in enumerate(closes):
        held = holding
        if i > 0:
            move = price / closes[i - 1][1]
            hold *= move
            if holding:
                equity *= move
        p = probabilities.get(when)
        decisions += p is not None
        wants = p is not None and p > threshold
        if holding and (when >= due or i == last):
            if wants and i < last:
                due = when + hold_for  # still confident: hold another horizon, no trade
            else:
                equity *= keep
                holding = False
                net = equity / entry_equity - 1.0
                trades.append(Trade(entered_at, when, entry_price, price, net))
        elif not holding and wants and i < last:
            entry_equity = equity  # before the fee: a trade's return counts both fees
            equity *= keep
            holding = True
            entered_at, entry_price, due = when, price, when + hold_for
        if i == last:
            hold *= keep  # buy-and-hold sells at the last close
        strategy_curve.append(equity)
        hold_curve.append(hold)
        in_market.append(held and i > 0)

    return Backtest(
        horizon=horizon,
        threshold=threshold,
        fee=fee,
        times=tuple(times),
        strategy=tuple(strategy_curve),
        hold=tuple(hold_curve),
        in_market=tuple(in_market),
        trades=tuple(trades),
        decisions=decisions,
    )
