"""What /alert, /alerts, /quiet and /timezone say and which buttons they carry — in English,
Spanish and Russian: pure values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import texts_for
from bot.views import alert_refusals as _registers_refusals  # noqa: F401
from bot.views.alert_flow import coin_keyboard, kind_keyboard, level_keyboard, offer_label
from bot.views.alert_specs import describe, history_line
from bot.views.alerts import (
    PAGE_SIZE,
    alert_set,
    alerts_page,
    card_keyboard,
    empty,
    group_empty,
    members_refused,
    page_of,
    with_status,
)
from bot.views.chats import admins_only
from bot.views.common import MAX_MESSAGE, telegram_length
from bot.views.quiet_hours import quiet_now, quiet_set, timezone_set
from bot.views.refusals import refusal_text
from core.alerts.backtest import Backtest
from core.alerts.flow import offers
from core.alerts.grammar import parse_alert
from core.alerts.history import History
from core.people import Preferences
from core.refusal import Refusal
from services.alerts import AlertSet, AlertSummary

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
OWNER = 9_999_999_999  # a long Telegram id: callback data must still fit 64 bytes
EN, ES, RU = texts_for("en"), texts_for("es"), texts_for("ru")


def plain(text: str) -> str:
    """Babel's no-break spaces (in 70 000 and 5 %) as plain ones, to compare with."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def backtested(count: int, last: datetime | None = None, days: float = 30) -> History:
    since = NOW - timedelta(days=days)
    return History("1h", Backtest(count, (), since, NOW, last))


def data_of(markup: InlineKeyboardMarkup | None) -> list[str]:
    rows = markup.inline_keyboard if markup is not None else ()
    return [str(b.callback_data) for row in rows for b in row]


def texts_of(markup: InlineKeyboardMarkup | None) -> list[str]:
    rows = markup.inline_keyboard if markup is not None else ()
    return [b.text for row in rows for b in row]


# ---- an alert in words ---------------------------------------------------------------------------


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
        ("ETH > ema 50 4h", "ETH price crosses above EMA 50 on 4h candles — once"),
        ("BTC vol 3x", "BTC volume on 1h candles reaches 3× its 20-candle average — once"),
        (
            "BTC > 70k until 2026-12-31",
            "BTC rises above 70,000 USD — once, until the end of Dec 31, 2026",
        ),
        ("BTC > 70k for 1d", "BTC rises above 70,000 USD — once, until Nov 27, 2026, 12:00"),
        (
            "BTC > 70k every 4h for 1d",
            "BTC rises above 70,000 USD — every 4 hours at most, until Nov 27, 2026, 12:00",
        ),
    ],
)
def test_an_alert_said_back_in_plain_words(text: str, line: str) -> None:
    assert describe(EN, parse_alert(text, NOW)) == line


def test_an_alert_said_in_spanish_and_russian_with_their_numbers() -> None:
    spec = parse_alert("BTC > 70000.5 every 4h until 2026-12-31", NOW)
    assert plain(describe(ES, spec)) == (
        "BTC sube por encima de 70.000,5 USD — como mucho cada 4 horas, hasta el final del "
        "31 dic 2026"
    )
    assert plain(describe(RU, spec)) == (
        "BTC поднимается выше 70 000,5 USD — не чаще чем раз в 4 часа, до конца дня 31 дек. 2026 г."
    )
    move = parse_alert("ETH -2.5% 1h", NOW)
    assert plain(describe(ES, move)) == "ETH cae un 2,5 % o más en 1 hora — una vez"
    assert plain(describe(RU, move)) == "ETH падает на 2,5 % или больше за 1 час — один раз"


def test_the_end_of_an_until_day_is_the_persons_day() -> None:
    spec = parse_alert("BTC > 70k until 2026-12-31", NOW, zone="Asia/Tokyo")
    assert describe(EN, spec, "Asia/Tokyo").endswith("until the end of Dec 31, 2026")


# ---- setting one ---------------------------------------------------------------------------------


NOV_12 = datetime(2026, 11, 12, 9, tzinfo=UTC)
TOO_FEW = "I have too few 1m candles of BTC stored yet to say how often it would have fired."


@pytest.mark.parametrize(
    ("history", "line"),
    [
        (backtested(4, NOV_12), "It would have fired 4 times in the last 30 days, last on Nov 12."),
        (backtested(1, NOV_12), "It would have fired once in the last 30 days, on Nov 12."),
        (backtested(0), "It would not have fired in the last 30 days."),
        (backtested(0, days=12.2), "It would not have fired in the last 12 days."),
        (backtested(0, days=0.5), "It would not have fired in the last 12 hours."),
        (backtested(0, days=1 / 24), "It would not have fired in the last hour."),
        (History("1m", None), TOO_FEW),
    ],
)
def test_how_often_it_would_have_fired(history: History, line: str) -> None:
    assert history_line(EN, "BTC", history) == line


@pytest.mark.parametrize(
    ("count", "spanish", "russian"),
    [
        (1, "Habría saltado una vez en los últimos 30 días, el 12 nov.", "1 раз"),
        (3, "Habría saltado 3 veces en los últimos 30 días, la última el 12 nov.", "3 раза"),
        (5, "Habría saltado 5 veces en los últimos 30 días, la última el 12 nov.", "5 раз"),
        (22, "Habría saltado 22 veces en los últimos 30 días, la última el 12 nov.", "22 раза"),
    ],
)
def test_how_often_it_would_have_fired_in_spanish_and_russian_plurals(
    count: int, spanish: str, russian: str
) -> None:
    assert history_line(ES, "BTC", backtested(count, NOV_12)) == spanish
    said = plain(history_line(RU, "BTC", backtested(count, NOV_12)))
    assert said == f"За последние 30 дней оно сработало бы {russian} (последний раз — 12 нояб.)."


def test_the_day_it_last_fired_is_the_persons_day() -> None:
    late = backtested(2, datetime(2026, 11, 11, 23, 30, tzinfo=UTC))
    assert history_line(EN, "BTC", late).endswith("last on Nov 11.")
    assert history_line(EN, "BTC", late, "Asia/Tokyo").endswith("last on Nov 12.")


def test_a_new_alert_says_what_it_watches_and_offers_pause_and_delete() -> None:
    spec = parse_alert("BTC > 70k every 4h", NOW)
    text = alert_set(EN, AlertSet(12, spec, backtested(0), "UTC"))
    assert text.split("\n") == [
        "🔔 Alert #12 set: BTC rises above 70,000 USD — every 4 hours at most",
        "It would not have fired in the last 30 days.",
    ]
    assert data_of(card_keyboard(EN, 12)) == ["alert:pause:12", "alert:delete:12"]
    assert data_of(card_keyboard(EN, 12, owner=7)) == ["alert:pause:12:7", "alert:delete:12:7"]
    assert data_of(card_keyboard(EN, 12, "paused")) == ["alert:resume:12", "alert:delete:12"]
    assert data_of(card_keyboard(EN, 12, "fired")) == ["alert:delete:12"]
    assert texts_of(card_keyboard(ES, 12)) == ["⏸ Pausar", "🗑 Borrar"]
    assert texts_of(card_keyboard(RU, 12, "paused")) == ["▶️ Возобновить", "🗑 Удалить"]


# ---- /alerts -------------------------------------------------------------------------------------


def summaries(count: int, status: str = "active") -> list[AlertSummary]:
    spec = parse_alert("ETH crosses sma 200 1d every 30d until 2026-12-31", NOW)  # a long one
    return [AlertSummary(i, spec, status, i, NOW if i else None) for i in range(count)]


def test_no_alerts_says_how_to_set_one() -> None:
    assert alerts_page(EN, [], 0, OWNER) == (empty(EN), None)
    assert empty(EN).startswith("You have no alerts")


def test_a_page_lists_each_alert_with_its_state_and_buttons() -> None:
    alerts = [
        AlertSummary(1, parse_alert("BTC > 70000", NOW), "active"),
        AlertSummary(2, parse_alert("ETH -5% 1h", NOW), "paused", 3, NOW),
        AlertSummary(3, parse_alert("SOL volume x3", NOW), "fired", 1, NOW),
    ]
    text, markup = alerts_page(EN, alerts, 0, OWNER, "Europe/Berlin")
    assert text.split("\n") == [
        "<b>Your alerts</b> — 1 active, 1 paused, 1 fired",
        "#1 🟢 BTC rises above 70,000 USD — once",
        "      <i>not fired yet</i>",
        "#2 ⏸ paused ETH falls 5% or more within 1 hour — once",
        "      <i>fired 3×, last Nov 26 13:00</i>",
        "#3 ✔️ fired SOL volume on 1h candles reaches 3× its 20-candle average — once",
        "      <i>fired 1×, last Nov 26 13:00</i>",
    ]
    assert texts_of(markup) == [
        "⏸ Pause #1",
        "🗑 Delete #1",
        "▶️ Resume #2",
        "🗑 Delete #2",
        "🗑 Delete #3",
        "🔄",
    ]
    assert data_of(markup)[0] == f"alert:pause:1:{OWNER}"
    assert page_of(markup) == 0


def test_a_page_counts_with_each_languages_plurals() -> None:
    alerts = summaries(5) + summaries(2, "paused") + summaries(1, "expired")
    assert plain(alerts_page(RU, alerts, 0, OWNER)[0]).startswith(
        "<b>Ваши оповещения</b> — 5 активных, 2 на паузе, 1 истёкшее"
    )
    assert alerts_page(ES, alerts, 0, OWNER)[0].startswith(
        "<b>Tus alertas</b> — 5 activas, 2 en pausa, 1 caducada"
    )


def test_many_alerts_come_in_pages_that_fit_telegram() -> None:
    alerts = summaries(100)
    last = (100 + PAGE_SIZE - 1) // PAGE_SIZE - 1
    for t in (EN, ES, RU):
        for page in range(last + 1):
            text, markup = alerts_page(t, alerts, page, OWNER)
            assert telegram_length(text) <= MAX_MESSAGE
            assert all(len(d.encode()) <= 64 for d in data_of(markup))
            assert page_of(markup) == page
    first, markup = alerts_page(EN, alerts, 0, OWNER)
    assert first.startswith(f"<b>Your alerts</b> — 100 active · page 1 of {last + 1}")
    assert texts_of(markup)[-2:] == ["🔄", "▶"]
    beyond, markup = alerts_page(EN, alerts, 99, OWNER)  # a page that no longer exists: the last
    assert f"page {last + 1} of {last + 1}" in beyond.split("\n")[0]
    assert texts_of(markup)[-2:] == ["◀", "🔄"]


def test_a_press_changes_only_that_alerts_buttons() -> None:
    chart = InlineKeyboardButton("📈 Chart", callback_data="alertchart:BTC")
    pause = InlineKeyboardButton("⏸ Pause", callback_data="alert:pause:7")  # an old button
    other = InlineKeyboardButton("⏸ Pause", callback_data="alert:pause:17:5")
    fired = InlineKeyboardMarkup([[chart, pause], [other]])
    paused = with_status(EN, fired, 7, "paused", 5)
    assert data_of(paused) == [
        "alertchart:BTC",
        "alert:resume:7:5",
        "alert:delete:7:5",
        "alert:pause:17:5",
    ]
    assert data_of(with_status(EN, paused, 7, "deleted", 5)) == [
        "alertchart:BTC",
        "alert:pause:17:5",
    ]
    assert with_status(EN, card_keyboard(EN, 7), 7, "deleted", 5) is None
    assert page_of(fired) is None


# ---- the guided /alert ---------------------------------------------------------------------------


def test_offers_are_labelled_in_the_persons_numbers() -> None:
    above = offers("above", Decimal("70123.45"))
    assert [offer_label(EN, o) for o in above] == ["+2% · 71,530", "+5% · 73,630", "+10% · 77,140"]
    assert plain(offer_label(ES, above[0])) == "+2 % · 71.530"
    below = offers("below", Decimal("70123.45"))
    assert plain(offer_label(RU, below[0])) == "−2 % · 68 720"
    assert [offer_label(EN, o) for o in offers("move", None)] == [
        "±2% in 24h",
        "±5% in 24h",
        "±10% in 24h",
    ]
    assert [offer_label(ES, o) for o in offers("rsi", None)] == [
        "RSI por debajo de 30",
        "RSI por encima de 70",
    ]
    assert [offer_label(EN, o) for o in offers("volume", None)] == ["×2", "×3", "×5"]


def test_flow_buttons_fit_telegrams_64_bytes_and_speak_the_persons_language() -> None:
    offered = offers("below", Decimal("0.000000012345678"))
    data = data_of(level_keyboard(EN, OWNER, offered))
    data += data_of(coin_keyboard(EN, OWNER, ["ABCDEFGHIJKLMNO"] * 20))
    assert all(len(d.encode()) <= 64 for d in data)
    assert len(data_of(coin_keyboard(EN, OWNER, ["BTC"] * 20))) == 12 + 1  # and ✖️ Cancel
    assert texts_of(kind_keyboard(EN, OWNER)) == [
        "📈 Price above",
        "📉 Price below",
        "↕️ % move",
        "RSI",
        "📊 Volume spike",
        "🧭 News sentiment",
        "📰 News burst",
        "🔮 Forecast",
        "✖️ Cancel",
    ]
    assert texts_of(kind_keyboard(RU, OWNER))[-1] == "✖️ Отмена"


# ---- /quiet and /timezone ------------------------------------------------------------------------


def test_quiet_hours_are_said_in_the_persons_zone() -> None:
    berlin = Preferences(timezone="Europe/Berlin", quiet_start=22 * 60, quiet_end=7 * 60)
    assert quiet_now(EN, berlin).startswith("Quiet hours: 22:00–07:00 Europe/Berlin. ")
    assert quiet_set(EN, berlin) == (
        "Quiet hours set: 22:00–07:00 Europe/Berlin. Alerts that fire then arrive as one summary "
        "at 07:00."
    )
    assert quiet_set(EN, Preferences()) == "Quiet hours off: alerts arrive as they fire."
    assert plain(quiet_set(RU, berlin)).startswith("Тихие часы заданы: 22:00–07:00 Europe/Berlin.")
    assert timezone_set(ES, "Europe/Madrid", NOW) == (
        "Zona horaria configurada: Europe/Madrid; allí son las 13:00."
    )


# ---- a group's alerts ----------------------------------------------------------------------------


@pytest.mark.parametrize("t", [EN, ES, RU], ids=["en", "es", "ru"])
def test_a_groups_alerts_say_whose_they_are_and_carry_no_owner(t) -> None:
    spec = parse_alert("BTC > 70000", NOW, Decimal(60000), "UTC")
    alerts = [AlertSummary(n, spec, "active") for n in range(1, PAGE_SIZE + 2)]
    text, markup = alerts_page(t, alerts, 0, None)
    header = t._("<b>This group's alerts</b> — {counts}", counts="")
    assert text.startswith(header.split("</b>")[0]) and header != t._("<b>Your alerts</b>")
    datas = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert all(not d.endswith(f":{OWNER}") for d in datas)
    assert "alert:pause:1" in datas and "alerts:0:1" in datas  # no one person's: the group's
    assert alerts_page(t, [], 0, None)[0] == group_empty(t) != empty(t)


@pytest.mark.parametrize("t", [EN, ES, RU], ids=["en", "es", "ru"])
def test_a_members_refusal_is_one_line_with_the_link(t) -> None:
    said = members_refused(t, "pythia_bot")
    assert "\n" not in said and '<a href="https://t.me/pythia_bot?start=alerts">' in said
    assert "\n" not in admins_only(t) and "<" not in admins_only(t)  # a press's alert: plain
    for code, params in [
        ("alert.group_duplicate", {"alert_id": 12}),
        ("alert.group_too_many", {"cap": 3}),
        ("alert.group_gone", {}),
    ]:
        text = refusal_text(t, Refusal(code, **params))
        assert text and "\n" not in text and text != refusal_text(t, Refusal("alert.not_yours"))
