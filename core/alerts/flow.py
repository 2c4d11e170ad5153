"""The guided /alert's rules: which levels to offer for a kind of alert, and what a bare number
typed at the level step means for it. Pure; the words of the buttons are the bot's.

The flow's kinds: above, below (price levels), move (a % move either way within 24 hours),
rsi (RSI(14) on 1h candles), volume (a spike on 1h candles), sentiment (the coin's news
sentiment index crossing a level), news (a burst of stories within an hour) and predict (a
served 24h forecast's chance of up or down rising above a level).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from core.alerts.predict_grammar import PREDICT_WORDS
from core.numbers import parse_amount
from core.refusal import Refusal

_SIGNED_NUMBER = re.compile(r"^[+\-−]?[\d.,]+$")
KINDS = ("above", "below", "move", "rsi", "volume", "sentiment", "news", "predict")
PRICE_STEPS = (2, 5, 10)  # % away from the price now
MOVES = (2, 5, 10)  # % within 24 hours
RSI_LEVELS = (30, 70)
MULTIPLES = (2, 3, 5)
SENTIMENT_LEVELS = (Decimal("-0.5"), Decimal("-0.3"), Decimal("0.3"), Decimal("0.5"))
BURSTS = (3, 5, 10)  # stories within an hour
FORECASTS = (("up", 60), ("up", 70), ("down", 60), ("down", 70))  # chance above, in 24h


@dataclass(frozen=True, slots=True)
class Offer:
    """One suggested answer to the level step of a `kind`: `words` as the grammar reads them
    after the coin, and the numbers its button shows (`pct` away from the price for a `level`;
    a percentage, an RSI level, a volume multiple or a story count as `value` for the other
    kinds; a sentiment level as `level`; a forecast's chance as `value`, its `side`)."""

    kind: str
    words: str
    pct: int | None = None
    level: Decimal | None = None
    value: int | None = None
    side: str | None = None


def rounded(value: Decimal, digits: int = 4) -> Decimal:
    """A level people would pick: `digits` significant digits (71,400, not 71,387.46)."""
    exponent = value.adjusted() - digits + 1
    return value.quantize(Decimal(1).scaleb(exponent)).normalize()


def offers(kind: str, price: Decimal | None) -> list[Offer]:
    """Levels to offer as buttons: ±2/5/10 % of the price, moves of 2/5/10 %, RSI 30/70,
    volume ×2/×3/×5; none for a price level when the price is not known."""
    if kind in ("above", "below"):
        if price is None or price <= 0:
            return []
        sign, op = (1, ">") if kind == "above" else (-1, "<")
        found = []
        for pct in PRICE_STEPS:
            level = rounded(price * (1 + sign * Decimal(pct) / 100))
            found.append(Offer(kind, f"{op} {level:f}", pct=sign * pct, level=level))
        return found
    if kind == "move":
        return [Offer(kind, f"±{pct}% 24h", value=pct) for pct in MOVES]
    if kind == "rsi":
        return [Offer(kind, f"rsi {'<' if n < 50 else '>'} {n}", value=n) for n in RSI_LEVELS]
    if kind == "sentiment":
        return [
            Offer(kind, f"sentiment {'<' if v < 0 else '>'} {v}", level=v) for v in SENTIMENT_LEVELS
        ]
    if kind == "news":
        return [Offer(kind, f"news {n} 1h", value=n) for n in BURSTS]
    if kind == "predict":
        return [Offer(kind, f"predict {s} > {n}% 24h", value=n, side=s) for s, n in FORECASTS]
    return [Offer("volume", f"volume x{n}", value=n) for n in MULTIPLES]


def typed_words(kind: str, typed: str, *, decimal_comma: bool = False) -> str:
    """A bare number typed at the level step, as the grammar wants it for that kind; anything
    else is taken as the grammar's own words (`< 65000 every 1h`)."""
    typed = typed.strip()
    if kind == "predict":  # 65: up above 65% (in 24h); `down > 60% 4h`: the grammar's words
        if typed[:1].isdigit():
            return f"{kind} up > {typed}"
        first = typed.split(maxsplit=1)[:1]
        return typed if first and first[0].lower() in PREDICT_WORDS else f"predict {typed}"
    if kind == "sentiment" and _SIGNED_NUMBER.match(typed):
        return f"sentiment {'<' if typed[:1] in '-−' else '>'} {typed}"
    if not typed[:1].isdigit():
        return typed
    number = typed.removesuffix("%")
    if kind == "above":
        return f"> {typed}"
    if kind == "below":
        return f"< {typed}"
    if kind == "move":
        return f"±{number}% 24h"
    if kind == "rsi":
        side = "<" if _below_half(number, decimal_comma) else ">"
        return f"rsi {side} {number}"
    if kind == "news":
        return f"news {typed} 1h"
    return f"volume x{typed.lstrip('xX×')}"


def _below_half(number: str, decimal_comma: bool) -> bool:
    try:
        return parse_amount(number, "rsi_level", decimal_comma=decimal_comma) < 50
    except Refusal:
        return True  # the grammar says what is wrong with it
