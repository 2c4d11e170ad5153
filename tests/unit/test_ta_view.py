"""/ta's message: every reading said in the person's language, escaped, inside Telegram's limit,
one line per reading, the disclaimer last."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest

from bot.i18n import texts_for
from bot.views.common import MAX_MESSAGE, telegram_length
from bot.views.ta import reading_line, render_ta
from core.ta import Reading, TAReport, analyse, read_macd, read_rsi, read_sma_cross
from tests.fixtures.candles import load_candles

EN, ES, RU = texts_for("en"), texts_for("es"), texts_for("ru")


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
    text = render_ta(EN, report, "BTC", "1h", "Bitcoin")
    first, second = text.split("\n")[:2]
    assert first == "<b>BTC</b> · Bitcoin · 1h"
    assert second == "Close <code>42,361.12</code> · candle opened Dec 30, 2023, 19:00 UTC"


def test_every_reading_has_its_own_line_in_english(report: TAReport) -> None:
    lines = render_ta(EN, report, "BTC", "1h", "Bitcoin").split("\n")[3:11]
    assert lines == [
        "▼ <b>SMA 200</b> 43,003.63, price 1.5% below — long-term trend is down",
        "▼ <b>SMA 50</b> crossed below SMA 200 100 candles ago — death cross: the longer trend "
        "turned down",
        "▲ <b>EMA 12</b> above EMA 26 (crossed 2 candles ago) — short-term trend is up",
        "• <b>RSI(14)</b> 55.6 — neutral: not overbought (&gt;70) or oversold (&lt;30)",
        "▲ <b>MACD</b> above its signal, histogram falling — upward momentum is fading",
        "• <b>Bollinger %B</b> 0.79 — price is in the upper half of the bands",
        "• <b>ATR(14)</b> 241.38 (0.6% of price) — a typical move per candle",
        "• <b>Realised volatility</b> 42% a year — swings over the last 21 days, scaled to a year",
    ]


@pytest.mark.parametrize(
    ("reading", "line"),
    [
        (
            read_sma_cross(110.0, 100.0, None, 250),
            "▲ <b>SMA 50</b> above SMA 200, no cross in 51 candles — the longer trend is up",
        ),
        (
            Reading("sma_cross", "golden_cross", "bullish", bars_ago=0),
            "▲ <b>SMA 50</b> crossed above SMA 200 on the last candle — golden cross: the longer "
            "trend turned up",
        ),
        (
            Reading("ema_cross", "above", "bullish", bars_ago=1),
            "▲ <b>EMA 12</b> above EMA 26 (crossed 1 candle ago) — short-term trend is up",
        ),
        (
            read_rsi(72.44),
            "▼ <b>RSI(14)</b> 72.4 — overbought: buyers have pushed hard; pullbacks often follow",
        ),
        (read_rsi(None), "• <b>RSI(14)</b> n/a — price has not moved, so there is no momentum"),
        (
            read_macd(-1.0, -0.5, np.array([-0.9, -0.5])),
            "▼ <b>MACD</b> below its signal, histogram rising — downward momentum is fading",
        ),
    ],
)
def test_each_state_reads_as_a_sentence(reading: Reading, line: str) -> None:
    assert reading_line(EN, reading) == line


def test_readings_carry_a_mark_for_their_lean(report: TAReport) -> None:
    lines = render_ta(EN, report, "BTC", "1h", "Bitcoin").split("\n")
    rsi = next(x for x in lines if "RSI(14)" in x)
    sma = next(x for x in lines if "<b>SMA 50</b>" in x)
    assert rsi.startswith("• ")  # 55.6: neutral
    assert sma.startswith("▼ ")  # death cross


def test_summary_and_disclaimer_close_the_message(report: TAReport) -> None:
    lines = render_ta(EN, report, "BTC", "1h", "Bitcoin").split("\n")
    assert lines[-2] == (
        "<i>Signals: 2 bullish, 2 bearish, 2 neutral — mixed. "
        "A tally of indicators, not a forecast.</i>"
    )
    assert lines[-1] == "Not financial advice."


def test_spanish_says_it_with_decimal_commas_and_trader_words(report: TAReport) -> None:
    text = render_ta(ES, report, "BTC", "1h", "Bitcoin")
    assert "Cierre <code>42.361,12</code> · vela abierta el 30 dic 2023, 19:00 UTC" in text
    assert "cruce de la muerte" in text
    assert "• <b>RSI(14)</b> 55,6: neutral, ni sobrecompra (&gt;70) ni sobreventa (&lt;30)" in text
    assert "<b>%B de Bollinger</b> 0,79" in text
    assert "<b>Volatilidad realizada</b> 42\xa0% anual" in text
    assert "hace 100 velas" in text
    assert text.endswith("No es asesoramiento financiero.")
    assert_well_formed(text)


def test_russian_says_it_with_three_plural_forms(report: TAReport) -> None:
    text = render_ta(RU, report, "BTC", "1h", "Bitcoin")
    assert "Закрытие <code>42\xa0361,12</code>" in text
    assert "крест смерти" in text and "100 свечей назад" in text
    assert "(пересечение 2 свечи назад)" in text  # few
    assert "<b>Реализованная волатильность</b>" in text and "за 21 день" in text  # one
    one = Reading("sma_cross", "above", "bullish", window=21)
    assert "без пересечений за 21 свечу" in reading_line(RU, one)
    assert "перекупленность" in reading_line(RU, read_rsi(75.0))
    assert "перепроданность" in reading_line(RU, read_rsi(25.0))
    assert_well_formed(text)


def test_everything_from_outside_is_escaped(report: TAReport) -> None:
    text = render_ta(EN, report, "<b>BTC", "1h<i>", "Bit & <coin>")
    assert "&lt;b&gt;BTC" in text
    assert "1h&lt;i&gt;" in text
    assert "Bit &amp; &lt;coin&gt;" in text
    assert "(&gt;70) or oversold (&lt;30)" in text  # the readings' own words are escaped too
    assert_well_formed(text)


@pytest.mark.parametrize("language", ["en", "es", "ru"])
def test_the_message_is_well_formed_html(report: TAReport, language: str) -> None:
    assert_well_formed(render_ta(texts_for(language), report, "BTC", "1h", "Bitcoin"))


def test_short_history_lines_render_what_is_missing() -> None:
    short = analyse(load_candles("ETHUSDT_1d")[-150:], "1d")
    text = render_ta(EN, short, "ETH", "1d", "Ethereum")
    assert "○ <b>SMA 200</b> needs 200 candles; 150 stored\n" in text
    assert "(2 need more candles) — " in text
    assert "candle opened Dec 31, 2023, 00:00 UTC" in text
    assert_well_formed(text)
    russian = render_ta(RU, short, "ETH", "1d", "Ethereum")
    assert "○ <b>SMA 200</b> нужно 200 свечей; сохранено: 150\n" in russian


def test_the_message_fits_telegram_even_with_an_absurd_name(report: TAReport) -> None:
    normal = render_ta(EN, report, "BTC", "1h", "Bitcoin")
    assert telegram_length(normal) < 1200  # phone-sized, far inside the limit
    for language in ("en", "es", "ru"):
        huge = render_ta(texts_for(language), report, "🚀" * 3000, "1h", "<&>" * 3000)
        assert telegram_length(huge) <= MAX_MESSAGE
        assert_well_formed(huge)
    assert huge.endswith("Не является финансовой рекомендацией.")
