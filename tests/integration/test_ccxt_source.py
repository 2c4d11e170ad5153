"""CcxtSource over the real ccxt exchange classes (binance, kraken, coinbase, bybit, okx), offline.

Two ways of feeding ccxt, both underneath all of its request building and parsing:

* Recorded responses (ccxt's own static-response technique): the exchange gets its markets from
  a recorded market file via `set_markets`, and `Exchange.fetch` — ccxt's one HTTP call,
  `(url, method, headers, body) -> decoded JSON` — is replaced by a lookup of the recorded
  `httpResponse` under the exact URL ccxt built. Everything from ccxt's URL building to its
  unified parsing is real, and an unexpected URL fails the test.
* Faults: nothing in ccxt or aiohttp is patched. `exchange.urls` are re-pointed at an aiohttp
  server on 127.0.0.1 (loopback only) that answers with the broken response (or not at all), so
  ccxt's real `fetch` over a real aiohttp session runs: its timeout, JSON decoding, the
  exchange's `handle_errors` and the base `handle_http_status_code`.

Our own code is not mocked anywhere.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import ccxt.async_support as ccxt_async
import pytest
from aiohttp import web
from aiohttp.test_utils import RawTestServer
from ccxt.base import errors as ccxt_errors

from core.market import Candle, Ticker
from tests.ports import free_port
from workers.sources.base import SourceError
from workers.sources.ccxt_source import CcxtSource, CcxtSourceError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exchanges"
CCXT_STATIC = FIXTURES / "ccxt_static"
KLINES = FIXTURES / "binance_rest_klines" / "klines_1m_2024-11-16.json"
BINANCE_24HR = FIXTURES / "binance_rest_2020-10-09" / "ticker_24hr_BTCUSDT_ETHUSDT.json"

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FROZEN_NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _read(path: Path, **json_kwargs: Any) -> Any:
    return json.loads(path.read_text(encoding="utf-8"), **json_kwargs)


def _ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


@dataclass(frozen=True)
class Case:
    """One recorded ccxt static-response case."""

    input: list[Any]
    http_response: Any  # as json.loads gives it, i.e. what ccxt's fetch would return
    parsed: Any  # ccxt's unified result, JSON numbers read as exact Decimals


def recorded_case(exchange_id: str, method: str, index: int = 0) -> Case:
    path = CCXT_STATIC / "response" / f"{exchange_id}.json"
    plain = _read(path)["methods"][method][index]
    exact = _read(path, parse_float=Decimal)["methods"][method][index]
    return Case(plain["input"], plain["httpResponse"], exact["parsedResponse"])


class RecordedHttp:
    """Stands in for `Exchange.fetch`: the recorded body for each exact URL, else a failure."""

    def __init__(self, source: CcxtSource, responses: dict[str, Any]) -> None:
        self.responses = responses
        self.requests: list[tuple[str, str]] = []
        source.exchange.fetch = self.fetch

    async def fetch(
        self, url: str, method: str = "GET", headers: Any = None, body: Any = None
    ) -> Any:
        self.requests.append((method, url))
        if url not in self.responses:
            raise AssertionError(f"unexpected request {method} {url}")
        return copy.deepcopy(self.responses[url])


MakeSource = Callable[..., CcxtSource]


@pytest.fixture
async def make_source() -> AsyncIterator[MakeSource]:
    """Builds CcxtSource over a real ccxt exchange whose markets come from the recorded file."""
    made: list[CcxtSource] = []

    def make(exchange_id: str, *, markets: bool = True, **kwargs: Any) -> CcxtSource:
        exchange = getattr(ccxt_async, exchange_id)()
        exchange.timeout_on_exit = 0  # ccxt's close() otherwise sleeps 250 ms
        if markets:
            exchange.set_markets(_read(CCXT_STATIC / "markets" / f"{exchange_id}.json"))
        source = CcxtSource(exchange, clock=lambda: FROZEN_NOW, **kwargs)
        made.append(source)
        return source

    yield make
    for source in made:
        await source.close()


async def started(source: CcxtSource) -> CcxtSource:
    await source.start()
    return source


# --- construction and markets ------------------------------------------------------------


async def test_constructor_builds_the_exchange_with_rate_limiter_and_string_numbers() -> None:
    source = CcxtSource("binance", timeout_ms=1234)
    source.exchange.timeout_on_exit = 0
    try:
        assert source.name == "binance"
        assert isinstance(source.exchange, ccxt_async.binance)
        assert source.exchange.timeout == 1234
        assert source.exchange.enableRateLimit is True
        assert source.exchange.number is str
    finally:
        await source.close()
    with pytest.raises(ValueError):
        CcxtSource("no-such-exchange")


async def test_injected_exchange_also_gets_rate_limiter(make_source: MakeSource) -> None:
    source = make_source("kraken", timeout_ms=2500)
    assert source.name == "kraken"
    assert source.exchange.enableRateLimit is True
    assert source.exchange.timeout == 2500


async def test_start_with_preset_markets_makes_no_request(make_source: MakeSource) -> None:
    source = make_source("binance")
    http = RecordedHttp(source, {})
    await source.start()
    assert http.requests == []


async def test_market_for_before_start_is_an_error(make_source: MakeSource) -> None:
    with pytest.raises(RuntimeError):
        make_source("binance").market_for("BTC")


async def test_binance_market_for_picks_the_spot_usdt_market(make_source: MakeSource) -> None:
    # the slice also holds BTC/USDT:USDT (linear swap, same id BTCUSDT) and BTC/USD:BTC
    source = await started(make_source("binance"))
    assert source.market_for("BTC") == ("BTC/USDT", "USDT")
    assert source.market_for("ETH") == ("ETH/USDT", "USDT")
    assert source.market_for("btc") == ("BTC/USDT", "USDT")
    assert source.market_for("NOPE") is None
    assert source.market_for("USDT") is None


async def test_market_for_follows_the_usd_quote_order(make_source: MakeSource) -> None:
    kraken = await started(make_source("kraken"))
    assert kraken.market_for("BTC") == ("BTC/USDT", "USDT")  # kraken id XBTUSDT
    assert kraken.market_for("XRP") == ("XRP/USD", "USD")  # no XRP/USDT in the slice
    coinbase = await started(make_source("coinbase"))
    assert coinbase.market_for("BTC") == ("BTC/USDT", "USDT")
    usdc_first = await started(make_source("coinbase", quotes=("USDC", "USD")))
    assert usdc_first.market_for("BTC") == ("BTC/USDC", "USDC")  # not the BTC/USDC:USDC perp


# --- tickers from recorded responses -----------------------------------------------------


def assert_recorded(ours: Decimal | None, recorded: Decimal | int | None) -> None:
    """Our Decimal equals ccxt's recorded parsedResponse value. That file stores numbers as
    JSON doubles: where the exchange sent more digits than a double holds (e.g. binance's
    "5167027510.68728707"), ours is the exact value and the recording its double."""
    if recorded is None:
        assert ours is None
        return
    assert isinstance(ours, Decimal)
    if ours != recorded:
        assert float(ours) == float(recorded), (ours, recorded)
        assert len(ours.as_tuple().digits) > 15  # only a double's rounding may differ


def assert_decimal_fields(ticker: Ticker) -> None:
    assert isinstance(ticker.last, Decimal)
    for value in (
        ticker.change_24h_pct,
        ticker.base_volume_24h,
        ticker.quote_volume_24h,
        ticker.bid,
        ticker.ask,
    ):
        assert value is None or isinstance(value, Decimal)
    assert ticker.ts.tzinfo is UTC


async def test_binance_fetch_tickers_equal_ccxt_parsed_response(make_source: MakeSource) -> None:
    case = recorded_case("binance", "fetchTickers")
    assert case.input == [["BTC/USDT", "ETH/USDT"], {"rolling": True}]
    # The recorded case is binance's rolling-window endpoint, so ask for that one: its body
    # lacks bidQty, from which binance's parse_ticker would otherwise infer a contract market
    # (BTCUSDT is also the id of the BTC/USDT:USDT swap in the slice).
    source = await started(make_source("binance", ticker_params={"rolling": True}))
    url = "https://api.binance.com/api/v3/ticker?symbols=%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D"
    http = RecordedHttp(source, {url: case.http_response})

    tickers = await source.fetch_tickers(["BTC", "NOPE", "ETH", "BTC"])

    assert http.requests == [("GET", url)]
    assert [t.market for t in tickers] == ["BTC/USDT", "ETH/USDT"]
    for ticker in tickers:
        expected = case.parsed[ticker.market]
        assert_decimal_fields(ticker)
        assert ticker.exchange == "binance"
        assert (ticker.base, ticker.quote) == (ticker.market.split("/")[0], "USDT")
        assert_recorded(ticker.last, expected["last"])
        assert_recorded(ticker.change_24h_pct, expected["percentage"])
        assert_recorded(ticker.base_volume_24h, expected["baseVolume"])
        assert_recorded(ticker.quote_volume_24h, expected["quoteVolume"])
        assert_recorded(ticker.bid, expected["bid"])
        assert_recorded(ticker.ask, expected["ask"])
        assert ticker.ts == _ms(expected["timestamp"])
        assert ticker.ts == datetime.fromisoformat(expected["datetime"])
    btc = tickers[0]
    # exactly the exchange's digits, no float on the way
    assert str(btc.last) == "118390.44000000"
    assert str(btc.quote_volume_24h) == "1723237251.70184720"
    assert btc.ts == datetime(2025, 7, 29, 11, 39, 36, 708000, tzinfo=UTC)


async def test_binance_fetch_tickers_from_raw_24hr_response(make_source: MakeSource) -> None:
    # The default (24 h) endpoint, fed a real /api/v3/ticker/24hr answer (two of its entries);
    # no ccxt parsedResponse exists for it, so compare with the exchange's own strings.
    raw = _read(BINANCE_24HR)
    source = await started(make_source("binance"))
    url = "https://api.binance.com/api/v3/ticker/24hr?symbols=%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D"
    http = RecordedHttp(source, {url: raw})

    tickers = await source.fetch_tickers(["BTC", "ETH"])

    assert http.requests == [("GET", url)]
    assert [t.market for t in tickers] == ["BTC/USDT", "ETH/USDT"]  # spot, not the swap
    for ticker, sent in zip(tickers, raw, strict=True):
        assert_decimal_fields(ticker)
        assert str(ticker.last) == sent["lastPrice"]
        assert str(ticker.change_24h_pct) == sent["priceChangePercent"]
        assert str(ticker.base_volume_24h) == sent["volume"]
        assert str(ticker.quote_volume_24h) == sent["quoteVolume"]
        assert str(ticker.bid) == sent["bidPrice"]
        assert str(ticker.ask) == sent["askPrice"]
        assert ticker.ts == _ms(sent["closeTime"])
    assert tickers[0].ts == datetime(2020, 10, 9, 2, 5, 42, 566000, tzinfo=UTC)


async def test_binance_fetch_ticker_path_when_fetch_tickers_is_missing(
    make_source: MakeSource,
) -> None:
    case = recorded_case("binance", "fetchTicker")
    source = await started(make_source("binance"))
    source.exchange.has["fetchTickers"] = False  # exercise the per-symbol fetch_ticker branch
    url = "https://api.binance.com/api/v3/ticker/24hr?symbol=BTCUSDT"
    http = RecordedHttp(source, {url: case.http_response})

    [ticker] = await source.fetch_tickers(["BTC"])

    assert http.requests == [("GET", url)]
    expected = case.parsed
    assert_decimal_fields(ticker)
    assert ticker.market == expected["symbol"] == "BTC/USDT"
    assert_recorded(ticker.last, expected["last"])
    assert_recorded(ticker.change_24h_pct, expected["percentage"])
    assert_recorded(ticker.base_volume_24h, expected["baseVolume"])
    assert_recorded(ticker.quote_volume_24h, expected["quoteVolume"])
    assert str(ticker.quote_volume_24h) == "5167027510.68728707"  # recorded: ...510.687287
    assert_recorded(ticker.bid, expected["bid"])
    assert_recorded(ticker.ask, expected["ask"])
    assert ticker.bid == Decimal("73369.83") and ticker.ask == Decimal("73369.84")
    assert ticker.ts == _ms(expected["timestamp"])


async def test_kraken_fetch_tickers_equal_ccxt_parsed_response(make_source: MakeSource) -> None:
    case = recorded_case("kraken", "fetchTicker")
    source = await started(make_source("kraken", quotes=("USDT",)))
    # kraken's fetchTickers asks the same Ticker endpoint as its fetchTicker (pair=XBTUSDT)
    url = "https://api.kraken.com/0/public/Ticker?pair=XBTUSDT"
    http = RecordedHttp(source, {url: case.http_response})

    [ticker] = await source.fetch_tickers(["BTC"])

    assert http.requests == [("GET", url)]
    expected = case.parsed
    assert_decimal_fields(ticker)
    assert (ticker.exchange, ticker.market, ticker.base, ticker.quote) == (
        "kraken",
        "BTC/USDT",
        "BTC",
        "USDT",
    )
    assert_recorded(ticker.last, expected["last"])
    assert_recorded(ticker.bid, expected["bid"])
    assert_recorded(ticker.ask, expected["ask"])
    assert_recorded(ticker.base_volume_24h, expected["baseVolume"])
    # Kraken sends no timestamp: the source stamps the ticker with its clock.
    assert expected["timestamp"] is None
    assert ticker.ts == FROZEN_NOW
    # percentage and quoteVolume are computed by ccxt's Precise string arithmetic: ours are
    # its exact results, the recording holds their doubles
    assert_recorded(ticker.change_24h_pct, expected["percentage"])
    assert ticker.change_24h_pct == Decimal("2.7010232230055128")  # recorded 2.701023223005513
    assert_recorded(ticker.quote_volume_24h, expected["quoteVolume"])
    assert ticker.quote_volume_24h == Decimal("598.03698452") * Decimal("71501.57520")


async def test_coinbase_fetch_ticker_equal_ccxt_parsed_response(make_source: MakeSource) -> None:
    case = recorded_case("coinbase", "fetchTicker")
    source = await started(make_source("coinbase", quotes=("USDC",)))
    # The recorded case is coinbase's fetchTicker (market trades + best bid/ask); production
    # would use its fetchTickers (products list), so take the per-symbol branch here.
    source.exchange.has["fetchTickers"] = False
    url = "https://api.coinbase.com/api/v3/brokerage/market/products/BTC-USDC/ticker?limit=1"
    http = RecordedHttp(source, {url: case.http_response})

    [ticker] = await source.fetch_tickers(["BTC"])

    assert http.requests == [("GET", url)]
    expected = case.parsed
    assert_decimal_fields(ticker)
    assert (ticker.market, ticker.quote) == ("BTC/USDC", "USDC")
    assert_recorded(ticker.last, expected["last"])
    assert_recorded(ticker.bid, expected["bid"])
    assert_recorded(ticker.ask, expected["ask"])
    assert ticker.last == Decimal("66363.03")
    assert ticker.change_24h_pct is None and expected["percentage"] is None
    assert ticker.base_volume_24h is None and ticker.quote_volume_24h is None
    assert ticker.ts == _ms(expected["timestamp"])  # ms precision, as ccxt parses it


async def test_fetch_tickers_without_listed_assets_makes_no_request(
    make_source: MakeSource,
) -> None:
    source = await started(make_source("binance"))
    http = RecordedHttp(source, {})
    assert await source.fetch_tickers(["NOPE", "ALSO-NOPE"]) == []
    assert await source.fetch_tickers([]) == []
    assert await source.fetch_candles("NOPE", "1h") == []
    assert http.requests == []


async def test_kraken_asks_every_dollar_book_of_a_coin_in_one_request(
    make_source: MakeSource,
) -> None:
    case = recorded_case("kraken", "fetchTicker")
    source = await started(make_source("kraken"))  # the slice lists BTC/USDT and BTC/USD
    url = "https://api.kraken.com/0/public/Ticker?pair=XBTUSDT%2CXXBTZUSD"
    http = RecordedHttp(source, {url: case.http_response})  # the answer holds XBTUSDT only

    tickers = await source.fetch_tickers(["BTC"])

    assert http.requests == [("GET", url)]
    assert [t.market for t in tickers] == ["BTC/USDT"]
    assert source.market_for("BTC") == ("BTC/USDT", "USDT")  # candles still come from one


@pytest.mark.parametrize("exchange_id", ["binance", "bybit", "okx"])
async def test_perpetuals_are_never_a_coins_book(make_source: MakeSource, exchange_id: str) -> None:
    # each slice holds BTC/USDT:USDT, a linear perpetual, next to the BTC/USDT spot market
    source = await started(make_source(exchange_id))
    assert "BTC/USDT:USDT" in source.exchange.markets
    assert source.market_for("BTC") == ("BTC/USDT", "USDT")
    assert all(":" not in symbol for symbol, _ in source.listed().values())


# --- any ccxt exchange by id: bybit and okx ----------------------------------------------

BYBIT = "https://api.bybit.com"
OKX = "https://www.okx.com"


@pytest.mark.parametrize(
    ("exchange_id", "url", "recorded"),
    [
        (
            "bybit",
            f"{BYBIT}/v5/market/instruments-info?category=spot",
            "bybit_v5/market_instruments_info_spot.json",
        ),
        (
            "okx",
            f"{OKX}/api/v5/public/instruments?instType=SPOT",
            "okx_v5/public_instruments_spot.json",
        ),
    ],
)
async def test_an_exchange_built_by_id_loads_its_spot_markets(
    exchange_id: str, url: str, recorded: str
) -> None:
    source = CcxtSource(exchange_id, clock=lambda: FROZEN_NOW)  # as the workers build it
    source.exchange.timeout_on_exit = 0
    http = RecordedHttp(source, {url: _read(FIXTURES / recorded)})
    try:
        await source.start()
    finally:
        await source.close()

    assert http.requests == [("GET", url)]  # spot only: no derivatives or options endpoints
    assert source.market_for("BTC") == ("BTC/USDT", "USDT")
    assert source.market_for("ETH") == ("ETH/USDT", "USDT")
    expected = _read(CCXT_STATIC / "markets" / f"{exchange_id}.json")
    for symbol in ("BTC/USDT", "ETH/USDT"):
        ours, theirs = source.exchange.markets[symbol], expected[symbol]
        keys = ("id", "symbol", "base", "quote", "spot", "active")
        assert {k: ours[k] for k in keys} == {k: theirs[k] for k in keys}
        tick = Decimal(str(theirs["precision"]["price"]))
        assert Decimal(str(ours["precision"]["price"])) == tick


async def test_bybit_tickers_are_its_documented_answer(make_source: MakeSource) -> None:
    source = await started(make_source("bybit"))
    url = f"{BYBIT}/v5/market/tickers?category=spot"
    http = RecordedHttp(source, {url: _read(FIXTURES / "bybit_v5" / "market_tickers_spot.json")})

    tickers = await source.fetch_tickers(["BTC", "PEPE", "ETH"])

    assert http.requests == [("GET", url)]
    [btc] = tickers  # ETH is listed, but the answer has no ticker for it
    assert_decimal_fields(btc)
    assert (btc.exchange, btc.market, btc.base, btc.quote, btc.kind) == (
        "bybit",
        "BTC/USDT",
        "BTC",
        "USDT",
        "spot",
    )
    assert str(btc.last) == "20533.13"
    assert (str(btc.bid), str(btc.ask)) == ("20517.96", "20527.77")
    assert btc.change_24h_pct == Decimal("0.68")  # price24hPcnt 0.0068 is a fraction
    assert str(btc.base_volume_24h) == "11801.27771"
    assert str(btc.quote_volume_24h) == "243765620.65899866"
    assert btc.ts == FROZEN_NOW  # bybit stamps the answer, not each ticker


async def test_okx_tickers_are_read_from_its_answer(make_source: MakeSource) -> None:
    source = await started(make_source("okx"))
    url = f"{OKX}/api/v5/market/tickers?instType=SPOT"
    http = RecordedHttp(source, {url: _read(FIXTURES / "okx_v5" / "market_tickers_spot.json")})

    tickers = await source.fetch_tickers(["BTC", "SOL"])  # SOL: not in the market list

    assert http.requests == [("GET", url)]
    [btc] = tickers  # the answer's SOL-USDT is no market this source knows
    assert_decimal_fields(btc)
    assert (btc.exchange, btc.market, btc.quote) == ("okx", "BTC/USDT", "USDT")
    assert str(btc.last) == "67000.1"
    assert (str(btc.bid), str(btc.ask)) == ("67000.1", "67000.2")
    assert str(btc.base_volume_24h) == "7702.36125"
    assert str(btc.quote_volume_24h) == "512390847.512304"
    # ccxt works the change out from open24h by its own string arithmetic (16 places)
    assert btc.change_24h_pct == Decimal("1.4963877943958928")  # 987.8 / 66012.3 × 100
    assert btc.ts == datetime(2025, 12, 1, 12, 0, 0, 123000, tzinfo=UTC)


# --- candles -------------------------------------------------------------------------------


def assert_candles_equal(candles: list[Candle], parsed: list[list[Any]]) -> None:
    assert len(candles) == len(parsed)
    for candle, row in zip(candles, parsed, strict=True):
        assert candle == Candle(_ms(row[0]), *(Decimal(v) for v in row[1:6]))
        for value in (candle.open, candle.high, candle.low, candle.close, candle.volume):
            assert isinstance(value, Decimal)
        assert candle.ts.tzinfo is UTC


async def test_binance_fetch_candles_equal_ccxt_parsed_response(make_source: MakeSource) -> None:
    case = recorded_case("binance", "fetchOHLCV")
    symbol, timeframe, since_ms, limit = case.input
    assert symbol == "BTC/USDT"
    source = await started(make_source("binance"))
    url = (
        "https://api.binance.com/api/v3/klines"
        "?interval=1h&limit=3&symbol=BTCUSDT&startTime=1706628191000"
    )
    http = RecordedHttp(source, {url: case.http_response})

    candles = await source.fetch_candles("BTC", timeframe, since=_ms(since_ms), limit=limit)

    assert http.requests == [("GET", url)]
    assert_candles_equal(candles, case.parsed)
    assert str(candles[0].open) == "43519.34000000"


async def test_kraken_fetch_candles_equal_ccxt_parsed_response(make_source: MakeSource) -> None:
    # kraken returns 6 rows from a `since` one candle earlier; ccxt trims to since/limit
    case = recorded_case("kraken", "fetchOHLCV")
    symbol, timeframe, since_ms, limit = case.input
    assert symbol == "BTC/USDT"
    source = await started(make_source("kraken"))
    url = "https://api.kraken.com/0/public/OHLC?pair=XBTUSDT&interval=60&since=1706624591"
    RecordedHttp(source, {url: case.http_response})

    candles = await source.fetch_candles("BTC", timeframe, since=_ms(since_ms), limit=limit)

    assert_candles_equal(candles, case.parsed)


async def test_fetch_candles_from_500_raw_binance_klines(make_source: MakeSource) -> None:
    klines = _read(KLINES)
    assert len(klines) == 500
    source = await started(make_source("binance"))
    # the file does not record its symbol (≈0.72 USDT, 2024-11-16): served as ADA/USDT
    url = "https://api.binance.com/api/v3/klines?interval=1m&limit=500&symbol=ADAUSDT"
    RecordedHttp(source, {url: klines})

    candles = await source.fetch_candles("ADA", "1m")

    assert len(candles) == 500
    assert candles[0] == Candle(
        ts=datetime(2024, 11, 16, 9, 7, tzinfo=UTC),
        open=Decimal("0.72270000"),
        high=Decimal("0.72560000"),
        low=Decimal("0.72270000"),
        close=Decimal("0.72440000"),
        volume=Decimal("574761.50000000"),
    )
    last = klines[-1]
    assert candles[-1] == Candle(_ms(last[0]), *(Decimal(v) for v in last[1:6]))
    assert candles[-1].ts == datetime(2024, 11, 16, 17, 26, tzinfo=UTC)
    assert all(c.ts.tzinfo is UTC for c in candles)
    steps = {later.ts - earlier.ts for earlier, later in itertools.pairwise(candles)}
    assert steps == {timedelta(minutes=1)}  # oldest first, no gap


async def test_fetch_candles_are_oldest_first_even_if_sent_newest_first(
    make_source: MakeSource,
) -> None:
    # (ccxt's parse_ohlcvs sorts already; CcxtSource sorts again for parsers that do not)
    klines = _read(KLINES)[:20]
    source = await started(make_source("binance"))
    url = "https://api.binance.com/api/v3/klines?interval=1m&limit=20&symbol=ADAUSDT"
    RecordedHttp(source, {url: klines[::-1]})

    candles = await source.fetch_candles("ADA", "1m", limit=20)

    assert [c.ts for c in candles] == sorted(_ms(k[0]) for k in klines)


async def test_fetch_candles_rejects_a_naive_since(make_source: MakeSource) -> None:
    source = await started(make_source("binance"))
    with pytest.raises(ValueError):
        await source.fetch_candles("BTC", "1h", since=datetime(2024, 1, 1))  # noqa: DTZ001


# --- faults through a loopback HTTP server ----------------------------------------------


@dataclass
class LoopbackExchange:
    """An HTTP server on 127.0.0.1 answering every request with one canned response."""

    status: int = 200
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    paths: list[str] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    base_url: str = ""

    def reply(self, status: int, body: str, content_type: str = "application/json", **headers: str):
        self.status, self.body = status, body
        self.headers = {"Content-Type": content_type, **headers}

    async def handle(self, request: web.BaseRequest) -> web.Response:
        self.paths.append(request.path_qs)
        if self.hang:
            await self.release.wait()
        return web.Response(status=self.status, body=self.body.encode(), headers=self.headers)


def point_at(source: CcxtSource, base_url: str) -> None:
    """Re-point every URL of the exchange (all its API hosts) at `base_url`, keeping paths."""

    def rewrite(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: rewrite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        if isinstance(value, str):
            return re.sub(r"^https?://[^/]+", base_url, value)
        return value

    source.exchange.urls = rewrite(source.exchange.urls)


@pytest.fixture
async def loopback() -> AsyncIterator[LoopbackExchange]:
    server = LoopbackExchange()
    raw = RawTestServer(server.handle, host="127.0.0.1")
    await raw.start_server()
    server.base_url = str(raw.make_url("")).rstrip("/")
    yield server
    server.release.set()
    await raw.close()


async def fault_of(call: Any) -> CcxtSourceError:
    with pytest.raises(SourceError) as caught:
        await call
    error = caught.value
    assert isinstance(error, CcxtSourceError)
    return error


async def test_timeout_is_kind_timeout(make_source: MakeSource, loopback: LoopbackExchange) -> None:
    loopback.hang = True  # the server never answers; aiohttp's timeout fires after 100 ms
    source = await started(make_source("binance", timeout_ms=100))
    point_at(source, loopback.base_url)

    error = await fault_of(source.fetch_tickers(["BTC"]))

    assert error.kind == "timeout"
    assert error.exchange == "binance"
    assert isinstance(error.__cause__, ccxt_errors.RequestTimeout)
    assert "binance" in str(error) and "timeout" in str(error)
    assert error.retryable
    assert loopback.paths == ["/api/v3/ticker/24hr?symbols=%5B%22BTCUSDT%22%5D"]


@pytest.mark.parametrize("status", [429, 418])
async def test_binance_http_429_is_rate_limit_with_retry_after(
    make_source: MakeSource, loopback: LoopbackExchange, status: int
) -> None:
    loopback.reply(status, '{"code":-1003,"msg":"Too many requests."}', **{"Retry-After": "7"})
    source = await started(make_source("binance"))
    point_at(source, loopback.base_url)

    error = await fault_of(source.fetch_candles("BTC", "1h"))

    assert error.kind == "rate_limit"
    assert error.retry_after == 7.0
    # binance's handle_errors raises DDoSProtection for 418/429 before the status table does
    assert isinstance(error.__cause__, ccxt_errors.DDoSProtection)
    assert "binance" in str(error) and "rate_limit" in str(error)


async def test_coinbase_http_429_is_rate_limit_exceeded(
    make_source: MakeSource, loopback: LoopbackExchange
) -> None:
    loopback.reply(429, "Too Many Requests", content_type="text/plain", **{"Retry-After": "2"})
    source = await started(make_source("coinbase"))
    point_at(source, loopback.base_url)

    error = await fault_of(source.fetch_tickers(["BTC"]))

    assert error.kind == "rate_limit"
    assert error.retry_after == 2.0
    assert type(error.__cause__) is ccxt_errors.RateLimitExceeded  # ccxt's HTTP-status table


async def test_kraken_rate_limit_error_body_is_rate_limit(
    make_source: MakeSource, loopback: LoopbackExchange
) -> None:
    loopback.reply(200, '{"error":["EAPI:Rate limit exceeded"]}')
    source = await started(make_source("kraken"))
    point_at(source, loopback.base_url)

    error = await fault_of(source.fetch_tickers(["BTC"]))

    assert error.kind == "rate_limit"
    assert error.retry_after is None  # kraken said nothing about when
    assert isinstance(error.__cause__, ccxt_errors.DDoSProtection)


@pytest.mark.parametrize(
    ("exchange_id", "status", "body", "content_type", "ccxt_error"),
    [
        # binance's system-status message, matched by binance's own exception table
        (
            "binance",
            503,
            '{"code":1,"msg":"System is under maintenance."}',
            "application/json",
            ccxt_errors.OnMaintenance,
        ),
        # a bare 503 page from the load balancer: ccxt's HTTP-status table
        (
            "binance",
            503,
            "<html><body>503 Service Temporarily Unavailable</body></html>",
            "text/html",
            ccxt_errors.ExchangeNotAvailable,
        ),
        (
            "kraken",
            200,
            '{"error":["EService:Unavailable"]}',
            "application/json",
            ccxt_errors.ExchangeNotAvailable,
        ),
    ],
)
async def test_maintenance_and_unavailable_are_kind_maintenance(
    make_source: MakeSource,
    loopback: LoopbackExchange,
    exchange_id: str,
    status: int,
    body: str,
    content_type: str,
    ccxt_error: type[Exception],
) -> None:
    loopback.reply(status, body, content_type=content_type, **{"Retry-After": "60"})
    source = await started(make_source(exchange_id))
    point_at(source, loopback.base_url)

    error = await fault_of(source.fetch_tickers(["BTC"]))

    assert error.kind == "maintenance"
    assert isinstance(error.__cause__, ccxt_error)
    assert error.retry_after == 60.0
    assert f"{exchange_id}: maintenance" in str(error)


@pytest.mark.parametrize(
    ("exchange_id", "body", "content_type", "call"),
    [
        # truncated JSON: ccxt's parse_json gives up and hands the text to the parser
        ("binance", '[{"symbol":"BTCUSDT","lastPrice":"6', "application/json", "tickers"),
        ("binance", "<html><body>Bad gateway</body></html>", "text/html", "tickers"),
        ("binance", "[[1706630400000,", "application/json", "candles"),
        ("binance", "<html></html>", "text/html", "candles"),
        # kraken's parser turns an HTML page into "no tickers at all"
        ("kraken", "<html><body>oops</body></html>", "text/html", "tickers"),
        # well-formed JSON with a value that is no number
        (
            "kraken",
            '{"error":[],"result":{"XBTUSDT":{"c":["n/a"]}}}',
            "application/json",
            "tickers",
        ),
    ],
)
async def test_malformed_responses_are_kind_malformed(
    make_source: MakeSource,
    loopback: LoopbackExchange,
    exchange_id: str,
    body: str,
    content_type: str,
    call: str,
) -> None:
    loopback.reply(200, body, content_type=content_type)
    source = await started(make_source(exchange_id))
    point_at(source, loopback.base_url)

    if call == "tickers":
        error = await fault_of(source.fetch_tickers(["BTC"]))
    else:
        error = await fault_of(source.fetch_candles("BTC", "1h"))

    assert error.kind == "malformed"
    assert f"{exchange_id}: malformed" in str(error)
    assert error.retryable


async def test_connection_refused_is_kind_network(make_source: MakeSource) -> None:
    port = free_port()  # a loopback port nobody listens on
    source = await started(make_source("binance"))
    point_at(source, f"http://127.0.0.1:{port}")

    error = await fault_of(source.fetch_tickers(["BTC"]))

    assert error.kind == "network"
    assert isinstance(error.__cause__, ccxt_errors.ExchangeNotAvailable)
    assert isinstance(error.__cause__.__cause__, aiohttp.ClientConnectionError)


async def test_other_exchange_errors_are_kind_exchange(
    make_source: MakeSource, loopback: LoopbackExchange
) -> None:
    loopback.reply(400, '{"code":-1121,"msg":"Invalid symbol."}')
    source = await started(make_source("binance"))
    point_at(source, loopback.base_url)

    error = await fault_of(source.fetch_candles("BTC", "1h"))

    assert error.kind == "exchange"
    assert isinstance(error.__cause__, ccxt_errors.BadSymbol)
    assert not error.retryable
    assert error.retry_after is None


async def test_start_translates_load_markets_failures(
    make_source: MakeSource, loopback: LoopbackExchange
) -> None:
    loopback.reply(503, "Service Unavailable", content_type="text/plain")
    source = make_source("binance", markets=False)
    point_at(source, loopback.base_url)

    error = await fault_of(source.start())

    assert error.kind == "maintenance"
    assert loopback.paths  # ccxt really asked for its markets


async def test_per_symbol_branch_surfaces_the_fault_after_all_requests(
    make_source: MakeSource, loopback: LoopbackExchange
) -> None:
    loopback.reply(429, '{"code":-1003,"msg":"Too many requests."}', **{"Retry-After": "3"})
    source = await started(make_source("binance"))
    source.exchange.has["fetchTickers"] = False
    point_at(source, loopback.base_url)

    error = await fault_of(source.fetch_tickers(["BTC", "ETH"]))

    assert error.kind == "rate_limit"
    assert error.retry_after == 3.0
    assert sorted(loopback.paths) == [
        "/api/v3/ticker/24hr?symbol=BTCUSDT",
        "/api/v3/ticker/24hr?symbol=ETHUSDT",
    ]
