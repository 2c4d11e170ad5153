"""The /buy, /sell, /undo, /trades and import messages: exact amounts, escaped, within limits,
in the person's language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.callbacks import ConfirmButton, TradesPage, decode
from bot.i18n import texts_for
from bot.views.common import MAX_MESSAGE, telegram_length
from bot.views.imports import export_caption, export_filename, import_preview, too_big, unreadable
from bot.views.refusals import refusal_text
from bot.views.trades import (
    confirm_keyboard,
    outcome_text,
    page_keyboard,
    trade_line,
    trade_preview,
    trade_recorded,
    trade_refused,
    trades_page,
)
from core.portfolio import Trade, TradeRejected
from core.refusal import BadArgument, Refusal
from core.trades_csv import CsvUnreadable, ImportResult
from services.trades import Cancelled, NotDone, TradePage, Undone

WHEN = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
EN, ES, RU = texts_for("en"), texts_for("es"), texts_for("ru")


def trade(side: str = "buy", quantity: str = "0.5", price: str = "64000", fee: str = "5") -> Trade:
    return Trade(None, "BTC", side, Decimal(quantity), Decimal(price), Decimal(fee), WHEN, "USD")  # type: ignore[arg-type]


def test_the_preview_shows_the_trade_and_its_total() -> None:
    assert trade_preview(EN, trade(), at_market=True) == (
        "<b>Record this buy?</b>\n"
        "0.5 BTC at 64,000.00 USD (the market price now)\n"
        "Fee: 5.00 USD\n"
        "Total: <b>32,005.00 USD</b>\n"
        "Date: Mar 1, 2024, 12:00 UTC"
    )


def test_the_preview_in_spanish_and_russian_writes_decimal_commas() -> None:
    spanish = trade_preview(ES, trade(), at_market=False)
    assert "0,5 BTC" in spanish and "64.000,00 USD" in spanish and "32.005,00 USD" in spanish
    assert "Record" not in spanish
    russian = trade_preview(RU, trade("sell"), at_market=False)
    assert "0,5 BTC" in russian and "64\xa0000,00 USD" in russian
    assert re.search("[а-яА-Я]{4}", russian) and "Record" not in russian


def test_amounts_keep_their_precision() -> None:
    tiny = trade(quantity="0.00012345", price="0.000012346", fee="0")
    assert trade_line(EN, tiny) == "Mar 1, 2024, 12:00 UTC · buy 0.00012345 BTC at 0.00001235 USD"
    big = trade(quantity="1234.5", price="1234567.891", fee="0.004")
    assert "1,234.5 BTC at 1,234,567.89 USD · fee 0.004 USD" in trade_line(EN, big)


def test_times_read_in_the_persons_zone() -> None:
    assert trade_line(EN, trade(), "Europe/Berlin").startswith("Mar 1, 2024, 13:00 CET · ")
    assert "on Mar 1, 2024, 13:00 CET" in trade_recorded(EN, trade(), "Europe/Berlin")


def test_a_typing_slip_says_what_would_work_once() -> None:
    refused = BadArgument("trade.not_positive", what="price")
    assert trade_refused(EN, "buy", refused) == (
        "Can't record that buy. Price: it must be more than zero. "
        "Try <code>/buy BTC 0.5 @ 64000 fee 5 on 2024-03-01</code>."
    )
    unreadable_amount = BadArgument("amount.not_a_number", what="quantity", typed="<b>")
    assert "Try" not in trade_refused(EN, "sell", unreadable_amount)
    assert "&lt;b&gt;" in trade_refused(EN, "sell", unreadable_amount)


def test_a_refused_sell_names_what_was_held_in_the_persons_language() -> None:
    oversold = TradeRejected(
        "trade.oversold", asset="BTC", held=Decimal("0.25"), sold=Decimal("1"), at=WHEN
    )
    assert trade_refused(EN, "sell", oversold) == (
        "Can't record that sell. You held only 0.25 BTC on Mar 1, 2024, 12:00 UTC, less than "
        "the 1 BTC sold."
    )
    assert "0,25 BTC" in trade_refused(ES, "sell", oversold)
    assert "0,25 BTC" in trade_refused(RU, "sell", oversold)


def test_the_confirm_buttons_carry_the_token_and_who_asked() -> None:
    keyboard = confirm_keyboard(EN, "abcDEF123_-xyz78", 42)
    yes, no = keyboard.inline_keyboard[0]
    assert (yes.text, no.text) == ("✅ Confirm", "✖️ Cancel")
    assert decode(yes.callback_data) == ConfirmButton("abcDEF123_-xyz78", "y", 42)
    assert decode(no.callback_data) == ConfirmButton("abcDEF123_-xyz78", "n", 42)
    undo = confirm_keyboard(ES, "abcDEF123_-xyz78", 42, undo=True)
    assert undo.inline_keyboard[0][0].text.startswith("↩️ ")
    assert "Undo" not in undo.inline_keyboard[0][0].text


def test_outcomes_say_what_happened() -> None:
    assert outcome_text(EN, Cancelled()) == "Cancelled — nothing was changed."
    refused = NotDone("undo", Refusal("undo.changed"))
    assert outcome_text(EN, refused) == (
        "Not undone. Your last trade changed since you asked; send /undo again."
    )
    late = TradeRejected("trade.oversold", asset="ETH", held=Decimal(0), sold=Decimal(2), at=WHEN)
    several = NotDone("record", late, refused=2, of=5, first=trade("sell"))
    assert outcome_text(EN, several) == (
        "Not recorded: 2 of the 5 trades no longer fit your ledger. The first is the sell of BTC "
        "on Mar 1, 2024, 12:00 UTC. You held no ETH on Mar 1, 2024, 12:00 UTC, so there was "
        "nothing to sell."
    )


def page(total: int, page_number: int = 0, pages: int = 1, asset: str | None = None) -> TradePage:
    return TradePage([trade()] if total else [], page_number, pages, total, asset, "UTC")


def test_pages_have_buttons_only_where_there_is_more() -> None:
    assert page_keyboard(EN, 7, page(5)) is None
    first = page_keyboard(EN, 7, page(25, 0, 3, "BTC"))
    assert [[b.text for b in row] for row in first.inline_keyboard] == [["Older ▶"]]
    assert decode(first.inline_keyboard[0][0].callback_data) == TradesPage(7, 1, "BTC")
    middle = page_keyboard(EN, 7, page(25, 1, 3))
    assert [b.callback_data for b in middle.inline_keyboard[0]] == ["trades:7:0", "trades:7:2"]
    assert [b.text for b in page_keyboard(RU, 7, page(25, 1, 3)).inline_keyboard[0]] != [
        "◀ Newer",
        "Older ▶",
    ]


def test_a_page_says_where_it_is() -> None:
    text = trades_page(EN, page(21, 1, 3))
    assert text.split("\n")[0] == "<b>Your trades</b> · 21 trades, newest first · page 2 of 3"
    assert trades_page(EN, page(0, asset="ETH")) == (
        "You have no ETH trades — see all yours with /trades."
    )


@pytest.mark.parametrize(
    ("count", "word"), [(1, "сделка"), (3, "сделки"), (5, "сделок"), (21, "сделка")]
)
def test_russian_counts_trades_with_three_plural_forms(count: int, word: str) -> None:
    head = trades_page(RU, page(count)).split("\n")[0]
    assert f"{count} {word}" in head


def test_an_import_listing_fits_one_message_and_says_how_many_more() -> None:
    why = BadArgument("csv.not_a_number", what="price", typed="ü" * 30)
    refused = [(n, "<x>" * 30, why) for n in range(2, 2000)]
    text = import_preview(EN, "🚀" * 50 + ".csv", ImportResult([trade()], refused))
    assert telegram_length(text) <= MAX_MESSAGE
    lines = text.split("\n")
    assert lines[0].startswith("<b>🚀🚀🚀") and lines[0].endswith(
        ": 1 trade to record. 1,998 lines refused:"
    )
    assert lines[1].startswith("Line 2: <code>&lt;x&gt;")
    assert lines[1].endswith("— Price: “üüüüüüüüüüüüüüüüüüüüüüü…” is not a number.")
    shown = len(lines) - 3
    assert lines[-2] == f"…and {1998 - shown:,} more lines refused."
    assert lines[-1] == "Record the 1 trade?"


def test_an_import_with_nothing_to_refuse() -> None:
    assert import_preview(EN, "a.csv", ImportResult([trade(), trade()])) == (
        "<b>a.csv</b>: 2 trades to record.\nRecord the 2 trades? All of them or none."
    )


def test_every_csv_refusal_reads_in_every_language() -> None:
    refusals = [
        CsvUnreadable("csv.empty"),
        CsvUnreadable("csv.no_header", columns=("date", "side")),
        BadArgument("csv.field_count", fields=5, header=6),
        BadArgument(
            "csv.ambiguous",
            what="quantity",
            typed="1.234",
            as_point=Decimal("1.234"),
            as_comma=Decimal("1234"),
        ),
        BadArgument("csv.unknown_coin", symbol="NOPE"),
    ]
    for t in (EN, ES, RU):
        for refusal in refusals:
            assert refusal_text(t, refusal).endswith(".")
    assert refusal_text(ES, refusals[3]).startswith("Cantidad: 1.234")


def test_small_lines() -> None:
    assert export_filename(WHEN) == "pythia-trades-2024-03-01.csv"
    assert too_big(EN, 3 * 1024 * 1024, 1024 * 1024).startswith("That file is 3.0 MB; I import")
    assert "3,0" in too_big(ES, 3 * 1024 * 1024, 1024 * 1024)
    assert export_caption(EN, 1).startswith("Your 1 trade as CSV.")
    assert unreadable(EN, "<a>.csv", CsvUnreadable("csv.empty")) == (
        "I couldn't read trades from &lt;a&gt;.csv. The file is empty."
    )


# ---- odd input and odd stored rows ---------------------------------------------------------------


@pytest.mark.parametrize("zone", ["America/New_York", "Pacific/Pago_Pago", "Asia/Tokyo", "Mars/X"])
def test_a_stored_year_one_trade_is_shown_in_any_zone_without_a_crash(zone: str) -> None:
    first = Trade(1, "BTC", "buy", Decimal(1), Decimal(100), Decimal(0),
                  datetime(1, 1, 1, 3, tzinfo=UTC), "USD")  # fmt: skip
    last = Trade(2, "BTC", "sell", Decimal(1), Decimal(100), Decimal(0),
                 datetime(9999, 12, 31, 23, tzinfo=UTC), "USD")  # fmt: skip
    listed = TradePage([last, first], 0, 1, 2, None, zone)
    for language in (EN, ES, RU):
        text = trades_page(language, listed)
        assert "9999" in text and text.count("\n") == 2
        assert "buy 1 BTC" in trade_line(EN, first, zone)
        assert outcome_text(language, Undone(first, zone))


@pytest.mark.parametrize(
    ("refusal", "line"),
    [
        (
            BadArgument("amount.too_small", what="price", least=Decimal("1e-12")),
            "Can't record that buy. Price: the smallest I can take is 0.000000000001.",
        ),
        (
            BadArgument("amount.too_big", what="quantity", most=Decimal(10**15)),
            "Can't record that buy. Quantity: the largest I can take is 1,000,000,000,000,000.",
        ),
        (
            BadArgument("amount.too_precise", what="quantity", places=18),
            "Can't record that buy. Quantity: at most 18 decimal places, please — round it and "
            "send it again.",
        ),
        (
            BadArgument("trade.too_early", earliest=date(2009, 1, 3)),
            "Can't record that buy. That date is before Jan 3, 2009, when Bitcoin's first block "
            "was mined: no coin was traded then. Check the year.",
        ),
        (
            BadArgument("trade.future"),
            "Can't record that buy. That date is in the future; trades are recorded once they "
            "happened.",
        ),
        (
            BadArgument("amount.not_positive", what="quantity"),
            "Can't record that buy. Quantity: it must be more than zero. "
            "Try <code>/buy BTC 0.5 @ 64000 fee 5 on 2024-03-01</code>.",
        ),
    ],
)
def test_numbers_and_dates_out_of_bounds_say_what_would_work(refusal: Refusal, line: str) -> None:
    assert trade_refused(EN, "buy", refusal) == line
    for language in (ES, RU):
        said = trade_refused(language, "buy", refusal)
        assert said and "\n" not in said and said != line
