"""What /portfolio, /pnl and the settings commands say, from ledgers valued by core."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.views.common import telegram_length
from bot.views.portfolio import (
    BAD_PERIOD,
    EMPTY,
    allocation_caption,
    bad_cost_basis,
    bad_currency,
    cannot_reach,
    choice_keyboard,
    currency_result,
    money,
    pnl_text,
    portfolio_text,
    sent_privately,
    signed,
    value_caption,
)
from core.portfolio import ALL_TIME, Ledger, Trade, pnl_over, valuation
from db.portfolio import PeriodReport, SettingChange

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
D = Decimal


def trade(asset: str, side: str, quantity: str, price: str, fee: str = "0", days: int = 30):
    return Trade(
        None, asset, side, D(quantity), D(price), D(fee), NOW - timedelta(days=days), "USD"
    )


def table(text: str) -> list[str]:
    return re.search(r"<pre>(.*)</pre>", text, re.S).group(1).split("\n")


def test_holdings_line_up_in_one_table_with_the_totals_below() -> None:
    ledger = Ledger.replay(
        [
            trade("BTC", "buy", "0.5", "40000", "10"),
            trade("ETH", "buy", "10", "2000"),
            trade("ETH", "sell", "4", "2500", days=10),
        ]
    )
    view = valuation(ledger, {"BTC": D("60000"), "ETH": D("1500")}, NOW)
    text = portfolio_text(view, "fifo")
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


def test_losses_read_with_a_minus_sign_and_zero_with_plus_minus() -> None:
    assert signed(D("-1234.565")) == "−1,234.56"
    assert signed(D("0.004")) == "±0.00"
    assert signed(D("7")) == "+7.00"
    assert money(D("-5")) == "−5.00" and money(D("5")) == "5.00"


def test_a_holding_without_a_price_says_so_and_stays_out_of_the_totals() -> None:
    ledger = Ledger.replay([trade("BTC", "buy", "1", "100"), trade("LTC", "buy", "2", "50")])
    view = valuation(ledger, {"BTC": D("150")}, NOW)
    text = portfolio_text(view, "average")
    rows = table(text)
    assert rows[2].split() == ["LTC", "2", "50.00", "no", "price"]
    assert "Value <b>150.00 USD</b> · cost basis 100.00 USD" in text
    assert "⚠️ No price for LTC: left out of the value and P&amp;L above." in text
    assert "average cost" in text
    assert "1 without a price left out" in allocation_caption(view)


def test_fifty_holdings_fit_in_one_message_with_the_rest_summed_up() -> None:
    trades = [
        trade(f"COIN{n:02d}", "buy", f"{n + 1}.12345678", "1234.56", "1.5") for n in range(50)
    ]
    prices = {f"COIN{n:02d}": D("2345.67") for n in range(45)}
    view = valuation(Ledger.replay(trades), prices, NOW)
    text = portfolio_text(view, "fifo")
    assert telegram_length(text) <= 4096
    rows = table(text)
    assert rows[-1].startswith("… and ")
    listed = len(rows) - 2
    assert rows[-1].split()[2] == str(50 - listed)
    assert "⚠️ No price for COIN45, COIN46, COIN47, COIN48, COIN49" in text
    assert text.count("<pre>") == text.count("</pre>") == 1


def test_symbols_and_currency_are_escaped() -> None:
    ledger = Ledger.replay([trade("<B>", "buy", "1", "1")])
    view = valuation(ledger, {}, NOW)
    text = portfolio_text(view, "fifo")
    assert "&lt;B&gt;" in text and "<B>" not in text
    assert bad_cost_basis("<i>") == "The cost basis is fifo or average, not <code>&lt;i&gt;</code>."
    assert bad_currency("€&") == "The currency is USD, USDT or USDC, not <code>€&amp;</code>."


def test_an_empty_portfolio_is_one_line_about_buy() -> None:
    view = valuation(Ledger(), {}, NOW)
    assert portfolio_text(view, "fifo") == EMPTY
    assert "\n" not in EMPTY and "/buy" in EMPTY


def test_pnl_over_a_week_with_its_chart_caption() -> None:
    trades = [trade("BTC", "buy", "1", "100", days=30), trade("BTC", "sell", "0.5", "130", days=2)]
    start = NOW - timedelta(days=7)
    pnl = pnl_over(trades, "fifo", {"BTC": D("120")}, {"BTC": D("110")}, start, NOW)
    history = ((start, D("120")), (NOW, D("55")))
    text = pnl_text(PeriodReport("week", pnl, "USD", "UTC", history))
    rows = dict(line.rsplit(None, 1) for line in table(text) if line)
    assert {k.strip(): v for k, v in rows.items()} == {
        "Realised": "+15.00",
        "Unrealised change": "−15.00",
        "Total": "±0.00",
        "Value at the start": "120.00",
        "Value now": "55.00",
        "Put in, net": "−65.00",
    }
    assert text.startswith("<b>P&amp;L this week</b> · USD · since Sat 25 May 2024 12:00 UTC")
    report = PeriodReport("week", pnl, "USD", "UTC", history)
    assert value_caption(report) == "Portfolio value, this week: 120.00 → 55.00 USD"


def test_pnl_without_snapshots_says_when_the_chart_comes() -> None:
    pnl = pnl_over([trade("BTC", "buy", "1", "100")], "fifo", {}, {"BTC": D("90")}, ALL_TIME, NOW)
    text = pnl_text(PeriodReport("all", pnl, "USD", "UTC", ((NOW, D("90")),)))
    assert "since" not in text.split("\n")[0]
    assert "value chart appears once a daily snapshot" in text


def test_bad_period_is_one_line_listing_the_good_ones() -> None:
    assert (
        BAD_PERIOD == "The period is day, week, month, year or all — e.g. <code>/pnl week</code>."
    )


def test_messages_for_a_group_carry_no_numbers() -> None:
    for text in (
        sent_privately("portfolio"),
        cannot_reach("portfolio", "pythia_bot", "/portfolio"),
    ):
        assert not re.search(r"\d", text.replace("https://t.me/pythia_bot", ""))


def test_a_refused_currency_change_says_why_in_one_line() -> None:
    text = currency_result(SettingChange("USD", refusal="USD"), "USDT")
    assert text == (
        "Your trades are booked in USD, so your portfolio stays in USD: in USDT it would mix "
        "two currencies."
    )


def test_setting_buttons_tick_the_current_choice_for_their_owner() -> None:
    keyboard = choice_keyboard("costbasis", ("fifo", "average"), "average", 42)
    buttons = [(b.text, b.callback_data) for b in keyboard.inline_keyboard[0]]
    assert buttons == [("FIFO", "costbasis:fifo:42"), ("✓ Average cost", "costbasis:average:42")]
