"""One exchange in trouble slows only itself: the ticker job keeps pricing from the others, the
broken one is left alone for its back-off (at least its Retry-After), then tried again.

Real ccxt over real HTTP against the fake exchanges (tests/fakes/exchanges); the real ingest job,
database and cache.
"""

from __future__ import annotations

import random
import ssl
from collections.abc import AsyncIterator

import pytest

from core.backoff import Backoff
from core.settings import Settings
from services.deps import Deps, build_deps, close_deps
from tests.fakes.exchanges import FakeExchange
from workers.jobs import ingest_prices
from workers.jobs.base import WorkerDeps
from workers.sources.ccxt_source import CcxtSource
from workers.sources.guarded import GuardedSource

ASSETS = ["BTC", "ETH", "SOL"]


class Wall:
    """A monotonic clock the test moves by hand, so back-off windows need no sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def worker(db_url: str) -> AsyncIterator[tuple[WorkerDeps, dict[str, FakeExchange], Wall]]:
    wall = Wall()
    settings = Settings(
        database_url=db_url,
        symbols=ASSETS,
        exchanges=["binance", "kraken", "coinbase"],
        ticker_interval=5,
    )
    base: Deps = await build_deps(settings)
    deps = WorkerDeps.of(base)
    fakes: dict[str, FakeExchange] = {}
    context = ssl.create_default_context()
    for name in settings.exchanges:
        fake = FakeExchange(name, ASSETS)
        await fake.start()
        fakes[name] = fake
        exchange = fake.ccxt(rateLimit=1, timeout=500)
        exchange.ssl_context = context
        backoff = Backoff(base=10, cap=300, rng=random.Random(1))
        deps.sources.append(GuardedSource(CcxtSource(exchange), backoff, clock=wall))
    for source in deps.sources:
        await source.start()
    yield deps, fakes, wall
    for source in deps.sources:
        await source.close()
    for fake in fakes.values():
        await fake.close()
    await close_deps(base)


def ticker_requests(fake: FakeExchange) -> int:
    return sum(1 for path, _ in fake.requests if "icker" in path or path.endswith("/products"))


async def test_a_rate_limited_exchange_backs_off_alone(worker) -> None:
    deps, fakes, wall = worker
    result = await ingest_prices.run(deps)
    assert result.summary == "9 tickers from 3 sources"
    btc = (await deps.cache.get_prices(["BTC"]))["BTC"]
    assert btc.sources == ("binance", "coinbase", "kraken")

    fakes["binance"].fail("rate_limit", retry_after=30)
    result = await ingest_prices.run(deps)
    assert result.summary == "6 tickers from 2 sources"  # the others carried on
    btc = (await deps.cache.get_prices(["BTC"]))["BTC"]
    # binance's quote of the round before is still fresh (services.prices.fresh_for): it counts
    assert btc.sources == ("binance", "coinbase", "kraken")
    binance = deps.sources[0]
    assert binance.backoff.failures == 1 and binance.backoff.waiting(wall()) >= 30

    asked = ticker_requests(fakes["binance"])
    fakes["binance"].heal()
    for _ in range(3):  # within its Retry-After: not a single request goes to binance
        wall.now += 5
        await ingest_prices.run(deps)
    assert ticker_requests(fakes["binance"]) == asked

    wall.now += 30  # past the back-off: tried again, and back in the price
    result = await ingest_prices.run(deps)
    assert result.summary == "9 tickers from 3 sources"
    assert binance.backoff.failures == 0


async def test_repeated_failures_wait_longer_each_time(worker) -> None:
    deps, fakes, wall = worker
    fakes["kraken"].fail("maintenance")
    kraken = deps.sources[1]
    delays = []
    for _ in range(4):
        await ingest_prices.run(deps)
        delays.append(kraken.backoff.waiting(wall()))
        wall.now += delays[-1]  # wait it out, then it is asked (and fails) again
    assert delays == sorted(delays) and delays[-1] > delays[0] * 3
    assert all(d > 0 for d in delays)
    prices = await deps.cache.get_prices(ASSETS)
    assert all(q.sources == ("binance", "coinbase") for q in prices.values())


@pytest.mark.parametrize("kind", ["timeout", "malformed", "network"])
async def test_every_kind_of_fault_is_contained(worker, kind: str) -> None:
    deps, fakes, _ = worker
    fakes["coinbase"].fail(kind)
    result = await ingest_prices.run(deps)
    assert result.summary == "6 tickers from 2 sources"
    assert deps.sources[2].backoff.failures == 1
