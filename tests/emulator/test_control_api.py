"""The control API through EmulatorClient, and ``python -m bot.emulator`` as a process."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from telegram import Bot

from bot.emulator import Emulator, EmulatorClient

from .conftest import make_png

REPO_ROOT = Path(__file__).resolve().parents[2]


async def test_client_round_trip(emu: Emulator, bot: Bot) -> None:
    async with EmulatorClient(emu.url) as client:
        assert client.base_url == emu.base_url
        alice = await client.add_user("Alice", "alice")
        bob = await client.add_user("Bob")
        group = await client.add_group("Traders", [alice, bob], supergroup=True)
        assert group.members == {alice.id: "member", bob.id: "member"}

        sent = await client.send_message(alice, "/price BTC")
        [update] = await bot.get_updates()
        assert update.message.text == "/price BTC"
        keyboard = {"inline_keyboard": [[{"text": "1h", "callback_data": "1h"}]]}
        await update.message.reply_text("BTC: 97000", reply_markup=keyboard)
        [reply] = await client.wait_for_bot_messages(alice, after=sent, timeout=2)
        assert reply.text == "BTC: 97000" and reply.from_bot

        query = await client.press_button(alice, reply, "1h")
        [update] = await bot.get_updates(offset=update.update_id + 1)
        await update.callback_query.answer("ok")
        assert (await client.wait_for_callback_answer(query, timeout=2)).answer_text == "ok"

        document = await client.send_document(bob, "a.csv", b"x,y\n", "text/csv")
        assert document.document.content == b"x,y\n"
        photo = await client.send_photo(bob, make_png(), caption="look")
        assert photo.photo.width == 64

        assert [m.text for m in await client.chat_messages(alice)] == ["/price BTC", "BTC: 97000"]
        assert [m.text for m in await client.bot_messages(alice)] == ["BTC: 97000"]
        assert [c.method for c in await client.calls()][:2] == ["getMe", "getUpdates"]
        assert await client.flood_violations() == []
        with pytest.raises(TimeoutError, match="waiting for 1 bot message"):
            await client.wait_for_bot_messages(bob, timeout=0.2)
        with pytest.raises(ValueError, match="unknown user"):
            await client._call("send_message", user_id=1, text="x")

        await client.block_bot(alice)
        assert emu.state.users[alice.id].blocked_bot
        await client.reset()
        assert emu.state.users == {} and emu.calls == []


async def test_standalone_process() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.emulator", "--port", "0", "--no-flood-limits",
        "--token", "42:SECRET", cwd=REPO_ROOT, env=env, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=10)
        base_url = line.decode().strip().removeprefix("base_url=")
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/bot")
        async with Bot("42:SECRET", base_url=base_url) as standalone_bot:
            assert standalone_bot.id == 42
            async with EmulatorClient(base_url.removesuffix("/bot")) as client:
                carol = await client.add_user("Carol")
                await standalone_bot.send_message(carol.id, "hi")
                assert [m.text for m in await client.bot_messages(carol)] == ["hi"]
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0


async def test_batch_injection_and_replies_since_a_moment(emu: Emulator, bot: Bot) -> None:
    async with EmulatorClient(emu.url) as client:
        users = [await client.add_user(f"U{i}") for i in range(3)]
        sent = await client.send_messages([(u, f"/price {i}", None) for i, u in enumerate(users)])
        assert [m.text for m in sent] == ["/price 0", "/price 1", "/price 2"]
        updates = await bot.get_updates()
        assert [u.message.from_user.id for u in updates] == [u.id for u in users]
        mark = max(m.monotonic for m in sent)
        for update in reversed(updates):
            await update.message.reply_text(f"echo {update.message.text}")
        replies = await client.bot_messages_since(mark)
        assert [r.text for r in replies] == ["echo /price 2", "echo /price 1", "echo /price 0"]
        assert await client.bot_messages_since(replies[-1].monotonic) == []
