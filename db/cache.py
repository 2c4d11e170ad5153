"""The shared cache: latest prices, price events, short-lived keys, locks and rate limits.

One interface with two implementations: Redis when several processes share it, and an
in-process one for a single `pythia run` with nothing else installed.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from core.market import PriceQuote
from db.ratelimit import Bucket, Taken, refill_seconds, step

log = logging.getLogger(__name__)

PRICE_TTL = 24 * 3600.0  # a price nobody refreshed for a day is gone; /price falls back to the DB
PRICE_CHANNEL = "prices"
BUCKETS_KEPT = 10_000  # in-process token buckets before the full ones are swept away


def price_key(asset: str) -> str:
    return f"price:{asset}"


class Subscription(Protocol):
    async def get(self, timeout: float | None = None) -> str | None:
        """The next message, or None after `timeout` seconds."""
        ...

    def __aiter__(self) -> AsyncIterator[str]: ...


class Cache(Protocol):
    name: str

    async def ping(self) -> bool: ...
    async def close(self) -> None: ...

    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str, ttl: float | None = None) -> None: ...
    async def fill(self, key: str, value: str, ttl: float | None = None) -> bool:
        """Set `key` only if it has no value; whether it did. For a copy read from the
        database: a newer value its writer set meanwhile is not overwritten with the older."""
        ...

    async def delete(self, key: str) -> None: ...
    async def ttl(self, key: str) -> float | None:
        """Seconds left before `key` expires; None if it never does or does not exist."""
        ...

    async def set_prices(self, quotes: Sequence[PriceQuote]) -> None: ...
    async def get_prices(self, assets: Sequence[str]) -> dict[str, PriceQuote]: ...

    async def publish(self, channel: str, message: str) -> None: ...
    def subscribe(self, channel: str) -> AbstractAsyncContextManager[Subscription]: ...

    def lock(self, name: str, ttl: float, wait: float = 0.0) -> AbstractAsyncContextManager[bool]:
        """Hold `name` for at most `ttl` seconds; yields whether it was acquired in `wait`."""
        ...

    async def take_token(self, key: str, burst: float, per_second: float) -> Taken:
        """One attempt against the token bucket `key` (see db.ratelimit), atomically."""
        ...


class _QueueSubscription:
    def __init__(self, queue: asyncio.Queue[str]) -> None:
        self._queue = queue

    async def get(self, timeout: float | None = None) -> str | None:
        try:  # asyncio.timeout, not wait_for, which can lose a cancel on Python 3.11
            async with asyncio.timeout(timeout):
                return await self._queue.get()
        except TimeoutError:
            return None

    async def __anext__(self) -> str:
        return await self._queue.get()

    def __aiter__(self) -> AsyncIterator[str]:
        return self


class MemoryCache:
    """Everything in this process's memory; correct only while one process uses it."""

    name = "memory"

    def __init__(self) -> None:
        self._values: dict[str, tuple[str, float | None]] = {}
        self._channels: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)
        self._locks: dict[str, tuple[str, float]] = {}
        self._buckets: dict[str, Bucket] = {}
        self._sweep_at = BUCKETS_KEPT

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._values.clear()
        self._channels.clear()
        self._buckets.clear()

    def _live(self, key: str) -> tuple[str, float | None] | None:
        entry = self._values.get(key)
        if entry is not None and entry[1] is not None and entry[1] <= time.monotonic():
            del self._values[key]
            return None
        return entry

    async def get(self, key: str) -> str | None:
        entry = self._live(key)
        return None if entry is None else entry[0]

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self._values[key] = (value, None if ttl is None else time.monotonic() + ttl)

    async def fill(self, key: str, value: str, ttl: float | None = None) -> bool:
        if self._live(key) is not None:
            return False
        await self.set(key, value, ttl)
        return True

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)

    async def ttl(self, key: str) -> float | None:
        entry = self._live(key)
        if entry is None or entry[1] is None:
            return None
        return entry[1] - time.monotonic()

    async def set_prices(self, quotes: Sequence[PriceQuote]) -> None:
        for quote in quotes:
            await self.set(price_key(quote.asset), quote.to_json(), PRICE_TTL)

    async def get_prices(self, assets: Sequence[str]) -> dict[str, PriceQuote]:
        found = {}
        for asset in assets:
            raw = await self.get(price_key(asset))
            if raw is not None:
                found[asset] = PriceQuote.from_json(raw)
        return found

    async def publish(self, channel: str, message: str) -> None:
        for queue in self._channels.get(channel, ()):
            queue.put_nowait(message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._channels[channel].add(queue)
        try:
            yield _QueueSubscription(queue)
        finally:
            self._channels[channel].discard(queue)

    @asynccontextmanager
    async def lock(self, name: str, ttl: float, wait: float = 0.0) -> AsyncIterator[bool]:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + wait
        while True:
            now = time.monotonic()
            held = self._locks.get(name)
            if held is None or held[1] <= now:
                self._locks[name] = (token, now + ttl)
                break
            if now >= deadline:
                yield False
                return
            await asyncio.sleep(min(0.01, max(deadline - now, 0)))
        try:
            yield True
        finally:
            if self._locks.get(name, ("",))[0] == token:
                del self._locks[name]

    async def take_token(self, key: str, burst: float, per_second: float) -> Taken:
        now = time.monotonic()
        bucket, taken = step(self._buckets.get(key), now, burst, per_second)
        self._buckets[key] = bucket
        if len(self._buckets) > self._sweep_at:  # forget the buckets that have filled up again
            idle = now - refill_seconds(burst, per_second)
            self._buckets = {k: b for k, b in self._buckets.items() if b.at > idle}
            self._sweep_at = max(BUCKETS_KEPT, 2 * len(self._buckets))  # amortised: O(1) a call
        return taken


async def copy_of(cache: Cache, key: str) -> str | None:
    """`key`'s value, or None when there is none or the cache cannot be reached (Redis away):
    for keys that only save work (a copy of the database's) or that may be forgotten, so that
    nobody's update fails for want of the cache."""
    try:
        return await cache.get(key)
    except Exception:  # redis-py's and the network's errors vary
        log.warning("cache away: reading %s from the database", key.split(":", 1)[0])
        return None


async def keep_copy(cache: Cache, key: str, value: str, ttl: float | None = None) -> None:
    """Copy `value`, just read from the database, under `key` if the cache can be reached and
    no writer has put a newer one there meanwhile (`fill`); without the cache, the next read
    goes to the database again (the copy is only saved work)."""
    try:
        await cache.fill(key, value, ttl)
    except Exception:  # redis-py's and the network's errors vary
        log.warning("cache away: %s not copied", key.split(":", 1)[0])


def create_cache(redis_url: str | None) -> Cache:
    """Redis when a URL is given, otherwise the in-process cache."""
    if redis_url:
        from db.redis_cache import RedisCache

        return RedisCache(redis_url)
    return MemoryCache()
