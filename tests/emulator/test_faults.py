"""Injected faults: the next calls fail as Telegram can make them fail, then all is normal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

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
