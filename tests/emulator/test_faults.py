"""Injected faults: the next calls fail as Telegram (or the network between) can make them
fail, then all is normal."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.emulator import Emulator, EmulatorClient, User


async def test_retry_after_is_answered_once_then_the_send_goes_through(
    emu: Emulator, bot: Bot, alice: User
) -> None:
    emu.fail_next("sendMessage", chat=alice, code=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.id, "hello")
    assert caught.value.retry_after == timedelta(seconds=7)
    await bot.send_message(alice.id, "hello")
    assert [m.text for m in emu.bot_messages(alice)] == ["hello"]
    assert [(c.method, c.status) for c in emu.calls_to("sendMessage")] == [
        ("sendMessage", 429),
        ("sendMessage", 200),
    ]


async def test_a_fault_for_one_chat_leaves_other_chats_alone(
    emu: Emulator, bot: Bot, alice: User, bob: User
) -> None:
    emu.fail_next("sendMessage", chat=alice, code=502, times=2)
    await bot.send_message(bob.id, "fine")
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(alice.id, "hello")
    await bot.send_message(alice.id, "hello")
    assert [m.text for m in emu.bot_messages(alice)] == ["hello"]


async def test_forbidden_and_bad_request_faults(emu: Emulator, bot: Bot, alice: User) -> None:
    emu.fail_next(code=403)
    emu.fail_next(code=400, description="Bad Request: message is too long")
    with pytest.raises(Forbidden):
        await bot.send_message(alice.id, "a")
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(alice.id, "b")
    emu.fail_next(code=403)
    emu.reset()  # forgets faults with everything else
    bob = emu.add_user("Bob")
    await bot.send_message(bob.id, "c")


async def test_faults_through_the_control_api(emu: Emulator, bot: Bot, alice: User) -> None:
    async with EmulatorClient(emu.url) as client:
        await client.fail_next("sendMessage", chat=alice, code=429, retry_after=2)
    with pytest.raises(RetryAfter):
        await bot.send_message(alice.id, "hello")
    await bot.send_message(alice.id, "hello")


# ---- answers lost after the call was carried out ---------------------------------------------


async def test_a_garbled_answer_comes_after_the_message_was_stored(
    emu: Emulator, bot: Bot, alice: User
) -> None:
    emu.fail_next("sendMessage", chat=alice, mode="garbage")
    with pytest.raises(TelegramError, match="Invalid server response"):
        await bot.send_message(alice.id, "stored all the same")
    assert [m.text for m in emu.bot_messages(alice)] == ["stored all the same"]
    [call] = emu.calls_to("sendMessage")
    assert (call.status, call.fault) == (200, "garbage")
    await bot.send_message(alice.id, "and then all is normal")
    assert emu.calls_to("sendMessage")[-1].fault is None


async def test_a_held_answer_times_the_client_out_after_the_message_was_stored(
    emu: Emulator, bot: Bot, alice: User
) -> None:
    emu.fail_next("sendMessage", chat=alice, mode="timeout_after")  # held up to 60 s
    with pytest.raises(TimedOut):
        await bot.send_message(alice.id, "stored, answer never came", read_timeout=0.3)
    assert [m.text for m in emu.bot_messages(alice)] == ["stored, answer never came"]
    assert emu.calls_to("sendMessage")[0].fault == "timeout_after"
    await bot.send_message(alice.id, "next")  # the emulator is not stuck on the held one
    assert len(emu.bot_messages(alice)) == 2


async def test_an_answer_held_shorter_than_the_clients_patience_arrives_late(
    emu: Emulator, bot: Bot, alice: User
) -> None:
    emu.fail_next("sendMessage", chat=alice, mode="timeout_after", hold=0.5)
    started = time.monotonic()
    sent = await bot.send_message(alice.id, "slow", read_timeout=5)
    assert time.monotonic() - started >= 0.5
    assert sent.message_id == emu.bot_messages(alice)[0].message_id


async def test_a_connection_dropped_after_the_message_was_stored(
    emu: Emulator, bot: Bot, alice: User
) -> None:
    emu.fail_next("sendMessage", chat=alice, mode="reset_after")
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "stored, then hung up")
    assert [m.text for m in emu.bot_messages(alice)] == ["stored, then hung up"]
    await bot.send_message(alice.id, "next")
    assert len(emu.bot_messages(alice)) == 2


async def test_any_method_can_be_made_to_fail(emu: Emulator, bot: Bot, alice: User) -> None:
    emu.fail_next("sendChatAction", chat=alice, code=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_chat_action(alice.id, "typing")
    assert emu.chat_actions == []  # an error answer: nothing done
    emu.fail_next("sendChatAction", mode="garbage")
    with pytest.raises(TelegramError):
        await bot.send_chat_action(alice.id, "upload_photo")
    assert [a.action for a in emu.chat_actions] == ["upload_photo"]  # done, answer lost
    emu.fail_next("getMe", code=500, description="Internal Server Error")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.get_me()


async def test_an_unknown_fault_mode_is_refused(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="unknown fault mode"):
        emu.fail_next(mode="sometimes")
    async with EmulatorClient(emu.url) as client:
        with pytest.raises(ValueError, match="unknown fault mode"):
            await client.fail_next(mode="sometimes")
    assert emu.context.faults == []


async def test_lost_answers_through_the_control_api(emu: Emulator, bot: Bot, alice: User) -> None:
    async with EmulatorClient(emu.url) as client:
        await client.fail_next("sendMessage", chat=alice, mode="garbage", times=2)
        await client.fail_next("sendMessage", chat=alice, mode="timeout_after", hold=30)
        for _ in range(2):
            with pytest.raises(TelegramError):
                await bot.send_message(alice.id, "garbled")
        with pytest.raises(TimedOut):
            await bot.send_message(alice.id, "held", read_timeout=0.3)
        calls = await client.calls()
    sends = [call for call in calls if call.method == "sendMessage"]
    assert [call.fault for call in sends] == ["garbage", "garbage", "timeout_after"]
    assert [m.text for m in emu.bot_messages(alice)] == ["garbled", "garbled", "held"]


async def test_chat_actions_are_checked_like_messages(
    emu: Emulator, bot: Bot, alice: User, bob: User
) -> None:
    group = emu.add_group("Traders", [alice, bob])
    assert await bot.send_chat_action(group.id, "typing")
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(alice.id, "dancing")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_chat_action(424242, "typing")
    emu.block_bot(alice)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_chat_action(alice.id, "typing")
    emu.set_bot_status(group, "kicked")
    with pytest.raises(Forbidden, match="kicked"):
        await bot.send_chat_action(group.id, "typing")
    assert [(a.chat_id, a.action) for a in emu.chat_actions] == [(group.id, "typing")]
