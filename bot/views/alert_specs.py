"""An alert in the person's words: what it watches for, how often, until when, and how often
it would have fired. Pure: values in, HTML out (escaped where a value came from outside)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from bot.i18n import Texts, zone_of
from bot.views.common import e
from core.alerts.history import History
from core.alerts.spec import (
    AlertSpec,
    AverageCross,
    CandleCondition,
    Condition,
    MacdCross,
    NewsBurst,
    PredictionLevel,
    PriceChange,
    PriceLevel,
    RsiLevel,
    SentimentLevel,
)

FULL_SPAN = 29.5  # days of history that count as "the last 30 days"


def exact_pct(t: Texts, value: Decimal) -> str:
    """A percentage with every digit typed and none added: 5% · 2.5% · 2,5 %."""
    exponent = value.normalize().as_tuple().exponent
    places = max(-exponent, 0) if isinstance(exponent, int) else 0
    return t.pct(value, places=places, signed=False)


def condition_line(t: Texts, spec: AlertSpec) -> str:
    """BTC rises above 70,000 USD · ETH falls 5% or more within 1 hour · …"""
    symbol, c = e(spec.symbol), spec.condition
    if isinstance(c, PriceLevel):
        if c.direction == "above":
            return t._("{symbol} rises above {level} USD", symbol=symbol, level=t.number(c.level))
        return t._("{symbol} falls below {level} USD", symbol=symbol, level=t.number(c.level))
    if isinstance(c, PriceChange):
        return _change(t, symbol, c)
    if isinstance(c, SentimentLevel | NewsBurst):
        return _on_news(t, symbol, c)
    if isinstance(c, PredictionLevel):
        return _on_forecast(t, symbol, c)
    return _on_candles(t, symbol, c)


def chance_pct(t: Texts, chance: Decimal | float) -> str:
    """A forecast's chance (0..1) as a percentage to one place, none when whole: 67% · 65.3%."""
    value = Decimal(repr(chance)) if isinstance(chance, float) else chance
    percent = (value * 100).quantize(Decimal("0.1"))
    places = 0 if percent == percent.to_integral_value() else 1
    return t.pct(percent, places=places, signed=False)


def _on_forecast(t: Texts, symbol: str, c: PredictionLevel) -> str:
    values = {"symbol": symbol, "horizon": c.horizon, "level": exact_pct(t, c.level)}
    if c.side == "up" and c.direction == "above":
        return t._("{symbol} forecast: chance of up in {horizon} rises above {level}", **values)
    if c.side == "up":
        return t._("{symbol} forecast: chance of up in {horizon} falls below {level}", **values)
    if c.direction == "above":
        return t._("{symbol} forecast: chance of down in {horizon} rises above {level}", **values)
    return t._("{symbol} forecast: chance of down in {horizon} falls below {level}", **values)


def sentiment_value(t: Texts, value: Decimal | float) -> str:
    """A sentiment level as typed, or an index reading to two places, signed: +0.25 · −0.3."""
    number = Decimal(str(value))
    if isinstance(value, float):
        number = number.quantize(Decimal("0.01"))
    number = number.normalize()
    shown = t.number(abs(number))
    return shown if not number else ("+" if number > 0 else "−") + shown


def _on_news(t: Texts, symbol: str, c: SentimentLevel | NewsBurst) -> str:
    if isinstance(c, SentimentLevel):
        level = sentiment_value(t, c.level)
        if c.direction == "above":
            return t._("{symbol} news sentiment rises above {level}", symbol=symbol, level=level)
        return t._("{symbol} news sentiment falls below {level}", symbol=symbol, level=level)
    return t.ngettext(
        "{count} story or more about {symbol} within {window}",
        "{count} stories or more about {symbol} within {window}",
        c.count,
        count=t.number(c.count),
        symbol=symbol,
        window=t.duration(c.window),
    )


def _change(t: Texts, symbol: str, c: PriceChange) -> str:
    values = {"symbol": symbol, "pct": exact_pct(t, c.pct), "window": t.duration(c.window)}
    if c.move == "up":
        return t._("{symbol} rises {pct} or more within {window}", **values)
    if c.move == "down":
        return t._("{symbol} falls {pct} or more within {window}", **values)
    return t._("{symbol} moves {pct} or more either way within {window}", **values)


def _on_candles(t: Texts, symbol: str, c: Condition) -> str:
    assert isinstance(c, CandleCondition), c
    values = {"symbol": symbol, "timeframe": c.timeframe}
    if isinstance(c, RsiLevel):
        values |= {"period": str(c.period), "level": t.number(c.level)}
        if c.direction == "above":
            return t._(
                "{symbol} RSI({period}) on {timeframe} candles rises above {level}", **values
            )
        return t._("{symbol} RSI({period}) on {timeframe} candles drops below {level}", **values)
    if isinstance(c, MacdCross):
        if c.move == "up":
            return t._(
                "{symbol} MACD crosses above its signal line on {timeframe} candles", **values
            )
        if c.move == "down":
            return t._(
                "{symbol} MACD crosses below its signal line on {timeframe} candles", **values
            )
        return t._("{symbol} MACD crosses its signal line on {timeframe} candles", **values)
    if isinstance(c, AverageCross):
        values["average"] = f"{c.average.upper()} {c.period}"
        if c.move == "up":
            return t._("{symbol} price crosses above {average} on {timeframe} candles", **values)
        if c.move == "down":
            return t._("{symbol} price crosses below {average} on {timeframe} candles", **values)
        return t._("{symbol} price crosses {average} on {timeframe} candles", **values)
    return t.ngettext(
        "{symbol} volume on {timeframe} candles reaches {multiple}× its {lookback}-candle average",
        "{symbol} volume on {timeframe} candles reaches {multiple}× its {lookback}-candle average",
        c.lookback,
        multiple=t.number(c.multiple),
        lookback=t.number(c.lookback),
        **values,
    )


def options_line(t: Texts, spec: AlertSpec, zone: str = "UTC") -> str:
    """once · every 4 hours at most · once, until the end of Dec 31, 2026 (in `zone`)."""
    cooldown = t.duration(spec.cooldown) if spec.cooldown is not None else ""
    if spec.expires_at is None:
        if spec.cooldown is None:
            return t._("once")
        return t._("every {cooldown} at most", cooldown=cooldown)
    local = spec.expires_at.astimezone(zone_of(zone))
    if local.time() == time(0, 0):  # what `until 2026-12-31` makes: the end of that day
        day = t.date((local - timedelta(days=1)).date())
        if spec.cooldown is None:
            return t._("once, until the end of {day}", day=day)
        return t._("every {cooldown} at most, until the end of {day}", cooldown=cooldown, day=day)
    moment = t.moment(spec.expires_at, zone, with_zone=False)
    if spec.cooldown is None:
        return t._("once, until {moment}", moment=moment)
    return t._("every {cooldown} at most, until {moment}", cooldown=cooldown, moment=moment)


def describe(t: Texts, spec: AlertSpec, zone: str = "UTC") -> str:
    """One plain line: BTC rises above 70,000 USD — once."""
    return t._(
        "{condition} — {options}",
        condition=condition_line(t, spec),
        options=options_line(t, spec, zone),
    )


def _span(t: Texts, since: datetime, until: datetime) -> str:
    days = (until - since) / timedelta(days=1)
    if days >= FULL_SPAN:
        return t.ngettext("the last day", "the last {count} days", 30, count=t.number(30))
    if days >= 1.5:
        count = round(days)
        return t.ngettext("the last day", "the last {count} days", count, count=t.number(count))
    hours = max(round(days * 24), 1)
    return t.ngettext("the last hour", "the last {count} hours", hours, count=t.number(hours))


def history_line(t: Texts, symbol: str, history: History, zone: str = "UTC") -> str:
    """It would have fired 4 times in the last 30 days, last on Nov 12."""
    said = _backtest_line(t, symbol, history, zone)
    if history.source == "sentiment" and history.reading is not None:
        now = t._(
            "{symbol} news sentiment is {value} now.",
            symbol=e(symbol),
            value=sentiment_value(t, history.reading),
        )
        return f"{now} {said}"
    if history.source == "predictions":
        return _forecast_now(t, symbol, history, said)
    return said


def _forecast_now(t: Texts, symbol: str, history: History, said: str) -> str:
    """The chance the newest prediction gives (or that it found no edge), then the backtest."""
    if history.no_edge:
        now = t._(
            "No edge found for {symbol} now: the model serves the base rate, and the alert "
            "fires only on a model's forecast.",
            symbol=e(symbol),
        )
        return f"{now} {said}"
    if history.reading is not None:
        now = t._(
            "The forecast's chance is {chance} now.",
            chance=chance_pct(t, history.reading),
        )
        return f"{now} {said}"
    return said


def _backtest_line(t: Texts, symbol: str, history: History, zone: str) -> str:
    result = history.result
    if result is None and history.source == "sentiment":
        return t._(
            "I have too little news sentiment of {symbol} stored yet to say how often it would "
            "have fired.",
            symbol=e(symbol),
        )
    if result is None and history.source == "predictions":
        return t._(
            "I have too few forecasts of {symbol} stored yet to say how often it would have fired.",
            symbol=e(symbol),
        )
    if result is None and history.source == "news":
        return t._(
            "I have no stories about {symbol} stored yet to say how often it would have fired.",
            symbol=e(symbol),
        )
    if result is None:
        return t._(
            "I have too few {timeframe} candles of {symbol} stored yet to say how often it "
            "would have fired.",
            timeframe=history.timeframe,
            symbol=e(symbol),
        )
    span = _span(t, result.since, result.until)
    if result.count == 0 or result.last is None:
        return t._("It would not have fired in {span}.", span=span)
    return t.ngettext(
        "It would have fired once in {span}, on {day}.",
        "It would have fired {count} times in {span}, last on {day}.",
        result.count,
        count=t.number(result.count),
        span=span,
        day=t.day(result.last, zone),
    )
