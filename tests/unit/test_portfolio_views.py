"""What /portfolio, /pnl and the settings commands say, from ledgers valued by core, in English,
Spanish and Russian."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.callbacks import CostBasisChoice, decode
from bot.i18n import texts_for
from bot.views.common import telegram_length
from bot.views.portfolio import (
    allocation_caption,
    broken_ledger,
    cannot_reach,
    empty,
    pnl_text,
    portfolio_text,
    sent_privately,
    value_caption,
    value_title,
)
from bot.views.portfolio_settings import choice_keyboard, cost_basis_set
from bot.views.refusals import refusal_text
from core.people import Preferences
from core.portfolio import ALL_TIME, Ledger, Trade, TradeRejected, pnl_over, valuation
from core.refusal import BadArgument, Refusal
from services.people import Changed
from services.portfolio import PeriodReport

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
D = Decimal
EN, ES, RU = texts_for("en"), texts_for("es"), texts_for("ru")


def trade(asset: str, side: str, quantity: str, price: str, fee: str = "0", days: int = 30):
    return Trade(
        None, asset, side, D(quantity), D(price), D(fee), NOW - timedelta(days=days), "USD"
    )


def table(text: str) -> list[str]:
    return re.search(r"<pre>(.*)</pre>", text, re.S).group(1).split("\n")


TWO_COINS = [
    trade("BTC", "buy", "0.5", "40000", "10"),
    trade("ETH", "buy", "10", "2000"),
    trade("ETH", "sell", "4", "2500", days=10),
]
PRICES = {"BTC": D("60000"), "ETH": D("1500")}


def test_holdings_line_up_in_one_table_with_the_totals_below() -> None:
    view = valuation(Ledger.replay(TWO_COINS), PRICES, NOW)
    text = portfolio_text(EN, view, "fifo")
    rows = table(text)
    assert rows[0].split() == [
        "Asset",
        "Quantity",
        "Avg",
        "cost",
        "Value",
        "P&amp;L",
        "P&amp;L",
        "%",
        "Share",
    ]
    btc, eth = rows[1], rows[2]
    assert btc.split() == ["BTC", "0.5", "40,020.00", "30,000.00", "+9,990.00", "+49.93%", "76.9%"]
    assert eth.split() == ["ETH", "6", "2,000.00", "9,000.00", "−3,000.00", "−25.00%", "23.1%"]
    # right-aligned: every number ends in the same column as its header
    assert len({len(html.unescape(line)) for line in rows}) == 1
    assert "Value <b>39,000.00 USD</b> · cost basis 32,010.00 USD" in text
    assert "Unrealised P&amp;L <b>+6,990.00 USD</b> (+21.84%) · realised +2,000.00 USD" in text
    assert "Net invested 30,010.00 USD" in text
    assert "FIFO" in text


def test_the_table_in_spanish_and_russian_keeps_its_alignment_and_decimal_commas() -> None:
    view = valuation(Ledger.replay(TWO_COINS), PRICES, NOW)
    for t, word in ((ES, "Activo"), (RU, "Актив")):
        text = portfolio_text(t, view, "average")
        rows = table(text)
        assert rows[0].startswith(word)
        assert len({len(html.unescape(line)) for line in rows}) == 1
        assert "40.020,00" in rows[1] or "40\xa0020,00" in rows[1]
        assert "+49,93" in rows[1]
        assert "Value" not in text and "Cost basis" not in text
    assert re.search("[а-яА-Я]{5}", portfolio_text(RU, view, "fifo"))


def test_a_holding_without_a_price_says_so_and_stays_out_of_the_totals() -> None:
    ledger = Ledger.replay([trade("BTC", "buy", "1", "100"), trade("LTC", "buy", "2", "50")])
    view = valuation(ledger, {"BTC": D("150")}, NOW)
    text = portfolio_text(EN, view, "average")
    rows = table(text)
    assert rows[2].split() == ["LTC", "2", "50.00", "no", "price"]
    assert "Value <b>150.00 USD</b> · cost basis 100.00 USD" in text
    assert "⚠️ No price for LTC: left out of the value and P&amp;L above." in text
    assert "average cost" in text
    assert "1 without a price left out" in allocation_caption(EN, view)


def test_fifty_holdings_fit_in_one_message_with_the_rest_summed_up() -> None:
    trades = [
        trade(f"COIN{n:02d}", "buy", f"{n + 1}.12345678", "1234.56", "1.5") for n in range(50)
    ]
    prices = {f"COIN{n:02d}": D("2345.67") for n in range(45)}
    view = valuation(Ledger.replay(trades), prices, NOW)
    for t in (EN, ES, RU):
        text = portfolio_text(t, view, "fifo")
        assert telegram_length(text) <= 4096
        assert text.count("<pre>") == text.count("</pre>") == 1
    rows = table(portfolio_text(EN, view, "fifo"))
    assert rows[-1].startswith("… and ")
    listed = len(rows) - 2
    assert rows[-1].split()[2] == str(50 - listed)
    assert "⚠️ No price for COIN45, COIN46, COIN47, COIN48, COIN49" in portfolio_text(
        EN, view, "fifo"
    )


def test_symbols_and_currency_are_escaped() -> None:
    ledger = Ledger.replay([trade("<B>", "buy", "1", "1")])
    view = valuation(ledger, {}, NOW)
    text = portfolio_text(EN, view, "fifo")
    assert "&lt;B&gt;" in text and "<B>" not in text
    assert refusal_text(EN, BadArgument("cost_basis.unknown", typed="<i>")) == (
        "The cost basis is fifo or average, not <code>&lt;i&gt;</code>."
    )
    unknown = BadArgument("currency.unknown", typed="€&", choices=("USD", "USDT", "USDC"))
    assert refusal_text(EN, unknown) == (
        "The currency is USD, USDT, or USDC, not <code>€&amp;</code>."
    )


def test_an_empty_portfolio_is_one_line_about_buy() -> None:
    view = valuation(Ledger(), {}, NOW)
    for t in (EN, ES, RU):
        assert portfolio_text(t, view, "fifo") == empty(t)
        assert "\n" not in empty(t) and "/buy" in empty(t)


def week_report() -> PeriodReport:
    trades = [trade("BTC", "buy", "1", "100", days=30), trade("BTC", "sell", "0.5", "130", days=2)]
    start = NOW - timedelta(days=7)
    pnl = pnl_over(trades, "fifo", {"BTC": D("120")}, {"BTC": D("110")}, start, NOW)
    return PeriodReport("week", pnl, "USD", "UTC", ((start, D("120")), (NOW, D("55"))))


def test_pnl_over_a_week_with_its_chart_caption() -> None:
    report = week_report()
    text = pnl_text(EN, report)
    rows = dict(line.rsplit(None, 1) for line in table(text) if line)
    assert {k.strip(): v for k, v in rows.items()} == {
        "Realised": "+15.00",
        "Unrealised change": "−15.00",
        "Total": "±0.00",
        "Value at the start": "120.00",
        "Value now": "55.00",
        "Put in, net": "−65.00",
    }
    assert text.startswith("<b>P&amp;L this week</b> · USD · since May 25, 2024, 12:00 UTC")
    assert value_caption(EN, report) == "Portfolio value this week: 120.00 → 55.00 USD"
    assert value_title(EN, "week") == "Portfolio value · this week"


def test_pnl_in_spanish_and_russian() -> None:
    report = week_report()
    spanish, russian = pnl_text(ES, report), pnl_text(RU, report)
    assert "+15,00" in spanish and "−65,00" in spanish and "25 may 2024" in spanish
    assert "Realised" not in spanish
    assert "+15,00" in russian and re.search("[а-яА-Я]{5}", russian)
    assert "120,00 → 55,00 USD" in value_caption(RU, report)


def test_pnl_without_snapshots_says_when_the_chart_comes() -> None:
    pnl = pnl_over([trade("BTC", "buy", "1", "100")], "fifo", {}, {"BTC": D("90")}, ALL_TIME, NOW)
    text = pnl_text(EN, PeriodReport("all", pnl, "USD", "UTC", ((NOW, D("90")),)))
    assert "since" not in text.split("\n")[0]
    assert "value chart appears once a daily snapshot" in text


def test_bad_period_is_one_line_listing_the_good_ones() -> None:
    refused = BadArgument("pnl.period", typed="x", periods=("day", "week", "month", "year", "all"))
    assert refusal_text(EN, refused) == (
        "The period is day, week, month, year, or all — e.g. <code>/pnl week</code>."
    )
    assert "o all" in refusal_text(ES, refused)


def test_messages_for_a_group_carry_no_numbers() -> None:
    for t in (EN, ES, RU):
        for subject in ("portfolio", "pnl"):
            for text in (sent_privately(t, subject), cannot_reach(t, subject, "pythia_bot")):
                assert not re.search(r"\d", text.replace("https://t.me/pythia_bot", ""))


def test_broken_trades_say_which_sell_and_how_to_mend_it() -> None:
    oversold = TradeRejected(
        "trade.oversold", asset="BTC", held=D(0), sold=D(1), at=NOW, zone="Europe/Berlin"
    )
    assert broken_ledger(EN, oversold) == (
        "Your recorded trades don't add up. You held no BTC on Jun 1, 2024, 14:00 CEST, so there "
        "was nothing to sell. See them with /trades and remove the wrong one with /undo."
    )


def test_a_refused_currency_change_says_why_in_one_line() -> None:
    mixed = Refusal("currency.mixed", booked=("USD",), kept="USD", wanted="USDT")
    assert refusal_text(EN, mixed) == (
        "Your trades are booked in USD, so your portfolio stays in USD: in USDT it would mix "
        "two currencies."
    )


def test_setting_buttons_tick_the_current_choice_for_their_owner() -> None:
    keyboard = choice_keyboard(EN, "costbasis", "average", 42)
    buttons = [(b.text, decode(b.callback_data)) for b in keyboard.inline_keyboard[0]]
    assert buttons == [
        ("FIFO", CostBasisChoice("fifo", 42)),
        ("✓ Average cost", CostBasisChoice("average", 42)),
    ]
    spanish = [b.text for b in choice_keyboard(ES, "costbasis", "fifo", 42).inline_keyboard[0]]
    assert spanish[0] == "✓ FIFO" and spanish[1] != "Average cost"


def test_a_cost_basis_change_says_whether_trades_are_counted_again() -> None:
    average = Preferences(method="average")
    assert cost_basis_set(EN, Changed(average, True, trades=3)) == (
        "Cost basis set to <b>average cost</b> — all your trades are counted again with it. "
        "See /portfolio."
    )
    assert cost_basis_set(EN, Changed(average, False)) == "Your cost basis is already average cost."
