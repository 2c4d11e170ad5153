"""The features that pushed a forecast, in plain words: "BTC rose 2.1% over the last 24 h",
"RSI 72 (overbought)". A table from the feature codes of core.predict.features to sentences;
a code without words of its own is said as its code and value. Pure; HTML."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal

from bot.i18n import N_, Texts
from bot.views.common import clip, e
from core.predict import LEADER, Driver

RETURN = re.compile(r"^(btc_|rel_|mkt_)?ret_(\d+)h$")
MARKET_RELATIVE = re.compile(r"^mkt_rel_(\d+)h$")
Z_RETURN = re.compile(r"^z_ret_(\d+)h$")


def pct_of_fraction(t: Texts, fraction: float, places: int = 1, signed: bool = True) -> str:
    return t.pct(Decimal(repr(round(fraction * 100, places))), places, signed=signed)


# --- the drivers in plain words ------------------------------------------------------------------


# moves said by their sign: (up, down, the placeholder their size goes in)
MOVES: dict[str, tuple[str, str, str]] = {
    "coin": (
        N_("{coin} rose {change} over the last {hours} h"),
        N_("{coin} fell {change} over the last {hours} h"),
        "change",
    ),
    "leader": (
        N_("{coin} beat {leader} by {gap} over the last {hours} h"),
        N_("{coin} lagged {leader} by {gap} over the last {hours} h"),
        "gap",
    ),
    "market": (
        N_("The market (tracked coins on average) rose {change} over the last {hours} h"),
        N_("The market (tracked coins on average) fell {change} over the last {hours} h"),
        "change",
    ),
    "against_market": (
        N_("{coin} beat the market by {gap} over the last {hours} h"),
        N_("{coin} lagged the market by {gap} over the last {hours} h"),
        "gap",
    ),
}


def _move(t: Texts, kind: str, log_return: float, **names: object) -> str:
    """A log return said as a percentage move, in the words of MOVES[kind] for its sign."""
    up, down, size = MOVES[kind]
    names[size] = pct_of_fraction(t, abs(math.expm1(log_return)), signed=False)
    return t._(up if log_return >= 0 else down, **names)


def _breadth(t: Texts, value: float) -> str:
    return t._(
        "{share} of tracked coins rose over the last 24 h",
        share=pct_of_fraction(t, value, 0, signed=False),
    )


def _rsi(t: Texts, value: float) -> str:
    shown = t.decimal(value, 0)
    if value >= 70:
        return t._("RSI {value} (overbought)", value=shown)
    if value <= 30:
        return t._("RSI {value} (oversold)", value=shown)
    return t._("RSI {value}", value=shown)


def _macd(t: Texts, value: float) -> str:
    if value >= 0:
        return t._("MACD momentum positive")
    return t._("MACD momentum negative")


def _bollinger(t: Texts, value: float) -> str:
    if value > 1:
        return t._("Price above its upper Bollinger band")
    if value < 0:
        return t._("Price below its lower Bollinger band")
    return t._(
        "Price {share} of the way up its Bollinger bands",
        share=pct_of_fraction(t, value, 0, signed=False),
    )


def _atr(t: Texts, value: float) -> str:
    return t._("Average true range {share} of the price", share=pct_of_fraction(t, value, 2, False))


def _adx(t: Texts, value: float) -> str:
    if value >= 25:
        return t._("Trend strength (ADX) {value}: a strong trend", value=t.decimal(value, 0))
    return t._("Trend strength (ADX) {value}: no strong trend", value=t.decimal(value, 0))


def _volatility(days: str) -> Callable[[Texts, float], str]:
    def say(t: Texts, value: float) -> str:
        share = pct_of_fraction(t, value, 2, False)
        if days == "1":
            return t._("Hourly swings over the last day: {share}", share=share)
        return t._("Hourly swings over the last week: {share}", share=share)

    return say


def _vol_ratio(t: Texts, value: float) -> str:
    return t._("The last day {ratio}× as volatile as the week", ratio=t.decimal(value, 1))


def _volume(t: Texts, value: float) -> str:
    if value >= 0:
        return t._("Volume {z} σ above its weekly normal", z=t.decimal(value, 1))
    return t._("Volume {z} σ below its weekly normal", z=t.decimal(abs(value), 1))


def _z_move(t: Texts, coin: str, value: float, hours: int) -> str:
    return t._(
        "{coin}'s move over the last {hours} h: {z} times its usual hourly swing",
        coin=coin,
        hours=hours,
        z=t.signed(Decimal(repr(round(value, 1))), 1),
    )


def _bar(t: Texts, value: float) -> str:
    return t._(
        "The last hour closed at {share} of its range (0% the low, 100% the high)",
        share=pct_of_fraction(t, value, 0, False),
    )


def _average_gap(t: Texts, value: float) -> str:
    gap = pct_of_fraction(t, abs(math.expm1(value)), 1, False)
    if value >= 0:
        return t._("Price {gap} above its 24 h average", gap=gap)
    return t._("Price {gap} below its 24 h average", gap=gap)


def _hour_volume(t: Texts, value: float) -> str:
    if value >= 0:
        return t._("Last hour's volume {z} σ above its weekly normal", z=t.decimal(value, 1))
    return t._("Last hour's volume {z} σ below its weekly normal", z=t.decimal(abs(value), 1))


def _range(t: Texts, value: float) -> str:
    return t._(
        "Price at {share} of its 7-day range (0% the low, 100% the high)",
        share=pct_of_fraction(t, value, 0, False),
    )


def _time_of_day(t: Texts, value: float) -> str:
    return t._("The hour of the day")


def _day_of_week(t: Texts, value: float) -> str:
    return t._("The day of the week")


def _sentiment(t: Texts, value: float) -> str:
    return t._("News sentiment {value}", value=t.signed(Decimal(repr(round(value, 2))), 2))


def _sentiment_change(t: Texts, value: float) -> str:
    return t._(
        "News sentiment changed {change} in 24 h",
        change=t.signed(Decimal(repr(round(value, 2))), 2),
    )


SAYINGS: dict[str, Callable[[Texts, float], str]] = {
    "rsi_14": _rsi,
    "macd_hist": _macd,
    "bb_pctb": _bollinger,
    "atr_pct": _atr,
    "adx_14": _adx,
    "vol_24h": _volatility("1"),
    "vol_168h": _volatility("7"),
    "vol_ratio": _vol_ratio,
    "volume_z": _volume,
    "range_pos_168h": _range,
    "bar_pos": _bar,
    "sma_gap_24h": _average_gap,
    "volume_1h_z": _hour_volume,
    "hour_sin": _time_of_day,
    "hour_cos": _time_of_day,
    "dow_sin": _day_of_week,
    "dow_cos": _day_of_week,
    "mkt_breadth_24h": _breadth,
    "sentiment": _sentiment,
    "sentiment_chg_24h": _sentiment_change,
}


def driver_words(t: Texts, driver: Driver, coin: str) -> str:
    """What the feature said, in words ("BTC rose 2.1% over the last 24 h", "RSI 72
    (overbought)"); a feature without words of its own as its code and value."""
    value = driver.value
    if not math.isfinite(value):
        return t._("{feature}: unknown", feature=e(clip(driver.feature, 32)))
    found = RETURN.match(driver.feature)
    if found:
        prefix, hours = found.group(1), int(found.group(2))
        if prefix == "rel_":
            return _move(t, "leader", value, coin=e(coin), leader=LEADER, hours=hours)
        if prefix == "mkt_":
            return _move(t, "market", value, hours=hours)
        return _move(t, "coin", value, coin=LEADER if prefix == "btc_" else e(coin), hours=hours)
    against = MARKET_RELATIVE.match(driver.feature)
    if against:
        return _move(t, "against_market", value, coin=e(coin), hours=int(against.group(1)))
    scaled = Z_RETURN.match(driver.feature)
    if scaled:
        return _z_move(t, e(coin), value, int(scaled.group(1)))
    say = SAYINGS.get(driver.feature)
    if say is not None:
        return say(t, value)
    return t._(
        "{feature} at {value}",
        feature=e(clip(driver.feature, 32)),
        value=t.decimal(value, 4 if abs(value) < 1 else 2),
    )


def driver_line(t: Texts, driver: Driver, coin: str) -> str:
    words = driver_words(t, driver, coin)
    if driver.push >= 0:
        return "• " + t._("{words} — pushed it up", words=words)
    return "• " + t._("{words} — pushed it down", words=words)
