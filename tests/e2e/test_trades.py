"""/buy, /sell, /undo, /trades, /export and CSV imports through the emulator, on both stacks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from bot.callbacks import ConfirmButton, decode
from bot.emulator.records import CallbackQueryRecord, MessageRecord, User
from core.people import ChatSeen, PersonSeen, Preferences
from core.refusal import Refusal
from db.models import PendingAction
from db.repos import trades as trade_rows
from db.repos.people import set_preferences
from services import trades
from services.ledgers import load_ledger
from tests.e2e.conftest import Stack

# The module shares one running Pythia (the `stack` fixture), so it shares one event loop.
pytestmark = pytest.mark.asyncio(loop_scope="module")


async def trade_count(stack: Stack, user: User) -> int:
    async with stack.deps.sessions() as session:
        return await trade_rows.count(session, user.id)


async def stored(stack: Stack, user: User) -> list[tuple]:
    """The person's trades as stored, without ids: (asset, side, quantity, price, fee, …)."""
    async with stack.deps.sessions() as session:
        found = await trade_rows.all_trades(session, user.id)
    return [(t.asset, t.side, t.quantity, t.price, t.fee, t.executed_at, t.quote) for t in found]


async def press(
    stack: Stack, user: User, message: MessageRecord, label: str
) -> CallbackQueryRecord:
    """Press the button labelled `label` and wait until the bot has answered and finished."""
    query = await stack.emu.press_button(user, message, text=label)
    answered = await stack.emu.wait_for_callback_answer(query)
    if not answered.show_alert and answered.answer_text is None:
        await stack.emu.wait_for(lambda: not message.buttons, what="the outcome edit")
    return answered


async def buy(stack: Stack, user: User, args: str, chat: object = None) -> MessageRecord:
    """`/buy args`, confirmed; the edited message."""
    preview = await stack.ask(user, f"/buy {args}", chat=chat)
    await press(stack, user, preview, "✅ Confirm")
    return preview


async def test_buy_shows_the_trade_and_confirm_records_exactly_one(stack: Stack, alice) -> None:
    preview = await stack.ask(alice, "/buy BTC 0.5 @ 64000 fee 5 on 2024-03-01")
    assert preview.text.split("\n") == [
        "Record this buy?",
        "0.5 BTC at 64,000.00 USD",
        "Fee: 5.00 USD",
        "Total: 32,005.00 USD",
        "Date: Mar 1, 2024, 12:00 UTC",
    ]
    assert [b["text"] for b in preview.buttons] == ["✅ Confirm", "✖️ Cancel"]
    assert all(len(b["callback_data"]) <= 64 for b in preview.buttons)
    pressed = decode(preview.buttons[0]["callback_data"])
    assert isinstance(pressed, ConfirmButton) and pressed.owner == alice.id
    assert "BTC" not in preview.buttons[0]["callback_data"]  # the token, not the trade
    assert await trade_count(stack, alice) == 0  # nothing before Confirm
    await press(stack, alice, preview, "✅ Confirm")
    assert preview.text == (
        "✅ Bought 0.5 BTC at 64,000.00 USD on Mar 1, 2024, 12:00 UTC — total 32,005.00 USD. "
        "Recorded."
    )
    assert not preview.buttons
    [row] = await stored(stack, alice)
    assert row[:5] == ("BTC", "buy", Decimal("0.5"), Decimal("64000"), Decimal("5"))
    assert row[6] == "USD"
    assert all(type(v) is Decimal for v in row[2:5])


async def test_buy_without_a_price_takes_the_market_price(stack: Stack, alice) -> None:
    preview = await stack.ask(alice, "/buy eth 2")
    assert "(the market price now)" in preview.text
    await press(stack, alice, preview, "✅ Confirm")
    [row] = await stored(stack, alice)
    quote = (await stack.deps.cache.get_prices(["ETH"]))["ETH"]
    assert row[0] == "ETH" and row[3] > 0 and abs(row[3] - quote.price) <= quote.price / 10


async def test_cancel_records_nothing(stack: Stack, alice) -> None:
    preview = await stack.ask(alice, "/buy BTC 1 @ 60000")
    before = await stack.row_counts()
    await press(stack, alice, preview, "✖️ Cancel")
    assert preview.text == "Cancelled — nothing was changed." and not preview.buttons
    assert await stack.row_counts() == before


async def test_a_second_confirm_press_records_nothing_more(stack: Stack, alice) -> None:
    preview = await stack.ask(alice, "/buy SOL 10 @ 140")
    data = preview.buttons[0]["callback_data"]
    # two presses before the bot answered either
    first = await stack.emu.press_button(alice, preview, data)
    second = await stack.emu.press_button(alice, preview, data)
    await stack.emu.wait_for_callback_answer(first)
    await stack.emu.wait_for_callback_answer(second)
    await stack.emu.wait_for(lambda: not preview.buttons, what="the outcome edit")
    late = await stack.emu.press_button(alice, preview, data, strict=False)
    await stack.emu.wait_for_callback_answer(late)  # answered at once, and nothing more
    assert await trade_count(stack, alice) == 1
    await asyncio.sleep(0.2)  # the late press had time to act, if it were to
    assert preview.text.startswith("✅ Bought 10 SOL")
    assert await trade_count(stack, alice) == 1


async def test_confirms_taken_at_the_same_moment_record_once(stack: Stack, alice) -> None:
    preview = await stack.ask(alice, "/buy ETH 1 @ 3000")
    token = decode(preview.buttons[0]["callback_data"]).token
    person, chat = PersonSeen(alice.id, alice.first_name), ChatSeen(alice.id, "private")
    outcomes = await asyncio.gather(
        *(trades.confirm(stack.deps, person, chat, token, True) for _ in range(6)),
        return_exceptions=True,
    )
    recorded = [o for o in outcomes if isinstance(o, trades.Recorded)]
    assert len(recorded) == 1, outcomes
    assert all(o == Refusal("confirm.answered") for o in outcomes if o is not recorded[0])
    assert await trade_count(stack, alice) == 1


async def test_someone_else_pressing_confirm_changes_nothing(stack: Stack, alice) -> None:
    bob = stack.emu.add_user("Bob")
    group = stack.emu.add_group("Traders", members=[alice, bob])
    preview = await stack.ask(alice, "/buy@pythia_bot BTC 0.1 @ 60000", chat=group)
    before = await stack.row_counts()
    for label in ("✅ Confirm", "✖️ Cancel"):
        answered = await press(stack, bob, preview, label)
        assert answered.answer_text == "Only the person who asked can answer this."
        assert answered.show_alert
    assert await stack.row_counts() == before
    assert preview.text.startswith("Record this buy?") and len(preview.buttons) == 2
    await press(stack, alice, preview, "✅ Confirm")  # still hers to answer
    assert await trade_count(stack, alice) == 1 and await trade_count(stack, bob) == 0


async def test_confirm_checks_the_ledger_again(stack: Stack, alice) -> None:
    await buy(stack, alice, "BTC 1 @ 60000 on 2024-01-01")
    first = await stack.ask(alice, "/sell BTC 1 @ 65000")
    second = await stack.ask(alice, "/sell BTC 1 @ 66000")  # fine while the first is pending
    await press(stack, alice, first, "✅ Confirm")
    await press(stack, alice, second, "✅ Confirm")
    assert second.text.startswith("Not recorded. You held no BTC on ")
    assert await trade_count(stack, alice) == 2


SELL = "/sell BTC 5 @ 70000"
NOT_READ = "is not a number I can read — write it like 0.5, 64000 or 64,000.50."


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (SELL, "Can't record that sell. You held no BTC on "),
        (
            "/buy BTC 0 @ 64000",
            "Can't record that buy. Quantity: it must be more than zero. "
            "Try /buy BTC 0.5 @ 64000 fee 5 on 2024-03-01.",
        ),
        ("/buy BTC -1 @ 64000", f"Can't record that buy. Quantity: “-1” {NOT_READ}"),
        ("/buy BTC 1 @ 0", "Can't record that buy. Price: it must be more than zero."),
        (
            "/buy BTC 1 @ 64000 on 2099-01-01",
            "Can't record that buy. That date, Jan 1, 2099, 12:00 UTC, is in the future",
        ),
        ("/buy BTC 1 @ 64000 on 2999-01-01", "Can't record that buy. That date is in the future"),
        ("/buy FOOCOIN 1 @ 5", "Unknown symbol: FOOCOIN"),
        ("/buy", "Can't record that buy. Say which coin and how much, like BTC 0.5"),
        ("/buy " + "A" * 5000, "Can't record that buy. Say which coin and how much"),
        ("/buy BTC " + "9" * 5000, "Can't record that buy. Quantity: that has more digits than"),
        ("/buy " + "A" * 5000 + " 1", "Not a coin I know: AAAAAAAAAAAAAAAAAAAAAAA…"),
        ("/buy 🚀 1 @ 5", "Not a coin I know: 🚀"),
        ("/buy BTC 🚀", f"Can't record that buy. Quantity: “🚀” {NOT_READ}"),
        ("/buy BTC 1e30 @ 5", f"Can't record that buy. Quantity: “1e30” {NOT_READ}"),
        ("/buy BTC " + "9" * 25 + " @ 5", "Can't record that buy. Quantity: the largest I can"),
        ("/buy BTC 1 @ 5 fee -1", f"Can't record that buy. Fee: “-1” {NOT_READ}"),
        (
            "/buy BTC 1 @ 64000 please",
            "Can't record that buy. I don't understand “please”; add @ PRICE, fee FEE or on DATE.",
        ),
    ],
)
async def test_bad_trade_input_gets_one_line_and_writes_nothing(
    stack: Stack, alice, typed: str, expected: str
) -> None:
    await stack.ask(alice, "/start")
    before = await stack.row_counts()
    reply = await stack.ask(alice, typed)
    assert reply.text.startswith(expected), reply.text
    assert "\n" not in reply.text and not reply.buttons
    assert len(reply.text) < 300
    assert await stack.row_counts() == before


async def test_replies_escape_what_people_type(stack: Stack, alice) -> None:
    reply = await stack.ask(alice, "/buy BTC 1 @ 5 <b>x</b>")
    assert "<b>x</b>" in reply.text  # shown as typed, so it was escaped in the HTML
    assert not stack.emu.failed_calls()


@pytest.mark.parametrize(
    ("typed", "quantity"),
    [("/buy BTC 0,5 @ 64000", "0.5 BTC"), ("/buy BTC 1.234,56 @ 5", "1,234.56 BTC")],
)
async def test_a_decimal_comma_that_cannot_be_misread_works_in_english_too(
    stack: Stack, alice, typed: str, quantity: str
) -> None:
    preview = await stack.ask(alice, typed)
    assert preview.text.split("\n")[1].startswith(f"{quantity} at ")
    await press(stack, alice, preview, "✅ Confirm")
    assert await trade_count(stack, alice) == 1


async def test_undo_removes_the_last_trade_after_confirm(stack: Stack, alice) -> None:
    await buy(stack, alice, "BTC 1 @ 60000 on 2024-01-01")
    await buy(stack, alice, "ETH 3 @ 3000 on 2024-01-02")
    preview = await stack.ask(alice, "/undo")
    assert preview.text.split("\n") == [
        "Undo your last trade?",
        "Jan 2, 2024, 12:00 UTC · buy 3 ETH at 3,000.00 USD",
    ]
    await press(stack, alice, preview, "✖️ Cancel")
    assert await trade_count(stack, alice) == 2
    again = await stack.ask(alice, "/undo")
    await press(stack, alice, again, "↩️ Undo it")
    assert again.text == "↩️ Removed: Jan 2, 2024, 12:00 UTC · buy 3 ETH at 3,000.00 USD."
    assert [row[0] for row in await stored(stack, alice)] == ["BTC"]


async def test_undo_refuses_a_buy_a_later_sell_depends_on(stack: Stack, alice) -> None:
    # Through /buy and /sell the last recorded trade never has a sell depending on it (that
    # sell would have been recorded after it); a ledger written in another order can. Set one
    # up as the trades repository stores it: the sell first, then the buy it needs.
    await stack.ask(alice, "/start")
    btc = stack.deps.directory.ids["BTC"]
    now = stack.deps.clock.now()
    sell = (btc, "sell", Decimal(1), Decimal(62000), Decimal(0), datetime(2024, 1, 3, tzinfo=UTC))
    bought = (btc, "buy", Decimal(1), Decimal(60000), Decimal(0), datetime(2024, 1, 2, tzinfo=UTC))
    async with stack.deps.sessions.begin() as session:
        await trade_rows.add(session, alice.id, [(*sell, "USD"), (*bought, "USD")], now)
    before = await stack.row_counts()
    reply = await stack.ask(alice, "/undo")
    assert reply.text == (
        "Can't undo your last trade: a later sell depends on it — without it, you held no BTC "
        "on Jan 3, 2024, 00:00 UTC, so there was nothing to sell."
    )
    assert not reply.buttons
    assert await stack.row_counts() == before


async def test_undo_with_nothing_to_undo(stack: Stack, alice) -> None:
    reply = await stack.ask(alice, "/undo")
    assert reply.text == "You have no trades to undo." and not reply.buttons


async def test_undo_in_a_group_touches_only_the_senders_trades(stack: Stack, alice) -> None:
    bob = stack.emu.add_user("Bob")
    group = stack.emu.add_group("Traders", members=[alice, bob])
    await buy(stack, alice, "BTC 1 @ 60000", chat=group)
    await buy(stack, bob, "ETH 2 @ 3000", chat=group)
    alices = await stack.ask(alice, "/undo@pythia_bot", chat=group)
    assert "ETH" not in alices.text and "BTC" in alices.text
    answered = await press(stack, bob, alices, "↩️ Undo it")  # Bob tries Alice's button
    assert answered.show_alert and await trade_count(stack, alice) == 1
    bobs = await stack.ask(bob, "/undo@pythia_bot", chat=group)
    await press(stack, bob, bobs, "↩️ Undo it")
    assert await trade_count(stack, bob) == 0 and await trade_count(stack, alice) == 1


async def test_trades_pages_newest_first_owner_only(stack: Stack, alice) -> None:
    for day in range(1, 13):
        await buy(stack, alice, f"DOGE {day} @ 0.1 on 2024-02-{day:02d}")
    first = await stack.ask(alice, "/trades")
    lines = first.text.split("\n")
    assert lines[0] == "Your trades · 12 trades, newest first · page 1 of 2"
    assert lines[1] == "Feb 12, 2024, 12:00 UTC · buy 12 DOGE at 0.1000 USD"
    assert len(lines) == 11
    assert [b["text"] for b in first.buttons] == ["Older ▶"]
    bob = stack.emu.add_user("Bob")
    stolen = await stack.emu.press_button(bob, first, first.buttons[0]["callback_data"])
    refused = await stack.emu.wait_for_callback_answer(stolen)
    assert refused.show_alert and "someone else's trades" in refused.answer_text
    assert first.text.split("\n")[0].endswith("page 1 of 2")
    query = await stack.emu.press_button(alice, first, text="Older ▶")
    await stack.emu.wait_for_callback_answer(query)
    await stack.emu.wait_for(lambda: "page 2 of 2" in first.text, what="page 2")
    assert first.text.split("\n")[1:] == [
        "Feb 2, 2024, 12:00 UTC · buy 2 DOGE at 0.1000 USD",
        "Feb 1, 2024, 12:00 UTC · buy 1 DOGE at 0.1000 USD",
    ]
    assert [b["text"] for b in first.buttons] == ["◀ Newer"]
    assert len(stack.emu.bot_messages(alice)) == 12 + 1  # edited in place


async def test_trades_of_one_coin(stack: Stack, alice) -> None:
    await buy(stack, alice, "BTC 1 @ 60000 on 2024-01-01")
    await buy(stack, alice, "ETH 1 @ 3000 on 2024-01-02")
    reply = await stack.ask(alice, "/trades btc")
    assert reply.text.split("\n") == [
        "Your BTC trades · 1 trade, newest first · page 1 of 1",
        "Jan 1, 2024, 12:00 UTC · buy 1 BTC at 60,000.00 USD",
    ]
    assert not reply.buttons
    none = await stack.ask(alice, "/trades SOL")
    assert none.text == "You have no SOL trades — see all yours with /trades."


async def test_trades_in_a_group_go_to_the_private_chat(stack: Stack, alice) -> None:
    bob = stack.emu.add_user("Bob")
    group = stack.emu.add_group("Traders", members=[alice, bob])
    await buy(stack, alice, "BTC 1 @ 60000 on 2024-01-01")
    before = len(stack.emu.bot_messages(alice))
    reply = await stack.ask(alice, "/trades@pythia_bot", chat=group)
    assert reply.text == "Your trades are private: I've sent them to you in our private chat."
    [private] = stack.emu.bot_messages(alice)[before:]
    assert "60,000.00 USD" in private.text
    assert all("60,000" not in m.body for m in stack.emu.chat_messages(group))


async def test_trades_and_export_in_a_group_for_someone_the_bot_cannot_reach(
    stack: Stack,
) -> None:
    carol = stack.emu.add_user("Carol", started=False)
    group = stack.emu.add_group("Traders", members=[carol])
    for command in ("trades", "export"):
        reply = await stack.ask(carol, f"/{command}@pythia_bot", chat=group)
        assert reply.text == (
            "Your trades are private, and I can't write to you first: open a private chat "
            f"with @pythia_bot, press Start, then send /{command} there."
        )
    assert any(
        c.status == 403 and "can't initiate conversation" in (c.description or "")
        for c in stack.emu.failed_calls()
    )


async def test_export_then_import_reproduces_the_ledger(stack: Stack, alice) -> None:
    await buy(stack, alice, "BTC 0.12345678 @ 60000.5 fee 1.25 on 2024-01-01")
    await buy(stack, alice, "ETH 2 @ 3000 on 2024-01-02 09:30")
    sold = await stack.ask(alice, "/sell BTC 0.1 @ 65000 fee 2 on 2024-01-03")
    await press(stack, alice, sold, "✅ Confirm")
    sent = await stack.emu.send_message(alice, "/export")
    [document] = await stack.emu.wait_for_bot_messages(alice, after=sent)
    assert document.method == "sendDocument"
    assert document.document.file_name.startswith("pythia-trades-")
    assert document.document.file_name.endswith(".csv")
    assert document.caption.startswith("Your 3 trades as CSV.")
    exported = document.document.content
    assert exported.startswith(b"id,date,side,symbol,quantity,price,fee,quote")

    twin = stack.emu.add_user("Twin")
    preview = await upload(stack, twin, document.document.file_name, exported)
    assert preview.text.split("\n")[0] == f"{document.document.file_name}: 3 trades to record."
    assert await trade_count(stack, twin) == 0
    await press(stack, twin, preview, "✅ Confirm")
    assert preview.text == "✅ Recorded 3 trades from the file. See them with /trades."
    assert await stored(stack, twin) == await stored(stack, alice)
    async with stack.deps.sessions() as session:
        mine = await load_ledger(session, alice.id, Preferences())
        theirs = await load_ledger(session, twin.id, Preferences())
    assert mine.positions() == theirs.positions()


async def upload(stack: Stack, user: User, name: str, content: bytes) -> MessageRecord:
    sent = await stack.emu.send_document(user, name, content)
    [reply] = await stack.emu.wait_for_bot_messages(user, after=sent)
    return reply


async def test_export_with_no_trades(stack: Stack, alice) -> None:
    reply = await stack.ask(alice, "/export")
    assert reply.text.startswith("You have no trades to export yet")


PLAIN = (
    "date,side,symbol,quantity,price,fee\n"
    "2024-01-01,buy,BTC,1,60000,5\n"
    "2024-01-02,buy,NOTACOIN,1,5,0\n"
    "2024-01-03,sell,ETH,1,3000,0\n"
    "2024-01-04,buy,BTC,-1,60000,0\n"
    "2024-01-05,buy,SOL,10,140,\n"
    "not a date,buy,SOL,1,1,0\n"
    "2999-01-01,buy,SOL,1,1,0\n"
)


async def test_a_csv_with_bad_lines_reports_each_and_records_only_on_confirm(
    stack: Stack, alice
) -> None:
    preview = await upload(stack, alice, "mine.csv", PLAIN.encode())
    lines = preview.text.split("\n")
    assert lines[0] == "mine.csv: 2 trades to record. 5 lines refused:"
    assert lines[1] == "Line 3: 2024-01-02,buy,NOTACOIN,1,5,0 — NOTACOIN is not a coin I know."
    assert lines[2].startswith("Line 4: 2024-01-03,sell,ETH,1,3000,0 — You held no ETH on")
    assert lines[3].startswith("Line 5: ")
    assert lines[4].startswith("Line 7: not a date,buy,SOL,1,1,0 — The date “not a date”")
    assert lines[5].startswith("Line 8: ") and "future" in lines[5]
    assert lines[6] == "Record the 2 trades? All of them or none."
    assert await trade_count(stack, alice) == 0
    await press(stack, alice, preview, "✅ Confirm")
    assert [(row[0], row[2]) for row in await stored(stack, alice)] == [
        ("BTC", Decimal(1)),
        ("SOL", Decimal(10)),
    ]


async def test_an_import_is_checked_again_at_confirm(stack: Stack, alice) -> None:
    await buy(stack, alice, "BTC 1 @ 60000 on 2024-01-01")
    csv = b"date,side,symbol,quantity,price,fee\n2024-02-01,sell,BTC,1,61000,0\n"
    preview = await upload(stack, alice, "sell.csv", csv)
    sold = await stack.ask(alice, "/sell BTC 1 @ 62000 on 2024-01-15")
    await press(stack, alice, sold, "✅ Confirm")
    await press(stack, alice, preview, "✅ Confirm")
    assert preview.text.startswith("Not recorded. You held no BTC on Feb 1, 2024, 00:00 UTC")
    assert await trade_count(stack, alice) == 2


async def test_a_long_list_of_refusals_fits_one_message(stack: Stack, alice) -> None:
    rows = "".join(f"2024-01-01,buy,ZZZ{i},1,1,0\n" for i in range(400))
    preview = await upload(
        stack, alice, "many.csv", f"date,side,symbol,quantity,price,fee\n{rows}".encode()
    )
    assert preview.text.startswith("many.csv: nothing I can record. 400 lines refused:")
    assert preview.text.split("\n")[-1].startswith("…and ")
    assert preview.text.split("\n")[-1].endswith(" more lines refused.")
    assert len(preview.text) <= 4096 and not preview.buttons


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "x.csv",
            b"\xff\xfe\x00garbage",
            "I couldn't read trades from x.csv. The file is not UTF-8",
        ),
        ("x.csv", b"hello,world\n1,2\n", "I couldn't read trades from x.csv. The first line"),
        ("big.csv", b"date,side\n" + b"x" * (1024 * 1024 + 1), "That file is 1.0 MB; I import"),
    ],
)
async def test_a_file_that_is_not_trades_gets_one_line(
    stack: Stack, alice, name: str, content: bytes, expected: str
) -> None:
    await stack.ask(alice, "/start")
    before = await stack.row_counts()
    reply = await upload(stack, alice, name, content)
    assert reply.text.startswith(expected), reply.text
    assert not reply.buttons
    assert await stack.row_counts() == before


async def test_an_expired_confirmation_says_so_and_records_nothing(stack: Stack, alice) -> None:
    preview = await stack.ask(alice, "/buy BTC 1 @ 60000")
    token = decode(preview.buttons[0]["callback_data"]).token
    past = stack.deps.clock.now() - timedelta(seconds=1)  # what ten minutes do to it
    async with stack.deps.sessions.begin() as session:
        await session.execute(
            update(PendingAction).where(PendingAction.token == token).values(expires_at=past)
        )
    await press(stack, alice, preview, "✅ Confirm")
    await stack.emu.wait_for(lambda: not preview.buttons, what="the buttons to go")
    assert preview.text.startswith("Record this buy?")
    assert preview.text.endswith("\n\nThis confirmation has expired — send the command again.")
    assert await trade_count(stack, alice) == 0


async def test_a_trade_is_recorded_in_the_persons_quote_currency(stack: Stack, alice) -> None:
    await stack.ask(alice, "/start")
    async with stack.deps.sessions.begin() as session:
        await set_preferences(session, alice.id, quote="USDT")
    preview = await stack.ask(alice, "/buy ETH 1.5 @ 3000.5 fee 1")
    assert "Total: 4,501.75 USDT" in preview.text.split("\n")
    await press(stack, alice, preview, "✅ Confirm")
    [row] = await stored(stack, alice)
    assert row[-1] == "USDT"


async def test_an_import_books_dollar_coins_as_usd_and_refuses_other_currencies(
    stack: Stack, alice
) -> None:
    csv = (
        "id,date,side,symbol,quantity,price,fee,quote\r\n"
        '7,2024-01-01T00:00:00Z,buy,BTC,1,"60000",0,USDT\r\n'
        "8,2024-01-02T00:00:00Z,buy,ETH,1,3000,0,EUR\r\n"
        "9,2024-01-03T00:00:00Z,buy,ETH,1,3100,0,\r\n"
    )
    preview = await upload(stack, alice, "theirs.csv", csv.encode())
    assert preview.text.split("\n")[:2] == [
        "theirs.csv: 2 trades to record. 1 line refused:",
        "Line 3: 8,2024-01-02T00:00:00Z,buy,ETH,1,3000,0,EUR — This portfolio is kept in USD, "
        "not EUR.",
    ]
    await press(stack, alice, preview, "✅ Confirm")
    assert [(row[0], row[-1]) for row in await stored(stack, alice)] == [
        ("BTC", "USD"),
        ("ETH", "USD"),
    ]


async def test_undo_is_checked_again_at_confirm(stack: Stack, alice) -> None:
    await buy(stack, alice, "BTC 1 @ 60000 on 2024-01-01")
    preview = await stack.ask(alice, "/undo")
    await buy(stack, alice, "ETH 1 @ 3000 on 2024-01-02")
    await press(stack, alice, preview, "↩️ Undo it")
    assert preview.text == (
        "Not undone. Your last trade changed since you asked; send /undo again."
    )
    assert await trade_count(stack, alice) == 2


# ---- bounds: numbers, dates and odd stored rows --------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            "/buy BTC 1 @ 0.0000000000000000000000000001",
            "Can't record that buy. Price: the smallest I can take is 0.000000000001.",
        ),
        (
            "/buy SHIB 1000000000000001 @ 0.00001",
            "Can't record that buy. Quantity: the largest I can take is 1,000,000,000,000,000.",
        ),
        (
            "/buy BTC 1.0000000000000000001 @ 5",
            "Can't record that buy. Quantity: at most 18 decimal places, please — round it and "
            "send it again.",
        ),
        (
            "/sell SOL 1 on 0001-01-01 00:00",
            "Can't record that sell. That date is before Jan 3, 2009, when Bitcoin's first block "
            "was mined: no coin was traded then. Check the year.",
        ),
        ("/buy BTC 1 @ 5 on 1900-01-01", "Can't record that buy. That date is before Jan 3, 2009"),
        (
            "/buy BTC 1 @ 100 on 9999-12-31 23:00",
            "Can't record that buy. That date is in the future; trades are recorded once they "
            "happened.",
        ),
    ],
)
async def test_numbers_and_dates_beyond_any_real_trade_get_one_line_and_write_nothing(
    stack: Stack, alice, typed: str, expected: str
) -> None:
    await stack.ask(alice, "/start")
    await stack.ask(alice, "/timezone America/New_York")  # the calendar's ends overflow here
    before = await stack.row_counts()
    reply = await stack.ask(alice, typed)
    assert reply.text.startswith(expected) and "\n" not in reply.text, reply.text
    assert not reply.buttons
    assert await stack.row_counts() == before


async def test_a_stored_year_one_trade_lists_and_undoes_after_a_change_of_zone(
    stack: Stack, alice
) -> None:
    # Stored before dates were bounded: noon on 1 Jan of year 1 in Tokyo. West of Greenwich
    # that moment falls before datetime's first day.
    await stack.ask(alice, "/timezone Asia/Tokyo")
    btc, now = stack.deps.directory.ids["BTC"], stack.deps.clock.now()
    row = (btc, "buy", Decimal(1), Decimal(100), Decimal(0), datetime(1, 1, 1, 3, tzinfo=UTC))
    async with stack.deps.sessions.begin() as session:
        await trade_rows.add(session, alice.id, [(*row, "USD")], now)
    await stack.ask(alice, "/timezone America/New_York")
    listed = await stack.ask(alice, "/trades")
    assert listed.text.split("\n") == [
        "Your trades · 1 trade, newest first · page 1 of 1",
        "Jan 1, 1, 03:00 UTC · buy 1 BTC at 100.00 USD",  # in UTC: New York's calendar ends
    ]
    preview = await stack.ask(alice, "/undo")
    assert preview.text.startswith("Undo your last trade?")
    await press(stack, alice, preview, "↩️ Undo it")
    assert preview.text == "↩️ Removed: Jan 1, 1, 03:00 UTC · buy 1 BTC at 100.00 USD."
    assert await trade_count(stack, alice) == 0
