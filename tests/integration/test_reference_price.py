"""The reference price over five exchanges — binance, kraken, coinbase, bybit and okx — through
real ccxt over real HTTP (the fake exchanges), the real ingest job, database and cache: a broken
book is refused where it is read, a far-off one left out and named; two that disagree are said
to disagree, and no alert hears of a price they disagree on.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.settings import Settings
from db.cache import PRICE_CHANNEL, price_key
from db.models import LatestPrice, Market
from services.deps import Deps, build_deps, close_deps
from services.prices import quotes
from tests.fakes.exchanges import FakeExchange, default_prices
from workers.jobs import ingest_prices
from workers.jobs.base import WorkerDeps
from workers.sources.ccxt_source import CcxtSource

ASSETS = ["BTC", "ETH"]
FIVE = ["binance", "kraken", "coinbase", "bybit", "okx"]


class Breakable:
    """An exchange's usual prices, with `factor[asset]` applied while set (0 for a broken book)."""

    def __init__(self, exchange_id: str) -> None:
        self.usual = default_prices(exchange_id)
        self.factor: dict[str, Decimal] = {}

    def __call__(self, asset: str, when: datetime) -> Decimal:
        price = self.usual(asset, when)
        return price * self.factor[asset] if asset in self.factor else price


class Exchanges:
    def __init__(self) -> None:
        self.prices: dict[str, Breakable] = {}
        self.fakes: dict[str, FakeExchange] = {}


async def _worker(db_url: str, names: Iterable[str]) -> tuple[WorkerDeps, Exchanges, Deps]:
    """Workers over fakes of `names` on a clean database (the `engine` fixture empties it)."""
    settings = Settings(database_url=db_url, symbols=ASSETS, exchanges=list(names))
    base = await build_deps(settings)
    deps = WorkerDeps.of(base)
    exchanges = Exchanges()
    context = ssl.create_default_context()
    for name in settings.exchanges:
        exchanges.prices[name] = Breakable(name)
        fake = await FakeExchange(name, ASSETS, exchanges.prices[name]).start()
        exchanges.fakes[name] = fake
        exchange = fake.ccxt(rateLimit=1, timeout=2000)
        exchange.ssl_context = context
        deps.sources.append(CcxtSource(exchange))
    for source in deps.sources:
        await source.start()
    return deps, exchanges, base


@pytest.fixture
async def five(db_url: str, engine: object) -> AsyncIterator[tuple[WorkerDeps, Exchanges]]:
    deps, exchanges, base = await _worker(db_url, FIVE)
    yield deps, exchanges
    for fake in exchanges.fakes.values():
        await fake.close()
    await close_deps(base)


@pytest.fixture
async def two(db_url: str, engine: object) -> AsyncIterator[tuple[WorkerDeps, Exchanges]]:
    deps, exchanges, base = await _worker(db_url, ["binance", "kraken"])
    yield deps, exchanges
    for fake in exchanges.fakes.values():
        await fake.close()
    await close_deps(base)


async def published(deps: WorkerDeps) -> list[str]:
    """Run the ticker job once; the assets whose price was published as an event."""
    async with deps.cache.subscribe(PRICE_CHANNEL) as events:
        await ingest_prices.run(deps)
        said = []
        while (message := await events.get(timeout=0.3)) is not None:
            said.append(message)
    return sorted(message.split('"asset":"')[1].split('"')[0] for message in said)


async def test_five_exchanges_agree_on_one_price(five) -> None:
    deps, _ = five
    assert await published(deps) == ["BTC", "ETH"]
    btc = (await deps.cache.get_prices(["BTC"]))["BTC"]
    assert btc.sources == tuple(sorted(FIVE))
    assert btc.outliers == () and not btc.disputed
    assert btc.spread_pct is not None and btc.spread_pct < Decimal("0.1")


async def test_a_broken_book_and_a_far_off_one_are_left_out_and_named(five) -> None:
    deps, exchanges = five
    exchanges.prices["kraken"].factor["BTC"] = Decimal(0)  # kraken's BTC book says 0
    exchanges.prices["okx"].factor["BTC"] = Decimal("1.25")  # okx's is 25 % off
    assert await published(deps) == ["BTC", "ETH"]
    agreed = exchanges.fakes["binance"].price("BTC")  # the others quote within 0.05 % of it

    btc, eth = (await deps.cache.get_prices(["BTC", "ETH"])).values()
    assert btc.sources == ("binance", "bybit", "coinbase")
    assert btc.outliers == ("okx",)  # kraken's zero was refused where it was read
    assert deps.sources[1].refused == {"BTC/USD": 1}
    assert abs(btc.price - agreed) / agreed < Decimal("0.001")  # not dragged to 0 or up 25 %
    assert eth.sources == tuple(sorted(FIVE)) and eth.outliers == ()
    assert await _stored(deps, "kraken", "BTC/USD") is None  # its zero was never stored

    await deps.cache.delete(price_key("BTC"))  # a cold cache: the price comes from the database
    async with deps.read() as session:
        stored = (await quotes(deps, session, ["BTC"]))["BTC"]
    assert stored.outliers == ("okx",)  # okx's row is the newest, and still far off
    assert abs(stored.price - agreed) / agreed < Decimal("0.001")


async def test_two_exchanges_that_disagree_are_told_not_averaged(two) -> None:
    deps, exchanges = two
    exchanges.prices["kraken"].factor["BTC"] = Decimal("0.9")

    assert await published(deps) == ["ETH"]  # no alert may fire on a disputed price

    btc = (await deps.cache.get_prices(["BTC"]))["BTC"]
    assert btc.disputed
    (low_exchange, low), (high_exchange, high) = btc.dispute
    assert (low_exchange, high_exchange) == ("kraken", "binance")
    assert low < high * Decimal("0.91")
    assert btc.price in (low, high)  # one exchange's word, not their mean

    exchanges.prices["kraken"].factor.clear()
    assert await published(deps) == ["BTC", "ETH"]
    assert not (await deps.cache.get_prices(["BTC"]))["BTC"].disputed


async def _stored(deps: Deps, exchange: str, symbol: str) -> Decimal | None:
    async with deps.read() as session:
        return await session.scalar(
            select(LatestPrice.price)
            .join(Market, Market.id == LatestPrice.market_id)
            .where(Market.exchange == exchange, Market.symbol == symbol)
        )
