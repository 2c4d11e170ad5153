"""Reading /alert the way people type it, and refusing what cannot be an alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.alerts.grammar import (
    ALERT_HELP,
    AlertSpec,
    AverageCross,
    MacdCross,
    PriceChange,
    PriceLevel,
    RsiLevel,
    VolumeSpike,
    describe,
    parse_alert,
)
from core.periods import BadArgument

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
D = Decimal


def parse(text: str, price: str | None = None, zone: str = "UTC") -> AlertSpec:
    return parse_alert(text, NOW, None if price is None else D(price), zone)


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
        ("ETH crosses sma 200 1d", AverageCross("sma", 200, "either", "1d")),
        ("ETH price > ema 50 4h", AverageCross("ema", 50, "up", "4h")),
        ("ETH below sma50 daily", AverageCross("sma", 50, "down", "1d")),
        ("ETH crosses ema", AverageCross("ema", 50, "either", "1h")),
        ("BTC volume x3", VolumeSpike(D(3), "1h")),
        ("BTC vol 3x 1h", VolumeSpike(D(3), "1h")),
        ("BTC volume > 2.5x 4h", VolumeSpike(D("2.5"), "4h")),
        ("BTC volume", VolumeSpike(D(3), "1h")),
    ],
)
def test_each_kind_however_it_is_written(text: str, condition: object) -> None:
    spec = parse(text)
    assert spec.condition == condition
    assert spec.symbol == text.split()[0].upper().split(">")[0]
    assert (spec.cooldown, spec.expires_at, spec.recurring) == (None, None, False)


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


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("", "say a coin"),
        ("BTC", "say when"),
        ("BTC > -5", "more than zero"),
        ("BTC > 0", "more than zero"),
        ("BTC > 0.000", "more than zero"),
        ("BTC > 1e30", "plain number"),
        ("BTC > 1000000000000000000000000000000", "digits"),
        ("BTC > 2000000000000", "beyond any real price"),
        ("BTC > nan", "plain number"),
        ("BTC > inf", "plain number"),
        ("BTC > 70,5", "dot for decimals"),
        ("BTC > 70000 80000", "one price level"),
        ("BTC 70000", "say above or below"),
        ("BTC > 70000 < 60000", "one direction"),
        ("SOL stoch < 20 4h", "I don't know 'stoch'"),
        ("ETH -5% 1m", "from 5 minutes to 30 days"),
        ("ETH -5% 60d", "from 5 minutes to 30 days"),
        ("ETH -5% soon", "the window looks like"),
        ("ETH -0% 1h", "more than 0%"),
        ("ETH -100% 1h", "cannot fall 100%"),
        ("ETH +5000% 1h", "more than 1000%"),
        ("ETH -nan% 1h", "plain number"),
        ("ETH +5% down 1h", "disagree"),
        ("SOL rsi < 30 2h", "timeframe must be one of 1m, 5m, 15m, 1h, 4h, 1d"),
        ("SOL rsi < 30 4h 1d", "one timeframe"),
        ("SOL rsi < 130 4h", "0 to 100"),
        ("SOL rsi 30 4h", "a level and a side"),
        ("SOL rsi 1000 < 30", "2 to 500"),
        ("ETH crosses sma 1 1d", "2 to 500"),
        ("ETH crosses sma 200 1d soon", "I don't understand 'soon'"),
        ("BTC macd cross up 1d now", "I don't understand 'now'"),
        ("BTC volume x1", "more than the usual"),
        ("BTC volume x500", "x100"),
        ("BTC volume lots", "how many times"),
        ("BTC > 70000 every", "how often"),
        ("BTC > 70000 every 1m", "from 5 minutes to 30 days"),
        ("BTC > 70000 once every 1h", "once or every"),
        ("BTC > 70000 for 2y", "from 5 minutes to 365 days"),
        ("BTC > 70000 for ever", "looks like 15m"),
        ("BTC > 70000 for", "looks like 15m"),
        ("BTC > 70000 for 400d", "from 5 minutes to 365 days"),
        ("BTC > 70000 until tomorrow", "until takes a date"),
        ("BTC > 70000 until 2026-01-01", "has passed"),
        ("BTC > 70000 until 2030-01-01", "a year at most"),
        ("BTC/USDT > 70000", "not a coin symbol"),
    ],
)
def test_what_cannot_be_an_alert_is_refused_in_one_line(text: str, complaint: str) -> None:
    with pytest.raises(BadArgument, match=complaint) as caught:
        parse(text)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 120


def test_a_level_the_price_is_already_past_is_refused() -> None:
    with pytest.raises(BadArgument, match=r"already at or above 70,000 \(71,234.5 now\).*use <"):
        parse("BTC > 70000", price="71234.5")
    with pytest.raises(BadArgument, match="already at or below"):
        parse("BTC < 70000", price="70000")
    with pytest.raises(BadArgument, match="at 70,000 now"):
        parse("BTC 70000", price="70000")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("BTC > 70000", "BTC rises above 70,000 USD — once"),
        ("btc < 0.00001234", "BTC falls below 0.00001234 USD — once"),
        ("ETH -5% 1h every 1h", "ETH falls 5% or more within 1 hour — every 1 hour at most"),
        ("ETH ±2.5% 30m", "ETH moves 2.5% or more either way within 30 minutes — once"),
        ("SOL rsi < 30 4h", "SOL RSI(14) on 4h candles drops below 30 — once"),
        ("BTC macd cross up 1d", "BTC MACD crosses above its signal line on 1d candles — once"),
        ("ETH crosses sma 200 1d", "ETH price crosses SMA 200 on 1d candles — once"),
        ("BTC vol 3x", "BTC volume on 1h candles reaches 3× its 20-candle average — once"),
        (
            "BTC > 70k until 2026-12-31",
            "BTC rises above 70,000 USD — once, until the end of 2026-12-31",
        ),
        ("BTC > 70k for 1d", "BTC rises above 70,000 USD — once, until 2026-11-27 15:00"),
    ],
)
def test_an_alert_said_back_in_plain_words(text: str, line: str) -> None:
    assert describe(parse(text)) == line


def test_the_help_shows_every_kind_and_its_html_is_escaped() -> None:
    for example in (
        "BTC &gt; 70000",
        "ETH -5% 1h",
        "SOL rsi &lt; 30 4h",
        "BTC volume x3",
        "every 1h",
    ):
        assert example in ALERT_HELP
    stripped = ALERT_HELP
    for tag in ("<b>", "</b>", "<code>", "</code>"):
        stripped = stripped.replace(tag, "")
    assert "<" not in stripped and ">" not in stripped


def test_every_example_in_the_help_parses() -> None:
    import re

    for example in re.findall(r"<code>/alert ([^<]*)</code>", ALERT_HELP):
        text = example.replace("&gt;", ">").replace("&lt;", "<")
        assert parse(text, price="65000").symbol
