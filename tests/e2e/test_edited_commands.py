"""An edited command that changes something is not done again: its edit gets one line saying to
send it anew, and nothing is previewed, recorded or set. A command that only reads answers its
edit afresh (it is how a typo is fixed). Through the emulator, on both stacks."""

from __future__ import annotations

import pytest

from bot.app import build_application
from bot.emulator.records import MessageRecord, User
from bot.handlers.fallbacks import changing_commands
from core.settings import Settings
from tests.e2e.conftest import Stack

# The module shares one running Pythia (the `stack` fixture), so it shares one event loop.
pytestmark = pytest.mark.asyncio(loop_scope="module")

NOT_AGAIN = "I don't act on edited commands that change something — send it again as a new message."


async def edit(stack: Stack, user: User, sent: MessageRecord, text: str) -> MessageRecord:
    """Edit `sent` to `text`; the one reply to the edit."""
    before = [m.message_id for m in stack.emu.bot_messages(sent.chat_id)]
    await stack.emu.edit_message(user, sent, text)
    latest = before[-1] if before else 0
    (reply,) = await stack.emu.wait_for_bot_messages(sent.chat_id, after=latest)
    return reply


async def bought(stack: Stack, user: User, args: str) -> None:
    """`/buy args`, confirmed."""
    preview = await stack.ask(user, f"/buy {args}")
    confirmed = await stack.emu.press_button(user, preview, text="✅ Confirm")
    await stack.emu.wait_for_callback_answer(confirmed)
    await stack.emu.wait_for(lambda: not preview.buttons, what="the trade recorded")


async def edited_once_sent(
    stack: Stack, user: User, typed: str, edited: str, chat: object = None
) -> MessageRecord:
    """Send `typed` and edit it to `edited`; the reply to what was sent. The edit is answered
    with the one line, and writes nothing."""
    sent = await stack.emu.send_message(user, typed, chat=chat)
    [first] = await stack.emu.wait_for_bot_messages(chat or user, after=sent)
    before = await stack.row_counts()
    reply = await edit(stack, user, sent, edited)
    assert reply.text == NOT_AGAIN and not reply.buttons
    assert await stack.row_counts() == before  # no second pending action, trade or alert
    return first


@pytest.mark.parametrize(
    ("typed", "edited", "first"),
    [
        ("/buy BTC 0.1 @ 60000", "/buy BTC 0.2 @ 60000", "Record this buy?"),
        ("/sell BTC 0.1 @ 60000", "/sell BTC 0.2 @ 60000", "Record this sell?"),
        ("/alert SOL rsi > 99.9 1d", "/alert SOL rsi > 99.5 1d", "🔔 Alert #"),
        ("/watch BTC", "/watch BTC ETH", ""),
        ("/timezone Europe/Madrid", "/timezone Europe/Moscow", ""),
    ],
)
async def test_an_edited_command_that_changes_something_is_not_done_again(
    stack: Stack, alice, typed: str, edited: str, first: str
) -> None:
    await bought(stack, alice, "BTC 1 @ 50000")  # something to sell
    reply = await edited_once_sent(stack, alice, typed, edited)
    assert reply.text.startswith(first)


async def test_an_edited_undo_is_not_offered_again(stack: Stack, alice) -> None:
    await bought(stack, alice, "ETH 1 @ 2000")
    offer = await edited_once_sent(stack, alice, "/undo", "/undo last")
    assert offer.buttons, offer.text


async def test_in_a_group_an_edited_buy_is_not_done_again(stack: Stack, alice) -> None:
    group = stack.emu.add_group("Traders", members=[alice])
    typed, edited = "/buy@pythia_bot SOL 3 @ 20", "/buy@pythia_bot SOL 4 @ 20"
    preview = await edited_once_sent(stack, alice, typed, edited, chat=group)
    assert preview.buttons


async def test_an_edited_price_is_answered_afresh(stack: Stack, alice) -> None:
    sent = await stack.emu.send_message(alice, "/price BTCC")
    [refused] = await stack.emu.wait_for_bot_messages(alice, after=sent)
    assert "BTCC" in refused.text
    reply = await edit(stack, alice, sent, "/price BTC")
    assert reply.text.startswith("BTC")


async def test_every_command_that_changes_something_ignores_its_edits() -> None:
    app = build_application(Settings(), token="1:x", rate_limit=False)
    routed = [handler for group in app.handlers.values() for handler in group]
    assert changing_commands(routed) == {
        "alert",
        "buy",
        "cancel",
        "channel",
        "costbasis",
        "currency",
        "digest",
        "follow",
        "language",
        "quiet",
        "sell",
        "settings",
        "start",
        "timezone",
        "undo",
        "unfollow",
        "unwatch",
        "watch",
    }
