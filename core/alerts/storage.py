"""How an `AlertSpec` is kept in an `alerts` row, and read back from one. Pure.

Columns: kind (price, change, indicator, volume); direction (above|below, or up|down|either for
moves and crosses); threshold (level, percentage or multiple); timeframe; window_seconds;
params hold the rest and the symbol, so a row alone gives back its spec. The news kinds are
kept as indicators (what the table's check allows), `params["indicator"]` saying which: a
sentiment level in direction and threshold; a burst's story count in threshold, its window in
window_seconds; a forecast level in direction and threshold (percent), its side and horizon in
params. A fired alert's notice
carries the same columns (`core.notices.AlertCondition`), so the bot can say what fired.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from core.alerts.spec import (
    AlertSpec,
    AverageCross,
    Condition,
    MacdCross,
    NewsBurst,
    PredictionLevel,
    PriceChange,
    PriceLevel,
    RsiLevel,
    SentimentLevel,
    VolumeSpike,
)
from core.notices import AlertCondition
from core.predict import HORIZONS

StoredAlert = Any  # an alerts row, a result row with its columns, or an `AlertCondition`


def columns_of(spec: AlertSpec) -> dict[str, Any]:
    """The `alerts` columns that hold `spec`."""
    c = spec.condition
    columns: dict[str, Any] = {"direction": None, "threshold": None, "timeframe": None}
    params: dict[str, Any] = {"symbol": spec.symbol}
    if isinstance(c, PriceLevel):
        columns |= {"kind": "price", "direction": c.direction, "threshold": c.level}
    elif isinstance(c, PriceChange):
        columns |= {"kind": "change", "direction": c.move, "threshold": c.pct}
        columns["window_seconds"] = int(c.window.total_seconds())
    elif isinstance(c, RsiLevel):
        columns |= {"kind": "indicator", "direction": c.direction, "threshold": c.level}
        params |= {"indicator": "rsi", "period": c.period}
        params |= {"direction": c.direction, "level": str(c.level)}  # as the matcher reads it
    elif isinstance(c, MacdCross):
        columns |= {"kind": "indicator", "direction": c.move}
        params |= {"indicator": "macd", "move": c.move}
    elif isinstance(c, AverageCross):
        columns |= {"kind": "indicator", "direction": c.move}
        params |= {"indicator": c.average, "period": c.period, "move": c.move}
    elif isinstance(c, VolumeSpike):
        columns |= {"kind": "volume", "threshold": c.multiple}
        params |= {"lookback": c.lookback}
    elif isinstance(c, SentimentLevel):
        columns |= {"kind": "indicator", "direction": c.direction, "threshold": c.level}
        params |= {"indicator": "sentiment"}
    elif isinstance(c, PredictionLevel):
        columns |= {"kind": "indicator", "direction": c.direction, "threshold": c.level}
        params |= {"indicator": "predict", "side": c.side, "horizon": c.horizon}
    else:
        columns |= {"kind": "indicator", "threshold": Decimal(c.count)}
        columns["window_seconds"] = int(c.window.total_seconds())
        params |= {"indicator": "news"}
    if isinstance(c, RsiLevel | MacdCross | AverageCross | VolumeSpike):
        columns["timeframe"] = c.timeframe
    cooldown = 0 if spec.cooldown is None else int(spec.cooldown.total_seconds())
    return columns | {
        "params": params,
        "recurring": spec.recurring,
        "cooldown_seconds": cooldown,
        "expires_at": spec.expires_at,
    }


def condition_of(spec: AlertSpec) -> AlertCondition:
    """The spec as a notice carries it: its columns and its symbol."""
    return AlertCondition(symbol=spec.symbol, **columns_of(spec))


def spec_of(row: StoredAlert, symbol: str | None = None) -> AlertSpec:
    """The `AlertSpec` a row holds: what the person asked for, as the grammar made it.
    `symbol` if given, else the one stored with it. Raises KeyError, TypeError or ValueError
    for a row that does not hold one."""
    params, kind = row.params, row.kind
    condition: Condition
    if kind == "price":
        condition = PriceLevel(_direction(row.direction), row.threshold)
    elif kind == "change":
        window = timedelta(seconds=row.window_seconds or 0)
        condition = PriceChange(_move(row.direction), row.threshold, window)
    elif kind == "volume":
        condition = VolumeSpike(row.threshold, row.timeframe, params["lookback"])
    elif params["indicator"] == "rsi":
        condition = RsiLevel(
            _direction(row.direction), row.threshold, row.timeframe, params["period"]
        )
    elif params["indicator"] == "macd":
        condition = MacdCross(_move(row.direction), row.timeframe)
    elif params["indicator"] == "sentiment":
        condition = SentimentLevel(_direction(row.direction), row.threshold)
    elif params["indicator"] == "predict":
        condition = _prediction(row.direction, row.threshold, params["side"], params["horizon"])
    elif params["indicator"] == "news":
        count, window = int(row.threshold), timedelta(seconds=row.window_seconds or 0)
        if count != row.threshold or count < 1 or window <= timedelta(0):
            raise ValueError(f"news burst of {row.threshold} in {window}")
        condition = NewsBurst(count, window)
    elif params["indicator"] in ("sma", "ema"):
        condition = AverageCross(
            params["indicator"], params["period"], _move(row.direction), row.timeframe
        )
    else:
        raise ValueError(f"no indicator {params['indicator']!r}")
    cooldown = timedelta(seconds=row.cooldown_seconds) if row.recurring else None
    return AlertSpec(symbol or params["symbol"], condition, cooldown, row.expires_at)


def _prediction(direction: object, level: Any, side: object, horizon: object) -> PredictionLevel:
    if side not in ("up", "down") or horizon not in HORIZONS or not 0 < level < 100:
        raise ValueError(f"prediction {side!r} {level!r} {horizon!r}")
    return PredictionLevel(_move(side), _direction(direction), level, str(horizon))


def _direction(value: object) -> Any:
    if value not in ("above", "below"):
        raise ValueError(f"direction {value!r}")
    return value


def _move(value: object) -> Any:
    if value not in ("up", "down", "either"):
        raise ValueError(f"move {value!r}")
    return value
