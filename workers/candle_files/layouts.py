"""The candle files Pythia reads, and what each one says about itself.

A layout is recognised from the file's header (or, without one, its first record) and may say
which exchange it comes from (only Binance writes its 12 kline columns, only Bybit calls a
candle's start `startTime` beside a `turnover`, only yfinance adds `Dividends` and `Stock
Splits`), whether it holds spot candles, and, in a ticker column or an API answer's `symbol`
and `category`, which market. The rest comes from the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.candle_import import SPOT, Pair, read_pair
from workers.candle_files.records import CandleFileError, Source

TIME_COLUMNS = ("time", "timestamp", "date", "datetime")  # a generic file's first column
OHLCV = ("open", "high", "low", "close", "volume")
TICKER_COLUMNS = ("ticker", "symbol")


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of file and what they mean."""

    name: str
    columns: tuple[str, ...]  # as in a header, lower case; the first is the open time
    exchange: str | None = None  # the exchange whose files these are
    spot_only: bool = False
    closes: bool = False  # column 6 is the close time: each row says its own timeframe
    quote_volume: bool = False  # volume counts the quote currency, not the coin
    ticker: bool = False  # the last column names the market, e.g. BTCUSDT
    coin_volume_at: int | None = None  # where an inverse perpetual's volume in coins is

    @property
    def width(self) -> int:
        return len(self.columns)


BINANCE_KLINES = Layout(
    "Binance klines",
    ("open_time", *OHLCV, "close_time", "quote_volume", "count", "taker_buy_volume",
     "taker_buy_quote_volume", "ignore"),
    exchange="binance",
    closes=True,
)  # fmt: skip
BYBIT_KLINES = Layout(
    "Bybit v5 klines", ("starttime", *OHLCV, "turnover"), exchange="bybit", coin_volume_at=6
)
YFINANCE = Layout(
    "yfinance",
    ("date", *OHLCV, "dividends", "stock splits"),
    exchange="yahoo",
    spot_only=True,
    quote_volume=True,
)
GENERIC = Layout("time,open,high,low,close,volume", ("time", *OHLCV))
GENERIC_TICKER = Layout("time,open,high,low,close,volume,ticker", ("time", *OHLCV, "ticker"),
                        ticker=True)  # fmt: skip
LAYOUTS = (BINANCE_KLINES, BYBIT_KLINES, YFINANCE, GENERIC, GENERIC_TICKER)
KNOWN = (
    "Binance klines (open_time,open,high,low,close,volume,close_time,… 12 columns, with or "
    "without that header), Bybit v5 klines (startTime,open,high,low,close,volume,turnover, or "
    "the API's JSON answer), yfinance (Date,Open,High,Low,Close,Volume,Dividends,Stock Splits) "
    "or time,open,high,low,close,volume[,ticker]"
)


@dataclass(frozen=True)
class Recognised:
    """A file's layout, whether its first record is a header, and what its content says."""

    layout: Layout
    header: bool
    pair: Pair | None = None  # an API answer's market


def recognise(source: Source, first: list[str]) -> Recognised:
    """The layout of a file whose first record is `first`; raises CandleFileError naming the
    layouts Pythia reads when it is none of them."""
    if source.json:
        return _recognise_answer(source, first)
    columns = tuple(cell.strip().lower() for cell in first)
    if columns and columns[0].isdigit():  # no header: only Binance writes its klines so
        if len(columns) == BINANCE_KLINES.width:
            return Recognised(BINANCE_KLINES, header=False)
        raise CandleFileError(
            f"{source.path}:1: no header, and {len(columns)} columns are not Binance's 12 "
            f"kline columns; expected {KNOWN}"
        )
    for layout in LAYOUTS:
        if _matches(columns, layout):
            return Recognised(layout, header=True)
    raise CandleFileError(f"{source.path}:1: unknown layout {','.join(first)!r}; expected {KNOWN}")


def _matches(columns: tuple[str, ...], layout: Layout) -> bool:
    if layout is YFINANCE:  # yfinance calls the index Datetime below a day
        return columns in (layout.columns, ("datetime", *layout.columns[1:]))
    if layout.exchange is None:
        return (
            len(columns) == layout.width
            and columns[0] in TIME_COLUMNS
            and columns[1:6] == OHLCV
            and (not layout.ticker or columns[6] in TICKER_COLUMNS)
        )
    return columns == layout.columns


def _recognise_answer(source: Source, first: list[str]) -> Recognised:
    """An exchange API's klines, saved as JSON: Bybit's v5 answer (or its result or list) or
    Binance's list of 12-value klines."""
    meta = source.meta
    if len(first) == BINANCE_KLINES.width:
        return Recognised(BINANCE_KLINES, header=False)
    if len(first) == BYBIT_KLINES.width:
        pair = None
        if "symbol" in meta or "category" in meta:
            pair = bybit_pair(source, meta.get("symbol"), meta.get("category"))
        return Recognised(BYBIT_KLINES, header=False, pair=pair)
    raise CandleFileError(
        f"{source.path}: entry 1 has {len(first)} values; expected Bybit's 7 "
        "(startTime,open,high,low,close,volume,turnover) or Binance's 12"
    )


def bybit_pair(source: Source, symbol: Any, category: Any) -> Pair:
    """The market a Bybit answer is of: BTCUSDT in `spot` is BTC/USDT, in `linear` the
    perpetual BTC/USDT:USDT (BTCPERP: BTC/USDC:USDC), BTCUSD in `inverse` BTC/USD:BTC."""
    symbol, category = str(symbol or ""), str(category or "")
    if category not in ("spot", "linear", "inverse"):
        raise CandleFileError(
            f"{source.path}: category {category!r}; expected spot, linear or inverse"
        )
    if category == "linear" and symbol.endswith("PERP"):
        base = symbol.removesuffix("PERP")
        return Pair(base, "USDC", "USDC")
    pair = read_pair(symbol) if "-" not in symbol else None  # BTC-26DEC25: a dated future
    if pair is None:
        raise CandleFileError(
            f"{source.path}: symbol {symbol!r} is not a spot pair or a perpetual Pythia reads"
        )
    if category == SPOT:
        return pair
    return Pair(pair.base, pair.quote, pair.base if category == "inverse" else pair.quote)
