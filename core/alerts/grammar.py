"""Reading what a person types after `/alert` into an `AlertSpec`. Pure.

    BTC > 70000 · btc above 70k · BTC 70000       price crosses a level
    ETH -5% 1h · SOL +10% 24h · ETH ±5% 1h          price moves within a window
    SOL rsi < 30 4h · BTC macd cross up 1d          indicators on candles of a timeframe
    ETH crosses sma 200 1d · ETH price > ema 50 4h  price crosses a moving average
    BTC volume x3 · BTC vol 3x 1h                   volume over N times its recent average
    BTC sentiment < -0.3 · SOL sentiment above 0.5  the coin's news sentiment index crosses
    ETH news 5 in 1h · ETH news 10 24h              N or more stories within a window
    BTC predict up > 65% 24h · SOL predict down > 60% 4h   a served forecast's chance crosses
    … once (the default) · every 1h · for 7d · until 2026-12-31

The symbol comes back as typed, upper-cased; resolving it to a listed coin is the caller's job.
Numbers are read by `core.numbers` (`0,5%` is half a percent), dates by `core.dates`. What
cannot be an alert is refused with a `BadArgument` code (`alert.…`, `amount.…`, `date.…`) and
its parameters; the bot's views say them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from core.alerts.news_grammar import NEWS_WORDS, SENTIMENT_WORDS, read_burst, read_sentiment
from core.alerts.predict_grammar import PREDICT_WORDS, read_prediction
from core.alerts.spec import (
    ALERT_TIMEFRAMES,
    RSI_PERIOD,
    AlertSpec,
    AverageCross,
    Condition,
    Direction,
    MacdCross,
    Move,
    PriceChange,
    PriceLevel,
    RsiLevel,
    VolumeSpike,
)
from core.alerts.words import (
    TYPED,
    UNITS,
    duration,
    is_duration,
    is_integer,
    leftover,
    read_move,
)
from core.dates import TypedDate, local_day, parse_date
from core.numbers import MAX_PERCENT, MAX_PRICE, parse_amount
from core.refusal import BadArgument

DEFAULT_TIMEFRAME = "1h"
DEFAULT_WINDOW = timedelta(hours=24)
MIN_WINDOW, MAX_WINDOW = timedelta(minutes=5), timedelta(days=30)
DEFAULT_COOLDOWN = timedelta(hours=1)  # `repeat` without a duration
MIN_COOLDOWN, MAX_COOLDOWN = timedelta(minutes=5), timedelta(days=30)
MAX_LIFETIME = timedelta(days=365)
MAX_LEVEL = MAX_PRICE  # 70k and 1.5m are read as numbers first, then scaled
MAX_RISE_PCT = MAX_PERCENT
MIN_PERIOD, MAX_PERIOD = 2, 500  # indicator periods, in candles
DEFAULT_AVERAGE = {"sma": 200, "ema": 50}
DEFAULT_MULTIPLE = Decimal(3)
MAX_MULTIPLE = Decimal(100)

_FILLER = {"price", "is", "goes", "hits", "reaches", "touches", "at", "to", "when", "if", "the"}
_FILLER |= {"its", "moves", "changes", "usd", "usdt", "dollars", "$"}
_FILLER |= {"on", "candles", "candle", "within", "in", "of", "signal", "line", "spike", "by"}
_PERCENT = re.compile(r"^(\+/-|\+-|[+\-−±])?(.+)%$")
_MULTIPLE = re.compile(r"^[x×]?(\d{1,4}(?:[.,]\d{1,4})?)[x×]?$", re.ASCII)
_TIMEFRAME_WORDS = {"d", "h", "daily", "hourly", "day", "hour"}
_TIMEFRAME_NAMES = {"d": "1d", "day": "1d", "1day": "1d", "daily": "1d"}
_TIMEFRAME_NAMES |= {"h": "1h", "hour": "1h", "1hour": "1h", "hourly": "1h"}
_CLOCK = re.compile(r"^\d{1,2}:\d\d$", re.ASCII)


def parse_alert(
    text: str | Sequence[str],
    now: datetime,
    current_price: Decimal | None = None,
    zone: str = "UTC",
    *,
    decimal_comma: bool = False,
) -> AlertSpec:
    """SYMBOL CONDITION [once | every DURATION] [for DURATION | until DATE], options anywhere.

    `current_price` lets `BTC 70000` mean "crosses 70,000 from where it is now" and refuses a
    level the price is already past; `zone` is the person's, for `until` dates;
    `decimal_comma`: the person writes decimals with a comma (`1,234` is then ambiguous).
    """
    tokens = _tokens(text if isinstance(text, str) else " ".join(text))
    if not tokens:
        raise BadArgument("alert.empty")
    symbol, rest = tokens[0].upper(), tokens[1:]
    if not re.match(r"^[A-Z0-9]{1,15}$", symbol):
        raise BadArgument("alert.not_a_symbol", typed=symbol[:TYPED])
    rest, cooldown, expires_at = _options(rest, now, zone)
    rest = [t for t in rest if t not in _FILLER]
    condition = _Reader(symbol, current_price, decimal_comma).condition(rest)
    return AlertSpec(symbol, condition, cooldown, expires_at)


# ---- words ---------------------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    text = text.lower().replace("≥", ">=").replace("≤", "<=").replace("=>", ">=")
    text = text.replace("=<", "<=")
    text = re.sub(r"(>=|<=|>|<)", r" \1 ", text)
    text = re.sub(r"\b(rsi|sma|ema|ma)\s*\(?(\d+)\)?", r"\1 \2", text, flags=re.ASCII)  # sma200
    words = text.split()
    merged: list[str] = []
    for word in words:  # "7 days" is one duration, "x 3" one multiple
        unit = len(word) > 1 and word in UNITS and bool(merged) and is_integer(merged[-1])
        times = merged[-1:] in (["x"], ["×"]) and is_integer(word[:1])
        if unit or times:
            merged[-1] += word
        else:
            merged.append(word)
    return merged


def _options(
    tokens: list[str], now: datetime, zone: str
) -> tuple[list[str], timedelta | None, datetime | None]:
    rest: list[str] = []
    once, cooldown, expires_at = False, None, None
    i = 0
    while i < len(tokens):
        word, following = tokens[i], tokens[i + 1] if i + 1 < len(tokens) else ""
        if word == "once":
            once = True
        elif word in ("every", "repeat", "recurring", "each"):
            if is_duration(following):
                cooldown = duration(following, "repeat", MIN_COOLDOWN, MAX_COOLDOWN)
                i += 1
            elif word == "every":
                raise BadArgument("alert.every_needs_duration")
            else:
                cooldown = DEFAULT_COOLDOWN
        elif word == "for":
            expires_at = now + duration(following, "lifetime", MIN_WINDOW, MAX_LIFETIME)
            i += 1
        elif word == "until":
            expires_at, used = _until(tokens[i + 1 : i + 3], now, zone)
            i += used
        else:
            rest.append(word)
        i += 1
    if once and cooldown is not None:
        raise BadArgument("alert.once_and_every")
    return rest, cooldown, expires_at


def _until(words: list[str], now: datetime, zone: str) -> tuple[datetime, int]:
    """The end of a day (`2026-12-31`, `today`) or a moment (`2026-12-31 18:00`) in the
    person's zone, and how many words it took: a day from today to MAX_LIFETIME ahead."""
    used = 2 if len(words) == 2 and _CLOCK.match(words[1]) else 1
    first, last = local_day(now, zone), local_day(now + MAX_LIFETIME, zone)
    try:
        typed = parse_date(" ".join(words[:used]), now, zone, earliest=first, latest=last)
    except BadArgument as refused:  # said as what an alert's end must be
        if refused.code == "date.too_early":
            raise BadArgument("alert.until_passed") from None
        if refused.code == "date.too_late":
            raise BadArgument("alert.until_too_far", longest=MAX_LIFETIME) from None
        raise
    if words[:1] == ["today"]:  # until today: to the end of it, not to this minute
        typed = TypedDate(typed.day)
    when = typed.end_of_day(zone)
    if when <= now:
        raise BadArgument("alert.until_passed")
    if when - now > MAX_LIFETIME:
        raise BadArgument("alert.until_too_far", longest=MAX_LIFETIME)
    return when, used


def _timeframe(tokens: list[str]) -> tuple[str, list[str]]:
    found = [t for t in tokens if t in _TIMEFRAME_WORDS or is_duration(t)]
    if len(found) > 1:
        raise BadArgument("alert.two_timeframes")
    rest = [t for t in tokens if t not in found]
    if not found:
        return DEFAULT_TIMEFRAME, rest
    timeframe = _TIMEFRAME_NAMES.get(found[0], found[0])
    if timeframe not in ALERT_TIMEFRAMES:
        raise BadArgument("alert.timeframe", typed=found[0][:TYPED], choices=ALERT_TIMEFRAMES)
    return timeframe, rest


def _period(tokens: list[str], default: int) -> tuple[int, list[str]]:
    if not tokens or not is_integer(tokens[0]):
        return default, tokens
    typed = tokens[0]
    period = int(typed) if len(typed) <= 6 else MAX_PERIOD + 1  # 5,000 digits are not read
    if not MIN_PERIOD <= period <= MAX_PERIOD:
        raise BadArgument(
            "alert.period", typed=tokens[0][:TYPED], shortest=MIN_PERIOD, longest=MAX_PERIOD
        )
    return period, tokens[1:]


# ---- conditions ----------------------------------------------------------------------------------


class _Reader:
    """The condition after the symbol, read with what the person's numbers look like."""

    def __init__(self, symbol: str, current: Decimal | None, decimal_comma: bool) -> None:
        self.symbol, self.current, self.decimal_comma = symbol, current, decimal_comma

    def number(
        self, text: str, what: str, instead: Mapping[str, BadArgument] | None = None
    ) -> Decimal:
        """`text` as core.numbers reads a `what`; a refusal of it as `instead` says it, by code
        (said as what alerts watch for rather than as a bound), if there."""
        try:
            return parse_amount(text, what, decimal_comma=self.decimal_comma)
        except BadArgument as refused:
            raise (instead or {}).get(refused.code, refused) from None

    def condition(self, tokens: list[str]) -> Condition:
        if not tokens:
            raise BadArgument("alert.no_condition", symbol=self.symbol)
        head = tokens[0]
        if head == "rsi":
            return self.rsi(tokens[1:])
        if head == "macd":
            move, rest = read_move(tokens[1:])
            timeframe, rest = _timeframe(rest)
            leftover(rest, "macd")
            return MacdCross(move or "either", timeframe)
        if head in ("volume", "vol"):
            return self.volume(tokens[1:])
        if head in SENTIMENT_WORDS:
            return read_sentiment(self.symbol, tokens[1:], self.number)
        if head in NEWS_WORDS:
            return read_burst(self.symbol, tokens[1:])
        if head in PREDICT_WORDS:
            return read_prediction(self.symbol, tokens[1:], self.number)
        if any(t in ("sma", "ema", "ma") for t in tokens):
            return self.average(tokens)
        if any(t.endswith("%") for t in tokens):
            return self.change(tokens)
        return self.price(tokens)

    def level(self, text: str) -> Decimal:
        """A positive price as people write it: 70000, 70,000, 70k, $1.5m, 0.00002, 0,5."""
        cleaned = text.strip().lstrip("$")
        if cleaned.startswith(("-", "−")):
            raise BadArgument("alert.not_positive")
        scale = {"k": 1000, "m": 1_000_000}.get(cleaned[-1:], 1) if cleaned[:1].isdigit() else 1
        zero = {"amount.not_positive": BadArgument("alert.not_positive")}
        value = self.number(cleaned[:-1] if scale != 1 else cleaned, "level", zero) * scale
        if value > MAX_LEVEL:
            raise BadArgument("alert.beyond_any_price", level=value)
        return value

    def price(self, tokens: list[str]) -> PriceLevel:
        symbol, current = self.symbol, self.current
        move, rest = read_move(tokens)
        for word in rest:
            if re.match(r"^[a-z_]{2,}", word) and word not in ("nan", "inf", "infinity"):
                raise BadArgument("alert.unknown_word", typed=word[:TYPED])
        if len(rest) != 1:
            raise BadArgument("alert.one_level", symbol=symbol)
        level = self.level(rest[0])
        if move in (None, "either"):
            if current is None:
                raise BadArgument("alert.no_side", symbol=symbol, level=level)
            if level == current:
                raise BadArgument("alert.at_level", symbol=symbol, level=level)
            move = "up" if level > current else "down"
        direction: Direction = "above" if move == "up" else "below"
        if current is not None and (current >= level if direction == "above" else current <= level):
            raise BadArgument(
                "alert.level_passed", symbol=symbol, direction=direction, level=level, price=current
            )
        return PriceLevel(direction, level)

    def change(self, tokens: list[str]) -> PriceChange:
        pct_word = next(t for t in tokens if t.endswith("%"))
        match = _PERCENT.match(pct_word)
        if match is None or match.group(2).startswith(("-", "+")):  # "%" alone, "+-5%"
            raise BadArgument("alert.move_unreadable")
        sign, number = match.group(1), match.group(2)
        too_big = {"amount.too_big": BadArgument("alert.move_too_big", most=MAX_RISE_PCT)}
        pct = self.number(number, "percentage", too_big)
        move, rest = read_move([t for t in tokens if t != pct_word])
        by_sign: dict[str | None, Move | None] = {"+": "up", "-": "down", "−": "down", None: None}
        signed = by_sign.get(sign, "either")
        if signed and move and move != "either" and signed != move:
            raise BadArgument("alert.move_disagrees", typed=pct_word[:TYPED], move=move)
        move = signed or move or "either"
        if pct <= 0:
            raise BadArgument("alert.move_zero")
        if move != "up" and pct >= 100:
            raise BadArgument("alert.fall_too_far")
        window = DEFAULT_WINDOW
        if rest:
            window = duration(rest[0], "window", MIN_WINDOW, MAX_WINDOW)
        leftover(rest[1:], "move")
        return PriceChange(move, pct, window)

    def rsi(self, tokens: list[str]) -> RsiLevel:
        move, rest = read_move(tokens)
        timeframe, rest = _timeframe(rest)
        period = RSI_PERIOD
        if len(rest) == 2:  # rsi 14 < 30, the period before the level
            period, rest = _period(rest, RSI_PERIOD)
        if move not in ("up", "down") or len(rest) != 1:
            raise BadArgument("alert.rsi_side")
        level = self.number(
            rest[0], "rsi_level", {"amount.too_big": BadArgument("alert.rsi_range")}
        )
        if not 0 < level < 100:
            raise BadArgument("alert.rsi_range")
        return RsiLevel("above" if move == "up" else "below", level, timeframe, period)

    def average(self, tokens: list[str]) -> AverageCross:
        at = next(i for i, t in enumerate(tokens) if t in ("sma", "ema", "ma"))
        average: Literal["sma", "ema"] = "ema" if tokens[at] == "ema" else "sma"
        period, after = _period(tokens[at + 1 :], DEFAULT_AVERAGE[average])
        move, rest = read_move(tokens[:at] + after)
        timeframe, rest = _timeframe(rest)
        leftover(rest, "average")
        return AverageCross(average, period, move or "either", timeframe)

    def volume(self, tokens: list[str]) -> VolumeSpike:
        _, rest = read_move(tokens)  # "volume > 3x" and "volume above x3" say nothing more
        timeframe, rest = _timeframe(rest)
        multiple = DEFAULT_MULTIPLE
        if rest:
            match = _MULTIPLE.match(rest[0])
            if not match:
                raise BadArgument("alert.volume_unreadable")
            multiple = Decimal(match.group(1).replace(",", "."))
        leftover(rest[1:], "volume")
        if multiple <= 1:
            raise BadArgument("alert.volume_too_small")
        if multiple > MAX_MULTIPLE:
            raise BadArgument("alert.volume_too_big", most=MAX_MULTIPLE)
        return VolumeSpike(multiple, timeframe)
