"""Features of a coin's hourly candles, one row per candle, known at the candle's close.

`frame(inputs)` is the whole of it: candles (and BTC's, and the sentiment index) in, a table out,
indexed by each candle's CLOSE time (open + 1 h, aware UTC) — the moment its row is known.

No look-ahead: row t uses only candles that closed at or before t (and sentiment points stamped
at or before t). tests/unit/test_predict_features.py changes every candle from i on and checks
every earlier row is unchanged.

Gaps (real exchange gaps exist): time-based features are measured on the hourly grid — a return
over k hours is close(t) / close(t - k h), NaN when either candle is missing; realised
volatility is over the grid's hourly returns in the window, needing most of them. The TA-Lib
indicators (RSI, MACD, Bollinger, ATR, ADX) are run over the candles that exist, in order, as
an exchange's chart would show them: a gap shortens their memory, it never fills it with made-up
prices. Nothing is forward-filled across a gap, so a missing hour adds no fake zero return.
The model (LightGBM) takes NaN as "missing"; the logistic baseline imputes.

The market: an equal-weight basket of the tracked coins (`Market`, built by `basket`), its
returns, the coin's return against it and the share of its coins up over 24 h: what the market
as a whole does, beyond its leader. An hour where fewer than MARKET_MIN coins have a return
over the lag has no basket value; with fewer coins tracked the columns are missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import talib

from core.indicators import Ohlcv, ohlcv_arrays
from core.market import Candle

HOUR = timedelta(hours=1)
LAGS = (1, 2, 4, 8, 24, 72, 168)  # hours of the coin's log returns
Z_LAGS = (1, 4, 24)  # returns also in units of the 168 h volatility
LEADER_LAGS = (1, 4, 24)  # hours of the leader's returns, and the coin's relative to it
SENTIMENT_STALE = timedelta(hours=3)  # a sentiment point older than this is "none"
STALE_NS = SENTIMENT_STALE // timedelta(microseconds=1) * 1000
MARKET_LAGS = (1, 4, 24)  # hours of the basket's returns, and the coin's relative to it
MARKET_MIN = 3  # coins with a return over the lag, at least, for a basket value at an hour
WARMUP = 500  # candles before a row's indicators have settled; a forecast needs at least this

NAMES: dict[str, str] = {
    **{f"ret_{k}h": f"log return over the last {k} h" for k in LAGS},
    "rsi_14": "RSI 14 (0..100)",
    "macd_hist": "MACD histogram (12, 26, 9) / price",
    "bb_pctb": "Bollinger %B (20, 2)",
    "atr_pct": "ATR 14 / price",
    "adx_14": "ADX 14",
    "vol_24h": "realised volatility of hourly log returns over 24 h",
    "vol_168h": "realised volatility of hourly log returns over 168 h",
    "vol_ratio": "24 h volatility / 168 h volatility",
    "volume_z": "mean log volume of 24 h against 168 h, in 168 h standard deviations",
    "range_pos_168h": "close within the 168 h high-low range (0 low, 1 high)",
    **{f"z_ret_{k}h": f"return over {k} h in 168 h volatility units" for k in Z_LAGS},
    "bar_pos": "close within the last candle's high-low range (0 low, 1 high)",
    "sma_gap_24h": "log close minus the log of its 24 h mean",
    "volume_1h_z": "last hour's log volume against 168 h, in standard deviations",
    "hour_sin": "hour of day (sine)",
    "hour_cos": "hour of day (cosine)",
    "dow_sin": "day of week (sine)",
    "dow_cos": "day of week (cosine)",
    **{f"btc_ret_{k}h": f"BTC's log return over the last {k} h" for k in LEADER_LAGS},
    **{f"rel_ret_{k}h": f"log return over {k} h minus BTC's" for k in LEADER_LAGS},
    **{f"mkt_ret_{k}h": f"the market basket's log return over the last {k} h" for k in MARKET_LAGS},
    **{f"mkt_rel_{k}h": f"log return over {k} h minus the market basket's" for k in MARKET_LAGS},
    "mkt_breadth_24h": "share of the basket's coins up over the last 24 h (0..1)",
    "sentiment": "the coin's news sentiment index (-1..1)",
    "sentiment_chg_24h": "change of the sentiment index over 24 h",
}


@dataclass(frozen=True)
class Market:
    """The tracked coins' log closes on one hourly grid (rows: close times, oldest first;
    columns: coins; NaN where a coin has no candle). Built by `basket`; compact, so it crosses
    to a training process cheaply."""

    close_time: pd.DatetimeIndex
    coins: tuple[str, ...]
    log_close: np.ndarray  # shape (hours, coins)


@dataclass(frozen=True)
class Inputs:
    """What features are computed from: the coin's 1h candles (oldest first), BTC's 1h candles
    (None for BTC itself), the coin's stored hourly sentiment index points (None: none) and the
    market basket (None: none)."""

    candles: Sequence[Candle]
    leader: Sequence[Candle] | None = None
    sentiment: Sequence[tuple[datetime, float]] | None = None
    market: Market | None = None


def close_times(candles: Sequence[Candle]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([c.ts + HOUR for c in candles], tz="UTC", name="close_time")


@dataclass(frozen=True)
class Table:
    """Candles as arrays: close times and OHLCV, one per hour, oldest first. What crosses to a
    training process (Decimal candles pickle ~20 times slower)."""

    close_time: pd.DatetimeIndex
    ohlcv: Ohlcv


@dataclass(frozen=True)
class Packed:
    """`Inputs` with the candles as tables; `frame` and the labels take either."""

    candles: Table
    leader: Table | None = None
    sentiment: Sequence[tuple[datetime, float]] | None = None
    market: Market | None = None


def table_of(candles: Sequence[Candle] | Table) -> Table:
    """`candles` as a table, duplicates (same open time: the last wins) dropped, oldest first."""
    if isinstance(candles, Table):
        return candles
    seen: dict[datetime, Candle] = {}
    for c in candles:
        seen[c.ts] = c
    ordered = [seen[ts] for ts in sorted(seen)]
    arrays = ohlcv_arrays(ordered) if ordered else Ohlcv(*[np.empty(0)] * 5)
    return Table(close_times(ordered), arrays)


def pack(inputs: Inputs | Packed) -> Packed:
    if isinstance(inputs, Packed):
        return inputs
    leader = None if inputs.leader is None else table_of(inputs.leader)
    return Packed(table_of(inputs.candles), leader, inputs.sentiment, inputs.market)


def basket(coins: Mapping[str, Sequence[Candle] | Table]) -> Market:
    """The market of `coins`' candles (each coin's duplicates dropped, any order)."""
    grids = {}
    for coin, candles in coins.items():
        table = table_of(candles)
        if len(table.close_time):
            grids[coin] = log_close_grid(table.close_time, table.ohlcv.close)
    if not grids:
        empty = pd.DatetimeIndex([], tz="UTC", name="close_time")
        return Market(empty, (), np.empty((0, 0)))
    joined = pd.DataFrame(grids)
    full = pd.date_range(joined.index[0], joined.index[-1], freq="1h", tz="UTC", name="close_time")
    joined = joined.reindex(full)
    return Market(full, tuple(joined.columns), joined.to_numpy(dtype=np.float64))


def _market(index: pd.DatetimeIndex, own: pd.Series, market: Market) -> dict[str, np.ndarray]:
    """The basket's columns at each of `index` (close times); `own`: the coin's log close on
    its hourly grid."""
    closes = pd.DataFrame(market.log_close, index=market.close_time)
    mine = own.reindex(closes.index)
    out: dict[str, np.ndarray] = {}
    for k in MARKET_LAGS:
        moves = closes - closes.shift(k)
        counted = moves.notna().sum(axis=1)
        mean = moves.mean(axis=1, skipna=True).where(counted >= MARKET_MIN)
        out[f"mkt_ret_{k}h"] = mean.reindex(index).to_numpy()
        out[f"mkt_rel_{k}h"] = ((mine - mine.shift(k)) - mean).reindex(index).to_numpy()
        if k == 24:
            up = (moves > 0).sum(axis=1) / counted
            out["mkt_breadth_24h"] = up.where(counted >= MARKET_MIN).reindex(index).to_numpy()
    return out


def _ohlcv(candles: Sequence[Candle] | Table) -> tuple[pd.DatetimeIndex, Ohlcv]:
    table = table_of(candles)
    return table.close_time, table.ohlcv


def _grid(index: pd.DatetimeIndex, values: np.ndarray) -> pd.Series:
    """`values` at `index` spread onto the full hourly grid (NaN where a candle is missing)."""
    series = pd.Series(values, index=index)
    if len(index) == 0:
        return series
    full = pd.date_range(index[0], index[-1], freq="1h", tz="UTC", name="close_time")
    return series.reindex(full)


def log_close_grid(index: pd.DatetimeIndex, close: np.ndarray) -> pd.Series:
    """The log of closes `close` at close times `index` on the full hourly grid (NaN where a
    candle is missing or its close is not a positive price)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _grid(index, np.log(np.where(close > 0, close, np.nan)))


def _returns(log_close: pd.Series, lags: Sequence[int], prefix: str) -> dict[str, pd.Series]:
    return {f"{prefix}{k}h": log_close - log_close.shift(k) for k in lags}


def frame(inputs: Inputs | Packed) -> pd.DataFrame:
    """One row per candle (index: its close time), columns: the codes of NAMES, in that order."""
    index, ohlcv = _ohlcv(inputs.candles)
    n = len(index)
    out = pd.DataFrame(index=index, columns=list(NAMES), dtype=np.float64)
    if n == 0:
        return out
    close, high, low, volume = ohlcv.close, ohlcv.high, ohlcv.low, ohlcv.volume
    with np.errstate(divide="ignore", invalid="ignore"):
        grid_close = log_close_grid(index, close)
        grid: dict[str, pd.Series] = _returns(grid_close, LAGS, "ret_")
        hourly = grid_close.diff()
        vol24 = hourly.rolling(24, min_periods=20).std()
        vol168 = hourly.rolling(168, min_periods=140).std()
        grid["vol_24h"], grid["vol_168h"] = vol24, vol168
        grid["vol_ratio"] = vol24 / vol168
        log_volume = _grid(index, np.log1p(np.maximum(volume, 0.0)))
        mean24 = log_volume.rolling(24, min_periods=20).mean()
        mean168 = log_volume.rolling(168, min_periods=140).mean()
        std168 = log_volume.rolling(168, min_periods=140).std()
        grid["volume_z"] = (mean24 - mean168) / std168
        high168 = _grid(index, high).rolling(168, min_periods=140).max()
        low168 = _grid(index, low).rolling(168, min_periods=140).min()
        grid_price = grid_close.map(np.exp)
        grid["range_pos_168h"] = (grid_price - low168) / (high168 - low168)
        for k in Z_LAGS:
            grid[f"z_ret_{k}h"] = grid[f"ret_{k}h"] / (vol168 * np.sqrt(k))
        grid["sma_gap_24h"] = grid_close - np.log(grid_price.rolling(24, min_periods=20).mean())
        grid["volume_1h_z"] = (log_volume - mean168) / std168
        for code, series in grid.items():
            out[code] = series.reindex(index).to_numpy()

        # TA-Lib over the candles that exist, in order
        out["rsi_14"] = talib.RSI(close, timeperiod=14)
        _, _, hist = talib.MACD(close, fastperiod=12, slowperiod=26, signalperiod=9)
        out["macd_hist"] = hist / close
        upper, _, lower = talib.BBANDS(close, timeperiod=20, nbdevup=2.0, nbdevdn=2.0)
        width = upper - lower
        out["bb_pctb"] = np.where(width > 0, (close - lower) / width, np.nan)
        out["atr_pct"] = talib.ATR(high, low, close, timeperiod=14) / close
        out["adx_14"] = talib.ADX(high, low, close, timeperiod=14)
        span = high - low
        out["bar_pos"] = np.where(span > 0, (close - low) / span, np.nan)

    # the hour a row is known at (its close), cyclic
    hours = index.hour.to_numpy() + index.minute.to_numpy() / 60.0
    days = index.day_of_week.to_numpy() + hours / 24.0
    out["hour_sin"] = np.sin(2 * np.pi * hours / 24.0)
    out["hour_cos"] = np.cos(2 * np.pi * hours / 24.0)
    out["dow_sin"] = np.sin(2 * np.pi * days / 7.0)
    out["dow_cos"] = np.cos(2 * np.pi * days / 7.0)

    if inputs.leader:
        lead_index, lead = _ohlcv(inputs.leader)
        lead_close = log_close_grid(lead_index, lead.close)
        for k in LEADER_LAGS:
            theirs = (lead_close - lead_close.shift(k)).reindex(index).to_numpy()
            out[f"btc_ret_{k}h"] = theirs
            out[f"rel_ret_{k}h"] = out[f"ret_{k}h"].to_numpy() - theirs

    if inputs.market is not None and len(inputs.market.coins) >= MARKET_MIN:
        with np.errstate(divide="ignore", invalid="ignore"):
            for code, values in _market(index, grid_close, inputs.market).items():
                out[code] = values

    if inputs.sentiment:
        out["sentiment"], out["sentiment_chg_24h"] = _sentiment(index, inputs.sentiment)
    return out


def _sentiment(
    index: pd.DatetimeIndex, points: Sequence[tuple[datetime, float]]
) -> tuple[np.ndarray, np.ndarray]:
    """The index as of each close (the latest point at or before it, at most SENTIMENT_STALE
    old) and its change since the point as of 24 h earlier."""
    ordered = sorted(points)
    stamps = pd.DatetimeIndex([ts for ts, _ in ordered], tz="UTC").as_unit("ns")
    values = np.array([v for _, v in ordered], dtype=np.float64)

    def as_of(at: pd.DatetimeIndex) -> np.ndarray:
        at = at.as_unit("ns")
        pos = np.searchsorted(stamps.asi8, at.asi8, side="right") - 1
        found = pos >= 0
        safe = np.where(found, pos, 0)
        fresh = found & (at.asi8 - stamps.asi8[safe] <= STALE_NS)
        return np.where(fresh, values[safe], np.nan)

    now = as_of(index)
    before = as_of(index - pd.Timedelta(hours=24))
    return now, now - before
