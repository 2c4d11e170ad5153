"""Reading /alert the way people type it, and refusing what cannot be an alert — with a reason
code and its parameters, which the bot says in the person's language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands import BY_NAME
from core.alerts.grammar import parse_alert
from core.alerts.spec import (
    AlertSpec,
    AverageCross,
    MacdCross,
    PriceChange,
    PriceLevel,
    RsiLevel,
    VolumeSpike,
)
from core.refusal import BadArgument, Refusal

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
D = Decimal
ALERT_HELP = BY_NAME["alert"].usage
LIFE = "lifetime"


def parse(
    text: str, price: str | None = None, zone: str = "UTC", decimal_comma: bool = False
) -> AlertSpec:
    current = None if price is None else D(price)
    return parse_alert(text, NOW, current, zone, decimal_comma=decimal_comma)


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("BTC > 70000", PriceLevel("above", D(70000))),
        ("btc above 70k", PriceLevel("above", D(70000))),
        ("BTC>70000", PriceLevel("above", D(70000))),
        ("BTC price rises above $70,000", PriceLevel("above", D(70000))),
        ("BTC < 60,000", PriceLevel("below", D(60000))),
        ("btc under 1.5k", PriceLevel("below", D(1500))),
        ("PEPE below 0.00000123", PriceLevel("below", D("0.00000123"))),
        ("ETH -5% 1h", PriceChange("down", D(5), timedelta(hours=1))),
        ("SOL +10% 24h", PriceChange("up", D(10), timedelta(hours=24))),
        ("ETH ±5% 1h", PriceChange("either", D(5), timedelta(hours=1))),
        ("ETH +-2.5% 15m", PriceChange("either", D("2.5"), timedelta(minutes=15))),
        ("ETH up 5% in 2 days", PriceChange("up", D(5), timedelta(days=2))),
        ("ETH -5%", PriceChange("down", D(5), timedelta(hours=24))),
        ("ETH drops 5% within 1 hour", PriceChange("down", D(5), timedelta(hours=1))),
        ("ETH moves 5% 1h", PriceChange("either", D(5), timedelta(hours=1))),
        ("BTC falls to 60k", PriceLevel("below", D(60000))),
        ("BTC > 70000 usd", PriceLevel("above", D(70000))),
        ("SOL rsi < 30 4h", RsiLevel("below", D(30), "4h")),
        ("SOL RSI(7)>70 1d", RsiLevel("above", D(70), "1d", 7)),
        ("sol rsi 21 crosses below 25", RsiLevel("below", D(25), "1h", 21)),
        ("BTC macd cross up 1d", MacdCross("up", "1d")),
        ("BTC macd crosses below signal line 4h", MacdCross("down", "4h")),
        ("BTC macd 1h", MacdCross("either", "1h")),
        ("BTC macd daily", MacdCross("either", "1d")),
        ("ETH crosses sma 200 1d", AverageCross("sma", 200, "either", "1d")),
        ("ETH price > ema 50 4h", AverageCross("ema", 50, "up", "4h")),
        ("ETH below sma50 daily", AverageCross("sma", 50, "down", "1d")),
        ("ETH crosses ema", AverageCross("ema", 50, "either", "1h")),
        ("BTC volume x3", VolumeSpike(D(3), "1h")),
        ("BTC vol 3x 1h", VolumeSpike(D(3), "1h")),
        ("BTC volume > 2.5x 4h", VolumeSpike(D("2.5"), "4h")),
        ("BTC volume", VolumeSpike(D(3), "1h")),
        # a decimal comma, wherever it cannot be a thousands separator
        ("BTC > 70,5", PriceLevel("above", D("70.5"))),
        ("ETH -0,5% 1h", PriceChange("down", D("0.5"), timedelta(hours=1))),
        ("ETH ±2,5%", PriceChange("either", D("2.5"), timedelta(hours=24))),
        ("SOL rsi < 29,5 4h", RsiLevel("below", D("29.5"), "4h")),
        ("BTC volume x2,5", VolumeSpike(D("2.5"), "1h")),
        ("PEPE < 0,00000123", PriceLevel("below", D("0.00000123"))),
    ],
)
def test_each_kind_however_it_is_written(text: str, condition: object) -> None:
    spec = parse(text)
    assert spec.condition == condition
    assert spec.symbol == text.split()[0].upper().split(">")[0]
    assert (spec.cooldown, spec.expires_at, spec.recurring) == (None, None, False)


def test_a_decimal_comma_reads_the_same_for_everyone_where_it_is_unambiguous() -> None:
    for decimal_comma in (False, True):
        spec = parse("ETH -0,5% 1h", decimal_comma=decimal_comma)
        assert spec.condition == PriceChange("down", D("0.5"), timedelta(hours=1))


def test_one_comma_and_three_digits_is_thousands_unless_the_person_writes_decimal_commas() -> None:
    assert parse("BTC > 70,000").condition == PriceLevel("above", D(70000))
    with pytest.raises(BadArgument) as caught:
        parse("BTC > 70,000", decimal_comma=True)
    assert caught.value.code == "amount.ambiguous"
    assert caught.value.params["as_thousands"] == D(70000)
    assert parse("BTC > 70000", decimal_comma=True).condition == PriceLevel("above", D(70000))


def test_a_bare_level_means_crossing_it_from_the_price_now() -> None:
    assert parse("BTC 70000", price="65000").condition == PriceLevel("above", D(70000))
    assert parse("BTC crosses 60k", price="65000").condition == PriceLevel("below", D(60000))
    assert parse("BTC hits 70k", price="65000").condition == PriceLevel("above", D(70000))


def test_options_anywhere_after_the_coin() -> None:
    spec = parse("BTC every 1h > 70000 for 7d")
    assert spec.cooldown == timedelta(hours=1) and spec.recurring
    assert spec.expires_at == NOW + timedelta(days=7)
    assert parse("ETH -5% 1h once").cooldown is None
    assert parse("ETH -5% 1h repeat").cooldown == timedelta(hours=1)
    assert parse("ETH -5% 1h every 2 days").cooldown == timedelta(days=2)


def test_until_a_date_means_to_the_end_of_that_day_where_the_person_lives() -> None:
    assert parse("BTC > 70000 until 2026-12-31").expires_at == datetime(2027, 1, 1, tzinfo=UTC)
    tokyo = parse("BTC > 70000 until 2026-12-31", zone="Asia/Tokyo")
    assert tokyo.expires_at == datetime(2026, 12, 31, 15, tzinfo=UTC)
    evening = parse("BTC > 70000 until 2026-12-31 18:30")
    assert evening.expires_at == datetime(2026, 12, 31, 18, 30, tzinfo=UTC)
    assert parse("BTC > 70000 until today").expires_at == datetime(2026, 11, 27, tzinfo=UTC)
    assert parse("BTC > 70000 until 2026-12-31 18:30 every 1h").cooldown == timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("", "alert.empty", {}),
        ("BTC", "alert.no_condition", {"symbol": "BTC"}),
        ("BTC > -5", "alert.not_positive", {}),
        ("BTC > 0", "alert.not_positive", {}),
        ("BTC > 0.000", "alert.not_positive", {}),
        ("BTC > 0.0000000000001", "amount.too_small", {"what": "level", "least": D("1e-12")}),
        ("BTC > 1.0000000000000000001", "amount.too_precise", {"what": "level", "places": 18}),
        ("BTC > 1e30", "amount.not_a_number", {"what": "level", "typed": "1e30"}),
        ("BTC > 1000000000000000000000000000000", "amount.too_long", {"what": "level"}),
        ("BTC > 2000000000000", "amount.too_big", {"what": "level", "most": D(10**12)}),
        ("BTC > 2000000000k", "alert.beyond_any_price", {"level": D(2 * 10**12)}),
        ("BTC > nan", "amount.not_a_number", {"what": "level", "typed": "nan"}),
        ("BTC > inf", "amount.not_a_number", {"what": "level", "typed": "inf"}),
        ("BTC > 70000 80000", "alert.one_level", {"symbol": "BTC"}),
        ("BTC 70000", "alert.no_side", {"symbol": "BTC", "level": D(70000)}),
        ("BTC > 70000 < 60000", "alert.two_directions", {}),
        ("SOL stoch < 20 4h", "alert.unknown_word", {"typed": "stoch"}),
        ("ETH -5% soon", "alert.duration_unreadable", {"what": "window", "typed": "soon"}),
        ("ETH -0% 1h", "alert.move_zero", {}),
        ("ETH -100% 1h", "alert.fall_too_far", {}),
        ("ETH +5000% 1h", "alert.move_too_big", {"most": D(1000)}),
        ("ETH +99999999999999999999999999999% 1h", "alert.move_too_big", {"most": D(1000)}),
        ("ETH +0.00001% 1h", "amount.too_precise", {"what": "percentage", "places": 4}),
        ("BTC %", "alert.move_unreadable", {}),
        ("BTC % 99999999999999999999999999999% -0", "alert.move_unreadable", {}),
        ("DOGE % rsi 1,000,000.5 > 0.0000000001", "alert.move_unreadable", {}),
        ("ETH -nan% 1h", "amount.not_a_number", {"what": "percentage", "typed": "nan"}),
        ("ETH +5% down 1h", "alert.move_disagrees", {"typed": "+5%", "move": "down"}),
        ("ETH --5% 1h", "alert.move_unreadable", {}),
        ("SOL rsi < 30 4h 1d", "alert.two_timeframes", {}),
        ("SOL rsi < 130 4h", "alert.rsi_range", {}),
        ("SOL rsi < 1,000,000.5 4h", "alert.rsi_range", {}),
        ("SOL rsi < 0 4h", "alert.rsi_range", {}),
        ("SOL rsi < 29.99999 4h", "amount.too_precise", {"what": "rsi_level", "places": 4}),
        ("SOL rsi ² < 30", "alert.rsi_side", {}),
        ("ETH crosses sma ²", "alert.leftover", {"typed": "²", "example": "average"}),
        ("ETH crosses sma 1²", "alert.leftover", {"typed": "1²", "example": "average"}),
        ("ETH -5% ²h", "alert.duration_unreadable", {"what": "window", "typed": "²h"}),
        ("SOL rsi 30 4h", "alert.rsi_side", {}),
        ("SOL rsi < abc", "amount.not_a_number", {"what": "rsi_level", "typed": "abc"}),
        ("ETH crosses sma 200 1d soon", "alert.leftover", {"typed": "soon", "example": "average"}),
        ("BTC macd cross up 1d now", "alert.leftover", {"typed": "now", "example": "macd"}),
        ("ETH -5% 1h soon", "alert.leftover", {"typed": "soon", "example": "move"}),
        ("BTC volume x3 1h more", "alert.leftover", {"typed": "more", "example": "volume"}),
        ("BTC volume x1", "alert.volume_too_small", {}),
        ("BTC volume x500", "alert.volume_too_big", {"most": D(100)}),
        ("BTC volume lots", "alert.volume_unreadable", {}),
        ("BTC > 70000 every", "alert.every_needs_duration", {}),
        ("BTC > 70000 once every 1h", "alert.once_and_every", {}),
        (
            "BTC > 70000 for ever",
            "alert.duration_unreadable",
            {"what": "lifetime", "typed": "ever"},
        ),
        ("BTC > 70000 for", "alert.duration_unreadable", {"what": "lifetime", "typed": ""}),
        ("BTC > 70000 until tomorrow", "date.unreadable", {"typed": "tomorrow"}),
        ("BTC > 70000 until", "date.unreadable", {"typed": ""}),
        ("BTC > 70000 until 2026-01-01", "alert.until_passed", {}),
        ("BTC > 70000 until yesterday", "alert.until_passed", {}),
        ("BTC > 70000 until 2030-01-01", "alert.until_too_far", {"longest": timedelta(days=365)}),
        ("BTC > 70000 until 9999-12-31", "alert.until_too_far", {"longest": timedelta(days=365)}),
        ("BTC > 70000 until 0001-01-01", "alert.until_passed", {}),
        ("BTC > 70000 until ２０２６-12-01", "date.unreadable", {"typed": "２０２６-12-01"}),
        ("BTC/USDT > 70000", "alert.not_a_symbol", {"typed": "BTC/USDT"}),
    ],
)
def test_what_cannot_be_an_alert_is_refused_with_a_reason(
    text: str, code: str, params: dict
) -> None:
    with pytest.raises(BadArgument) as caught:
        parse(text)
    assert (caught.value.code, caught.value.params) == (code, params)


@pytest.mark.parametrize(
    ("text", "what", "typed", "shortest", "longest"),
    [
        ("ETH -5% 1m", "window", "1m", timedelta(minutes=5), timedelta(days=30)),
        ("ETH -5% 60d", "window", "60d", timedelta(minutes=5), timedelta(days=30)),
        ("BTC > 70000 every 1m", "repeat", "1m", timedelta(minutes=5), timedelta(days=30)),
        ("BTC > 70000 for 2y", "lifetime", "2y", timedelta(minutes=5), timedelta(days=365)),
        ("BTC > 70000 for 400d", "lifetime", "400d", timedelta(minutes=5), timedelta(days=365)),
    ],
)
def test_durations_out_of_range_say_the_range(
    text: str, what: str, typed: str, shortest: timedelta, longest: timedelta
) -> None:
    with pytest.raises(BadArgument) as caught:
        parse(text)
    assert caught.value.code == "alert.duration_range"
    assert caught.value.params == {
        "what": what,
        "typed": typed,
        "shortest": shortest,
        "longest": longest,
    }


def test_timeframes_and_periods_out_of_range_say_what_would_work() -> None:
    with pytest.raises(BadArgument) as caught:
        parse("SOL rsi < 30 2h")
    assert caught.value.code == "alert.timeframe"
    assert caught.value.params == {"typed": "2h", "choices": ("1m", "5m", "15m", "1h", "4h", "1d")}
    for text, typed in (("SOL rsi 1000 < 30", "1000"), ("ETH crosses sma 1 1d", "1")):
        with pytest.raises(BadArgument) as caught:
            parse(text)
        expected = {"typed": typed, "shortest": 2, "longest": 500}
        assert (caught.value.code, caught.value.params) == ("alert.period", expected)


def test_a_level_the_price_is_already_past_is_refused() -> None:
    with pytest.raises(BadArgument) as caught:
        parse("BTC > 70000", price="71234.5")
    assert caught.value.code == "alert.level_passed"
    assert caught.value.params == {
        "symbol": "BTC",
        "direction": "above",
        "level": D(70000),
        "price": D("71234.5"),
    }
    with pytest.raises(BadArgument) as caught:
        parse("BTC < 70000", price="70000")
    assert caught.value.params["direction"] == "below"
    with pytest.raises(BadArgument) as caught:
        parse("BTC 70000", price="70000")
    assert caught.value.code == "alert.at_level"


def test_every_example_in_the_help_parses() -> None:
    for example in re.findall(r"<code>/alert ([^<]*)</code>", ALERT_HELP):
        text = example.replace("&gt;", ">").replace("&lt;", "<")
        assert parse(text, price="65000").symbol


def test_a_period_of_thousands_of_digits_is_refused_without_reading_it() -> None:
    with pytest.raises(BadArgument) as caught:
        parse("ETH crosses sma " + "9" * 5000)
    assert caught.value.code == "alert.period"
    assert caught.value.params["typed"] == "9" * 20


# ---- whatever is typed: a valid alert, or a refusal ----------------------------------------------

_WORDS = (  # noqa: SIM905 (a vocabulary reads best as the words themselves)
    "BTC DOGE > < >= ≤ above below crosses up down % -5% +10% ±5% +-2% --5% -0% "
    "99999999999999% rsi rsi(14) sma ema ma200 macd volume vol x3 3x x 0 -0 1 2 30 70 100 200 "
    "500 70000 70k 1.5m 0.0000000001 1,000,000.5 1,234 0,5 1e5 nan inf ² ١٢ ５ 1h 4h 1d 15m 7d "
    "2y 99999d daily hourly once every repeat for until today yesterday 2026-12-31 9999-12-31 "
    "0001-01-01 2008-12-31 23:59 00:00 25:00 signal line in within $"
).split()
_ZONES = ("UTC", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Tokyo")


def _is_valid(spec: AlertSpec) -> bool:
    """What every alert the grammar returns holds to."""
    c = spec.condition
    if isinstance(c, PriceLevel):
        fine = D(0) < c.level <= D(10**12)
    elif isinstance(c, PriceChange):
        fine = D(0) < c.pct <= 1000 and timedelta(minutes=5) <= c.window <= timedelta(days=30)
        fine = fine and (c.move == "up" or c.pct < 100)
    elif isinstance(c, RsiLevel):
        fine = D(0) < c.level < 100 and 2 <= c.period <= 500
    elif isinstance(c, AverageCross):
        fine = 2 <= c.period <= 500
    elif isinstance(c, VolumeSpike):
        fine = D(1) < c.multiple <= 100
    else:
        fine = isinstance(c, MacdCross)
    if spec.cooldown is not None:
        fine = fine and timedelta(minutes=5) <= spec.cooldown <= timedelta(days=30)
    if spec.expires_at is not None:
        fine = fine and NOW < spec.expires_at <= NOW + timedelta(days=365)
    return fine


@settings(max_examples=1000)
@given(
    st.lists(st.sampled_from(_WORDS) | st.text(max_size=12), max_size=8),
    st.sampled_from(_ZONES),
    st.sampled_from([None, "65000", "0.0000001", "1000000000000"]),
    st.booleans(),
)
def test_any_words_are_an_alert_or_a_refusal(
    words: list[str], zone: str, price: str | None, decimal_comma: bool
) -> None:
    try:
        spec = parse(" ".join(words), price, zone, decimal_comma)
    except Refusal:
        return
    assert _is_valid(spec), spec


@settings(max_examples=1000)
@given(st.text(max_size=200))
def test_any_text_at_all_is_an_alert_or_a_refusal(text: str) -> None:
    try:
        spec = parse(text, "65000")
    except Refusal:
        return
    assert _is_valid(spec), spec
