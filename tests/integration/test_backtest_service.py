"""What /backtest reads: the coin, the model serving its horizon, that model's out-of-sample
probabilities from its stored bundle and the coin's hourly closes, on SQLite with the
in-process cache and on Postgres with Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.clock import FixedClock
from core.market import Candle
from core.predict.backtest import FEE_PER_SIDE, run
from core.predict.bundle import Bundle, encode
from core.refusal import Refusal
from core.settings import Settings
from db.candles import candle_market, save_candles
from services.backtest import backtest
from services.deps import Deps, build_deps, close_deps
from services.model_registry import Training, record_training

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
    db_url: str, backend: str, request: pytest.FixtureRequest, engine
) -> AsyncIterator[Deps]:  # engine: empties Postgres
    redis_url = None
    if backend == "postgres":
        import redis.asyncio as redis

        redis_url = request.getfixturevalue("redis_reachable")
        client = redis.Redis.from_url(redis_url)
        await client.flushdb()
        await client.aclose()
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
