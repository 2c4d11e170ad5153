"""A fired alert as its recipient reads it — rendered from the notice when it is sent, in their
language and time zone — and the refusals of /alert, said in every language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import texts_for
from bot.views import alert_refusals  # noqa: F401 (registers the refusals)
from bot.views.alert_notices import (
    MAX_TEXT,
    away_summary,
    fired_keyboard,
    fired_line,
    fired_text,
)
from bot.views.common import telegram_length
from bot.views.refusals import RENDERERS, refusal_text
from core.alerts.grammar import parse_alert
from core.alerts.storage import condition_of
from core.notices import AlertFired, Headline
from core.people import LANGUAGES
from core.refusal import BadArgument
from core.symbols import SymbolProblem

NOW = datetime(2026, 11, 26, 13, 5, tzinfo=UTC)
EN, ES, RU = texts_for("en"), texts_for("es"), texts_for("ru")


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


def fired(text: str = "BTC > 70000", **changes: object) -> AlertFired:
    values: dict = {
        "alert_id": 42,
        "user_id": 7,
        "condition": condition_of(parse_alert(text, NOW)),
        "at": NOW,
        "price": Decimal("70012.5"),
        "quote": "USDT",
        "change_pct": Decimal("2.314"),
        "change_window": timedelta(hours=24),
    }
    return AlertFired(**(values | changes))


def test_a_one_shot_price_alert_says_what_fired_the_price_when_and_that_it_is_off() -> None:
    assert fired_text(EN, fired(), "Europe/Berlin").splitlines() == [
        "🔔 <b>BTC rises above 70,000 USD — once</b>",
        "BTC is at <code>70,012.50</code> USDT  ▲ +2.31% in 1 day",
        "<i>Nov 26, 2026, 14:05 CET</i>",
        "It fired once and is now off; set a new one with /alert.",
    ]


def test_the_same_notice_in_spanish_and_russian_in_their_zones() -> None:
    assert plain(fired_text(ES, fired(), "Europe/Madrid")).splitlines() == [
        "🔔 <b>BTC sube por encima de 70.000 USD — una vez</b>",
        "BTC está en <code>70.012,50</code> USDT  ▲ +2,31 % en 1 día",
        "<i>26 nov 2026, 14:05 CET</i>",
        "Ha saltado una vez y ya está desactivada; crea otra con /alert.",
    ]
    assert plain(fired_text(RU, fired(), "Europe/Moscow")).splitlines() == [
        "🔔 <b>BTC поднимается выше 70 000 USD — один раз</b>",
        "BTC сейчас <code>70 012,50</code> USDT  ▲ +2,31 % за 1 день",
        "<i>26 нояб. 2026 г., 16:05 MSK</i>",
        "Оповещение сработало и выключено; новое можно создать командой /alert.",
    ]


@pytest.mark.parametrize(
    ("count", "english", "russian"),
    [
        (1, "Fired once;", "Сработало 1 раз;"),
        (2, "Fired twice;", "Сработало дважды;"),
        (3, "Fired 3 times;", "Сработало 3 раза;"),
        (5, "Fired 5 times;", "Сработало 5 раз;"),
        (21, "Fired 21 times;", "Сработало 21 раз;"),
    ],
)
def test_a_recurring_alert_counts_its_firings_and_says_when_it_may_fire_again(
    count: int, english: str, russian: str
) -> None:
    notice = fired("ETH -5% 1h every 2h", fire_count=count, change_pct=None)
    text = fired_text(EN, notice)
    assert "ETH falls 5% or more within 1 hour — every 2 hours at most" in text
    assert "ETH is at <code>70,012.50</code> USDT\n" in text  # no change known: none shown
    assert text.endswith(f"{english} it can fire again from 15:05 (at most every 2 hours).")
    said = fired_text(RU, notice, "Europe/Moscow").splitlines()[-1]
    assert said == f"{russian} снова может сработать с 18:05 (не чаще чем раз в 2 часа)."


def test_a_fall_shows_a_down_arrow_and_its_window() -> None:
    text = fired_text(EN, fired(change_pct=Decimal("-5.2"), change_window=timedelta(hours=1)))
    assert "▼ −5.20% in 1 hour" in text
    assert "▼ −5.20%\n" in fired_text(EN, fired(change_pct=Decimal("-5.2"), change_window=None))


def test_the_buttons_chart_the_coin_and_pause_the_alert_of_its_owner() -> None:
    markup = fired_keyboard(ES, fired())
    [[chart, pause]] = markup.inline_keyboard
    assert (chart.text, chart.callback_data) == ("📈 Gráfico", "alertchart:BTC")
    assert (pause.text, pause.callback_data) == ("⏸ Pausar", "alert:pause:42:7")


def test_headlines_are_listed_escaped_and_linked_only_when_the_link_is_a_web_address() -> None:
    headlines = (
        Headline(title="ETFs <see> record inflows", url="https://x.test/a?b=1&c=2", source="Wire"),
        Headline(title="A bare title & more"),
        Headline(title="Evil link", url="javascript:alert(1)"),
        Headline(title="   "),
        Headline(title="Not shown: only three"),
    )
    text = fired_text(EN, fired(headlines=headlines))
    assert text.split("\n\n", 1)[1].splitlines() == [
        "📰 <b>Latest on BTC</b>",
        '• <a href="https://x.test/a?b=1&amp;c=2">ETFs &lt;see&gt; record inflows</a>'
        " — <i>Wire</i>",
        "• A bare title &amp; more",
        "• Evil link",
    ]
    assert "Latest on" not in fired_text(EN, fired())


@given(st.lists(st.text(min_size=1, max_size=5000), max_size=10))
def test_the_message_stays_under_telegrams_limit_whatever_the_headlines(titles) -> None:
    notice = fired(headlines=tuple(Headline(title=title) for title in titles))
    assert len(fired_text(RU, notice)) <= MAX_TEXT


def test_a_summary_line_is_the_condition_the_price_and_the_local_time() -> None:
    line = fired_line(EN, fired(), "America/New_York")
    assert line == "BTC rises above 70,000 USD — <code>70,012.50</code> USDT at 08:05"
    assert plain(fired_line(RU, fired(), "Europe/Moscow")) == (
        "BTC поднимается выше 70 000 USD — <code>70 012,50</code> USDT в 16:05"
    )


@pytest.mark.parametrize(
    ("count", "russian"),
    [(1, "сработало 1 оповещение"), (3, "сработали 3 оповещения"), (7, "сработало 7 оповещений")],
)
def test_the_quiet_hours_summary_counts_in_each_language(count: int, russian: str) -> None:
    lines = [f"<b>BTC</b> above {n}" for n in range(count)]
    english = "alert" if count == 1 else "alerts"
    text = away_summary(EN, lines, (22 * 60, 7 * 60))
    assert text.splitlines()[0] == f"While you were away (22:00–07:00), {count} {english} fired:"
    assert away_summary(RU, lines).splitlines()[0] == f"Пока вас не было, {russian}:"


def test_a_long_quiet_summary_stays_within_telegrams_limit() -> None:
    lines = [f"<b>COIN{i}</b> crossed {i:,} with a rather long description" for i in range(500)]
    for t in (EN, ES, RU):
        text = away_summary(t, lines)
        assert telegram_length(text) <= 4096
        assert 0 < text.count("\n• ") < 500
    text = away_summary(EN, lines)
    assert text.endswith(f"…and {500 - text.count(chr(10) + '• ')} more")
    assert text.startswith("While you were away, 500 alerts fired:")


# ---- what /alert refuses, said in every language -------------------------------------------------

EXAMPLES = [
    BadArgument("alert.unknown_coin", problems=(SymbolProblem("FOO", "unknown"),),
                examples=("BTC", "ETH"), exchanges=("binance",)),
    BadArgument("alert.duplicate", alert_id=12),
    BadArgument("alert.too_many", cap=21),
    BadArgument("alert.not_yours"),
    BadArgument("alert.duration_range", what="window", typed="1m",
                shortest=timedelta(minutes=5), longest=timedelta(days=30)),
    BadArgument("alert.until_too_far", longest=timedelta(days=365)),
    BadArgument("alert.level_passed", symbol="BTC", direction="above", level=Decimal(70000),
                price=Decimal("71234.5")),
    BadArgument("alert.timeframe", typed="2h", choices=("1m", "5m", "15m", "1h", "4h", "1d")),
    BadArgument("alert.leftover", typed="<soon>", example="average"),
    BadArgument("alert.move_too_big", most=Decimal(1000)),
]  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("refusal", EXAMPLES, ids=lambda r: r.code)
def test_each_refusal_is_one_escaped_line_in_each_language(language: str, refusal) -> None:
    text = refusal_text(texts_for(language), refusal)
    assert text and "\n" not in text and "<soon>" not in text
    if language == "ru":
        assert re.search("[а-яА-Я]", text)


def test_refusals_read_as_before_in_english() -> None:
    said = [refusal_text(EN, r) for r in EXAMPLES[1:8]]
    assert said == [
        "You already have this alert (#12) — see /alerts.",
        "You have 21 active alerts, the most one person can keep — pause or delete some in "
        "/alerts first.",
        "This is someone else's alert, or it was deleted — send /alerts for yours.",
        "Window: it must be from 5 minutes to 30 days, not 1m.",
        "An alert can live 365 days at most; pick an earlier date.",
        "BTC is already at or above 70,000 (71,234.5 now); pick another level or use "
        "<code>&lt;</code>.",
        "Timeframe: “2h” is not one I watch; choose 1m, 5m, 15m, 1h, 4h, or 1d.",
    ]
    assert plain(refusal_text(RU, EXAMPLES[2])).startswith("У вас 21 активное оповещение")


def test_every_alert_code_has_words() -> None:
    assert {c for c in RENDERERS if c.startswith("alert.")} >= {r.code for r in EXAMPLES}
