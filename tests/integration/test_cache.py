"""One suite, two caches: the in-process one and Redis must behave the same."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.market import PriceQuote
from db.cache import Cache, MemoryCache


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    if request.param == "memory":
        made: Cache = MemoryCache()
    else:
        from db.redis_cache import RedisCache

        made = RedisCache(request.getfixturevalue("redis_reachable"))
        await made._client.flushdb()  # db 15 belongs to the tests
    yield made
    await made.close()


def quote(asset: str, price: str) -> PriceQuote:
    return PriceQuote(
        asset=asset,
        price=Decimal(price),
        quote="USDT",
        exchange="binance",
        ts=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        change_24h_pct=Decimal("-1.25"),
        volume_24h=Decimal("0.00000001"),
    )


async def test_latest_prices_round_trip_exactly(cache: Cache) -> None:
    await cache.set_prices([quote("BTC", "64123.45000001"), quote("ETH", "0.1")])
    got = await cache.get_prices(["BTC", "ETH", "SOL"])
    assert set(got) == {"BTC", "ETH"}
    assert got["BTC"] == quote("BTC", "64123.45000001")
    assert got["ETH"].price == Decimal("0.1")
    assert got["BTC"].ts.tzinfo is not None


async def test_a_newer_price_replaces_the_older(cache: Cache) -> None:
    await cache.set_prices([quote("BTC", "1")])
    await cache.set_prices([quote("BTC", "2")])
    assert (await cache.get_prices(["BTC"]))["BTC"].price == Decimal(2)


async def test_prices_expire_after_a_day(cache: Cache) -> None:
    await cache.set_prices([quote("BTC", "1")])
    left = await cache.ttl("price:BTC")
    assert left is not None and 86_000 < left <= 86_400


async def test_keys_expire_after_their_ttl(cache: Cache) -> None:
    await cache.set("short", "lived", ttl=0.15)
    await cache.set("forever", "young")
    assert await cache.get("short") == "lived"
    assert await cache.ttl("forever") is None
    await asyncio.sleep(0.3)
    assert await cache.get("short") is None
    assert await cache.get("forever") == "young"
    await cache.delete("forever")
    assert await cache.get("forever") is None


async def test_a_fill_sets_only_an_empty_key(cache: Cache) -> None:
    assert await cache.fill("copy", "read from the database", ttl=60)
    assert await cache.get("copy") == "read from the database"
    await cache.set("copy", "newer, from its writer")
    assert not await cache.fill("copy", "older, read before the write")
    assert await cache.get("copy") == "newer, from its writer"
    assert await cache.fill("brief", "1", ttl=0.05)
    await asyncio.sleep(0.1)
    assert await cache.fill("brief", "2")  # expired: empty again
    assert await cache.get("brief") == "2" and await cache.ttl("brief") is None


async def test_subscribers_receive_what_is_published_in_order(cache: Cache) -> None:
    async with cache.subscribe("prices") as first, cache.subscribe("prices") as second:
        for n in range(5):
            await cache.publish("prices", f"tick {n}")
        await cache.publish("other", "not for us")
        for subscription in (first, second):
            got = [await subscription.get(timeout=2) for _ in range(5)]
            assert got == [f"tick {n}" for n in range(5)]
            assert await subscription.get(timeout=0.1) is None


async def test_nothing_arrives_after_unsubscribing(cache: Cache) -> None:
    async with cache.subscribe("prices") as subscription:
        await cache.publish("prices", "one")
        assert await subscription.get(timeout=2) == "one"
    await cache.publish("prices", "two")  # no subscriber, no error


async def test_a_lock_is_held_by_one_holder_at_a_time(cache: Cache) -> None:
    async with cache.lock("job", ttl=5) as first:
        assert first is True
        async with cache.lock("job", ttl=5) as second:
            assert second is False
        async with cache.lock("other", ttl=5) as unrelated:
            assert unrelated is True
    async with cache.lock("job", ttl=5) as again:
        assert again is True


async def test_a_waiting_locker_gets_the_lock_when_it_is_released(cache: Cache) -> None:
    order: list[str] = []

    async def holder() -> None:
        async with cache.lock("job", ttl=5) as held:
            assert held
            order.append("held")
            await asyncio.sleep(0.2)
            order.append("released")

    task = asyncio.create_task(holder())
    await asyncio.sleep(0.05)
    async with cache.lock("job", ttl=5, wait=3) as waited:
        assert waited is True
        order.append("waiter")
    await task
    assert order == ["held", "released", "waiter"]


async def test_a_lock_expires_if_its_holder_never_releases(cache: Cache) -> None:
    async with cache.lock("job", ttl=0.2) as held:
        assert held
        await asyncio.sleep(0.35)
        async with cache.lock("job", ttl=5) as taken_over:
            assert taken_over is True


async def test_redis_databases_do_not_hear_each_others_channels(redis_reachable: str) -> None:
    """Pub/sub is server-wide in Redis; Pythias on two databases of one server stay apart."""
    from db.redis_cache import RedisCache

    base, _, number = redis_reachable.rpartition("/")
    other_url = f"{base}/{(int(number or 0) + 1) % 16}"
    mine, theirs = RedisCache(redis_reachable), RedisCache(other_url)
    try:
        async with mine.subscribe("prices") as subscription:
            await theirs.publish("prices", "from the other database")
            await mine.publish("prices", "ours")
            assert await subscription.get(timeout=2) == "ours"
            assert await subscription.get(timeout=0.1) is None
    finally:
        await mine.close()
        await theirs.close()


async def test_a_burst_wider_than_the_connection_pool_waits_instead_of_failing(
    cache: Cache,
) -> None:
    """Hundreds of handlers asking at once (a burst of updates) share a bounded pool."""
    await cache.set("burst", "ok")
    async with cache.subscribe("prices"):  # a subscription holds a connection meanwhile
        got = await asyncio.gather(*(cache.get("burst") for _ in range(500)))
    assert got == ["ok"] * 500


# ---- token buckets (db.ratelimit): the same in-process and on Redis, shared there --------------


async def takes(cache: Cache, key: str, count: int, burst: float = 3, rate: float = 10.0):
    return [await cache.take_token(key, burst, rate) for _ in range(count)]


async def test_a_burst_is_granted_and_the_rest_denied_once_told(cache: Cache) -> None:
    got = await takes(cache, "flood:1", 6, rate=0.01)
    assert [t.granted for t in got] == [True, True, True, False, False, False]
    assert [t.first_denial for t in got] == [False, False, False, True, False, False]
    assert got[0].wait == 0 and 99 < got[3].wait <= 100  # one token at 0.01 a second


async def test_each_key_has_a_bucket_of_its_own(cache: Cache) -> None:
    await takes(cache, "flood:1", 4, rate=0.01)
    assert all(t.granted for t in await takes(cache, "flood:2", 3, rate=0.01))


async def test_the_bucket_refills_and_a_new_flood_is_told_again(cache: Cache) -> None:
    await takes(cache, "flood:1", 4, burst=2)  # 10 a second: one back in 0.1 s
    await asyncio.sleep(0.15)
    again = await takes(cache, "flood:1", 2, burst=2)
    assert [t.granted for t in again] == [True, False]
    assert not again[1].first_denial  # the same flood: it never filled up
    await asyncio.sleep(0.5)  # full again
    fresh = await takes(cache, "flood:1", 3, burst=2)
    assert [(t.granted, t.first_denial) for t in fresh] == [
        (True, False),
        (True, False),
        (False, True),
    ]


async def test_two_processes_on_one_redis_share_a_bucket(redis_reachable: str) -> None:
    from db.redis_cache import RedisCache

    one, two = RedisCache(redis_reachable), RedisCache(redis_reachable)
    try:
        await one._client.flushdb()
        got = await asyncio.gather(*(c.take_token("flood:9", 10, 0.01) for c in [one, two] * 10))
        assert sum(t.granted for t in got) == 10
        assert sum(t.first_denial for t in got) == 1
        left = await one._client.pttl("bucket:flood:9")
        assert 0 < left <= 1001 * 1000 + 1000  # forgotten once it would be full anyway
    finally:
        await one.close()
        await two.close()


async def test_full_buckets_of_the_in_process_cache_are_forgotten() -> None:
    cache = MemoryCache()
    for n in range(10_050):
        await cache.take_token(f"flood:{n}", 1, 1e9)  # full again at once
    assert len(cache._buckets) < 100
