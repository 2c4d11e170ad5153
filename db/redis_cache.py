"""The cache on Redis, shared by the bot and worker processes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import cast

import redis.asyncio as redis
from redis.exceptions import LockError, RedisError

from core.market import PriceQuote
from db.cache import PRICE_TTL, Subscription, price_key
from db.ratelimit import TAKE_LUA, Taken

MAX_CONNECTIONS = 64  # per process; subscriptions hold one each while they last
POOL_WAIT = 10.0  # seconds a command may wait for a free connection before it fails
CONNECT_TIMEOUT = 2.0  # seconds to connect before Redis is taken to be away


class _RedisSubscription:
    def __init__(self, pubsub: redis.client.PubSub) -> None:
        self._pubsub = pubsub

    async def get(self, timeout: float | None = None) -> str | None:
        # get_message with a timeout waits for the next message, skipping nothing published.
        message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=timeout)
        return None if message is None else message["data"]

    async def __anext__(self) -> str:
        while True:
            message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
            if message is not None:
                return message["data"]

    def __aiter__(self) -> AsyncIterator[str]:
        return self


class RedisCache:
    name = "redis"

    def __init__(self, url: str) -> None:
        # redis-py's default pool fails a command once 100 connections are out ("Too many
        # connections"): a burst of concurrent updates did that. This pool makes a command wait
        # for a free connection instead, and bounds what one process holds on the server.
        pool = redis.BlockingConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            timeout=POOL_WAIT,
            decode_responses=True,
            # a Redis that does not answer (host gone, packets dropped) fails a command in
            # seconds, which callers take as "the cache is away", instead of hanging it
            socket_connect_timeout=CONNECT_TIMEOUT,
        )
        self._client = redis.Redis.from_pool(pool)
        # Keys live in the URL's database, but pub/sub channels are server-wide: two Pythias
        # (or test runs) on one Redis with different databases would hear each other's
        # events. Channels carry the database number so they stay as separate as the keys.
        self._channel_prefix = f"db{self._client.connection_pool.connection_kwargs.get('db', 0)}:"
        self._take = self._client.register_script(TAKE_LUA)  # EVALSHA, loaded on first use

    def _channel(self, channel: str) -> str:
        return self._channel_prefix + channel

    async def ping(self) -> bool:
        return bool(await self._client.ping())

    async def close(self) -> None:
        await self._client.aclose()

    async def get(self, key: str) -> str | None:
        return cast(str | None, await self._client.get(key))  # decode_responses: str

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        await self._client.set(key, value, px=_millis(ttl))

    async def fill(self, key: str, value: str, ttl: float | None = None) -> bool:
        return bool(await self._client.set(key, value, px=_millis(ttl), nx=True))

    async def delete(self, key: str) -> None:
        await self._client.delete(key)

    async def ttl(self, key: str) -> float | None:
        millis = await self._client.pttl(key)
        return None if millis < 0 else millis / 1000

    async def set_prices(self, quotes: Sequence[PriceQuote]) -> None:
        async with self._client.pipeline(transaction=False) as pipe:
            for quote in quotes:
                pipe.set(price_key(quote.asset), quote.to_json(), px=int(PRICE_TTL * 1000))
            await pipe.execute()

    async def get_prices(self, assets: Sequence[str]) -> dict[str, PriceQuote]:
        if not assets:
            return {}
        values = await self._client.mget([price_key(a) for a in assets])
        return {a: PriceQuote.from_json(v) for a, v in zip(assets, values, strict=True) if v}

    async def publish(self, channel: str, message: str) -> None:
        await self._client.publish(self._channel(channel), message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        """Raises (redis-py's ConnectionError, ...) while Redis is away, and when it goes away
        during the block: callers subscribe again, which works as soon as it is back."""
        pubsub = self._client.pubsub()
        channel = self._channel(channel)
        try:
            await pubsub.subscribe(channel)
            # Wait for Redis to confirm, so nothing published after we return is missed.
            for _ in range(50):
                message = await pubsub.get_message(timeout=0.1)
                if message is not None and message["type"] == "subscribe":
                    break
            else:
                raise ConnectionError(f"Redis did not confirm the subscription to {channel}")
            yield _RedisSubscription(pubsub)
        finally:
            # with Redis gone there is nothing to unsubscribe from; the connection goes back
            # to the pool whatever happened, so an outage's retries leak none
            with contextlib.suppress(RedisError, OSError):
                await pubsub.unsubscribe(channel)
            await pubsub.aclose()

    @asynccontextmanager
    async def lock(self, name: str, ttl: float, wait: float = 0.0) -> AsyncIterator[bool]:
        lock = self._client.lock(
            f"lock:{name}", timeout=ttl, blocking=wait > 0, blocking_timeout=wait or None
        )
        acquired = await lock.acquire()
        try:
            yield bool(acquired)
        finally:
            if acquired:
                with contextlib.suppress(LockError):  # it expired while held: not ours now
                    await lock.release()

    async def take_token(self, key: str, burst: float, per_second: float) -> Taken:
        granted, first, wait = await self._take(keys=[f"bucket:{key}"], args=[burst, per_second])
        return Taken(bool(granted), bool(first), wait / 1e6)


def _millis(ttl: float | None) -> int | None:
    """A ttl in seconds as Redis's PX (at least one millisecond), None for none."""
    return None if ttl is None else max(int(ttl * 1000), 1)
