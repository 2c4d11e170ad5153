"""What to say when the candles a picture needs are missing, or the ask does not fit them, and
when a timeframe or a period cannot be read. Pure."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import Texts
from bot.views.common import clip, e
from bot.views.refusals import refusal_text, says
from core.refusal import Refusal

USAGE_AFTER = ("timeframe.", "period.")  # refusals of the arguments: the command's usage follows


def usage(t: Texts, command: str) -> str:
    """How the command is used, as a sentence to follow a refusal."""
    if command == "compare":
        return t._("Send <code>/compare BTC ETH</code>, or <code>/compare BTC ETH 3m</code>.")
    if command == "corr":
        return t._("Send <code>/corr</code>, or <code>/corr 90d</code>.")
    if command == "ta":
        return t._("Send <code>/ta BTC</code> or <code>/ta ETH 1d</code> (timeframe 1h, 4h or 1d).")
    return t._(
        "Send <code>/chart BTC</code>, or <code>/chart BTC 4h 30d</code> (timeframe 1h, 4h or "
        "1d; period like 7d, 3m, 1y)."
    )


def refused(t: Texts, refusal: Refusal, command: str) -> str:
    """A market command's refusal in one line; a timeframe or period that could not be read is
    followed by how the command is used."""
    text = refusal_text(t, refusal)
    if refusal.code.startswith(USAGE_AFTER):
        text += " " + usage(t, command)
    return text


def example(command: str, coins: tuple[str, ...], *rest: str) -> str:
    """`/chart BTC 4h`: a command to send instead, in <code>."""
    return "<code>" + e(" ".join([f"/{command}", *coins, *rest])) + "</code>"


# ---- timeframes and periods --------------------------------------------------------------------


@says("timeframe.unknown")
def _timeframe_unknown(t: Texts, typed: str, allowed: tuple[str, ...]) -> str:
    return t._(
        "That didn't work: timeframe must be one of {choices}.",
        choices=e(", ".join(allowed)),
    )


@says("timeframe.twice")
def _timeframe_twice(t: Texts) -> str:
    return t._("That didn't work: give one timeframe.")


@says("period.unreadable")
def _period_unreadable(t: Texts, typed: str) -> str:
    return t._("That didn't work: period looks like 24h, 7d, 2w, 3m or 1y.")


@says("period.too_long")
def _period_too_long(t: Texts, longest: str) -> str:
    return t._("That didn't work: the longest period is {longest}.", longest=e(longest))


@says("period.twice")
def _period_twice(t: Texts) -> str:
    return t._("That didn't work: give one period.")


# ---- the coins asked ---------------------------------------------------------------------------


@says("chart.one_coin")
def _one_coin(t: Texts, count: int) -> str:
    if count > 1:
        return t._("One coin per chart. To compare two, use <code>/compare BTC ETH</code>.")
    return t._("One coin per chart.") + " " + usage(t, "chart")


@says("compare.two_coins")
def _two_coins(t: Texts) -> str:
    return t._("Compare takes two coins.") + " " + usage(t, "compare")


@says("compare.same_coin")
def _same_coin(t: Texts) -> str:
    return t._("Compare takes two different coins.") + " " + usage(t, "compare")


@says("corr.no_coins")
def _corr_no_coins(t: Texts) -> str:
    return t._("/corr compares the coins I follow.") + " " + usage(t, "corr")


# ---- the candles -------------------------------------------------------------------------------


@says("chart.too_many_candles")
def _too_many(
    t: Texts,
    count: int,
    timeframe: str,
    most: int,
    command: str,
    coins: tuple[str, ...],
    longer: str,
) -> str:
    return t.ngettext(
        "That is {count} {timeframe} candle, more than a picture shows well ({most}) — try "
        "{example} or a shorter period.",
        "That is {count} {timeframe} candles, more than a picture shows well ({most}) — try "
        "{example} or a shorter period.",
        count,
        count=t.number(count),
        timeframe=e(timeframe),
        most=t.number(most),
        example=example(command, coins, longer),
    )


@says("chart.period_too_long")
def _too_long(
    t: Texts,
    coin: str,
    timeframe: str,
    available: timedelta,
    shorter: str,
    command: str,
    coins: tuple[str, ...],
) -> str:
    return t._(
        "I have only {span} of {timeframe} candles for {coin} — try {example}.",
        span=t.duration(available),
        timeframe=e(timeframe),
        coin=e(coin),
        example=example(command, coins, timeframe, shorter),
    )


@says("chart.no_candles")
def _no_candles(t: Texts, coin: str, timeframe: str, following: bool, within: timedelta) -> str:
    minutes = timedelta(minutes=max(int(within.total_seconds() // 60), 1))
    params = {
        "timeframe": e(timeframe),
        "coin": e(clip(coin)),
        "within": t.duration(minutes, short=True),
    }
    if following:
        return t._(
            "No {timeframe} candles for {coin} yet — I've started following it; the first "
            "arrive within about {within}.",
            **params,
        )
    return t._(
        "No {timeframe} candles for {coin} yet — the first arrive within about {within}.", **params
    )


@says("compare.too_few_common")
def _too_few_common(t: Texts) -> str:
    return t._("Those two have too few candles in common yet to compare.")


@says("corr.not_enough")
def _corr_not_enough(t: Texts) -> str:
    return t._("Not enough candles yet to correlate — try again in a few minutes.")
