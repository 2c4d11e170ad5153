"""Streamed tickers: binance, coinbase and kraken's own WebSocket messages (a local server,
tests/fakes/streams.py) parsed by ccxt.pro's real code into the same path as polled tickers, so
alerts fire from them; a dropped connection comes back, a silent one is replaced, and polling
carries an exchange whose stream cannot connect. On SQLite and Postgres where a database is
involved."""

from __future__ import annotations

import asyncio
import copy
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import ccxt.pro as ccxt_pro
import pytest
from sqlalchemy import select

from core.backoff import Backoff
from core.clock import SystemClock
from core.market import Ticker
from core.people import ChatSeen, PersonSeen
from core.settings import Settings
from db.models import OutboxMessage
from db.repos.people import register
from services import tasks
from services.alerts import set_alert
from services.deps import Deps, build_deps, close_deps
from tests.fakes.exchanges import FakeExchange
from tests.fakes.streams import FakeStream
from workers.jobs import ingest_prices
from workers.jobs.base import WorkerDeps
from workers.latest import LatestTickers
from workers.runtime import WorkerRuntime
from workers.scheduler import JobSpec
from workers.sources.ccxt_source import CcxtSource
from workers.sources.streaming import TickerStream

D = Decimal
ASSETS = ["BTC", "ETH"]
ANN = 101


class Prices:
    """What the REST fake quotes: a price per asset the test sets."""

    def __init__(self, **prices: str) -> None:
        self.now = {asset: D(price) for asset, price in prices.items()}

    def __call__(self, asset: str, when: datetime) -> Decimal:
        return self.now[asset]


def pro_for(fake: FakeExchange, stream: FakeStream) -> Callable[[], Any]:
    """Builds the ccxt.pro exchange of the fake's kind, its markets the fake's (completed as
    ccxt's own loading would), its public WebSocket pointed at `stream`."""

    def build() -> Any:
        exchange = getattr(ccxt_pro, fake.id)({"timeout": 3000})
        exchange.timeout_on_exit = 0
        markets = copy.deepcopy(fake.markets)
        exchange.set_markets({s: exchange.safe_market_structure(m) for s, m in markets.items()})
        return stream.point(exchange)

    return build


async def tracked() -> list[str]:
    return ASSETS


async def until(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Until `check()` (awaited when it gives an awaitable) is truthy; returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if inspect.isawaitable(got):
            got = await got
        if got:
            return got
        await asyncio.sleep(0.02)
    raise TimeoutError(f"{check} never came true")


async def running(
    stream: TickerStream, sink: Callable[[list[Ticker]], Awaitable[None]]
) -> asyncio.Task[None]:
    return asyncio.create_task(stream.run(sink))


async def stopped(task: asyncio.Task[None]) -> None:
    await tasks.end_all([task])  # as the workers end their streams


@pytest.fixture
async def rest_and_stream(
    request: pytest.FixtureRequest,
) -> AsyncIterator[tuple[FakeExchange, FakeStream, CcxtSource]]:
    exchange_id = getattr(request, "param", "binance")
    prices = Prices(BTC="70000", ETH="3500")
    async with (
        FakeExchange(exchange_id, ASSETS, prices) as fake,
        FakeStream(exchange_id, fake.listings) as stream,
    ):
        rest = CcxtSource(fake.ccxt())
        await rest.start()
        yield fake, stream, rest
        await rest.close()


# --- each exchange's own messages ------------------------------------------------------------


@pytest.mark.parametrize("rest_and_stream", ["binance", "coinbase", "kraken"], indirect=True)
async def test_each_exchanges_own_ticker_messages_become_tickers(rest_and_stream) -> None:
    fake, stream, rest = rest_and_stream
    got: list[Ticker] = []

    async def sink(tickers: list[Ticker]) -> None:
        got.extend(tickers)

    ticker_stream = TickerStream(rest, tracked, build=pro_for(fake, stream))
    task = await running(ticker_stream, sink)
    try:
        for asset in ASSETS:
            await stream.subscribed(asset)
        before = datetime.now(UTC)
        assert await stream.push("BTC", D("70123.45"), D("-2.5")) == 1
        await until(lambda: len(got) == 1)
        assert await stream.push("ETH", D("3512.5"), D("0.75")) == 1
        await until(lambda: len(got) == 2)
    finally:
        await stopped(task)
    btc, eth = got
    quote = "USDT" if fake.id == "binance" else "USD"
    assert (btc.exchange, btc.market, btc.base, btc.quote) == (
        fake.id,
        f"BTC/{quote}",
        "BTC",
        quote,
    )
    assert btc.last == D("70123.45") and btc.change_24h_pct == D("-2.5")
    assert btc.bid == D("70123.45") * D("0.9999") and btc.ask == D("70123.45") * D("1.0001")
    assert btc.base_volume_24h == D("1234.5")
    assert (eth.base, eth.last, eth.change_24h_pct) == ("ETH", D("3512.5"), D("0.75"))
    # stamped by the exchange (binance, coinbase) or on arrival (kraken's v2 ticker has no time)
    assert before - timedelta(seconds=1) <= btc.ts <= datetime.now(UTC)
    assert ticker_stream.live and ticker_stream.connections == 1


# --- a connection lost, a connection silent ---------------------------------------------------


async def test_the_stream_reconnects_after_the_server_drops_it(rest_and_stream) -> None:
    fake, stream, rest = rest_and_stream
    got: list[Ticker] = []

    async def sink(tickers: list[Ticker]) -> None:
        got.extend(tickers)

    backoff = Backoff(base=0.2, cap=0.5)
    ticker_stream = TickerStream(rest, tracked, build=pro_for(fake, stream), backoff=backoff)
    task = await running(ticker_stream, sink)
    try:
        await stream.subscribed("BTC")
        await stream.push("BTC", D("70001"))
        await until(lambda: len(got) == 1)
        await stream.drop()
        await until(lambda: stream.connections == 2 and stream.open == 1)
        await stream.subscribed("BTC")
        await stream.push("BTC", D("70002"))
        await until(lambda: len(got) == 2)
    finally:
        await stopped(task)
    assert [t.last for t in got] == [D("70001"), D("70002")]
    assert ticker_stream.failures == 1 and ticker_stream.connections == 2


async def test_a_silent_stream_is_replaced(rest_and_stream) -> None:
    fake, stream, rest = rest_and_stream
    got: list[Ticker] = []

    async def sink(tickers: list[Ticker]) -> None:
        got.extend(tickers)

    ticker_stream = TickerStream(rest, tracked, build=pro_for(fake, stream), stale_after=0.5)
    task = await running(ticker_stream, sink)
    try:
        await stream.subscribed("BTC")
        await stream.push("BTC", D("70001"))
        await until(lambda: len(got) == 1)
        assert ticker_stream.live
        # the connection stays open but nothing comes: after 0.5 s it is closed and replaced
        await until(lambda: stream.connections == 2)
        assert ticker_stream.stale == 1 and not ticker_stream.live
        await stream.subscribed("BTC")
        await stream.push("BTC", D("70002"))
        await until(lambda: len(got) == 2)
    finally:
        await stopped(task)
    assert ticker_stream.live and stream.open == 0


# --- the same path as polled tickers: stored, cached, published, alerts fired -----------------


@pytest.fixture
async def deps(db_url: str, engine) -> AsyncIterator[Deps]:  # engine: empties Postgres
    settings = Settings(
        database_url=db_url, symbols=ASSETS, ticker_interval=0.5, stream_stale_after=2.0
    )
    built = await build_deps(settings, SystemClock())
    async with built.sessions.begin() as session:
        await register(session, PersonSeen(ANN, "Ann"), ChatSeen(ANN, "private"), built.clock.now())
    yield built
    await close_deps(built)


def runtime(
    deps: Deps, rest: CcxtSource, make: Callable[[WorkerDeps], dict[str, TickerStream]]
) -> WorkerRuntime:
    polling = JobSpec("ingest_prices", ingest_prices.run, timedelta(seconds=0.5), record=False)
    return WorkerRuntime(deps.settings, deps=deps, jobs=[polling], sources=[rest], streams=make)


async def price_is(deps: Deps, asset: str, price: Decimal) -> bool:
    found = await deps.cache.get_prices([asset])
    return asset in found and found[asset].price == price


async def outbox(deps: Deps) -> list[OutboxMessage]:
    async with deps.read() as session:
        return list(await session.scalars(select(OutboxMessage)))


async def test_a_streamed_price_fires_an_alert_before_any_poll(deps: Deps, rest_and_stream):
    fake, stream, rest = rest_and_stream
    ann = PersonSeen(ANN, "Ann"), ChatSeen(ANN, "private")
    await set_alert(deps, *ann, "BTC > 71000")
    streams: dict[str, TickerStream] = {}

    def make(worker_deps: WorkerDeps) -> dict[str, TickerStream]:
        async def assets() -> tuple[str, ...]:
            return (await worker_deps.current_directory()).tracked

        streams["binance"] = TickerStream(rest, assets, build=pro_for(fake, stream))
        return streams

    workers = runtime(deps, rest, make)
    await workers.start()
    try:
        await stream.subscribed("BTC")
        # the first poll (70000) is done before the stream speaks: a poll answered after the
        # 71500 below would be a newer quote of 70000, and rightly win (the fake REST stamps
        # its tickers with the moment it answers)
        await until(lambda: price_is(deps, "BTC", D("70000")))
        await stream.push("BTC", D("70500"))
        await until(lambda: streams["binance"].live)
        await until(lambda: price_is(deps, "BTC", D("70500")))
        # the exchange's REST ticker still says 70000: only the stream knows of 71500
        await stream.push("BTC", D("71500"))
        await until(lambda: outbox(deps))
        prices = await deps.cache.get_prices(["BTC"])
    finally:
        await workers.stop()
    assert prices["BTC"].price == D("71500") and prices["BTC"].exchange == "binance"
    (row,) = await outbox(deps)
    assert row.chat_id == ANN


async def test_polling_carries_an_exchange_whose_stream_cannot_connect(
    deps: Deps, rest_and_stream
) -> None:
    fake, stream, rest = rest_and_stream
    stream.refusing = True
    streams: dict[str, TickerStream] = {}

    def make(worker_deps: WorkerDeps) -> dict[str, TickerStream]:
        streams["binance"] = TickerStream(
            rest, tracked, build=pro_for(fake, stream), backoff=Backoff(base=0.2, cap=0.4)
        )
        return streams

    workers = runtime(deps, rest, make)
    await workers.start()
    try:
        # the stream is refused; the ticker job polls the exchange's REST API meanwhile
        await until(lambda: deps.cache.get_prices(["BTC"]))
        assert stream.refused >= 1 and not streams["binance"].live
        assert ingest_prices.polled(workers.deps) == [rest]  # type: ignore[arg-type]
        # once the stream connects and speaks, the job leaves this exchange to it
        stream.refusing = False
        await stream.subscribed("BTC")
        await stream.push("BTC", D("70100"))
        await until(lambda: streams["binance"].live)
        assert ingest_prices.polled(workers.deps) == []  # type: ignore[arg-type]
        await asyncio.sleep(1.1)  # a round already under way finishes (its budget is 1 s)
        polled_before = len([r for r in fake.requests if "ticker" in r[0]])
        await asyncio.sleep(1.2)  # two rounds of the ticker job
        await stream.push("BTC", D("70200"))
        polled_after = len([r for r in fake.requests if "ticker" in r[0]])
        await until(lambda: price_is(deps, "BTC", D("70200")))
    finally:
        await workers.stop()
    assert polled_after == polled_before


def test_one_exchanges_tickers_are_priced_with_the_others_latest_fresh_ones() -> None:
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    latest = LatestTickers()

    def ticker(exchange: str, base: str, price: str, age: float) -> Ticker:
        market = f"{base}/USDT"
        return Ticker(exchange, market, base, "USDT", D(price), now - timedelta(seconds=age))

    old = ticker("okx", "BTC", "69000", 60)
    latest.merge(
        [ticker("kraken", "BTC", "70010", 3), ticker("kraken", "ETH", "3500", 3), old],
        now,
        timedelta(seconds=30),
    )
    batch = latest.merge([ticker("binance", "BTC", "70020", 0)], now, timedelta(seconds=30))
    # kraken's BTC counts, its ETH is another asset, okx's is too old (and forgotten)
    assert [(t.exchange, t.base) for t in batch] == [("binance", "BTC"), ("kraken", "BTC")]
    again = latest.merge([old], now, timedelta(seconds=30))  # a late one: with the fresh ones
    assert set(again) == {old, *batch}
