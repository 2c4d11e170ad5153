"""What `/predict COIN [1h|4h|24h]` and `/accuracy [COIN]` were asked: the words typed, read
into a coin word and a horizon, or refused with a reason code. Pure; the coin word is resolved
against the assets Pythia knows by the service."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.predict import DEFAULT_HORIZON, HORIZONS
from core.refusal import BadArgument

ALIASES = {"1d": "24h", "24": "24h", "1": "1h", "4": "4h", "1ч": "1h", "4ч": "4h", "24ч": "24h"}
# hours, days, minutes, weeks in English and Spanish, or any unit in another script ("2ч")
UNITS = r"h|hr|hrs|hours?|d|days?|m|mins?|w|wks?|weeks?|horas?|días?|[^\x00-\x7f]{1,6}"
LOOKS_LIKE_A_HORIZON = re.compile(rf"^\d+([.,]\d+)?\s*({UNITS})?$", re.IGNORECASE)
MAX_WORD = 32  # a word longer than this is said back clipped


@dataclass(frozen=True, slots=True)
class PredictAsk:
    coin: str  # the word typed for the coin (resolved by the service)
    horizon: str  # a key of HORIZONS


def horizon_of(word: str) -> str | None:
    """The horizon `word` names ("4h", "24H", "1d"), or None."""
    key = word.strip().lower()
    key = ALIASES.get(key, key)
    return key if key in HORIZONS else None


def parse_predict(words: Sequence[str]) -> PredictAsk:
    """A coin and an optional horizon, in either order. Refusals: `predict.no_coin` (nothing
    typed), `predict.too_many` (count: more than a coin and a horizon), `predict.bad_horizon`
    (typed, choices: a number of hours or days that is not one of HORIZONS),
    `predict.one_coin` (two words neither a horizon)."""
    typed = [w for w in words if w.strip()]
    if not typed:
        raise BadArgument("predict.no_coin", choices=tuple(HORIZONS))
    if len(typed) > 2:
        raise BadArgument("predict.too_many", count=len(typed))
    horizons = [w for w in typed if horizon_of(w) is not None]
    others = [w for w in typed if horizon_of(w) is None]
    wrong = [w for w in others if _looks_like_a_horizon(w)]
    if wrong:
        raise BadArgument("predict.bad_horizon", typed=wrong[0][:MAX_WORD], choices=tuple(HORIZONS))
    if len(horizons) > 1 or not others:
        if not others:
            raise BadArgument("predict.no_coin", choices=tuple(HORIZONS))
        raise BadArgument("predict.too_many", count=len(typed))
    if len(others) > 1:
        raise BadArgument("predict.one_coin", count=len(others))
    horizon = horizon_of(horizons[0]) if horizons else DEFAULT_HORIZON
    assert horizon is not None
    return PredictAsk(others[0], horizon)


def _looks_like_a_horizon(word: str) -> bool:
    """A number of something ("2h", "3d", "15m", "7"): meant as a horizon, not a coin."""
    return bool(LOOKS_LIKE_A_HORIZON.match(word.strip()))


def parse_accuracy(words: Sequence[str]) -> str | None:
    """The coin word of /accuracy [COIN] (None: every coin). Refusal `predict.one_coin` for
    more than one word."""
    typed = [w for w in words if w.strip()]
    if len(typed) > 1:
        raise BadArgument("predict.one_coin", count=len(typed))
    return typed[0] if typed else None
