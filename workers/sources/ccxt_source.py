"""A MarketSource over one ccxt exchange (binance, kraken, coinbase, ...), async.

Only `workers/` may import ccxt; everything leaving this module is a plain `core.market` value
(Decimal money, aware-UTC times) or a `CcxtSourceError`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar

import ccxt.async_support as ccxt_async
from ccxt.base import errors as ccxt_errors

from core.currencies import USD_QUOTES
from core.market import Candle, Ticker
from workers.sources.ccxt_faults import KINDS, CcxtSourceError, kind_of, strict_json
from workers.sources.ccxt_faults import retry_after as retry_after_header

__all__ = ["KINDS", "CcxtSource", "CcxtSourceError"]

_T = TypeVar("_T")
log = logging.getLogger(__name__)

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_DEFAULT_TIMEOUT_MS: Final = 10_000
_MAX_MESSAGE: Final = 300  # ccxt puts whole response bodies (HTML pages) into its messages

# What a ccxt parser raises when a response has the wrong shape (a list for a dict, "" for a
# number, ...) and what Decimal raises for a value that is no number: both mean "malformed".
_SHAPE_ERRORS: Final = (TypeError, KeyError, IndexError, AttributeError, ValueError)


class CcxtSource:
    """MarketSource for one ccxt exchange.

    `CcxtSource("binance")` builds `ccxt.async_support.binance` itself (`config`: extra ccxt
    constructor settings); tests pass an already-built exchange object instead. Either way
    ccxt's rate limiter is switched on and ccxt is told to hand numbers over as strings.
    `quotes`: acceptable quote currencies, best first: an asset's market (`market_for`, its
    candles) is its spot market in the first of them the exchange lists, while its tickers come
    from every such spot book (the reference price takes one vote per exchange from them).
    `ticker_params`: extra ccxt params for fetch_tickers/fetch_ticker (e.g. binance's
    {"rolling": True} for its rolling-window endpoint).

    Any ccxt exchange id works. Pythia prices spot books only, so where ccxt lets an exchange
    load only some kinds of market (bybit, okx, binance, gate, ...), it loads the spot ones.

    A ticker whose price is zero, negative or no finite number is refused where it is parsed:
    counted in `refused` (per market) and logged when a market starts and stops sending them.
    """

    def __init__(
        self,
        exchange: str | ccxt_async.Exchange,
        *,
        timeout_ms: int | None = None,
        quotes: Sequence[str] = USD_QUOTES,
        ticker_params: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if isinstance(exchange, str):
            if exchange not in ccxt_async.exchanges:
                raise ValueError(f"unknown ccxt exchange id: {exchange!r}")
            exchange_class = getattr(ccxt_async, exchange)
            settings: dict[str, Any] = {"timeout": _DEFAULT_TIMEOUT_MS, **(config or {})}
            exchange = exchange_class(settings)
            if "fetchMarkets" not in (config or {}).get("options", {}):
                _load_spot_only(exchange)
        elif config:
            raise ValueError("config only applies when CcxtSource builds the exchange")
        if timeout_ms is not None:
            exchange.timeout = timeout_ms
        exchange.enableRateLimit = True
        # Decimals: number=str -> exact digit strings for _dec (number=Decimal loses values)
        exchange.number = str
        exchange.parse_json = functools.partial(strict_json, exchange)
        self._exchange = exchange
        self.name: str = exchange.id
        self._quotes = tuple(quotes)
        self._ticker_params = dict(ticker_params or {})
        self._clock = clock or (lambda: datetime.now(UTC))
        # asset -> its spot books (symbol, base, quote), best quote first
        self._markets: dict[str, list[tuple[str, str, str]]] | None = None
        self.refused: Counter[str] = Counter()  # market -> tickers refused for their price
        self._refusing: set[str] = set()  # markets whose last ticker was refused

    @property
    def exchange(self) -> ccxt_async.Exchange:
        return self._exchange

    async def start(self) -> None:
        # Markets set beforehand (exchange.set_markets, e.g. from a recorded file) are used
        # as they are; otherwise this is the one network call of start().
        if not self._exchange.markets:
            await self._call(self._exchange.load_markets)
        self._markets = self._index_markets(self._exchange.markets)

    def market_for(self, asset: str) -> tuple[str, str] | None:
        found = self._lookup(asset)
        return None if found is None else (found[0], found[2])

    def listed(self) -> dict[str, tuple[str, str]]:
        if self._markets is None:
            raise RuntimeError(f"{self.name}: start() was not called")
        return {asset: (books[0][0], books[0][2]) for asset, books in self._markets.items()}

    async def fetch_tickers(self, assets: Sequence[str]) -> list[Ticker]:
        # Every dollar book where one request brings them all; one book each where every
        # symbol costs a request. An asset the exchange does not list is never asked for.
        each = not self._exchange.has.get("fetchTickers")
        wanted: dict[str, tuple[str, str, str]] = {}  # symbol -> (symbol, base, quote)
        for asset in assets:
            for book in self._books(asset)[: 1 if each else None]:
                wanted.setdefault(book[0], book)
        if not wanted:
            return []
        symbols = list(wanted)
        raw: Mapping[str, Any]
        if each:
            raw = await self._fetch_each(symbols)
        else:
            raw = await self._call(self._exchange.fetch_tickers, symbols, dict(self._ticker_params))
        if not isinstance(raw, Mapping):
            raise self._malformed(f"fetch_tickers gave {type(raw).__name__}, not a mapping")
        if not raw:
            # Not one ticker came back: ccxt parsed a body without tickers
            # (kraken's parser turns an HTML page into {}), not an answer worth caching.
            raise self._malformed(f"no ticker in the response for {', '.join(symbols)}")
        tickers = []
        for symbol, base, quote in wanted.values():
            item = raw.get(symbol)
            if item is None:
                continue  # the exchange had nothing for this market
            ticker = self._to_ticker(item, symbol, base, quote)
            if ticker is not None:
                tickers.append(ticker)
        return tickers

    async def fetch_candles(
        self, asset: str, timeframe: str, since: datetime | None = None, limit: int = 500
    ) -> list[Candle]:
        market = self.market_for(asset)
        if market is None:
            return []
        since_ms = None
        if since is not None:
            if since.tzinfo is None:
                raise ValueError("since must be timezone-aware")
            since_ms = (since - _EPOCH) // timedelta(milliseconds=1)
        rows = await self._call(self._exchange.fetch_ohlcv, market[0], timeframe, since_ms, limit)
        try:
            parsed = [self._to_candle(row) for row in rows]
        except (*_SHAPE_ERRORS, InvalidOperation) as exc:
            raise self._malformed(f"fetch_ohlcv {market[0]}: {exc!r}") from exc
        candles = [c for c in parsed if _priced(c)]
        key = f"{market[0]} {timeframe}"
        if len(candles) < len(parsed):  # left a hole, which the gap filler asks for again
            self._refuse(key, next(c.low for c in parsed if not _priced(c)))
        else:
            self._accept(key)
        candles.sort(key=lambda c: c.ts)
        return candles

    async def close(self) -> None:
        await self._exchange.close()

    # --- markets -------------------------------------------------------------------------

    def _index_markets(
        self, markets: Mapping[str, Any] | None
    ) -> dict[str, list[tuple[str, str, str]]]:
        """asset -> (symbol, base, quote) of each of its active spot books in self._quotes,
        best quote first. Perpetuals and futures ("BTC/USDT:USDT") are never among them."""
        rank = {quote: i for i, quote in enumerate(self._quotes)}
        books: dict[str, list[tuple[int, str, str, str]]] = {}
        for symbol, market in (markets or {}).items():
            quote = market.get("quote")
            if quote not in rank or not _is_spot(market) or market.get("active") is False:
                continue  # ccxt's active=None means "not stated": keep such markets
            base = market.get("base")
            if not base:
                continue
            books.setdefault(base, []).append((rank[quote], symbol, base, quote))
        return {base: [book[1:] for book in sorted(found)] for base, found in books.items()}

    def _books(self, asset: str) -> list[tuple[str, str, str]]:
        if self._markets is None:
            raise RuntimeError(f"{self.name}: start() was not called")
        return self._markets.get(asset) or self._markets.get(asset.upper()) or []

    def _lookup(self, asset: str) -> tuple[str, str, str] | None:
        books = self._books(asset)
        return books[0] if books else None

    # --- ccxt calls and errors -----------------------------------------------------------

    async def _call(self, method: Callable[..., Awaitable[_T]], *args: Any) -> _T:
        try:
            return await method(*args)
        except ccxt_errors.BaseError as exc:
            raise self._translate(exc) from exc
        except _SHAPE_ERRORS as exc:
            # ccxt hit something it could not parse (e.g. a non-JSON or wrongly shaped body)
            raise self._malformed(f"{getattr(method, '__name__', method)}: {exc!r}") from exc

    async def _fetch_each(self, symbols: list[str]) -> dict[str, Any]:
        """fetch_ticker per symbol, concurrently (ccxt's rate limiter paces them). All requests
        finish before an error is raised, so none is left running against a closed exchange."""
        fetch_ticker = self._exchange.fetch_ticker
        results = await asyncio.gather(
            *(self._call(fetch_ticker, s, dict(self._ticker_params)) for s in symbols),
            return_exceptions=True,
        )
        out: dict[str, Any] = {}
        for symbol, result in zip(symbols, results, strict=True):
            if isinstance(result, BaseException):
                raise result
            out[symbol] = result
        return out

    def _translate(self, exc: ccxt_errors.BaseError) -> CcxtSourceError:
        kind = kind_of(exc)
        retry_after = None
        if kind in ("rate_limit", "maintenance"):
            retry_after = retry_after_header(self._exchange.last_response_headers, self._clock())
        text = f"{type(exc).__name__}: {exc}"
        if len(text) > _MAX_MESSAGE:
            text = text[: _MAX_MESSAGE - 3] + "..."
        return CcxtSourceError(self.name, kind, text, retry_after)

    def _malformed(self, message: str) -> CcxtSourceError:
        return CcxtSourceError(self.name, "malformed", message[:_MAX_MESSAGE])

    # --- conversion ----------------------------------------------------------------------

    def _to_ticker(self, item: Any, symbol: str, base: str, quote: str) -> Ticker | None:
        if not isinstance(item, Mapping):
            raise self._malformed(f"ticker {symbol} is {type(item).__name__}, not a mapping")
        info = item.get("info")
        if not isinstance(info, Mapping | list):
            # ccxt parsed a body that was no JSON object (e.g. an HTML page served with 200)
            raise self._malformed(f"ticker {symbol}: raw response is {type(info).__name__}")
        try:
            # ccxt gives a zero price as None: a ticker without a positive price is refused
            last = _dec(item.get("last"), finite=False)
            if last is None or not last.is_finite() or last <= 0:
                self._refuse(symbol, last)
                return None
            self._accept(symbol)
            timestamp = item.get("timestamp")
            return Ticker(
                exchange=self.name,
                market=symbol,
                base=base,
                quote=quote,
                last=last,
                ts=self._clock() if timestamp is None else _from_ms(timestamp),
                change_24h_pct=_finite(item.get("percentage")),
                base_volume_24h=_finite(item.get("baseVolume")),
                quote_volume_24h=_finite(item.get("quoteVolume")),
                bid=_finite(item.get("bid")),
                ask=_finite(item.get("ask")),
            )
        except (*_SHAPE_ERRORS, InvalidOperation) as exc:
            raise self._malformed(f"ticker {symbol}: {exc!r}") from exc

    def _refuse(self, market: str, price: Decimal | None) -> None:
        """Count what was refused for its price; say so once, when the market starts."""
        self.refused[market] += 1
        if market not in self._refusing:
            self._refusing.add(market)
            shown = "none" if price is None else price
            log.warning(
                "%s %s: no usable price (%s); left out until it has one", self.name, market, shown
            )

    def _accept(self, market: str) -> None:
        if market in self._refusing:
            self._refusing.discard(market)
            log.info(
                "%s %s: priced again (%d refused so far)", self.name, market, self.refused[market]
            )

    @staticmethod
    def _to_candle(row: Sequence[Any]) -> Candle:
        ts, open_, high, low, close, volume = row[:6]
        prices = [_dec(v, finite=False) for v in (open_, high, low, close)]
        held = [p for p in prices if p is not None]
        if len(held) != 4:
            raise ValueError(f"candle without a price: {row!r}")
        open_price, high_price, low_price, close_price = held
        # some feeds (index prices) have no volume; ccxt gives None, we say 0
        traded = _finite(volume) or Decimal(0)
        return Candle(_from_ms(ts), open_price, high_price, low_price, close_price, traded)


# --- helpers -----------------------------------------------------------------------------


def _is_spot(market: Mapping[str, Any]) -> bool:
    return bool(market.get("spot")) or market.get("type") == "spot"


def _load_spot_only(exchange: ccxt_async.Exchange) -> None:
    """Where ccxt's exchange loads its markets kind by kind from a list of kinds (bybit,
    okx, binance, gate, ...), load the spot ones alone: fewer requests at start-up, and none
    to an options endpoint whose outage would keep the exchange from starting."""
    wanted = exchange.options.get("fetchMarkets")
    kinds = wanted.get("types") if isinstance(wanted, dict) else None
    if isinstance(kinds, list) and "spot" in kinds:
        exchange.options["fetchMarkets"] = {**wanted, "types": ["spot"]}


def _priced(candle: Candle) -> bool:
    prices = (candle.open, candle.high, candle.low, candle.close)
    return all(p.is_finite() and p > 0 for p in prices)


def _dec(value: Any, finite: bool = True) -> Decimal | None:
    """ccxt's value (a digit string given number=str) as a Decimal; None stays None.
    A NaN or infinity is an error unless `finite` is False (the caller refuses it itself)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, str | int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))  # a float from a JSON number: its shortest repr, exact
    else:
        raise TypeError(f"not a number: {value!r}")
    if finite and not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def _finite(value: Any) -> Decimal | None:
    """An optional figure (volume, change, bid): a NaN or infinity there is as good as none."""
    result = _dec(value, finite=False)
    return result if result is None or result.is_finite() else None


def _from_ms(ms: Any) -> datetime:
    if isinstance(ms, bool) or not isinstance(ms, int | str):
        raise TypeError(f"not a millisecond timestamp: {ms!r}")
    return _EPOCH + timedelta(milliseconds=int(ms))
