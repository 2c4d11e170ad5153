"""A MarketSource over one ccxt exchange (binance, kraken, coinbase, ...), async.

Only `workers/` may import ccxt; everything leaving this module is a plain `core.market` value
(Decimal money, aware-UTC times) or a `CcxtSourceError`.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar

import aiohttp
import ccxt.async_support as ccxt_async
from ccxt.base import errors as ccxt_errors

from core.currencies import USD_QUOTES
from core.market import Candle, Ticker
from workers.sources.base import SourceError

_T = TypeVar("_T")

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_DEFAULT_TIMEOUT_MS: Final = 10_000
_MAX_MESSAGE: Final = 300  # ccxt puts whole response bodies (HTML pages) into its messages

# Kinds of fault a caller can back off on; "exchange" is anything else ccxt raised.
KINDS: Final = ("timeout", "rate_limit", "maintenance", "malformed", "network", "exchange")

# What a ccxt parser raises when a response has the wrong shape (a list for a dict, "" for a
# number, ...) and what Decimal raises for a value that is no number: both mean "malformed".
_SHAPE_ERRORS: Final = (TypeError, KeyError, IndexError, AttributeError, ValueError)


class CcxtSourceError(SourceError):
    """A ccxt call failed. `kind` is one of KINDS; `retry_after` (seconds) is set only when the
    exchange said how long to wait (a Retry-After header)."""

    def __init__(
        self, exchange: str, kind: str, message: str, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{exchange}: {kind}: {message}")
        self.exchange = exchange
        self.kind = kind
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Whether trying again later may help (everything but a plain exchange error)."""
        return self.kind != "exchange"


class CcxtSource:
    """MarketSource for one ccxt exchange.

    `CcxtSource("binance")` builds `ccxt.async_support.binance` itself (`config`: extra ccxt
    constructor settings); tests pass an already-built exchange object instead. Either way
    ccxt's rate limiter is switched on and ccxt is told to hand numbers over as strings.
    `quotes`: acceptable quote currencies, best first. `ticker_params`: extra ccxt params for
    fetch_tickers/fetch_ticker (e.g. binance's {"rolling": True} for its rolling-window endpoint).
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
        elif config:
            raise ValueError("config only applies when CcxtSource builds the exchange")
        if timeout_ms is not None:
            exchange.timeout = timeout_ms
        exchange.enableRateLimit = True
        # Decimals: number=str -> exact digit strings for _dec (number=Decimal loses values)
        exchange.number = str
        exchange.parse_json = functools.partial(_strict_json, exchange)
        self._exchange = exchange
        self.name: str = exchange.id
        self._quotes = tuple(quotes)
        self._ticker_params = dict(ticker_params or {})
        self._clock = clock or (lambda: datetime.now(UTC))
        self._markets: dict[str, tuple[str, str, str]] | None = None  # asset -> symbol, base, quote

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
        return {asset: (symbol, quote) for asset, (symbol, _, quote) in self._markets.items()}

    async def fetch_tickers(self, assets: Sequence[str]) -> list[Ticker]:
        wanted: dict[str, tuple[str, str, str]] = {}  # symbol -> (symbol, base, quote)
        for asset in assets:
            found = self._lookup(asset)
            if found is not None:
                wanted.setdefault(found[0], found)
        if not wanted:
            return []
        symbols = list(wanted)
        raw: Mapping[str, Any]
        if self._exchange.has.get("fetchTickers"):
            raw = await self._call(self._exchange.fetch_tickers, symbols, dict(self._ticker_params))
        else:
            raw = await self._fetch_each(symbols)
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
            candles = [self._to_candle(row) for row in rows]
        except (*_SHAPE_ERRORS, InvalidOperation) as exc:
            raise self._malformed(f"fetch_ohlcv {market[0]}: {exc!r}") from exc
        candles.sort(key=lambda c: c.ts)
        return candles

    async def close(self) -> None:
        await self._exchange.close()

    # --- markets -------------------------------------------------------------------------

    def _index_markets(self, markets: Mapping[str, Any] | None) -> dict[str, tuple[str, str, str]]:
        """asset -> (symbol, base, quote) of its best spot market: quote by self._quotes order."""
        rank = {quote: i for i, quote in enumerate(self._quotes)}
        best: dict[str, tuple[int, tuple[str, str, str]]] = {}
        for symbol, market in (markets or {}).items():
            quote = market.get("quote")
            if quote not in rank or not _is_spot(market) or market.get("active") is False:
                continue  # ccxt's active=None means "not stated": keep such markets
            base = market.get("base")
            if not base:
                continue
            entry = (rank[quote], (symbol, base, quote))
            if base not in best or entry[0] < best[base][0]:
                best[base] = entry
        return {base: entry for base, (_, entry) in best.items()}

    def _lookup(self, asset: str) -> tuple[str, str, str] | None:
        if self._markets is None:
            raise RuntimeError(f"{self.name}: start() was not called")
        return self._markets.get(asset) or self._markets.get(asset.upper())

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
        kind = _kind_of(exc)
        retry_after = None
        if kind in ("rate_limit", "maintenance"):
            retry_after = _retry_after(self._exchange.last_response_headers, self._clock())
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
            last = _dec(item.get("last"))
            if last is None:
                return None  # no trade price (e.g. a market without trades): nothing to show
            timestamp = item.get("timestamp")
            return Ticker(
                exchange=self.name,
                market=symbol,
                base=base,
                quote=quote,
                last=last,
                ts=self._clock() if timestamp is None else _from_ms(timestamp),
                change_24h_pct=_dec(item.get("percentage")),
                base_volume_24h=_dec(item.get("baseVolume")),
                quote_volume_24h=_dec(item.get("quoteVolume")),
                bid=_dec(item.get("bid")),
                ask=_dec(item.get("ask")),
            )
        except (*_SHAPE_ERRORS, InvalidOperation) as exc:
            raise self._malformed(f"ticker {symbol}: {exc!r}") from exc

    @staticmethod
    def _to_candle(row: Sequence[Any]) -> Candle:
        ts, open_, high, low, close, volume = row[:6]
        prices = [_dec(v) for v in (open_, high, low, close)]
        held = [p for p in prices if p is not None]
        if len(held) != 4:
            raise ValueError(f"candle without a price: {row!r}")
        open_price, high_price, low_price, close_price = held
        # some feeds (index prices) have no volume; ccxt gives None, we say 0
        traded = _dec(volume) or Decimal(0)
        return Candle(_from_ms(ts), open_price, high_price, low_price, close_price, traded)


# --- helpers -----------------------------------------------------------------------------


def _is_spot(market: Mapping[str, Any]) -> bool:
    return bool(market.get("spot")) or market.get("type") == "spot"


def _kind_of(exc: ccxt_errors.BaseError) -> str:
    if isinstance(exc, ccxt_errors.RequestTimeout):
        return "timeout"
    if isinstance(exc, ccxt_errors.RateLimitExceeded | ccxt_errors.DDoSProtection):
        return "rate_limit"
    if isinstance(exc, ccxt_errors.OnMaintenance):
        return "maintenance"
    if isinstance(exc, ccxt_errors.ExchangeNotAvailable):
        # ccxt raises ExchangeNotAvailable both for a refused/failed connection (chained from
        # the aiohttp/socket error) and for HTTP statuses such as 502/503 (exchange down)
        cause = exc.__cause__
        if isinstance(cause, aiohttp.ClientError | OSError):
            return "network"
        return "maintenance"
    if isinstance(exc, ccxt_errors.BadResponse):
        return "malformed"
    if isinstance(exc, ccxt_errors.OperationFailed):
        return "network"  # NetworkError and other transient failures ("server busy")
    return "exchange"


def _retry_after(headers: Mapping[str, str] | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date) of the last response.

    ccxt keeps only the last response's headers per exchange object, so with concurrent
    requests this is best effort."""
    if not headers:
        return None
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


def _dec(value: Any) -> Decimal | None:
    """ccxt's value (a digit string given number=str) as a Decimal; None stays None."""
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
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def _from_ms(ms: Any) -> datetime:
    if isinstance(ms, bool) or not isinstance(ms, int | str):
        raise TypeError(f"not a millisecond timestamp: {ms!r}")
    return _EPOCH + timedelta(milliseconds=int(ms))


def _strict_json(exchange: Any, http_response: str) -> Any:
    """ccxt quietly drops a body that looks like JSON but does not parse, and kraken's and
    coinbase's parsers then read the empty answer as "no candles". A broken answer is an error."""
    if not type(exchange).is_json_encoded_object(http_response):
        return None  # HTML error pages and the like: ccxt's status handling deals with them
    try:
        return exchange.on_json_response(http_response)
    except ValueError as exc:
        raise ccxt_errors.BadResponse(
            f"{exchange.id}: unparsable JSON: {http_response[:80]!r}"
        ) from exc
