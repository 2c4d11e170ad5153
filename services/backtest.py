"""/backtest: "long when P(up) > threshold, else flat" against buy-and-hold, on the serving
model's out-of-sample probabilities (its walk-forward out-of-fold predictions, kept in its
bundle) — never on probabilities of a model that had seen the outcome.

One read transaction finds the coin, the model that serves its horizon (the champion, else the
newest trained: the rule of `services.model_registry.serving`), its file — decoded on a worker
thread, since a bundle can be megabytes — and the coin's 1h candles over what its out-of-fold
probabilities reach (the series rule: `services.series`); the strategy runs on a worker thread
too.

Refusals, besides the arguments' own (`core.predict.backtest.parse_args`) and `coins.unknown`:
`backtest.no_model` (coin, horizon): nothing trained for it yet;
`backtest.no_probabilities` (coin, horizon, version): its bundle holds no out-of-fold rows;
`backtest.no_candles` (coin): no 1h candles over the model's window;
`backtest.outside_window` (coin, horizon, period, covered_from, covered_to): the period asked
leaves fewer than two of the model's out-of-sample probabilities.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.market import TIMEFRAMES
from core.periods import Period
from core.predict import TIMEFRAME
from core.predict.backtest import Backtest, BacktestArgs, Window, parse_args, run, window
from core.predict.bundle import decode
from core.predict.promotion import serving_of
from core.refusal import Refusal
from db.repos import model_registry as registry
from services.deps import Deps
from services.market import coins_or_refuse
from services.series import load_series

CANDLE = TIMEFRAMES[TIMEFRAME]


@dataclass(frozen=True, slots=True)
class ModelUsed:
    """The model whose out-of-sample probabilities were traded."""

    id: int
    version: int
    status: str  # 'champion' serves; otherwise its base rate is served ("no edge found")
    reason: str  # its promotion decision: 'edge', 'no_edge', 'worse_than_incumbent', …
    trained_to: datetime
    created_at: datetime

    @property
    def serves(self) -> bool:
        return self.status == "champion"


@dataclass(frozen=True, slots=True)
class BacktestResult:
    coin: str
    name: str  # "Bitcoin"
    period: Period | None  # as asked; None: the whole out-of-sample window
    window: Window
    model: ModelUsed
    backtest: Backtest
    market: str  # where the closes came from: "binance BTC/USDT spot"

    @property
    def horizon(self) -> str:
        return self.backtest.horizon

    @property
    def key(self) -> str:
        """What the picture shows, to find it again: the model, the rule and the closes."""
        b = self.backtest
        span = f"{b.start.timestamp():.0f}-{b.end.timestamp():.0f}"
        rule = f"{b.horizon}:{b.threshold}:{b.fee}"
        return f"backtest:{self.coin}:{self.market}:{self.model.id}:{rule}:{span}"


async def backtest(deps: Deps, typed: Sequence[str]) -> BacktestResult:
    """/backtest COIN [1h|4h|24h] [period] [threshold]: the strategy against buy-and-hold."""
    args = parse_args(typed)
    async with deps.read() as session:
        (coin,) = await coins_or_refuse(deps, session, args.symbols)
        asset_id = deps.directory.ids.get(coin)
        rows = []
        if asset_id is not None:
            rows = await registry.serving_rows(session, asset_id=asset_id, horizon=args.horizon)
        serving = serving_of(rows) if rows else None
        data = await registry.artifact(session, serving.id) if serving is not None else None
        if serving is None or data is None:
            raise Refusal("backtest.no_model", coin=coin, horizon=args.horizon)
        model = _used(serving)
        oof = await asyncio.to_thread(_probabilities, data)  # a bundle can be megabytes
        if not oof:
            raise Refusal(
                "backtest.no_probabilities", coin=coin, horizon=args.horizon, version=model.version
            )
        # only the candles the probabilities reach (the period counts back from the last
        # close, which is at or after the last probability)
        first = oof[0][0]
        if args.period is not None:
            first = max(first, oof[-1][0] - args.period.span - CANDLE)
        now = deps.clock.now()
        series = await load_series(deps, session, coin, TIMEFRAME, span=now - first + CANDLE)
    if series is None:
        raise Refusal("backtest.no_candles", coin=coin)
    # closes that happened: the hour still trading has no close yet
    closes = [(c.ts + CANDLE, float(c.close)) for c in series.candles if c.ts + CANDLE <= now]
    if len(closes) < 2:
        raise Refusal("backtest.no_candles", coin=coin)
    name = deps.directory.display.get(coin, coin)
    market = f"{series.origin.exchange} {series.origin.pair} {series.origin.kind}"
    found = await asyncio.to_thread(_run, oof, closes, coin, args, series.end)
    return BacktestResult(coin, name, args.period, found[0], model, found[1], market)


def _probabilities(data: bytes) -> list[tuple[datetime, float]]:
    """The bundle's out-of-fold probabilities, oldest first."""
    return sorted(decode(data).oof)


def _run(
    oof: list[tuple[datetime, float]],
    closes: list[tuple[datetime, float]],
    coin: str,
    args: BacktestArgs,
    end: datetime,
) -> tuple[Window, Backtest]:
    """Off the event loop: the window cut, the strategy run."""
    times = [t for t, _ in oof]
    since = end - args.period.span if args.period is not None else None
    cut = window(times, closes[-1][0], args.horizon, since)
    if cut is None:
        if args.period is None:  # the probabilities are there, the candles are not
            raise Refusal("backtest.no_candles", coin=coin)
        raise Refusal(
            "backtest.outside_window",
            coin=coin,
            horizon=args.horizon,
            period=args.period.label,
            covered_from=times[0],
            covered_to=times[-1],
        )
    inside = [(t, p) for t, p in closes if cut.start <= t <= cut.end]
    said = {t: p for t, p in oof if cut.start <= t <= cut.end}
    try:
        result = run(inside, said, args.horizon, args.threshold)
    except ValueError:  # the candles at the probabilities' times are missing
        raise Refusal("backtest.no_candles", coin=coin) from None
    return cut, result


def _used(row: Any) -> ModelUsed:
    decision = (row.metrics or {}).get("decision") or {}
    reason = str(decision.get("reason", "edge" if row.status == "champion" else "no_edge"))
    return ModelUsed(row.id, row.version, row.status, reason, row.trained_to, row.created_at)
