"""getMe, real long polling, offsets, allowed_updates and the 409 conflict."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot
from telegram.error import Conflict, InvalidToken

from bot.emulator import Emulator, User


async def test_get_me(bot: Bot, emu: Emulator) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (123456, "pythia_bot", "Pythia", True)
    assert me.can_read_all_group_messages is False  # privacy mode on, as for a new bot
    assert emu.calls[0].method == "getMe"


async def test_wrong_token_is_unauthorized(emu: Emulator) -> None:
    wrong = Bot("999:WRONG", base_url=emu.base_url)
    try:
        with pytest.raises(InvalidToken, match="was rejected by the server"):
            await wrong.initialize()
    finally:
        await wrong.shutdown()


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    bot: Bot, emu: Emulator, alice: User
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    # Wait until the emulator is actually holding the request open.
    await emu.wait_for(lambda: any(c.method == "getUpdates" and c.status == 0 for c in emu.calls))
    await emu.send_message(alice, "hello")
    updates = await poll
    assert time.monotonic() - started < 2
    assert [u.message.text for u in updates] == ["hello"]
    assert updates[0].message.from_user.id == alice.id
    assert updates[0].message.chat.type == "private"


async def test_long_poll_times_out_with_no_updates(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3


async def test_offset_confirms_updates(bot: Bot, emu: Emulator, alice: User) -> None:
    for text in ("one", "two", "three"):
        await emu.send_message(alice, text)
    first = await bot.get_updates()
    assert [u.message.text for u in first] == ["one", "two", "three"]
    assert [u.update_id for u in first] == sorted({u.update_id for u in first})
    # Without a higher offset nothing is confirmed: the same updates come again.
    assert [u.update_id for u in await bot.get_updates()] == [u.update_id for u in first]
    assert [u.message.text for u in await bot.get_updates(offset=first[1].update_id)] == [
        "two",
        "three",
    ]
    assert await bot.get_updates(offset=first[-1].update_id + 1) == ()
    assert emu.state.updates == []


async def test_limit_and_negative_offset(bot: Bot, emu: Emulator, alice: User) -> None:
    for index in range(5):
        await emu.send_message(alice, f"m{index}")
    assert [u.message.text for u in await bot.get_updates(limit=2)] == ["m0", "m1"]
    assert [u.message.text for u in await bot.get_updates(offset=-2)] == ["m3", "m4"]
    assert len(emu.state.updates) == 2  # older ones were forgotten


async def test_allowed_updates_filters_types(bot: Bot, emu: Emulator, alice: User) -> None:
    await emu.send_message(alice, "text")
    reply = await bot.send_message(alice.id, "pick", reply_markup={
        "inline_keyboard": [[{"text": "A", "callback_data": "a"}]]
    })  # fmt: skip
    record = emu.state.find_message(alice.id, reply.message_id)
    await emu.press_button(alice, record, "a")
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in updates] == ["a"]


async def test_second_poller_terminates_the_first(bot: Bot, emu: Emulator) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await emu.wait_for(lambda: any(c.method == "getUpdates" and c.status == 0 for c in emu.calls))
    async with Bot(emu.token, base_url=emu.base_url) as other:
        second = asyncio.create_task(other.get_updates(timeout=0))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first
        assert await second == ()


async def test_webhook_blocks_polling(bot: Bot) -> None:
    assert await bot.set_webhook("https://example.com/hook")
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
