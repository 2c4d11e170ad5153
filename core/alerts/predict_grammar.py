"""Reading a forecast condition after the coin: `predict up > 65% 24h`, `forecast down > 60%
4h`, `predict up < 40%`. Pure; `core.alerts.grammar` calls this for the words after `predict`.

- The side is `up` or `down` (said once); the chance compared is P(up), or 1 − P(up) for down.
- `>` (above, over) or `<` (below, under); `>` when neither is said (`predict up 65%`).
- The level is a percentage from 1 to 99 (`65%`, `65`, `62.5%`); a bare fraction under 1 is
  read as a probability (`0.65` is 65%).
- The horizon is one a forecast is made for (`core.predict.HORIZONS`: 1h, 4h, 24h; `1d` and
  `24 hours` are 24h); 24h when left out, as /predict's.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Literal

from core.alerts.news_grammar import Number
from core.alerts.spec import Direction, PredictionLevel
from core.alerts.words import DURATION, TYPED, UNITS, leftover
from core.predict import DEFAULT_HORIZON, HORIZONS
from core.refusal import BadArgument

PREDICT_WORDS = {"predict", "prediction", "predicts", "forecast", "forecasts", "model"}
LEVEL_RANGE = (Decimal(1), Decimal(99))  # percent, both ends allowed
_UP = {"up", "higher", "rise", "rises", "bullish", "long"}
_DOWN = {"down", "lower", "fall", "falls", "drop", "drops", "bearish", "short"}
_ABOVE = {">", ">=", "above", "over", "exceeds", "more"}
_BELOW = {"<", "<=", "below", "under", "less"}
_FILLER = {"chance", "probability", "prob", "p", "%", "ahead", "says", "gives", "going", "goes"}
_FILLER |= {"horizon", "than"}
_LEVEL = re.compile(r"^[+\-−]?[\d.,]+%?$")
_HORIZON_NAMES = {"d": "24h", "day": "24h", "daily": "24h", "hourly": "1h", "h": "1h"}


def read_prediction(symbol: str, tokens: list[str], number: Number) -> PredictionLevel:
    """`up > 65% 24h`: a side, a comparison (> if left out), a level of 1–99 % and a horizon
    (24h if left out), in any order."""
    rest = [t for t in tokens if t not in _FILLER]
    ups = [t for t in rest if t in _UP]
    downs = [t for t in rest if t in _DOWN]
    aboves = [t for t in rest if t in _ABOVE]
    belows = [t for t in rest if t in _BELOW]
    if aboves and belows:
        raise BadArgument("alert.two_directions")
    rest = [t for t in rest if t not in _UP | _DOWN | _ABOVE | _BELOW]
    levels = [t for t in rest if _LEVEL.match(t)]
    horizons = [t for t in rest if t in _HORIZON_NAMES or DURATION.match(t)]
    leftover([t for t in rest if t not in levels and t not in horizons], "predict")
    if bool(ups) == bool(downs):  # neither said, or both
        raise BadArgument("alert.predict_side", symbol=symbol)
    side: Literal["up", "down"] = "up" if ups else "down"
    if len(levels) != 1:
        typed = levels[1] if levels else ""
        raise BadArgument("alert.predict_level", symbol=symbol, typed=typed[:TYPED])
    level = _level(symbol, levels[0], number)
    if len(horizons) > 1:
        raise BadArgument("alert.predict_horizon", typed=horizons[1][:TYPED], choices=_choices())
    horizon = _horizon(horizons[0]) if horizons else DEFAULT_HORIZON
    direction: Direction = "below" if belows else "above"
    return PredictionLevel(side, direction, level, horizon)


def _level(symbol: str, typed: str, number: Number) -> Decimal:
    """A percentage from 1 to 99 as typed (65%, 62,5 %, 0.65)."""
    refused = BadArgument("alert.predict_level", symbol=symbol, typed=typed[:TYPED])
    if typed.startswith(("+", "-", "−")):
        raise refused
    percent = typed.endswith("%")
    codes = ("not_a_number", "ambiguous", "too_long", "too_precise", "too_big", "not_positive")
    value = number(typed.removesuffix("%"), "percentage", {f"amount.{c}": refused for c in codes})
    if not percent and value < 1:
        value *= 100
    low, high = LEVEL_RANGE
    if not low <= value <= high:
        raise refused
    return value.normalize() + 0


def _horizon(typed: str) -> str:
    """1h, 4h, 24h as typed, or what the same span is called (1d, 24hours, 60m)."""
    if typed in _HORIZON_NAMES:
        return _HORIZON_NAMES[typed]
    match = DURATION.match(typed)
    if match is not None and match.group(2) in UNITS:
        span = timedelta(minutes=int(match.group(1)) * UNITS[match.group(2)])
        for name, hours in HORIZONS.items():
            if span == timedelta(hours=hours):
                return name
    raise BadArgument("alert.predict_horizon", typed=typed[:TYPED], choices=_choices())


def _choices() -> tuple[str, ...]:
    return tuple(HORIZONS)
