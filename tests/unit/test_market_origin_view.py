"""Replies say which market their candles came from ("Binance · BTC/USDT · spot") and warn when
no market had fresh ones, in the person's language, escaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.i18n import texts_for
from bot.views.alerts import alert_set
from bot.views.markets import origin_line, origins_line
from bot.views.ta import analysis_text
from core.alerts.grammar import parse_alert
from core.alerts.history import History
from core.series_choice import Origin
from core.ta import analyse
from services.alerts import AlertSet
from services.ta import Analysis
from tests.fixtures.candles import load_candles

EN, ES, RU = texts_for("en"), texts_for("es"), texts_for("ru")
LIVE = Origin("binance", "BTC/USDT", "spot", True, timedelta(minutes=20))
OLD = Origin("yahoo", "LINK/USD", "spot", False, timedelta(days=458))


def test_a_fresh_market_is_named_by_exchange_pair_and_kind() -> None:
    assert origin_line(EN, LIVE) == "Binance · BTC/USDT · spot"
    assert origin_line(EN, Origin("okx", "BTC/USDT:USDT", "perp", True, timedelta(0))) == (
        "OKX · BTC/USDT:USDT · perp"
    )
    assert origin_line(EN, Origin("replay", "ETH/USDT", "spot", True, timedelta(0))) == (
        "Sandbox replay · ETH/USDT · spot"
    )
    assert origin_line(EN, Origin("lbank", "BTC/USDT", "spot", True, timedelta(0))) == (
        "lbank · BTC/USDT · spot"
    )


def test_a_stale_market_says_how_old_its_newest_candle_is() -> None:
    assert origin_line(EN, OLD) == (
        "Yahoo Finance · LINK/USD · spot · ⚠️ no fresh candles: the latest opened 1 yr. ago"
    )
    assert origin_line(ES, OLD) == (
        "Yahoo Finance · LINK/USD · spot · ⚠️ sin velas recientes: la última abrió hace 1 a"
    )
    perp = Origin("bybit", "BTC/USDT:USDT", "perp", False, timedelta(hours=5))
    assert origin_line(RU, perp) == (
        "Bybit · BTC/USDT:USDT · бессрочный · ⚠️ нет свежих свечей: последняя открылась 5 ч назад"
    )


def test_several_coins_markets_are_grouped_by_exchange_and_kind() -> None:
    eth = Origin("binance", "ETH/USDT", "spot", True, timedelta(0))
    assert origins_line(EN, [LIVE, eth]) == "Binance · spot: BTC/USDT, ETH/USDT"
    assert origins_line(EN, [LIVE, OLD, eth]) == (
        "Binance · spot: BTC/USDT, ETH/USDT; Yahoo Finance · spot: LINK/USD"
        " (⚠️ no fresh candles: the latest opened 1 yr. ago)"
    )
    assert origins_line(EN, [OLD]) == origin_line(EN, OLD)


def test_what_came_from_outside_is_escaped() -> None:
    odd = Origin("<b>x", "A<B/&C", "spot", True, timedelta(0))
    assert origin_line(EN, odd) == "&lt;b&gt;x · A&lt;B/&amp;C · spot"


def test_ta_names_its_market_under_the_last_close() -> None:
    report = analyse(load_candles("BTCUSDT_1h")[-500:], "1h")
    text = analysis_text(EN, Analysis("BTC", "Bitcoin", "1h", report, LIVE))
    lines = text.split("\n")
    assert lines[1].startswith("Close ") and lines[2] == "Binance · BTC/USDT · spot"
    stale = analysis_text(RU, Analysis("LINK", "Chainlink", "1d", report, OLD))
    assert stale.split("\n")[2] == (
        "Yahoo Finance · LINK/USD · спот · ⚠️ нет свежих свечей: последняя открылась 1 г. назад"
    )


def test_a_new_alert_says_which_market_its_history_was_read_from() -> None:
    spec = parse_alert("BTC > 70k", datetime(2026, 3, 10, tzinfo=UTC))
    text = alert_set(EN, AlertSet(12, spec, History("1h", None), "UTC", LIVE))
    assert text.split("\n")[1] == (
        "I have too few 1h candles of BTC stored yet to say how often it would have fired."
        " Market: Binance · BTC/USDT · spot."
    )
    spanish = alert_set(ES, AlertSet(12, spec, History("1h", None), "UTC", LIVE))
    assert spanish.endswith(" Mercado: Binance · BTC/USDT · spot.")
    assert len(alert_set(EN, AlertSet(12, spec, History("1h", None), "UTC")).split("\n")) == 2
