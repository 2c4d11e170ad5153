"""Redis goes away and comes back (a private redis-server, SIGKILLed and started again on the
same port, nothing saved): the real redis-py client in our RedisCache, the real services.

While it is away: /price answers from the database (the tickers the workers store before they
cache), every price marked stale; a person's language is read from the database; the heartbeat
fails (the health check is meant to notice);
the alert matcher stops hearing prices. When it is back, with no restart of anything: prices
are cached and answered from the cache again, unmarked; the heartbeat is written; the matcher
has subscribed again and hears the next price.

On SQLite and Postgres (the database's part differs); the cache is always this Redis.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from redis.exceptions import RedisError

from bot.i18n import texts_for
from bot.views.price import render_prices
from core.market import PriceQuote, Ticker
from core.settings import Settings
from db.cache import PRICE_CHANNEL
from db.heartbeat import alive, beat
from services.deps import Deps, build_deps, close_deps
from services.ingest import record_tickers
from services.market import price
from services.people import language_of
from tests.own_redis import OwnRedis
from workers.alerting.matcher import AlertMatcher
from workers.jobs.base import WorkerDeps

EN = texts_for("en")
STALE = "⚠️ stale"


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    redis = OwnRedis()
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
async def deps(db_url: str, engine: object, own_redis: OwnRedis) -> AsyncIterator[Deps]:
    settings = Settings(database_url=db_url, redis_url=own_redis.url(), symbols=["BTC"])
    deps = await build_deps(settings)
    yield deps
    await close_deps(deps)


def ticker(deps: Deps, last: str) -> Ticker:
    return Ticker("binance", "BTC/USDT", "BTC", "USDT", Decimal(last), deps.clock.now())


async def test_price_from_the_database_marked_stale_while_redis_is_away_then_from_the_cache(
    deps: Deps, own_redis: OwnRedis
) -> None:
    known: dict[tuple[str, str], int] = {}
    usual = timedelta(seconds=deps.settings.stale_after)
    await record_tickers(deps, [ticker(deps, "64000")], known)
    live = await price(deps, ["BTC"])
    assert live.quotes["BTC"].price == Decimal(64000)
    assert live.freshness.stale_after == usual
    assert STALE not in render_prices(EN, live)

    own_redis.stop()
    # the workers still store each ticker; only caching and publishing it fail
    with pytest.raises(RedisError):
        await record_tickers(deps, [ticker(deps, "65000")], known)
    away = await price(deps, ["BTC"])
    assert away.quotes["BTC"].price == Decimal(65000)  # the database's, not the lost cache's
    assert away.freshness.stale_after == timedelta(0)
    assert STALE in render_prices(EN, away)
    again = await price(deps, ["BTC"])  # and again: nothing stuck
    assert (again.quotes, again.freshness.stale_after) == (away.quotes, timedelta(0))
    with pytest.raises(RedisError):
        await beat(deps.cache, "bot")
    # what every update asks first: the language, from the database (none kept: Telegram's)
    assert await language_of(deps, 42, "es") == "es"

    own_redis.start()  # empty: a Redis that lost its memory
    cold = await price(deps, ["BTC"])  # a cold cache reads the database, unmarked
    assert cold.quotes["BTC"].price == Decimal(65000)
    assert cold.freshness.stale_after == usual
    await record_tickers(deps, [ticker(deps, "66000")], known)  # the same client, reconnected
    back = await price(deps, ["BTC"])
    assert back.quotes["BTC"].price == Decimal(66000)
    assert back.freshness.stale_after == usual
    assert STALE not in render_prices(EN, back)
    await beat(deps.cache, "bot")
    assert await alive(deps.cache, "bot")


async def test_the_alert_matcher_listens_again_when_redis_is_back(
    deps: Deps, own_redis: OwnRedis
) -> None:
    workers = WorkerDeps.of(deps)
    matcher = AlertMatcher()
    await matcher.start(workers)
    following = asyncio.create_task(matcher.follow(workers))
    try:
        async with asyncio.timeout(10):
            await matcher.listening.wait()
        own_redis.stop()
        async with asyncio.timeout(10):
            while matcher.listening.is_set():  # noqa: ASYNC110 (no event says it cleared)
                await asyncio.sleep(0.05)
        await asyncio.sleep(2)  # a few failed attempts to listen again
        assert not following.done()
        own_redis.start()
        async with asyncio.timeout(10):
            await matcher.listening.wait()
        quote = PriceQuote("BTC", Decimal(67000), "USDT", "binance", deps.clock.now())
        async with asyncio.timeout(10):  # heard: what the matcher compares the next one with
            while matcher.previous.get("BTC") != quote:
                await deps.cache.publish(PRICE_CHANNEL, quote.to_json())
                await asyncio.sleep(0.2)
    finally:
        await matcher.stop_following(following)
