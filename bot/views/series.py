"""What to say when candles are missing or the ask does not fit them. Pure."""

from __future__ import annotations

from datetime import timedelta

from bot.views.common import e
from core.periods import MAX_CANDLES


def no_candles(symbol: str, timeframe: str, now_following: bool, every_seconds: float) -> str:
    when = f"within about {max(int(every_seconds // 60), 1)} min"
    if now_following:
        return (
            f"No {timeframe} candles for {e(symbol)} yet — I've started following it; "
            f"the first arrive {when}."
        )
    return f"No {timeframe} candles for {e(symbol)} yet — the first arrive {when}."


def period_too_long(symbol: str, timeframe: str, covered: timedelta, command: str) -> str:
    have = (
        f"{covered.days}d"
        if covered >= timedelta(days=2)
        else f"{max(covered // timedelta(hours=1), 1)}h"
    )
    return (
        f"I have only {have} of {timeframe} candles for {e(symbol)} — try "
        f"<code>/{command} {e(symbol)} {timeframe} {have}</code>."
    )


def too_many_candles(symbol: str, timeframe: str, count: int, command: str) -> str:
    longer = {"1h": "4h", "4h": "1d"}.get(timeframe, "1d")
    return (
        f"That is {count:,} {timeframe} candles, more than a picture shows well "
        f"({MAX_CANDLES:,}) — try <code>/{command} {e(symbol)} {longer}</code> or a shorter "
        "period."
    )
