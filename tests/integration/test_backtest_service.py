"""What /backtest reads: the coin, the model serving its horizon, that model's out-of-sample
probabilities from its stored bundle and the coin's hourly closes, on SQLite with the
in-process cache and on Postgres with Redis."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.clock import FixedClock
from core.market import Candle
from core.predict.backtest import FEE_PER_SIDE, run
from core.predict.bundle import Bundle, decode, encode
from core.predict.features import Inputs
from core.refusal import Refusal
from core.settings import Settings
from db.candles import candle_market, save_candles
from services.backtest import backtest
from services.deps import Deps, build_deps, close_deps
from services.model_registry import Training, record_training
from workers.predict.train import train
from workers.sources.replay import load_series as load_replay

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
FIRST = NOW - 40 * DAY  # the first candle opens here; the last closes at NOW
OOF_FROM, OOF_TO = NOW - 30 * DAY, NOW - 5 * DAY  # the model's out-of-sample window (closes)


def price_at(close_time: datetime) -> Decimal:
    """A price that climbs by day and dips each afternoon: ups and downs to trade."""
    hours = int((close_time - FIRST) / HOUR)
    return Decimal(1000 + hours) - (Decimal(30) if 12 <= close_time.hour < 18 else 0)


def p_up(when: datetime) -> float:
    """Confident in the mornings, doubtful otherwise."""
    return 0.7 if 6 <= when.hour < 12 else 0.4


OOF_TIMES = [OOF_FROM + i * HOUR for i in range(int((OOF_TO - OOF_FROM) / HOUR) + 1)]
OOF = [(t, p_up(t)) for t in OOF_TIMES]


def bundle(oof: list[tuple[datetime, float]]) -> bytes:
    return encode(Bundle([], "", {}, {}, 0.52, oof, {"horizon": "24h"}))


def training(asset: str, horizon: str, serve: bool, oof=OOF, incumbent: int | None = None):
    reason = "edge" if serve else "no_edge"
    return Training(
        asset=asset,
        horizon=horizon,
        artifact=bundle(oof),
        metrics={"decision": {"serve": serve, "reason": reason}, "base_rate": 0.52},
        features=[],
        trained_from=FIRST,
        trained_to=NOW - 4 * DAY,
        incumbent_id=incumbent,
    )


@pytest.fixture
async def deps(
    db_url: str, cache_url: str | None, engine
) -> AsyncIterator[Deps]:  # engine: empties Postgres
    redis_url = cache_url
    settings = Settings(database_url=db_url, redis_url=redis_url, symbols=["BTC", "ETH", "SOL"])
    built = await build_deps(settings, FixedClock(NOW))
    candles = []
    for i in range(int((NOW - FIRST) / HOUR)):
        opened = FIRST + i * HOUR
        close = price_at(opened + HOUR)
        candles.append(Candle(opened, close, close + 5, close - 5, close, Decimal(10)))
    async with built.write() as session:
        market = await candle_market(session, "binance", "BTC/USDT", "BTC", "USDT", NOW)
        await save_candles(session, market, "1h", candles)
    yield built
    await close_deps(built)


async def test_the_strategy_trades_the_models_out_of_sample_probabilities(deps: Deps) -> None:
    model = await record_training(deps, training("BTC", "24h", serve=True))
    result = await backtest(deps, ["btc"])
    assert (result.coin, result.name, result.horizon) == ("BTC", "Bitcoin", "24h")
    assert result.model.id == model.id and result.model.serves
    assert result.period is None and not result.window.clipped
    assert result.market == "binance BTC/USDT spot"
    b = result.backtest
    # from the first out-of-fold probability to a day after the last, at every hourly close
    assert (b.start, b.end) == (OOF_FROM, OOF_TO + DAY)
    assert len(b.times) == int((OOF_TO + DAY - OOF_FROM) / HOUR) + 1
    assert b.decisions == len(OOF)
    first, last = float(price_at(OOF_FROM)), float(price_at(OOF_TO + DAY))
    assert b.hold_return == pytest.approx(last / first * (1 - FEE_PER_SIDE) ** 2 - 1)
    # each morning at 06:00 it buys and holds a day (then it is 06:00 again: held on, and so
    # on): one long trade, the whole window less the first hours before 06:00
    (trade,) = b.trades
    assert OOF_FROM.hour == 12 and trade.entered == (OOF_FROM + DAY).replace(hour=6)
    assert trade.exited == (OOF_TO + DAY).replace(hour=6)  # no probability there: out
    expected = run(
        [(t, float(price_at(t))) for t in b.times], dict(OOF), "24h", b.threshold, FEE_PER_SIDE
    )
    assert b == expected


async def test_a_higher_threshold_than_any_probability_stays_flat(deps: Deps) -> None:
    await record_training(deps, training("BTC", "24h", serve=True))
    result = await backtest(deps, ["BTC", "0.75"])
    assert result.backtest.threshold == 0.75
    assert result.backtest.trades == () and result.backtest.strategy_return == 0


async def test_a_period_is_counted_back_from_the_last_close_and_cut_to_the_window(
    deps: Deps,
) -> None:
    await record_training(deps, training("BTC", "4h", serve=True))
    inside = await backtest(deps, ["BTC", "4h", "10d"])
    assert inside.backtest.start == NOW - 10 * DAY
    assert inside.backtest.end == OOF_TO + 4 * HOUR
    assert inside.window.clipped  # 10 days asked, 5 days and 4 hours of probabilities
    longer = await backtest(deps, ["BTC", "4h", "1y"])
    assert longer.window.clipped and longer.period is not None and longer.period.label == "1y"
    assert longer.backtest.start == OOF_FROM
    assert (longer.window.covered_from, longer.window.covered_to) == (OOF_FROM, OOF_TO)


async def test_a_period_after_the_probabilities_is_refused_with_their_window(deps: Deps) -> None:
    await record_training(deps, training("BTC", "1h", serve=True))
    with pytest.raises(Refusal) as refused:
        await backtest(deps, ["BTC", "1h", "3d"])
    assert refused.value == Refusal(
        "backtest.outside_window",
        coin="BTC",
        horizon="1h",
        period="3d",
        covered_from=OOF_FROM,
        covered_to=OOF_TO,
    )


async def test_the_champion_is_backtested_before_a_newer_rejected_model(deps: Deps) -> None:
    champion = await record_training(deps, training("BTC", "24h", serve=True))
    await record_training(deps, training("BTC", "24h", serve=False, incumbent=champion.id))
    result = await backtest(deps, ["BTC"])
    assert (result.model.version, result.model.status) == (1, "champion")


async def test_without_a_champion_the_newest_model_is_backtested_and_said_not_to_serve(
    deps: Deps,
) -> None:
    await record_training(deps, training("BTC", "24h", serve=False))
    await record_training(deps, training("BTC", "24h", serve=False))
    result = await backtest(deps, ["BTC"])
    assert (result.model.version, result.model.serves, result.model.reason) == (2, False, "no_edge")


async def test_what_cannot_be_backtested_is_refused(deps: Deps) -> None:
    await record_training(deps, training("BTC", "24h", serve=True))
    await record_training(deps, training("SOL", "24h", serve=True))  # SOL has no candles
    await record_training(deps, training("BTC", "1h", serve=False, oof=[]))
    cases = {
        ("BTC", "4h"): Refusal("backtest.no_model", coin="BTC", horizon="4h"),
        ("SOL",): Refusal("backtest.no_candles", coin="SOL"),
        ("BTC", "1h"): Refusal("backtest.no_probabilities", coin="BTC", horizon="1h", version=1),
    }
    for typed, expected in cases.items():
        with pytest.raises(Refusal) as refused:
            await backtest(deps, list(typed))
        assert refused.value == expected, typed
    for words, code in [
        ("NOPE", "coins.unknown"),
        ("BTC 0.99", "backtest.threshold_range"),
        ("BTC 12h", "backtest.horizon_unknown"),
        ("BTC ETH", "backtest.one_coin"),
    ]:
        with pytest.raises(Refusal) as refused:
            await backtest(deps, words.split())
        assert refused.value.code == code, words


# ---- a model trained by the workers' own training on the sandbox's real candles ---------------


@functools.cache
def sandbox_training(horizon: str) -> Training:
    """BTC's 24h (or other) model trained on the 120 days of real hourly candles the sandbox
    replays (once per test run: about a second of CPU)."""
    found = train(Inputs(load_replay()["BTC"].candles, None, None), "BTC", horizon)
    assert isinstance(found, Training), found
    return found


async def test_a_model_trained_on_the_sandbox_candles_is_backtested_on_its_own_oof(
    db_url: str, backend: str, request: pytest.FixtureRequest, engine
) -> None:
    candles = load_replay()["BTC"].candles
    end = candles[-1].ts + HOUR
    redis_url = request.getfixturevalue("redis_reachable") if backend == "postgres" else None
    settings = Settings(database_url=db_url, redis_url=redis_url, symbols=["BTC"])
    built = await build_deps(settings, FixedClock(end))
    try:
        async with built.write() as session:
            market = await candle_market(session, "binance", "BTC/USDT", "BTC", "USDT", end)
            await save_candles(session, market, "1h", candles)
        trained = sandbox_training("24h")
        model = await record_training(built, trained)
        oof = decode(trained.artifact).oof
        result = await backtest(built, ["BTC", "24h"])
        b = result.backtest
        assert result.model.id == model.id and result.model.reason == model.decision.reason
        # the probabilities traded are exactly the bundle's out-of-fold ones, all of them, and
        # each was made at a close within what the model was trained on
        assert b.decisions == len(oof) and b.start == oof[0][0]
        assert (result.window.covered_from, result.window.covered_to) == (oof[0][0], oof[-1][0])
        assert all(trained.trained_from <= t <= trained.trained_to for t, _ in oof)
        assert b.end == min(oof[-1][0] + DAY, end)
        closes = {c.ts + HOUR: float(c.close) for c in candles}
        ratio = closes[b.end] / closes[b.start]
        assert b.hold_return == pytest.approx(ratio * (1 - FEE_PER_SIDE) ** 2 - 1)
        expected = run([(t, closes[t]) for t in b.times], dict(oof), "24h", b.threshold)
        assert b == expected
        assert 0 <= b.time_in_market <= 1 and 0 <= b.max_drawdown < 1
        # a week asked: the last week of the probabilities, not clipped
        week = await backtest(built, ["BTC", "7d", "0.5"])
        assert week.backtest.start >= end - 7 * DAY and not week.window.clipped
    finally:
        await close_deps(built)
