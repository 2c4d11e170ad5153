"""CcxtSource over the fake exchanges (tests/fakes/exchanges): ten assets on binance, kraken,
coinbase, bybit and okx, through ccxt's real HTTP path (its aiohttp session, error handling and
parsing) against a loopback server that answers in each exchange's own format — prices, candles
and faults.
"""

from __future__ import annotations

import functools
import itertools
import logging
import ssl
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import ccxt.async_support as ccxt_async
import pytest
from ccxt.base import errors as ccxt_errors

from core.market import TIMEFRAMES, floor_time
from tests.fakes.exchanges import (
    DEFAULT_BASIS,
    EXCHANGES,
    FAULTS,
    FakeExchange,
    default_prices,
    replay_prices,
)
from workers.sources.base import SourceError
from workers.sources.ccxt_source import CcxtSource, CcxtSourceError
from workers.sources.replay import load_series

ASSETS = ["BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE", "LTC", "DOT", "LINK"]
QUOTE = {"binance": "USDT", "kraken": "USD", "coinbase": "USD", "bybit": "USDT", "okx": "USDT"}
TICKER_PATH = {
    "binance": "/api/v3/ticker/24hr",
    "kraken": "/0/public/Ticker",
    "coinbase": "/api/v3/brokerage/market/products",
    "bybit": "/v5/market/tickers",
    "okx": "/api/v5/market/tickers",
}
TIMEOUT_MS = 500  # ccxt gives up on a silent fake after this; roomy for a busy CI box


def frozen_now() -> datetime:
    """Now, to the millisecond (binance stamps tickers in ms). Near the real clock, because
    ccxt's coinbase computes its candle window from the real clock."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=EXCHANGES)
def exchange_id(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def clock() -> Clock:
    return Clock(frozen_now())


@pytest.fixture
async def fake(exchange_id: str, clock: Clock) -> AsyncIterator[FakeExchange]:
    async with FakeExchange(exchange_id, ASSETS, clock=clock) as server:
        yield server
        assert server.unhandled == []  # ccxt asked for nothing the fake does not serve


MakeSource = Callable[..., CcxtSource]


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for all the exchanges built here: ccxt makes its own for every new
    exchange object (~40 ms of reading CA certificates), and the fakes speak plain HTTP."""
    return ssl.create_default_context()


def quick(fake: FakeExchange) -> ccxt_async.Exchange:
    """fake.ccxt() for tests: ccxt's client-side pacing off (kraken's waits 1 s a request)."""
    exchange = fake.ccxt(rateLimit=1)
    exchange.ssl_context = tls_context()
    return exchange


@pytest.fixture
async def make_source(fake: FakeExchange, clock: Clock) -> AsyncIterator[MakeSource]:
    made: list[CcxtSource] = []

    def make(**kwargs: object) -> CcxtSource:
        source = CcxtSource(quick(fake), clock=clock, **kwargs)  # type: ignore[arg-type]
        made.append(source)
        return source

    yield make
    for source in made:
        await source.close()


async def started(source: CcxtSource) -> CcxtSource:
    await source.start()
    return source


# --- markets -------------------------------------------------------------------------------


async def test_markets_for_ten_assets(
    exchange_id: str, fake: FakeExchange, make_source: MakeSource
) -> None:
    source = await started(make_source())
    quote = QUOTE[exchange_id]
    assert [source.market_for(a) for a in ASSETS] == [(f"{a}/{quote}", quote) for a in ASSETS]
    assert fake.requests == []  # markets were set, not loaded
    market = source.exchange.markets[f"DOGE/{quote}"]
    assert market["spot"] and market["active"] and market["base"] == "DOGE"


async def test_kraken_markets_use_kraken_names() -> None:
    async with FakeExchange("kraken", ASSETS) as fake:
        ids = {a: fake.listings[a].id for a in ("BTC", "ETH", "DOGE", "SOL")}
        assert ids == {"BTC": "XXBTZUSD", "ETH": "XETHZUSD", "DOGE": "XDGUSD", "SOL": "SOLUSD"}
        btc = fake.markets["BTC/USD"]
        assert (btc["baseId"], btc["quoteId"], btc["altname"]) == ("XXBT", "ZUSD", "XBTUSD")
        assert fake.markets["DOGE/USD"]["baseId"] == "XXDG"


async def test_other_quotes_can_be_generated() -> None:
    async with FakeExchange("coinbase", ["BTC", "ETH"], quote="USDC") as fake:
        source = await started(CcxtSource(quick(fake)))
        assert source.market_for("ETH") == ("ETH/USDC", "USDC")
        assert fake.markets["ETH/USDC"]["id"] == "ETH-USDC"
        await source.close()


# --- tickers -------------------------------------------------------------------------------


async def test_fetch_tickers_are_the_prices_served(
    exchange_id: str, fake: FakeExchange, make_source: MakeSource, clock: Clock
) -> None:
    source = await started(make_source())

    tickers = await source.fetch_tickers(ASSETS)

    assert [t.base for t in tickers] == ASSETS
    assert [path for path, _ in fake.requests] == [TICKER_PATH[exchange_id]]  # one request
    for ticker in tickers:
        assert ticker.exchange == exchange_id
        assert ticker.quote == QUOTE[exchange_id]
        assert isinstance(ticker.last, Decimal)
        assert ticker.last == fake.last_served[ticker.base] == fake.price(ticker.base)
        assert ticker.ts == clock.now  # binance's closeTime; kraken and coinbase send no time
        assert ticker.base_volume_24h is not None and ticker.base_volume_24h > 0
        assert ticker.change_24h_pct is not None
        if exchange_id != "coinbase":  # coinbase's product list has no book
            assert ticker.bid == ticker.last < ticker.ask  # type: ignore[operator]


async def test_prices_move_with_the_clock(
    fake: FakeExchange, make_source: MakeSource, clock: Clock
) -> None:
    source = await started(make_source())
    before = {t.base: t.last for t in await source.fetch_tickers(ASSETS)}
    assert before == {a: fake.price(a) for a in ASSETS}
    clock.now += timedelta(minutes=20)
    after = {t.base: t.last for t in await source.fetch_tickers(ASSETS)}
    assert after == {a: fake.price(a) for a in ASSETS}
    # Some of the ten move in 20 minutes; not a fixed number of them: an asset quoted to a
    # coarse tick (BNB at 0.1) stays put through a quiet stretch of the data.
    assert after != before


async def test_exchanges_quote_slightly_different_prices(clock: Clock) -> None:
    prices: dict[str, dict[str, Decimal]] = {}
    for exchange_id in EXCHANGES:
        async with FakeExchange(exchange_id, ASSETS, clock=clock) as fake:
            source = await started(CcxtSource(quick(fake)))
            prices[exchange_id] = {t.base: t.last for t in await source.fetch_tickers(ASSETS)}
            await source.close()
    # Each venue quotes the replay price times (1 + its basis), rounded to the asset's tick:
    # the quotes differ, by at most the bases' width plus one tick (half a tick each way).
    width = max(DEFAULT_BASIS.values()) - min(DEFAULT_BASIS.values())
    for asset in ASSETS:
        quotes = [prices[e][asset] for e in EXCHANGES]
        tick = Decimal(1).scaleb(-replay_prices().places(asset))
        assert 0 < max(quotes) - min(quotes) <= width * max(quotes) + tick, (asset, quotes)


async def test_a_plain_price_function(exchange_id: str, clock: Clock) -> None:
    def prices(asset: str, when: datetime) -> Decimal:
        minutes = Decimal((when - clock.now) // timedelta(minutes=1))
        return {"BTC": Decimal("60000.5"), "ETH": Decimal("3000.25")}[asset] + minutes

    async with FakeExchange(exchange_id, ["BTC", "ETH"], prices, clock=clock) as fake:
        source = await started(CcxtSource(quick(fake), clock=clock))
        tickers = await source.fetch_tickers(["BTC", "ETH"])
        assert [(t.base, t.last) for t in tickers] == [
            ("BTC", Decimal("60000.5")),
            ("ETH", Decimal("3000.25")),
        ]
        candles = await source.fetch_candles("ETH", "1m", since=clock.now - timedelta(minutes=3))
        assert [c.open for c in candles[:3]] == [Decimal("2997.25") + i for i in range(3)]
        await source.close()


# --- any exchange by id: only what it lists is asked for -----------------------------------


async def test_an_exchange_is_never_asked_for_a_coin_it_does_not_list(
    exchange_id: str, clock: Clock
) -> None:
    async with FakeExchange(exchange_id, ["BTC", "ETH"], clock=clock) as fake:
        source = await started(CcxtSource(quick(fake), clock=clock))

        tickers = await source.fetch_tickers(["BTC", "PEPE", "ETH"])
        assert await source.fetch_tickers(["PEPE", "WIF"]) == []
        assert await source.fetch_candles("PEPE", "1h") == []

        assert [t.base for t in tickers] == ["BTC", "ETH"]
        assert len(fake.requests) == 1  # the one ticker request for BTC and ETH
        asked = repr(fake.requests).upper()
        assert "PEPE" not in asked and "WIF" not in asked
        assert fake.unhandled == []
        await source.close()


# --- prices an exchange gets wrong --------------------------------------------------------


class Breakable:
    """The fake's usual prices, but `broken[asset]` quoted instead while it is set."""

    def __init__(self, exchange_id: str) -> None:
        self.usual = default_prices(exchange_id)
        self.broken: dict[str, Decimal] = {}

    def __call__(self, asset: str, when: datetime) -> Decimal:
        return self.broken.get(asset, self.usual(asset, when))


@pytest.mark.parametrize("bad", ["0", "-42.5"])
async def test_a_zero_or_negative_price_is_refused_and_logged_once(
    exchange_id: str, clock: Clock, caplog: pytest.LogCaptureFixture, bad: str
) -> None:
    prices = Breakable(exchange_id)
    prices.broken["BTC"] = Decimal(bad)
    caplog.set_level(logging.INFO, logger="workers.sources.ccxt_source")
    async with FakeExchange(exchange_id, ["BTC", "ETH"], prices, clock=clock) as fake:
        source = await started(CcxtSource(quick(fake), clock=clock))
        btc = fake.symbol("BTC")

        for _ in range(3):  # three ticks of a broken BTC book
            tickers = await source.fetch_tickers(["BTC", "ETH"])
            assert [t.base for t in tickers] == ["ETH"]
            clock.now += timedelta(seconds=5)
        prices.broken.clear()
        assert [t.base for t in await source.fetch_tickers(["BTC", "ETH"])] == ["BTC", "ETH"]
        await source.close()

    assert source.refused == {btc: 3}
    said = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert [level for level, _ in said] == [logging.WARNING, logging.INFO]  # not once a tick
    warning, recovered = (message for _, message in said)
    assert warning.startswith(f"{exchange_id} {btc}: no usable price (")
    shown = warning.partition("(")[2].partition(")")[0]
    assert shown == "none" if bad == "0" else Decimal(shown) == Decimal(bad)  # ccxt: 0 is None
    assert recovered == f"{exchange_id} {btc}: priced again (3 refused so far)"


async def test_candles_without_a_price_are_left_out(clock: Clock) -> None:
    prices = Breakable("binance")
    async with FakeExchange("binance", ["BTC"], prices, clock=clock) as fake:
        source = await started(CcxtSource(quick(fake), clock=clock))
        prices.broken["BTC"] = Decimal(0)
        assert await source.fetch_candles("BTC", "1h", limit=3) == []
        assert source.refused == {"BTC/USDT 1h": 1}
        await source.close()


# --- candles -------------------------------------------------------------------------------


@pytest.mark.parametrize("timeframe", ["1m", "1h", "1d"])
async def test_fetch_candles_since_gives_the_asked_range_oldest_first(
    exchange_id: str, fake: FakeExchange, make_source: MakeSource, clock: Clock, timeframe: str
) -> None:
    source = await started(make_source())
    step = TIMEFRAMES[timeframe]
    since = clock.now - step * 10 - timedelta(seconds=7)  # not on a candle boundary

    candles = await source.fetch_candles("ETH", timeframe, since=since, limit=6)

    first = floor_time(since, timeframe) + step  # the first candle opening at or after since
    assert [c.ts for c in candles] == [first + step * i for i in range(6)]
    for c in candles:
        assert c.low <= min(c.open, c.close) <= max(c.open, c.close) <= c.high
        assert c.volume >= 0
        assert c.ts.tzinfo is UTC


@pytest.mark.parametrize("timeframe", ["1m", "1h", "1d"])
async def test_fetch_candles_latest_ends_with_the_forming_candle(
    fake: FakeExchange, make_source: MakeSource, clock: Clock, timeframe: str
) -> None:
    source = await started(make_source())
    step = TIMEFRAMES[timeframe]

    candles = await source.fetch_candles("BTC", timeframe, limit=5)

    forming = floor_time(clock.now, timeframe)
    assert [c.ts for c in candles] == [forming - step * i for i in range(4, -1, -1)]
    assert candles[-1].close == fake.price("BTC")  # the forming candle closes at the price now
    steps = {b.ts - a.ts for a, b in itertools.pairwise(candles)}
    assert steps == {step}


async def test_hourly_candles_are_the_bundled_data(clock: Clock) -> None:
    # binance quotes the replay data without a basis: a closed hourly candle of the fake is
    # the data's own hourly candle at the mapped moment
    async with FakeExchange("binance", ["SOL"], clock=clock) as fake:
        source = await started(CcxtSource(quick(fake)))
        candles = await source.fetch_candles("SOL", "1h", limit=24)
        await source.close()
    series = load_series()["SOL"]
    mapping = replay_prices()
    compared = 0
    for candle in candles[:-1]:  # the last one is forming
        data = series.candles[series.index_at(mapping.data_time(candle.ts))]
        if data.ts != mapping.data_time(candle.ts):
            continue  # a gap in the data: the fake stands still there
        compared += 1
        assert (candle.open, candle.high, candle.low, candle.close, candle.volume) == (
            data.open,
            data.high,
            data.low,
            data.close,
            data.volume,
        )
    assert compared >= 20


# --- faults --------------------------------------------------------------------------------


async def fault_of(call: object) -> CcxtSourceError:
    with pytest.raises(SourceError) as caught:
        await call  # type: ignore[misc]
    assert isinstance(caught.value, CcxtSourceError)
    return caught.value


@pytest.mark.parametrize("kind", FAULTS)
async def test_each_fault_surfaces_with_its_kind_and_heals(
    exchange_id: str, fake: FakeExchange, make_source: MakeSource, kind: str
) -> None:
    source = await started(make_source(timeout_ms=TIMEOUT_MS))
    fake.fail(kind, retry_after=7)

    error = await fault_of(source.fetch_tickers(ASSETS))

    assert error.kind == kind
    assert error.exchange == exchange_id
    if kind in ("rate_limit", "maintenance") and fake.sends_retry_after:
        assert error.retry_after == 7.0
    else:
        assert error.retry_after is None
    fake.heal()
    assert len(await source.fetch_tickers(ASSETS)) == 10


@pytest.mark.parametrize(
    ("exchange_id", "kind"),
    [(e, k) for e in EXCHANGES for k in FAULTS],
)
async def test_each_fault_on_candles(
    exchange_id: str, fake: FakeExchange, make_source: MakeSource, kind: str
) -> None:
    source = await started(make_source(timeout_ms=TIMEOUT_MS))
    fake.fail(kind, retry_after=3)

    error = await fault_of(source.fetch_candles("BTC", "1h", limit=3))

    assert error.kind == kind
    fake.heal()
    assert len(await source.fetch_candles("BTC", "1h", limit=3)) == 3


async def test_rate_limit_causes_are_each_exchanges_own(
    exchange_id: str, fake: FakeExchange, make_source: MakeSource
) -> None:
    source = await started(make_source())
    fake.fail("rate_limit")
    error = await fault_of(source.fetch_tickers(["BTC"]))
    expected = {
        "binance": ccxt_errors.DDoSProtection,  # binance's handle_errors: 429
        "kraken": ccxt_errors.DDoSProtection,  # EGeneral:Too many requests, HTTP 200
        "coinbase": ccxt_errors.RateLimitExceeded,  # ccxt's status table: 429 HTML page
        "bybit": ccxt_errors.RateLimitExceeded,  # retCode 10006 "Too many visits!", HTTP 200
        "okx": ccxt_errors.RateLimitExceeded,  # code 50011, HTTP 429
    }
    assert isinstance(error.__cause__, expected[exchange_id])


async def test_a_fault_for_the_next_requests_only(
    fake: FakeExchange, make_source: MakeSource
) -> None:
    source = await started(make_source())
    fake.fail("maintenance", times=2)
    assert (await fault_of(source.fetch_tickers(ASSETS))).kind == "maintenance"
    assert (await fault_of(source.fetch_candles("BTC", "1h"))).kind == "maintenance"
    assert len(await source.fetch_tickers(ASSETS)) == 10


async def test_a_dropped_connection_fails_one_call_despite_aiohttps_retry(
    fake: FakeExchange, make_source: MakeSource
) -> None:
    source = await started(make_source())
    fake.fail("network", times=1)

    error = await fault_of(source.fetch_tickers(ASSETS))

    assert error.kind == "network"
    assert len(fake.requests) == 2  # aiohttp sent the GET again on a new connection
    assert len(await source.fetch_tickers(ASSETS)) == 10


async def test_unknown_fault_is_refused(fake: FakeExchange) -> None:
    with pytest.raises(ValueError):
        fake.fail("gremlins")
