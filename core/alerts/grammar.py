"""Reading what a person types after `/alert` into an `AlertSpec`, and saying it back. Pure.

    BTC > 70000 · btc above 70k · BTC 70000       price crosses a level
    ETH -5% 1h · SOL +10% 24h · ETH ±5% 1h          price moves within a window
    SOL rsi < 30 4h · BTC macd cross up 1d          indicators on candles of a timeframe
    ETH crosses sma 200 1d · ETH price > ema 50 4h  price crosses a moving average
    BTC volume x3 · BTC vol 3x 1h                   volume over N times its recent average
    … once (the default) · every 1h · for 7d · until 2026-12-31

The symbol comes back as typed, upper-cased; resolving it to a listed coin is the caller's job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from core.market import TIMEFRAMES
from core.periods import BadArgument, parse_timeframe
from core.trade_args import parse_amount

Direction = Literal["above", "below"]
Move = Literal["up", "down", "either"]

ALERT_TIMEFRAMES = tuple(TIMEFRAMES)  # 1m 5m 15m 1h 4h 1d: what candles are kept or built from
DEFAULT_TIMEFRAME = "1h"
DEFAULT_WINDOW = timedelta(hours=24)
MIN_WINDOW, MAX_WINDOW = timedelta(minutes=5), timedelta(days=30)
DEFAULT_COOLDOWN = timedelta(hours=1)  # `repeat` without a duration
MIN_COOLDOWN, MAX_COOLDOWN = timedelta(minutes=5), timedelta(days=30)
MAX_LIFETIME = timedelta(days=365)
MAX_LEVEL = Decimal(10**12)  # above any coin's price in any quote people use
MAX_RISE_PCT = Decimal(1000)
RSI_PERIOD = 14
MIN_PERIOD, MAX_PERIOD = 2, 500  # indicator periods, in candles
DEFAULT_AVERAGE = {"sma": 200, "ema": 50}
VOLUME_LOOKBACK = 20  # candles in the "recent average" a volume spike is measured against
DEFAULT_MULTIPLE = Decimal(3)
MAX_MULTIPLE = Decimal(100)
KNOWN = "price levels, % moves, rsi, macd, sma, ema and volume"

_UP_WORDS = {
    ">",
    ">=",
    "above",
    "over",
    "up",
    "upward",
    "upwards",
    "rises",
    "rise",
    "jumps",
    "pumps",
}
_DOWN_WORDS = {"<", "<=", "below", "under", "down", "downward", "drops", "drop", "falls", "fall"}
_DOWN_WORDS |= {"dips", "dumps"}
_CROSS_WORDS = {"cross", "crosses", "crossing", "crossed"}
_FILLER = {"price", "is", "goes", "hits", "reaches", "touches", "at", "to", "when", "if", "the"}
_FILLER |= {"its", "moves", "changes", "usd", "usdt", "dollars", "$"}
_FILLER |= {"on", "candles", "candle", "within", "in", "of", "signal", "line", "spike", "by"}
_UNITS = {"m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1}
_UNITS |= {"h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60}
_UNITS |= {"d": 1440, "day": 1440, "days": 1440, "w": 10080, "week": 10080, "weeks": 10080}
_UNITS |= {"mo": 43200, "month": 43200, "months": 43200, "y": 525600, "year": 525600}
_DURATION = re.compile(r"^(\d{1,5})([a-z]+)$")
_PERCENT = re.compile(r"^(\+/-|\+-|[+\-−±])?(.+)%$")
_MULTIPLE = re.compile(r"^[x×]?(\d{1,4}(?:\.\d{1,4})?)[x×]?$")
_TIMEFRAME_WORDS = {"d", "h", "daily", "hourly", "day", "hour"}


@dataclass(frozen=True, slots=True)
class PriceLevel:
    """Price reaches `level`: from below it for "above", from above it for "below"."""

    direction: Direction
    level: Decimal


@dataclass(frozen=True, slots=True)
class PriceChange:
    """Price moves `pct` percent or more within `window` (up, down or either way)."""

    move: Move
    pct: Decimal  # a magnitude, always > 0
    window: timedelta


@dataclass(frozen=True, slots=True)
class RsiLevel:
    """RSI(period) on `timeframe` candles goes over ("above") or under ("below") `level`."""

    direction: Direction
    level: Decimal  # strictly between 0 and 100
    timeframe: str
    period: int = RSI_PERIOD


@dataclass(frozen=True, slots=True)
class MacdCross:
    """The MACD line crosses its signal line: up is from below to above."""

    move: Move
    timeframe: str


@dataclass(frozen=True, slots=True)
class AverageCross:
    """The close crosses a moving average of `period` candles: up is from below to above."""

    average: Literal["sma", "ema"]
    period: int
    move: Move
    timeframe: str


@dataclass(frozen=True, slots=True)
class VolumeSpike:
    """A candle's volume is at least `multiple` times the average of the `lookback` before it."""

    multiple: Decimal  # > 1
    timeframe: str
    lookback: int = VOLUME_LOOKBACK


Condition = PriceLevel | PriceChange | RsiLevel | MacdCross | AverageCross | VolumeSpike


@dataclass(frozen=True, slots=True)
class AlertSpec:
    symbol: str  # as typed, upper-cased; the caller resolves it to a coin
    condition: Condition
    cooldown: timedelta | None = None  # None: fires once; else fires again after the cooldown
    expires_at: datetime | None = None  # aware UTC; None: never

    @property
    def recurring(self) -> bool:
        return self.cooldown is not None


def parse_alert(
    text: str | Sequence[str],
    now: datetime,
    current_price: Decimal | None = None,
    zone: str = "UTC",
) -> AlertSpec:
    """SYMBOL CONDITION [once | every DURATION] [for DURATION | until DATE], options anywhere.

    `current_price` lets `BTC 70000` mean "crosses 70,000 from where it is now" and refuses a
    level the price is already past; `zone` is the person's, for `until` dates.
    """
    tokens = _tokens(text if isinstance(text, str) else " ".join(text))
    if not tokens:
        raise BadArgument("say a coin and when to alert, like /alert BTC > 70000")
    symbol, rest = tokens[0].upper(), tokens[1:]
    if not re.match(r"^[A-Z0-9]{1,15}$", symbol):
        raise BadArgument(f"{symbol[:20]!r} is not a coin symbol; start with one, like BTC")
    rest, cooldown, expires_at = _options(rest, now, zone)
    rest = [t for t in rest if t not in _FILLER]
    return AlertSpec(symbol, _condition(symbol, rest, current_price), cooldown, expires_at)


# ---- words ---------------------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    text = text.lower().replace("≥", ">=").replace("≤", "<=").replace("=>", ">=")
    text = text.replace("=<", "<=")
    text = re.sub(r"(>=|<=|>|<)", r" \1 ", text)
    text = re.sub(r"\b(rsi|sma|ema|ma)\s*\(?(\d+)\)?", r"\1 \2", text)  # rsi(14), sma200
    words = text.split()
    merged: list[str] = []
    for word in words:  # "7 days" is one duration, "x 3" one multiple
        unit = len(word) > 1 and word in _UNITS and merged[-1:] != [] and merged[-1].isdigit()
        times = merged[-1:] in (["x"], ["×"]) and word[:1].isdigit()
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
            if _is_duration(following):
                cooldown = _duration(following, "the repeat", MIN_COOLDOWN, MAX_COOLDOWN)
                i += 1
            elif word == "every":
                raise BadArgument("say how often it may fire again, like every 1h or every 1d")
            else:
                cooldown = DEFAULT_COOLDOWN
        elif word == "for":
            expires_at = now + _duration(following, "the lifetime", MIN_WINDOW, MAX_LIFETIME)
            i += 1
        elif word == "until":
            expires_at, used = _until(tokens[i + 1 : i + 3], now, zone)
            i += used
        else:
            rest.append(word)
        i += 1
    if once and cooldown is not None:
        raise BadArgument("choose once or every …, not both")
    return rest, cooldown, expires_at


def _until(words: list[str], now: datetime, zone: str) -> tuple[datetime, int]:
    """The end of a day (`2026-12-31`) or a moment (`2026-12-31 18:00`) in the person's zone."""
    tz = ZoneInfo(zone)
    try:
        if len(words) == 2 and re.match(r"^\d{1,2}:\d\d$", words[1]):
            moment, used = datetime.strptime(" ".join(words), "%Y-%m-%d %H:%M"), 2  # noqa: DTZ007
        else:
            day = datetime.strptime(words[0] if words else "", "%Y-%m-%d")  # noqa: DTZ007
            moment, used = day + timedelta(days=1), 1
    except ValueError:
        raise BadArgument("until takes a date like 2026-12-31 (or 2026-12-31 18:00)") from None
    when = moment.replace(tzinfo=tz).astimezone(UTC)
    if when <= now:
        raise BadArgument("that date has passed; give one in the future, like for 7d")
    if when - now > MAX_LIFETIME:
        raise BadArgument("an alert can live a year at most; pick an earlier date")
    return when, used


def _is_duration(text: str) -> bool:
    match = _DURATION.match(text)
    return match is not None and match.group(2) in _UNITS


def _duration(text: str, what: str, shortest: timedelta, longest: timedelta) -> timedelta:
    match = _DURATION.match(text)
    if not match or match.group(2) not in _UNITS:
        raise BadArgument(f"{what} looks like 15m, 1h, 24h or 7d, not {text[:20]!r}")
    span = timedelta(minutes=int(match.group(1)) * _UNITS[match.group(2)])
    if not shortest <= span <= longest:
        low, high = duration_label(shortest), duration_label(longest)
        raise BadArgument(f"{what} must be from {low} to {high}, not {text[:20]}")
    return span


def _level(text: str, what: str) -> Decimal:
    """A positive price as people write it: 70000, 70,000, 70k, $1.5m, 0.00002."""
    cleaned = text.strip().lstrip("$")
    if cleaned.startswith(("-", "−")):
        raise BadArgument(f"{what} must be more than zero, like 70000")
    scale = {"k": 1000, "m": 1_000_000}.get(cleaned[-1:], 1) if cleaned[:1].isdigit() else 1
    value = parse_amount(cleaned[:-1] if scale != 1 else cleaned, what) * scale
    if value <= 0:
        raise BadArgument(f"{what} must be more than zero, like 70000")
    if value > MAX_LEVEL:
        raise BadArgument(f"{what} {text[:20]} is beyond any real price")
    return value


def _move(tokens: list[str]) -> tuple[Move | None, list[str]]:
    """Direction words taken out: up, down, or either way for a bare cross; None if none."""
    ups = [t for t in tokens if t in _UP_WORDS]
    downs = [t for t in tokens if t in _DOWN_WORDS]
    crosses = [t for t in tokens if t in _CROSS_WORDS]
    if ups and downs:
        raise BadArgument("say one direction: above or below, up or down")
    rest = [t for t in tokens if t not in _UP_WORDS | _DOWN_WORDS | _CROSS_WORDS]
    move: Move | None = "up" if ups else "down" if downs else "either" if crosses else None
    return move, rest


def _timeframe(tokens: list[str]) -> tuple[str, list[str]]:
    found = [t for t in tokens if t in _TIMEFRAME_WORDS or _is_duration(t)]
    if len(found) > 1:
        raise BadArgument("give one timeframe, like 4h")
    rest = [t for t in tokens if t not in found]
    return (parse_timeframe(found[0], ALERT_TIMEFRAMES) if found else DEFAULT_TIMEFRAME), rest


def _period(tokens: list[str], default: int, what: str) -> tuple[int, list[str]]:
    if not tokens or not tokens[0].isdigit():
        return default, tokens
    period = int(tokens[0])
    if not MIN_PERIOD <= period <= MAX_PERIOD:
        raise BadArgument(f"{what} period must be {MIN_PERIOD} to {MAX_PERIOD} candles")
    return period, tokens[1:]


def _leftover(tokens: list[str], example: str) -> None:
    if tokens:
        raise BadArgument(f"I don't understand {tokens[0][:20]!r} here; try {example}")


# ---- conditions ----------------------------------------------------------------------------------


def _condition(symbol: str, tokens: list[str], current: Decimal | None) -> Condition:
    if not tokens:
        raise BadArgument(f"say when to alert, like /alert {symbol} > 70000 or {symbol} -5% 1h")
    head = tokens[0]
    if head == "rsi":
        return _rsi(tokens[1:])
    if head == "macd":
        move, rest = _move(tokens[1:])
        timeframe, rest = _timeframe(rest)
        _leftover(rest, "macd cross up 1d")
        return MacdCross(move or "either", timeframe)
    if head in ("volume", "vol"):
        return _volume(tokens[1:])
    if any(t in ("sma", "ema", "ma") for t in tokens):
        return _average(tokens)
    if any(t.endswith("%") for t in tokens):
        return _change(tokens)
    return _price(symbol, tokens, current)


def _price(symbol: str, tokens: list[str], current: Decimal | None) -> PriceLevel:
    move, rest = _move(tokens)
    for word in rest:
        if re.match(r"^[a-z_]{2,}", word) and word not in ("nan", "inf", "infinity"):
            raise BadArgument(f"I don't know {word[:20]!r}; alerts understand {KNOWN}")
    if len(rest) != 1:
        raise BadArgument(f"give one price level, like /alert {symbol} > 70000")
    level = _level(rest[0], "the price level")
    shown = format_level(level)
    if move in (None, "either"):
        if current is None:
            raise BadArgument(f"say above or below, like /alert {symbol} > {shown}")
        if level == current:
            raise BadArgument(f"{symbol} is at {shown} now; say above or below")
        move = "up" if level > current else "down"
    direction: Direction = "above" if move == "up" else "below"
    if current is not None and (current >= level if direction == "above" else current <= level):
        side, other = ("above", "<") if direction == "above" else ("below", ">")
        raise BadArgument(
            f"{symbol} is already at or {side} {shown} ({format_level(current)} now); "
            f"pick another level or use {other}"
        )
    return PriceLevel(direction, level)


def _change(tokens: list[str]) -> PriceChange:
    (pct_word,) = [t for t in tokens if t.endswith("%")][:1]
    match = _PERCENT.match(pct_word)
    assert match is not None  # the pattern takes anything ending in %
    sign, number = match.group(1), match.group(2)
    if number.startswith(("-", "+")):
        raise BadArgument("write a move like -5%, +10% or ±5%")
    pct = parse_amount(number, "the percentage")
    move, rest = _move([t for t in tokens if t != pct_word])
    by_sign: dict[str | None, Move | None] = {"+": "up", "-": "down", "−": "down", None: None}
    signed = by_sign.get(sign, "either")
    if signed and move and move != "either" and signed != move:
        raise BadArgument(f"{pct_word} and {'up' if move == 'up' else 'down'} disagree")
    move = signed or move or "either"
    if pct <= 0:
        raise BadArgument("the move must be more than 0%, like -5% or +10%")
    if move != "up" and pct >= 100:
        raise BadArgument("a price cannot fall 100% or more; try -50%")
    if pct > MAX_RISE_PCT:
        raise BadArgument("a move of more than 1000% is beyond what alerts watch")
    window = DEFAULT_WINDOW
    if rest:
        window = _duration(rest[0], "the window", MIN_WINDOW, MAX_WINDOW)
    _leftover(rest[1:], "ETH -5% 1h")
    return PriceChange(move, pct, window)


def _rsi(tokens: list[str]) -> RsiLevel:
    move, rest = _move(tokens)
    timeframe, rest = _timeframe(rest)
    period = RSI_PERIOD
    if len(rest) == 2:  # rsi 14 < 30, the period before the level
        period, rest = _period(rest, RSI_PERIOD, "the RSI")
    if move not in ("up", "down") or len(rest) != 1:
        raise BadArgument("say a level and a side, like rsi < 30 4h or rsi > 70 1d")
    level = parse_amount(rest[0], "the RSI level")
    if not 0 < level < 100:
        raise BadArgument("RSI runs from 0 to 100; pick a level like 30 or 70")
    return RsiLevel("above" if move == "up" else "below", level, timeframe, period)


def _average(tokens: list[str]) -> AverageCross:
    at = next(i for i, t in enumerate(tokens) if t in ("sma", "ema", "ma"))
    average: Literal["sma", "ema"] = "ema" if tokens[at] == "ema" else "sma"
    period, after = _period(tokens[at + 1 :], DEFAULT_AVERAGE[average], "the moving average")
    move, rest = _move(tokens[:at] + after)
    timeframe, rest = _timeframe(rest)
    _leftover(rest, "crosses sma 200 1d or > ema 50 4h")
    return AverageCross(average, period, move or "either", timeframe)


def _volume(tokens: list[str]) -> VolumeSpike:
    _, rest = _move(tokens)  # "volume > 3x" and "volume above x3" say nothing more
    timeframe, rest = _timeframe(rest)
    multiple = DEFAULT_MULTIPLE
    if rest:
        match = _MULTIPLE.match(rest[0])
        if not match:
            raise BadArgument("say how many times the usual volume, like volume x3")
        multiple = Decimal(match.group(1))
    _leftover(rest[1:], "volume x3 1h")
    if multiple <= 1:
        raise BadArgument("a spike is more than the usual volume; try x2 or x3")
    if multiple > MAX_MULTIPLE:
        raise BadArgument("the most a volume alert watches for is x100")
    return VolumeSpike(multiple, timeframe)


# ---- saying it back ------------------------------------------------------------------------------


def format_level(value: Decimal) -> str:
    """70000 → 70,000; 0.00001234 → 0.00001234: every digit typed, none added."""
    return f"{value.normalize():,f}"


def duration_label(span: timedelta) -> str:
    minutes = int(span / timedelta(minutes=1))
    for unit, size in (("day", 1440), ("hour", 60), ("minute", 1)):
        if minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    raise AssertionError("unreachable: every span is whole minutes")  # pragma: no cover


def describe(spec: AlertSpec, zone: str = "UTC") -> str:
    """One plain line: `BTC rises above 70,000 USD — once`; an expiry in the person's `zone`."""
    condition, options = _describe_condition(spec.condition), _describe_options(spec, zone)
    return f"{spec.symbol} {condition} — {options}"


def _describe_condition(c: Condition) -> str:
    way = {"up": "crosses above", "down": "crosses below", "either": "crosses"}
    if isinstance(c, PriceLevel):
        verb = "rises above" if c.direction == "above" else "falls below"
        return f"{verb} {format_level(c.level)} USD"
    if isinstance(c, PriceChange):
        size = f"{format_level(c.pct)}% or more"
        moved = {"up": f"rises {size}", "down": f"falls {size}", "either": f"moves {size}"}
        either = " either way" if c.move == "either" else ""
        return f"{moved[c.move]}{either} within {duration_label(c.window)}"
    if isinstance(c, RsiLevel):
        verb = "rises above" if c.direction == "above" else "drops below"
        return f"RSI({c.period}) on {c.timeframe} candles {verb} {format_level(c.level)}"
    if isinstance(c, MacdCross):
        return f"MACD {way[c.move]} its signal line on {c.timeframe} candles"
    if isinstance(c, AverageCross):
        name = f"{c.average.upper()} {c.period}"
        return f"price {way[c.move]} {name} on {c.timeframe} candles"
    return (
        f"volume on {c.timeframe} candles reaches {format_level(c.multiple)}× "
        f"its {c.lookback}-candle average"
    )


def _describe_options(spec: AlertSpec, zone: str) -> str:
    repeat = "once" if spec.cooldown is None else f"every {duration_label(spec.cooldown)} at most"
    if spec.expires_at is None:
        return repeat
    local = spec.expires_at.astimezone(ZoneInfo(zone))
    if local.time() == time(0, 0):  # what `until 2026-12-31` makes: the end of that day
        return f"{repeat}, until the end of {local - timedelta(days=1):%Y-%m-%d}"
    return f"{repeat}, until {local:%Y-%m-%d %H:%M}"
