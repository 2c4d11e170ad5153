"""Reading the news conditions after the coin: `sentiment < -0.3` (the coin's news sentiment
index crosses a level) and `news 5 in 1h` (a burst of stories). Pure; `core.alerts.grammar`
calls these for the words after `sentiment` and `news`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal

from core.alerts.spec import NewsBurst, SentimentLevel
from core.alerts.words import DURATION, TYPED, duration, is_integer, leftover, read_move
from core.refusal import BadArgument

SENTIMENT_RANGE = (Decimal(-1), Decimal(1))  # the index's bounds; a level strictly between
DEFAULT_BURST_WINDOW = timedelta(hours=1)
MIN_BURST_WINDOW, MAX_BURST_WINDOW = timedelta(minutes=15), timedelta(hours=24)
MAX_BURST = 100  # stories: more about one coin within a day is beyond any real burst
SENTIMENT_WORDS = {"sentiment", "mood"}
NEWS_WORDS = {"news", "headlines", "stories"}
_NEWS_FILLER = {">=", "least", "most", "stories", "story", "headlines", "articles", "or", "more"}
_SIGNED = re.compile(r"^([+\-−])?(.+)$")
_NOT_A_COUNT = re.compile(r"^[+\-−]?\d*[.,]?\d+$")

# `number(text, what, instead)`: the grammar's reading of a number in the person's notation
Number = Callable[[str, str, Mapping[str, BadArgument]], Decimal]


def read_sentiment(symbol: str, tokens: list[str], number: Number) -> SentimentLevel:
    """`< -0.3`, `above 0.5`: a side and a level strictly between -1 and 1."""
    move, rest = read_move(tokens)
    if move not in ("up", "down"):
        raise BadArgument("alert.sentiment_side", symbol=symbol)
    if len(rest) != 1:
        leftover(rest[1:], "sentiment")
        raise BadArgument("alert.sentiment_side", symbol=symbol)
    match = _SIGNED.match(rest[0])
    assert match is not None  # the pattern takes any non-empty word
    unreadable = BadArgument("alert.sentiment_unreadable", typed=rest[0][:TYPED])
    if match.group(2).startswith(("+", "-", "−")):
        raise unreadable
    unread = ("not_a_number", "ambiguous", "too_long", "too_precise")
    instead = {f"amount.{code}": unreadable for code in unread}
    instead["amount.too_big"] = BadArgument("alert.sentiment_range")
    level = number(match.group(2), "amount", instead)
    if match.group(1) in ("-", "−"):
        level = -level
    low, high = SENTIMENT_RANGE
    if not low < level < high:
        raise BadArgument("alert.sentiment_range")
    return SentimentLevel("above" if move == "up" else "below", level.normalize() + 0)


def read_burst(symbol: str, tokens: list[str]) -> NewsBurst:
    """`5 in 1h`, `10 24h`: how many stories (1 to MAX_BURST) within a window of 15
    minutes to 24 hours (1 hour if left out)."""
    rest = [t for t in tokens if t not in _NEWS_FILLER]
    for word in rest:  # -5, 2.5: a number, but not a count of stories
        if _NOT_A_COUNT.match(word) and not is_integer(word):
            raise BadArgument("alert.news_count", typed=word[:TYPED], most=MAX_BURST)
    counts = [t for t in rest if is_integer(t)]
    windows = [t for t in rest if DURATION.match(t)]
    others = [t for t in rest if t not in counts and t not in windows]
    if others:
        raise BadArgument("alert.leftover", typed=others[0][:TYPED], example="news")
    if len(counts) != 1 or len(windows) > 1:
        raise BadArgument("alert.news_unreadable", symbol=symbol)
    typed = counts[0]
    count = int(typed) if len(typed) <= 6 else MAX_BURST + 1
    if not 1 <= count <= MAX_BURST:
        raise BadArgument("alert.news_count", typed=typed[:TYPED], most=MAX_BURST)
    window = DEFAULT_BURST_WINDOW
    if windows:
        window = duration(windows[0], "window", MIN_BURST_WINDOW, MAX_BURST_WINDOW)
    return NewsBurst(count, window)
