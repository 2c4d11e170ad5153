"""Why an alert cannot be set as typed, in one line: the grammar's refusals (`alert.*`) and the
services' (an unknown coin, a duplicate, the cap). Registered with `@says`; handlers say them
through `bot.views.refusals.refusal_text`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from bot.i18n import N_, Texts
from bot.views.common import clip, e
from bot.views.refusals import says
from bot.views.symbols import problems_line
from core.symbols import SymbolProblem

DURATION_WHAT = {"window": N_("Window"), "repeat": N_("Repeat"), "lifetime": N_("Lifetime")}
EXAMPLES = {  # what to try instead, by the kind of condition that had words left over
    "macd": "<code>macd cross up 1d</code>",
    "average": "<code>crosses sma 200 1d</code>",
    "move": "<code>ETH -5% 1h</code>",
    "volume": "<code>volume x3 1h</code>",
    "sentiment": "<code>sentiment &lt; -0.3</code>",
    "news": "<code>news 5 in 1h</code>",
    "predict": "<code>predict up &gt; 65% 24h</code>",
}

FORECAST_UP = "<code>/alert {symbol} predict up &gt; 65% 24h</code>"
FORECAST_DOWN = "<code>/alert {symbol} predict down &gt; 60% 4h</code>"


def _code(words: object) -> str:
    return f"<code>{e(words)}</code>"


# ---- the coin, and the person's other alerts -----------------------------------------------


@says("alert.unknown_coin")
def _unknown_coin(
    t: Texts,
    problems: Sequence[SymbolProblem],
    examples: Sequence[str],
    exchanges: Sequence[str] = (),
) -> str:
    return problems_line(t, problems, examples, exchanges)


@says("alert.market_wide")
def _market_wide(t: Texts, examples: Sequence[str]) -> str:
    coin = examples[0] if examples else "BTC"
    return t._(
        "An alert watches one coin, like {example}; /sentiment shows the whole market's news "
        "sentiment.",
        example=_code(f"/alert {coin} sentiment > 0.5"),
    )


@says("alert.duplicate")
def _duplicate(t: Texts, alert_id: int) -> str:
    return t._("You already have this alert (#{alert_id}) — see /alerts.", alert_id=alert_id)


@says("alert.too_many")
def _too_many(t: Texts, cap: int) -> str:
    return t.ngettext(
        "You have {cap} active alert, the most one person can keep — pause or delete it in "
        "/alerts first.",
        "You have {cap} active alerts, the most one person can keep — pause or delete some in "
        "/alerts first.",
        cap,
        cap=t.number(cap),
    )


@says("alert.not_yours")
def _not_yours(t: Texts) -> str:
    return t._("This is someone else's alert, or it was deleted — send /alerts for yours.")


@says("alert.group_duplicate")
def _group_duplicate(t: Texts, alert_id: int) -> str:
    return t._("This group already has this alert (#{alert_id}) — see /alerts.", alert_id=alert_id)


@says("alert.group_too_many")
def _group_too_many(t: Texts, cap: int) -> str:
    return t.ngettext(
        "This group has {cap} active alert, the most a chat can keep — pause or delete it in "
        "/alerts first.",
        "This group has {cap} active alerts, the most a chat can keep — pause or delete some in "
        "/alerts first.",
        cap,
        cap=t.number(cap),
    )


@says("alert.group_gone")
def _group_gone(t: Texts) -> str:
    return t._("That alert is not this group's, or it was deleted — send /alerts for the group's.")


# ---- what was typed ------------------------------------------------------------------------------


@says("alert.empty")
def _empty(t: Texts) -> str:
    return t._("Say a coin and when to alert, like <code>/alert BTC &gt; 70000</code>.")


@says("alert.not_a_symbol")
def _not_a_symbol(t: Texts, typed: str) -> str:
    return t._("“{typed}” is not a coin symbol; start with one, like BTC.", typed=e(clip(typed)))


@says("alert.no_condition")
def _no_condition(t: Texts, symbol: str) -> str:
    return t._(
        "Say when to alert, like {above} or {move}.",
        above=_code(f"/alert {symbol} > 70000"),
        move=_code(f"/alert {symbol} -5% 1h"),
    )


@says("alert.every_needs_duration")
def _every_needs_duration(t: Texts) -> str:
    return t._(
        "Say how often it may fire again, like <code>every 1h</code> or <code>every 1d</code>."
    )


@says("alert.once_and_every")
def _once_and_every(t: Texts) -> str:
    return t._("Choose <code>once</code> or <code>every …</code>, not both.")


@says("alert.duration_unreadable")
def _duration_unreadable(t: Texts, what: str, typed: str) -> str:
    return t._(
        "{what}: “{typed}” is not a duration — write it like 15m, 1h, 24h or 7d.",
        what=t._(DURATION_WHAT.get(what, DURATION_WHAT["window"])),
        typed=e(clip(typed)),
    )


@says("alert.duration_range")
def _duration_range(
    t: Texts, what: str, typed: str, shortest: timedelta, longest: timedelta
) -> str:
    return t._(
        "{what}: it must be from {shortest} to {longest}, not {typed}.",
        what=t._(DURATION_WHAT.get(what, DURATION_WHAT["window"])),
        shortest=t.duration(shortest),
        longest=t.duration(longest),
        typed=e(clip(typed)),
    )


@says("alert.until_passed")
def _until_passed(t: Texts) -> str:
    return t._("That date has passed; give one in the future, or a span like <code>for 7d</code>.")


@says("alert.until_too_far")
def _until_too_far(t: Texts, longest: timedelta) -> str:
    return t._(
        "An alert can live {longest} at most; pick an earlier date.",
        longest=t.duration(longest),
    )


@says("alert.not_positive")
def _not_positive(t: Texts) -> str:
    return t._("Level: it must be more than zero, like 70000.")


@says("alert.beyond_any_price")
def _beyond_any_price(t: Texts, level: Decimal) -> str:
    return t._("Level: {level} is beyond any real price.", level=t.number(level))


@says("alert.two_directions")
def _two_directions(t: Texts) -> str:
    return t._(
        "Say one direction: <code>&gt;</code> or <code>&lt;</code>, <code>up</code> or "
        "<code>down</code>."
    )


@says("alert.two_timeframes")
def _two_timeframes(t: Texts) -> str:
    return t._("Give one timeframe, like <code>4h</code>.")


@says("alert.timeframe")
def _timeframe(t: Texts, typed: str, choices: Sequence[str]) -> str:
    return t._(
        "Timeframe: “{typed}” is not one I watch; choose {choices}.",
        typed=e(clip(typed)),
        choices=t.or_list(choices),
    )


@says("alert.period")
def _period(t: Texts, typed: str, shortest: int, longest: int) -> str:
    return t._(
        "Period: it must be from {shortest} to {longest} candles, not {typed}.",
        shortest=t.number(shortest),
        longest=t.number(longest),
        typed=e(clip(typed)),
    )


@says("alert.leftover")
def _leftover(t: Texts, typed: str, example: str) -> str:
    return t._(
        "I don't understand “{typed}” here; try {example}.",
        typed=e(clip(typed)),
        example=EXAMPLES.get(example, EXAMPLES["move"]),
    )


@says("alert.unknown_word")
def _unknown_word(t: Texts, typed: str) -> str:
    return t._(
        "I don't know “{typed}”; alerts understand price levels, % moves, RSI, MACD, SMA, EMA, "
        "volume, news sentiment, news bursts and forecasts.",
        typed=e(clip(typed)),
    )


@says("alert.one_level")
def _one_level(t: Texts, symbol: str) -> str:
    return t._("Give one price level, like {example}.", example=_code(f"/alert {symbol} > 70000"))


@says("alert.no_side")
def _no_side(t: Texts, symbol: str, level: Decimal) -> str:
    return t._("Say above or below, like {example}.", example=_code(f"/alert {symbol} > {level:f}"))


@says("alert.at_level")
def _at_level(t: Texts, symbol: str, level: Decimal) -> str:
    return t._(
        "{symbol} is at {level} now; say above or below (<code>&gt;</code> or <code>&lt;</code>).",
        symbol=e(symbol),
        level=t.number(level),
    )


@says("alert.level_passed")
def _level_passed(t: Texts, symbol: str, direction: str, level: Decimal, price: Decimal) -> str:
    values = {"symbol": e(symbol), "level": t.number(level), "price": t.number(price)}
    if direction == "above":
        return t._(
            "{symbol} is already at or above {level} ({price} now); pick another level or use "
            "<code>&lt;</code>.",
            **values,
        )
    return t._(
        "{symbol} is already at or below {level} ({price} now); pick another level or use "
        "<code>&gt;</code>.",
        **values,
    )


@says("alert.move_unreadable")
def _move_unreadable(t: Texts) -> str:
    return t._("Write a move like <code>-5%</code>, <code>+10%</code> or <code>±5%</code>.")


@says("alert.move_disagrees")
def _move_disagrees(t: Texts, typed: str, move: str) -> str:
    return t._(
        "{typed} and {word} point different ways; say the direction once.",
        typed=_code(clip(typed)),
        word=_code(move),
    )


@says("alert.move_zero")
def _move_zero(t: Texts) -> str:
    return t._("The move must be more than 0%, like <code>-5%</code> or <code>+10%</code>.")


@says("alert.fall_too_far")
def _fall_too_far(t: Texts) -> str:
    return t._("A price cannot fall 100% or more; try <code>-50%</code>.")


@says("alert.move_too_big")
def _move_too_big(t: Texts, most: Decimal) -> str:
    return t._(
        "A move of more than {most} is beyond what alerts watch.",
        most=t.pct(most, places=0, signed=False),
    )


@says("alert.rsi_side")
def _rsi_side(t: Texts) -> str:
    return t._(
        "Say a level and a side, like <code>rsi &lt; 30 4h</code> or <code>rsi &gt; 70 1d</code>."
    )


@says("alert.rsi_range")
def _rsi_range(t: Texts) -> str:
    return t._("RSI runs from 0 to 100; pick a level like 30 or 70.")


@says("alert.volume_unreadable")
def _volume_unreadable(t: Texts) -> str:
    return t._("Say how many times the usual volume, like <code>volume x3</code>.")


@says("alert.volume_too_small")
def _volume_too_small(t: Texts) -> str:
    return t._("A spike is more than the usual volume; try <code>x2</code> or <code>x3</code>.")


@says("alert.volume_too_big")
def _volume_too_big(t: Texts, most: Decimal) -> str:
    return t._("The most a volume alert watches for is ×{most}.", most=t.number(most))


@says("alert.sentiment_side")
def _sentiment_side(t: Texts, symbol: str) -> str:
    return t._(
        "Say a side and a level from -1 to 1, like {below} or {above}.",
        below=_code(f"/alert {symbol} sentiment < -0.3"),
        above=_code(f"/alert {symbol} sentiment > 0.5"),
    )


@says("alert.sentiment_unreadable")
def _sentiment_unreadable(t: Texts, typed: str) -> str:
    return t._(
        "“{typed}” is not a sentiment level; write one from -1 to 1, like -0.3 or 0.5.",
        typed=e(clip(typed)),
    )


@says("alert.sentiment_range")
def _sentiment_range(t: Texts) -> str:
    return t._(
        "News sentiment runs from -1 (all bad) to 1 (all good); pick a level between, like "
        "-0.3 or 0.5."
    )


@says("alert.news_unreadable")
def _news_unreadable(t: Texts, symbol: str) -> str:
    return t._(
        "Say how many stories within how long, like {example}.",
        example=_code(f"/alert {symbol} news 5 in 1h"),
    )


@says("alert.news_count")
def _news_count(t: Texts, typed: str, most: int) -> str:
    return t._(
        "Stories: give a whole number from 1 to {most}, not {typed}.",
        most=t.number(most),
        typed=e(clip(typed)),
    )


@says("alert.predict_side")
def _predict_side(t: Texts, symbol: str) -> str:
    return t._(
        "Say which way, up or down, and how sure, like {up} or {down}.",
        up=FORECAST_UP.format(symbol=e(symbol)),
        down=FORECAST_DOWN.format(symbol=e(symbol)),
    )


@says("alert.predict_level")
def _predict_level(t: Texts, symbol: str, typed: str) -> str:
    example = FORECAST_UP.format(symbol=e(symbol))
    if not typed:
        return t._(
            "Give the chance as a percentage from 1% to 99%, like {example}.", example=example
        )
    return t._(
        "Chance: give a percentage from 1% to 99%, like {example}, not {typed}.",
        example=example,
        typed=e(clip(typed)),
    )


@says("alert.predict_horizon")
def _predict_horizon(t: Texts, typed: str, choices: Sequence[str]) -> str:
    return t._(
        "Horizon: forecasts are made for {choices} ahead, not {typed}.",
        choices=t.or_list(choices),
        typed=e(clip(typed)),
    )
