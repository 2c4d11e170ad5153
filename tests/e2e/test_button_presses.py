"""Every button press is answered — the person's spinner stops — whatever the button: forged,
empty or oversized data, someone else's in a group, one whose alert was deleted or whose
confirmation expired, and one whose handler fails. Through the emulator, on both stacks."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.callbacks import (
    AlertAction,
    AlertsPage,
    Button,
    ConfirmButton,
    CostBasisChoice,
    CurrencyChoice,
    FlowButton,
    LanguageChoice,
    RefreshPrices,
    TradesPage,
    encode,
)
from bot.emulator.records import CallbackQueryRecord, MessageRecord, User
from db.models import Alert
from services.people import LANGUAGE_KEY
from tests.e2e.conftest import Stack

# The module shares one running Pythia (the `stack` fixture), so it shares one event loop.
pytestmark = pytest.mark.asyncio(loop_scope="module")

NO_LONGER_WORKS = "This button no longer works."
SORRY = "Sorry — something went wrong on my side."


async def alerts_of(stack: Stack, user: User) -> list[Alert]:
    async with stack.deps.sessions() as session:
        return list(await session.scalars(select(Alert).where(Alert.user_id == user.id)))


async def press(stack: Stack, user: User, message: MessageRecord, data: str) -> CallbackQueryRecord:
    """Press a button with `data` on `message`, whether or not the message shows it (a forged
    press), and wait for its answer."""
    query = await stack.emu.press_button(user, message, data, strict=False)
    return await stack.emu.wait_for_callback_answer(query)


async def unchanged_after(stack: Stack, user: User, message: MessageRecord) -> None:
    """Nothing more was said to `user` or done to `message` after the press was answered: the
    person's next update is handled after it, so anything it did comes before that reply."""
    edits, said = len(message.edits), len(stack.emu.bot_messages(message.chat_id))
    await stack.ask(user, "/help", chat=message.chat_id if message.chat_id != user.id else None)
    assert len(message.edits) == edits
    assert len(stack.emu.bot_messages(message.chat_id)) == said + 1


@pytest.mark.parametrize(
    "data",
    [
        "",
        ":",
        "alert:pause:" + "9" * 5000,
        "alert:pause:999999999999999999999999999999",
        "alert:pause:-1",
        "trades:{me}:99999999999999999999:",
        "alerts:{me}:99999999",
        "alertflow:{me}:go:a;b",
        "lang:de:{me}",
        "nosuchbutton",
        "x" * 65,
        "<b>hi</b>",
        "\u0000\ufffd",
    ],
    ids=lambda data: data[:24] or "empty",
)
async def test_a_forged_press_is_told_the_button_no_longer_works(
    stack: Stack, alice: User, data: str
) -> None:
    shown = await stack.ask(alice, "/language")
    answered = await press(stack, alice, shown, data.replace("{me}", str(alice.id)))
    assert answered.show_alert and answered.answer_text == NO_LONGER_WORKS
    await unchanged_after(stack, alice, shown)


def owned_by(owner: int) -> list[Button]:
    """A button of every kind that belongs to someone, owned by `owner`."""
    return [
        LanguageChoice("es", owner),
        CostBasisChoice("average", owner),
        CurrencyChoice("USDT", owner),
        AlertsPage(owner, 0),
        AlertAction("delete", 1, owner),
        TradesPage(owner, 0, None),
        ConfirmButton("abcdefgh12345678", "y", owner),
        RefreshPrices(owner),
        FlowButton(owner, "coin", "BTC"),
        FlowButton(owner, "cancel"),
    ]


async def test_in_a_group_someone_elses_buttons_are_answered_and_change_nothing(
    stack: Stack, alice: User
) -> None:
    bob = stack.emu.add_user("Bob")
    group = stack.emu.add_group("Traders", members=[alice, bob])
    shown = await stack.ask(alice, "/language@pythia_bot", chat=group)
    for button in owned_by(alice.id):
        answered = await press(stack, bob, shown, encode(button))
        assert answered.show_alert and answered.answer_text, encode(button)
        said = answered.answer_text
        if isinstance(button, AlertsPage | AlertAction):  # in a group: the group's alerts
            assert said == "Only this group's admins can change that.", said
        else:
            assert "someone else" in said or "Only the person" in said
    await unchanged_after(stack, bob, shown)
    assert (await stack.ask(alice, "/language")).text.startswith("I speak to you in English")


async def test_a_deleted_alerts_button_is_answered(stack: Stack, alice: User) -> None:
    card = await stack.ask(alice, "/alert SOL rsi > 99.9 1d")
    [alert] = await alerts_of(stack, alice)
    alert_id = alert.id
    delete = await press(stack, alice, card, encode(AlertAction("delete", alert_id, alice.id)))
    assert not delete.show_alert
    await stack.emu.wait_for(lambda: not card.buttons, what="the buttons going")
    for count, action in enumerate(("pause", "resume", "delete"), 1):  # as from another copy
        answered = await press(stack, alice, card, encode(AlertAction(action, alert_id, alice.id)))
        assert answered.answered
        said = await stack.emu.wait_for_bot_messages(alice, count, after=card)
        assert said[-1].text.startswith("This is someone else's alert, or it was deleted")
    [row] = await alerts_of(stack, alice)
    assert row.status == "deleted"


async def test_a_forged_confirm_is_answered_and_rewrites_no_message(
    stack: Stack, alice: User
) -> None:
    """A Confirm whose action is gone (replayed, or made up) pressed under a message that
    does not show it — in a group, anyone's — is answered and changes nothing: only a
    confirmation's own message says it expired (tests/e2e/test_trades.py)."""
    bob = stack.emu.add_user("Bob")
    group = stack.emu.add_group("Forged confirms", members=[alice, bob])
    preview = await stack.ask(alice, "/buy BTC 0.1 @ 60000")
    listing = await stack.ask(bob, "/help@pythia_bot", chat=group)
    stale = encode(ConfirmButton("abcdefgh12345678", "y", alice.id))  # no such pending action
    for message in (preview, listing):
        answered = await press(stack, alice, message, stale)
        assert answered.answered
        await unchanged_after(stack, alice, message)
    assert "expired" not in preview.text and preview.buttons


async def test_a_press_whose_handler_fails_is_answered_with_an_apology(
    stack: Stack, alice: User
) -> None:
    listing = await stack.ask(alice, "/alerts")
    page = encode(AlertsPage(alice.id, 0))
    # Break the far side of the database, not our code: the person's language is no longer in
    # the cache and the table it is read from is gone, so the handler fails before answering.
    await stack.deps.cache.delete(LANGUAGE_KEY.format(alice.id))
    async with stack.deps.engine.begin() as connection:
        await connection.exec_driver_sql("ALTER TABLE users RENAME TO users_away")
    try:
        answered = await press(stack, alice, listing, page)
    finally:
        async with stack.deps.engine.begin() as connection:
            await connection.exec_driver_sql("ALTER TABLE users_away RENAME TO users")
    assert answered.show_alert and (answered.answer_text or "").startswith(SORRY)


async def test_a_press_whose_handler_fails_after_answering_gets_one_apology(
    stack: Stack, alice: User
) -> None:
    await stack.ask(alice, "/watch BTC")
    table = await stack.ask(alice, "/prices")
    # answered at once, then the prices are read: from a table that is gone
    async with stack.deps.engine.begin() as connection:
        await connection.exec_driver_sql("ALTER TABLE watchlist RENAME TO watchlist_away")
    try:
        answered = await press(stack, alice, table, encode(RefreshPrices(alice.id)))
        [sorry] = await stack.emu.wait_for_bot_messages(alice, after=table)
    finally:
        async with stack.deps.engine.begin() as connection:
            await connection.exec_driver_sql("ALTER TABLE watchlist_away RENAME TO watchlist")
    assert not answered.show_alert and answered.answer_text is None
    assert sorry.text.startswith(SORRY) and "\n" not in sorry.text
    tried = [
        c
        for c in stack.emu.calls_to("answerCallbackQuery")
        if c.params.get("callback_query_id") == answered.id
    ]
    assert [c.status for c in tried] == [
        200
    ]  # the apology knew the press was answered: it was not tried again


async def test_a_press_from_someone_who_blocked_the_bot_is_answered_quietly(
    stack: Stack, alice: User, caplog: pytest.LogCaptureFixture
) -> None:
    shown = await stack.ask(alice, "/currency")
    stack.emu.block_bot(alice)  # the buttons stay on their screen; editing them is refused
    try:
        answered = await press(stack, alice, shown, encode(CurrencyChoice("USDT", alice.id)))
        await stack.emu.wait_for(
            lambda: any(c.method == "editMessageText" for c in stack.emu.failed_calls()),
            what="the refused edit",
        )
    finally:
        stack.emu.unblock_bot(alice)
    assert answered.answered
    await unchanged_after(stack, alice, shown)  # and no apology it could not have read
    tried = [
        c.status
        for c in stack.emu.calls_to("answerCallbackQuery")
        if c.params.get("callback_query_id") == answered.id
    ]
    assert tried == [200]  # answered once: the failure after it did not try again
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # blocked is no bug


async def test_a_press_under_a_picture_answers_below_it(with_candles: Stack, alice: User) -> None:
    """A picture has no text to replace: a valid button of the person's own pressed under a
    chart (forged there) is answered, and what it shows comes as a message below it."""
    sent = await with_candles.emu.send_message(alice, "/chart BTC")
    (chart,) = await with_candles.emu.wait_for_bot_messages(alice, after=sent, timeout=15)
    assert chart.photo is not None
    before = len(with_candles.emu.bot_messages(alice))
    failed_before = len(with_candles.emu.failed_calls())  # the module's earlier tests' own
    answered = await press(with_candles, alice, chart, encode(LanguageChoice("ru", alice.id)))
    assert not answered.show_alert
    said = await with_candles.emu.wait_for_bot_messages(alice, after=chart, timeout=10)
    assert len(with_candles.emu.bot_messages(alice)) == before + 1 and said[-1].text
    assert chart.edits == [] and chart.photo is not None
    failed = with_candles.emu.failed_calls()[failed_before:]
    assert not [c for c in failed if c.method.startswith("edit")]
    await with_candles.ask(alice, "/language en")
