"""A reply survives the calls that go with it failing: Telegram refusing "sending a photo…"
(a 5xx, which PTB raises as a NetworkError, or a 400) costs no picture, no file and no "sent
privately" line — through the emulator, on both stacks."""

from __future__ import annotations

import pytest

from bot.emulator.records import MessageRecord, User
from tests.e2e.conftest import Stack

# The module shares one running Pythia (the `stack` fixture), so it shares one event loop.
pytestmark = pytest.mark.asyncio(loop_scope="module")

PRIVATELY = "private: I've sent it to you in our private chat."


def failed_actions(stack: Stack, chat: object) -> int:
    """How many "sending…" notices to `chat` Telegram refused (each injected fault is used by
    exactly one call, so this proves the reply was prepared with the notice failing)."""
    chat_id = chat if isinstance(chat, int) else getattr(chat, "id", chat)
    return sum(
        1
        for call in stack.emu.failed_calls()
        if call.method == "sendChatAction" and str(call.params.get("chat_id")) == str(chat_id)
    )


async def replies(
    stack: Stack, user: User, text: str, count: int = 1, chat: object = None
) -> list[MessageRecord]:
    sent = await stack.emu.send_message(user, text, chat=chat)
    return await stack.emu.wait_for_bot_messages(chat or user, count, after=sent, timeout=15)


async def bought(stack: Stack, user: User, args: str) -> None:
    """`/buy args`, confirmed."""
    [preview] = await replies(stack, user, f"/buy {args}")
    query = await stack.emu.press_button(user, preview, text="✅ Confirm")
    await stack.emu.wait_for_callback_answer(query)
    await stack.emu.wait_for(lambda: not preview.buttons, what="the confirmed trade")


@pytest.mark.parametrize(
    ("code", "command", "caption"),
    [
        (500, "/chart DOGE 1h 3d", "DOGE Dogecoin · 1h · 3d"),
        (502, "/chart DOGE 1h 5d", "DOGE Dogecoin · 1h · 5d"),
        (400, "/chart DOGE 1h 6d", "DOGE Dogecoin · 1h · 6d"),
        (500, "/compare BTC SOL 14d", "BTC "),
        (502, "/corr 21d", "Correlation of 4 coins over 21d"),
    ],
)
async def test_a_failed_uploading_notice_costs_no_picture(
    with_candles: Stack, alice: User, code: int, command: str, caption: str
) -> None:
    with_candles.emu.fail_next("sendChatAction", chat=alice, code=code)
    [picture] = await replies(with_candles, alice, command)
    assert picture.photo is not None and picture.caption.startswith(caption), picture.text
    assert failed_actions(with_candles, alice) == 1


async def test_the_alert_chart_button_survives_a_failed_notice(with_candles: Stack, alice) -> None:
    [card] = await replies(with_candles, alice, "/alert ETH rsi > 99.9 1d")
    with_candles.emu.fail_next("sendChatAction", chat=alice, code=500)
    query = await with_candles.emu.press_button(alice, card, "alertchart:ETH", strict=False)
    assert not (await with_candles.emu.wait_for_callback_answer(query)).show_alert
    [picture] = await with_candles.emu.wait_for_bot_messages(alice, after=card, timeout=15)
    assert picture.photo is not None and picture.caption.startswith("ETH Ethereum · 1h · 7d")
    assert failed_actions(with_candles, alice) == 1


async def test_portfolio_text_and_picture_survive_a_failed_notice(stack: Stack, alice) -> None:
    await bought(stack, alice, "BTC 0.3 @ 60000")
    await bought(stack, alice, "SOL 7 @ 20")
    stack.emu.fail_next("sendChatAction", chat=alice, code=500)
    text, picture = await replies(stack, alice, "/portfolio", 2)
    assert text.text.startswith("Your portfolio · 2 holdings")
    assert picture.photo is not None and picture.caption.startswith("Allocation")
    assert failed_actions(stack, alice) == 1


async def test_in_a_group_the_sent_privately_line_survives_a_failed_notice(
    stack: Stack, alice
) -> None:
    await bought(stack, alice, "ETH 1.5 @ 2000")
    await bought(stack, alice, "DOGE 900 @ 0.1")
    group = stack.emu.add_group("Traders", members=[alice])
    before = len(stack.emu.bot_messages(alice))
    stack.emu.fail_next("sendChatAction", chat=alice, code=502)  # where the picture goes
    [note] = await replies(stack, alice, "/portfolio@pythia_bot", chat=group)
    assert note.text == "Your portfolio is " + PRIVATELY
    await stack.emu.wait_for(lambda: len(stack.emu.bot_messages(alice)) >= before + 2)
    text, picture = stack.emu.bot_messages(alice)[before:]
    assert text.text.startswith("Your portfolio · 2 holdings") and picture.photo is not None
    assert failed_actions(stack, alice) == 1


@pytest.mark.parametrize("in_group", [False, True], ids=["private", "group"])
async def test_export_survives_a_failed_notice(stack: Stack, alice, in_group: bool) -> None:
    await bought(stack, alice, "BTC 0.01 @ 61000")
    stack.emu.fail_next("sendChatAction", chat=alice, code=500)
    before = len(stack.emu.bot_messages(alice))
    if in_group:
        group = stack.emu.add_group("Traders", members=[alice])
        [note] = await replies(stack, alice, "/export@pythia_bot", chat=group)
        assert note.text == "Your trades are private: I've sent them to you in our private chat."
    else:
        await stack.emu.send_message(alice, "/export")
    await stack.emu.wait_for(lambda: len(stack.emu.bot_messages(alice)) > before)
    [document] = stack.emu.bot_messages(alice)[before:]
    assert document.document is not None
    assert document.document.content.startswith(b"id,date,side,symbol")
    assert failed_actions(stack, alice) == 1


async def test_a_lost_sent_privately_line_costs_nothing_else(stack: Stack, alice) -> None:
    group = stack.emu.add_group("Traders", members=[alice])
    before = len(stack.emu.bot_messages(alice))
    stack.emu.fail_next("sendMessage", chat=group, code=500)  # the note in the group
    sent = await stack.emu.send_message(alice, "/trades@pythia_bot", chat=group)
    await stack.emu.wait_for(lambda: len(stack.emu.bot_messages(alice)) > before, what="the list")
    assert stack.emu.bot_messages(alice)[before].text.startswith("You have no trades")
    after = await stack.ask(alice, "/help@pythia_bot", chat=group)  # handled after /trades
    said = [m.message_id for m in stack.emu.bot_messages(group) if m.message_id > sent.message_id]
    assert said == [after.message_id]  # and no apology for a note that could not be sent
    lost = [c for c in stack.emu.failed_calls() if str(c.params.get("chat_id")) == str(group.id)]
    assert [c.method for c in lost] == ["sendMessage"]


@pytest.mark.parametrize("code", [500, 502])
async def test_a_reply_telegram_failed_to_take_gets_an_apology(
    stack: Stack, alice: User, code: int
) -> None:
    stack.emu.fail_next("sendMessage", chat=alice, code=code)  # the reply: a NetworkError
    reply = await stack.ask(alice, "/price BTC")
    assert reply.text.startswith("Sorry — something went wrong on my side.")


async def test_an_apology_that_cannot_be_sent_is_not_tried_again(stack: Stack, alice: User) -> None:
    stack.emu.fail_next("sendMessage", chat=alice, code=502, times=2)  # the reply and the apology
    sent = await stack.emu.send_message(alice, "/price BTC")
    after = await stack.ask(alice, "/help")  # handled once /price and its error are done
    said = [m.message_id for m in stack.emu.bot_messages(alice) if m.message_id > sent.message_id]
    assert said == [after.message_id]
    tried = [
        c
        for c in stack.emu.calls_to("sendMessage")
        if str(c.params.get("chat_id")) == str(alice.id)
    ]
    assert [c.status for c in tried] == [502, 502, 200]


@pytest.mark.parametrize("mode", ["reset_after", "garbage"])
async def test_a_notice_whose_answer_is_lost_costs_no_picture(
    with_candles: Stack, alice: User, mode: str
) -> None:
    # Telegram shows the notice, but its answer never reaches the bot: a NetworkError to PTB
    with_candles.emu.fail_next("sendChatAction", chat=alice, mode=mode)
    period = {"reset_after": "8d", "garbage": "9d"}[mode]  # a picture not drawn before
    [picture] = await replies(with_candles, alice, f"/chart DOGE 1h {period}")
    assert picture.photo is not None and picture.caption.startswith("DOGE Dogecoin · 1h")
    lost = [c for c in with_candles.emu.calls_to("sendChatAction") if c.fault == mode]
    assert len(lost) == 1
