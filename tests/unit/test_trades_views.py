"""The /buy, /sell, /undo, /trades and import messages: exact amounts, escaped, within limits."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bot.views.common import MAX_MESSAGE, telegram_length
from bot.views.trades import (
    bad_trade,
    export_filename,
    import_preview,
    page_keyboard,
    too_big,
    total,
    trade_line,
    trade_preview,
    trade_recorded,
    trades_page,
)
from core.portfolio import Trade
from core.trades_csv import ImportResult
from db.trading import dump_trades, load_trades

WHEN = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def trade(side: str = "buy", quantity: str = "0.5", price: str = "64000", fee: str = "5") -> Trade:
    return Trade(None, "BTC", side, Decimal(quantity), Decimal(price), Decimal(fee), WHEN, "USD")  # type: ignore[arg-type]


def test_a_buy_costs_its_fee_and_a_sell_brings_in_less_the_fee() -> None:
    assert total(trade("buy")) == Decimal("32005")
    assert total(trade("sell")) == Decimal("31995")


def test_the_preview_shows_the_trade_and_its_total() -> None:
    assert trade_preview(trade(), at_market=True) == (
        "<b>Record this buy?</b>\n"
        "0.5 BTC at 64,000.00 USD (the market price now)\n"
        "Fee: 5.00 USD\n"
        "Total: <b>32,005.00 USD</b>\n"
        "Date: 2024-03-01 12:00 UTC"
    )


def test_amounts_keep_their_precision() -> None:
    tiny = trade(quantity="0.00012345", price="0.000012346", fee="0")
    assert trade_line(tiny) == "2024-03-01 12:00 UTC · buy 0.00012345 BTC at 0.00001235 USD"
    big = trade(quantity="1234.5", price="1234567.891", fee="0.004")
    assert "1,234.5 BTC at 1,234,567.89 USD · fee 0.004 USD" in trade_line(big)


def test_times_read_in_the_persons_zone() -> None:
    assert trade_line(trade(), "Europe/Berlin").startswith("2024-03-01 13:00 Europe/Berlin · ")
    assert "on 2024-03-01 13:00 Europe/Berlin" in trade_recorded(trade(), "Europe/Berlin")


def test_a_bad_argument_says_what_would_work_once() -> None:
    assert bad_trade("buy", "the price must be more than zero", typing=True) == (
        "Can't record that buy: the price must be more than zero. "
        "Try <code>/buy BTC 0.5 @ 64000 fee 5 on 2024-03-01</code>."
    )
    already = bad_trade("sell", "say what and how much, like /sell BTC 0.5", typing=True)
    assert "Try" not in already
    assert bad_trade("buy", "<b>", typing=False) == "Can't record that buy: &lt;b&gt;."


def test_pages_have_buttons_only_where_there_is_more() -> None:
    assert page_keyboard(7, 0, 1) is None
    first = page_keyboard(7, 0, 3, "BTC")
    assert [[b.text for b in row] for row in first.inline_keyboard] == [["Older ▶"]]
    assert first.inline_keyboard[0][0].callback_data == "trades:7:1:BTC"
    middle = page_keyboard(7, 1, 3)
    assert [b.callback_data for b in middle.inline_keyboard[0]] == ["trades:7:0:", "trades:7:2:"]


def test_a_page_says_where_it_is() -> None:
    text = trades_page([trade()], 1, 3, 21)
    assert text.split("\n")[0] == "<b>Your trades</b> · 21 trades, newest first · page 2 of 3"
    assert trades_page([], 0, 1, 0, "ETH") == "You have no ETH trades — see all yours with /trades."


def test_an_import_listing_fits_one_message_and_says_how_many_more() -> None:
    refused = [(n, "<x>" * 30, "the price 'ü' is not a number " * 5) for n in range(2, 2000)]
    text = import_preview("🚀" * 50 + ".csv", ImportResult([trade()], refused))
    assert telegram_length(text) <= MAX_MESSAGE
    lines = text.split("\n")
    assert lines[0].startswith("<b>🚀🚀🚀") and lines[0].endswith(
        ": 1 trade to record, 1998 lines refused:"
    )
    assert lines[1].startswith("Line 2: <code>&lt;x&gt;")
    assert lines[-2].startswith("…and ") and lines[-2].endswith(" more lines refused.")
    shown = len(lines) - 3
    assert lines[-2] == f"…and {1998 - shown} more lines refused."
    assert lines[-1] == "Record the 1 trade? All of them or none."


def test_an_import_with_nothing_to_refuse() -> None:
    assert import_preview("a.csv", ImportResult([trade(), trade()])) == (
        "<b>a.csv</b>: 2 trades to record.\nRecord the 2 trades? All of them or none."
    )


def test_pending_trades_keep_every_digit() -> None:
    exact = trade(quantity="0.000000010", price="64000.123456789", fee="0")
    assert load_trades(dump_trades([exact])) == [exact]


def test_small_lines() -> None:
    assert export_filename(WHEN) == "pythia-trades-2024-03-01.csv"
    assert too_big(3 * 1024 * 1024, 1024 * 1024).startswith("That file is 3.0 MB; I import")
