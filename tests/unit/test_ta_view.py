"""/ta's message: escaped, inside Telegram's limit, one line per reading, the disclaimer last."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from bot.views.common import MAX_MESSAGE, e, telegram_length
from bot.views.ta import DISCLAIMER, render_ta
from core.ta import TAReport, analyse
from tests.fixtures.candles import load_candles


@pytest.fixture(scope="module")
def report() -> TAReport:
    return analyse(load_candles("BTCUSDT_1h")[-500:], "1h")


class TagBalance(HTMLParser):
    """Checks that tags open and close in order and only Telegram's b, i and code are used."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in {"b", "i", "code"}, tag
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open.pop() == tag


def assert_well_formed(html: str) -> None:
    for line in html.split("\n"):  # every tag closes on the line it opens
        parser = TagBalance()
        parser.feed(line)
        parser.close()
        assert parser.open == [], line
    assert "<" not in re.sub(r"</?(b|i|code)>", "", html)


def test_header_shows_symbol_name_timeframe_last_close_and_candle_time(report: TAReport) -> None:
    text = render_ta(report, "BTC", "1h", "Bitcoin")
    first, second = text.split("\n")[:2]
    assert first == "<b>BTC</b> · Bitcoin · 1h"
    assert second == "Close <code>42,361.12</code> · candle opened 2023-12-30 19:00 UTC"


def test_every_reading_has_its_own_line(report: TAReport) -> None:
    lines = render_ta(report, "BTC", "1h", "Bitcoin").split("\n")
    for reading in report.readings:
        (line,) = [x for x in lines if f"<b>{e(reading.label)}</b>" in x]
        assert e(reading.value) in line
        assert e(reading.meaning) in line
    assert {
        "SMA 200",
        "SMA 50",
        "EMA 12",
        "RSI(14)",
        "MACD",
        "Bollinger %B",
        "ATR(14)",
        "Realised volatility",
    } == {r.label for r in report.readings}


def test_readings_carry_a_mark_for_their_lean(report: TAReport) -> None:
    lines = render_ta(report, "BTC", "1h", "Bitcoin").split("\n")
    rsi = next(x for x in lines if "RSI(14)" in x)
    sma = next(x for x in lines if "<b>SMA 50</b>" in x)
    assert rsi.startswith("• ")  # 55.6: neutral
    assert sma.startswith("▼ ")  # death cross


def test_summary_and_disclaimer_close_the_message(report: TAReport) -> None:
    lines = render_ta(report, "BTC", "1h", "Bitcoin").split("\n")
    assert lines[-2] == f"<i>{e(report.summary)}</i>"
    assert lines[-1] == DISCLAIMER == "Not financial advice."


def test_everything_from_outside_is_escaped(report: TAReport) -> None:
    text = render_ta(report, "<b>BTC", "1h<i>", "Bit & <coin>")
    assert "&lt;b&gt;BTC" in text
    assert "1h&lt;i&gt;" in text
    assert "Bit &amp; &lt;coin&gt;" in text
    assert "(&gt;70) or oversold (&lt;30)" in text  # the readings' own words are escaped too
    assert_well_formed(text)


def test_the_message_is_well_formed_html(report: TAReport) -> None:
    assert_well_formed(render_ta(report, "BTC", "1h", "Bitcoin"))


def test_short_history_lines_render_what_is_missing() -> None:
    short = analyse(load_candles("ETHUSDT_1d")[-150:], "1d")
    text = render_ta(short, "ETH", "1d", "Ethereum")
    assert "○ <b>SMA 200</b> needs 200 candles; 150 stored\n" in text
    assert "candle opened 2023-12-31 00:00 UTC" in text
    assert_well_formed(text)


def test_the_message_fits_telegram_even_with_an_absurd_name(report: TAReport) -> None:
    normal = render_ta(report, "BTC", "1h", "Bitcoin")
    assert telegram_length(normal) < 1200  # phone-sized, far inside the limit
    huge = render_ta(report, "🚀" * 3000, "1h", "<&>" * 3000)
    assert telegram_length(huge) <= MAX_MESSAGE
    assert huge.endswith(DISCLAIMER)
    assert_well_formed(huge)
