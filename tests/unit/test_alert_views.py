"""What /alert, /alerts, /quiet and /timezone say and which buttons they carry: pure values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handlers.alerts import typed_words
from bot.handlers.preferences import find_zone, parse_quiet
from bot.views.alerts import (
    EMPTY,
    PAGE_SIZE,
    alert_set,
    alerts_page,
    card_keyboard,
    coin_keyboard,
    history_line,
    level_keyboard,
    page_of,
    quiet_now,
    quiet_set,
    suggestions,
    too_many,
    with_status,
)
from bot.views.common import MAX_MESSAGE, telegram_length
from core.alerts.backtest import Backtest
from core.alerts.grammar import parse_alert
from db.alerts import AlertHours, AlertSummary, History, columns_of, spec_of

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
OWNER = 9_999_999_999  # a long Telegram id: callback data must still fit 64 bytes


def backtested(count: int, last: datetime | None = None, days: float = 30) -> History:
    since = NOW - timedelta(days=days)
    return History("1h", Backtest(count, (), since, NOW, last))


def data_of(markup: InlineKeyboardMarkup | None) -> list[str]:
    rows = markup.inline_keyboard if markup is not None else ()
    return [str(b.callback_data) for row in rows for b in row]


def texts_of(markup: InlineKeyboardMarkup | None) -> list[str]:
    rows = markup.inline_keyboard if markup is not None else ()
    return [b.text for row in rows for b in row]


# ---- setting one ---------------------------------------------------------------------------------


NOV_12 = datetime(2026, 11, 12, 9, tzinfo=UTC)
TOO_FEW = "I have too few 1m candles of BTC stored yet to say how often it would have fired."


@pytest.mark.parametrize(
    ("history", "line"),
    [
        (backtested(4, NOV_12), "It would have fired 4 times in the last 30 days, last on 12 Nov."),
        (backtested(1, NOV_12), "It would have fired once in the last 30 days, on 12 Nov."),
        (backtested(0), "It would not have fired in the last 30 days."),
        (backtested(0, days=12.2), "It would not have fired in the last 12 days."),
        (backtested(0, days=0.5), "It would not have fired in the last 12 hours."),
        (History("1m", None), TOO_FEW),
    ],
)
def test_how_often_it_would_have_fired(history: History, line: str) -> None:
    assert history_line("BTC", history) == line


def test_the_day_it_last_fired_is_the_persons_day() -> None:
    late = backtested(2, datetime(2026, 11, 11, 23, 30, tzinfo=UTC))
    assert history_line("BTC", late).endswith("last on 11 Nov.")
    assert history_line("BTC", late, "Asia/Tokyo").endswith("last on 12 Nov.")


def test_too_many_is_plain_text_for_a_button_answer() -> None:
    assert "<" not in too_many(100) and len(too_many(100)) <= 200  # Telegram's answer limit


def test_a_new_alert_says_what_it_watches_and_offers_pause_and_delete() -> None:
    spec = parse_alert("BTC > 70k every 4h", NOW)
    text = alert_set(12, spec, backtested(0))
    assert text.split("\n") == [
        "🔔 Alert #12 set: BTC rises above 70,000 USD — every 4 hours at most",
        "It would not have fired in the last 30 days.",
    ]
    assert data_of(card_keyboard(12)) == ["alert:pause:12", "alert:delete:12"]
    assert data_of(card_keyboard(12, "paused")) == ["alert:resume:12", "alert:delete:12"]
    assert data_of(card_keyboard(12, "fired")) == ["alert:delete:12"]


@pytest.mark.parametrize(
    "typed",
    [
        "BTC > 70000",
        "BTC < 0.00001234 once",
        "ETH -5% 90m every 1h",
        "ETH ±5% 1h",
        "SOL rsi 7 < 30 4h for 7d",
        "BTC macd cross down 1d",
        "ETH crosses sma 200 1d",
        "ETH price > ema 50 4h until 2026-12-31",
        "BTC vol 2.5x 15m",
    ],
)
def test_every_kind_of_alert_survives_its_row_and_back(typed: str) -> None:
    spec = parse_alert(typed, NOW)
    columns = columns_of(spec)
    assert columns["kind"] in ("price", "change", "indicator", "volume")
    row = type("Row", (), {"window_seconds": None, **columns})()
    assert spec_of(row) == spec
    assert spec_of(row, "OTHER").symbol == "OTHER"


# ---- /alerts -------------------------------------------------------------------------------------


def summaries(count: int, status: str = "active") -> list[AlertSummary]:
    spec = parse_alert("ETH crosses sma 200 1d every 30d until 2026-12-31", NOW)  # a long one
    return [AlertSummary(i, spec, status, i, NOW if i else None) for i in range(count)]


def test_no_alerts_says_how_to_set_one() -> None:
    assert alerts_page([], 0, OWNER) == (EMPTY, None)


def test_a_page_lists_each_alert_with_its_state_and_buttons() -> None:
    alerts = [
        AlertSummary(1, parse_alert("BTC > 70000", NOW), "active"),
        AlertSummary(2, parse_alert("ETH -5% 1h", NOW), "paused", 3, NOW),
        AlertSummary(3, parse_alert("SOL volume x3", NOW), "fired", 1, NOW),
    ]
    text, markup = alerts_page(alerts, 0, OWNER, "Europe/Berlin")
    assert text.split("\n") == [
        "<b>Your alerts</b> — 1 active, 1 paused, 1 fired",
        "#1 🟢 BTC rises above 70,000 USD — once",
        "      <i>not fired yet</i>",
        "#2 ⏸ paused ETH falls 5% or more within 1 hour — once",
        "      <i>fired 3×, last 26 Nov 13:00</i>",
        "#3 ✔️ fired SOL volume on 1h candles reaches 3× its 20-candle average — once",
        "      <i>fired 1×, last 26 Nov 13:00</i>",
    ]
    assert texts_of(markup) == [
        "⏸ Pause #1",
        "🗑 Delete #1",
        "▶️ Resume #2",
        "🗑 Delete #2",
        "🗑 Delete #3",
        "🔄",
    ]
    assert page_of(markup) == 0


def test_many_alerts_come_in_pages_that_fit_telegram() -> None:
    alerts = summaries(100)
    last = (100 + PAGE_SIZE - 1) // PAGE_SIZE - 1
    for page in range(last + 1):
        text, markup = alerts_page(alerts, page, OWNER)
        assert telegram_length(text) <= MAX_MESSAGE
        assert all(len(d.encode()) <= 64 for d in data_of(markup))
        assert page_of(markup) == page
    first, markup = alerts_page(alerts, 0, OWNER)
    assert first.startswith(f"<b>Your alerts</b> — 100 active · page 1 of {last + 1}")
    assert texts_of(markup)[-2:] == ["🔄", "▶"]
    beyond, markup = alerts_page(alerts, 99, OWNER)  # a page that no longer exists: the last
    assert f"page {last + 1} of {last + 1}" in beyond.split("\n")[0]
    assert texts_of(markup)[-2:] == ["◀", "🔄"]


def test_a_press_changes_only_that_alerts_buttons() -> None:
    chart = InlineKeyboardButton("📈 Chart", callback_data="alertchart:BTC")
    pause = InlineKeyboardButton("⏸ Pause", callback_data="alert:pause:7")
    other = InlineKeyboardButton("⏸ Pause", callback_data="alert:pause:17")
    fired = InlineKeyboardMarkup([[chart, pause], [other]])
    paused = with_status(fired, 7, "paused")
    assert data_of(paused) == [
        "alertchart:BTC",
        "alert:resume:7",
        "alert:delete:7",
        "alert:pause:17",
    ]
    assert data_of(with_status(paused, 7, "deleted")) == ["alertchart:BTC", "alert:pause:17"]
    assert with_status(card_keyboard(7), 7, "deleted") is None
    assert page_of(fired) is None


# ---- the guided /alert ---------------------------------------------------------------------------


def test_levels_are_offered_around_the_price() -> None:
    above = suggestions("above", Decimal("70123.45"))
    assert [(s.label, s.words) for s in above] == [
        ("+2% · 71,530", "> 71530"),
        ("+5% · 73,630", "> 73630"),
        ("+10% · 77,140", "> 77140"),
    ]
    below = suggestions("below", Decimal("0.00001234"))
    assert [s.words for s in below] == ["< 0.00001209", "< 0.00001172", "< 0.00001111"]
    assert suggestions("above", None) == []
    assert [s.words for s in suggestions("rsi", None)] == ["rsi < 30", "rsi > 70"]
    assert [s.words for s in suggestions("volume", None)] == ["volume x2", "volume x3", "volume x5"]
    assert suggestions("move", None)[0].words == "±2% 24h"
    for words in (s.words for s in above + below):  # the grammar reads what it is offered
        parse_alert(f"BTC {words}", NOW)


def test_flow_buttons_fit_telegrams_64_bytes() -> None:
    offered = suggestions("below", Decimal("0.000000012345678"))
    data = data_of(level_keyboard(OWNER, offered))
    data += data_of(coin_keyboard(OWNER, ["ABCDEFGHIJKLMNO"] * 20))
    assert all(len(d.encode()) <= 64 for d in data)
    assert len(data_of(coin_keyboard(OWNER, ["BTC"] * 20))) == 12 + 1  # and ✖️ Cancel


@pytest.mark.parametrize(
    ("kind", "typed", "words"),
    [
        ("above", "71000", "> 71000"),
        ("below", "65,000", "< 65,000"),
        ("move", "5%", "±5% 24h"),
        ("rsi", "25", "rsi < 25"),
        ("rsi", "75", "rsi > 75"),
        ("volume", "x4", "x4"),
        ("volume", "4", "volume x4"),
        ("above", "< 65000 every 1h", "< 65000 every 1h"),
    ],
)
def test_a_typed_level_is_read_for_the_kind_chosen(kind: str, typed: str, words: str) -> None:
    assert typed_words(kind, typed) == words


# ---- /quiet and /timezone ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("22:00-07:00", (1320, 420)),
        ("22-7", (1320, 420)),
        ("23:30 to 6:15", (1410, 375)),
        ("9:00–17:00", (540, 1020)),
        ("22:00-22:00", None),
        ("24:00-07:00", None),
        ("22:60-07:00", None),
        ("soon", None),
    ],
)
def test_quiet_hours_as_people_write_them(typed: str, minutes: tuple[int, int] | None) -> None:
    assert parse_quiet(typed) == minutes


def test_time_zones_by_any_spelling_and_nothing_else() -> None:
    assert find_zone("europe/berlin") == "Europe/Berlin"
    assert find_zone("America/New York") == "America/New_York"
    assert find_zone("UTC") == "UTC"
    assert find_zone("../../etc/passwd") is None
    assert find_zone("Mars/Olympus") is None


def test_quiet_hours_are_said_in_the_persons_zone() -> None:
    hours = AlertHours("Europe/Berlin", 22 * 60, 7 * 60)
    assert quiet_now(hours).startswith("Quiet hours: 22:00–07:00 Europe/Berlin. ")
    assert quiet_set(hours) == (
        "Quiet hours set: 22:00–07:00 Europe/Berlin. Alerts that fire then arrive as one summary "
        "at 07:00."
    )
    assert quiet_set(AlertHours()) == "Quiet hours off: alerts arrive as they fire."
