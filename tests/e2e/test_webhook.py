"""Webhook mode: the real Application takes its updates from the emulator's webhook posts —
PTB's own webhook server with the in-process cache, the ordered one (answers once handled)
with Redis — refuses posts without the secret, answers a person's commands in the order they
were typed, and goes back to polling (deleting the webhook) when WEBHOOK_URL is gone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from telegram import Bot

from bot.app import BotRuntime, build_application
from bot.emulator.webhook import SECRET_HEADER
from tests.e2e.conftest import BACKENDS, Stack, running_stack
from tests.ports import free_port

pytestmark = pytest.mark.asyncio(loop_scope="module")

SECRET = "e2e-webhook-secret"


@pytest_asyncio.fixture(loop_scope="module", params=BACKENDS)
async def hooked(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    port = free_port()
    settings = {
        "webhook_url": f"http://127.0.0.1:{port}/tg",
        "webhook_secret": SECRET,
        "webhook_listen": "127.0.0.1",
        "webhook_port": port,
        "webhook_path": "tg",
    }
    async with running_stack(request, tmp_path, **settings) as stack:
        yield stack


async def test_commands_come_by_webhook_and_are_answered(hooked: Stack) -> None:
    emu = hooked.emu
    alice = emu.add_user("Alice", "alice")
    reply = await hooked.ask(alice, "/start")
    assert reply.text
    assert emu.state.profile.webhook["url"].endswith("/tg")
    assert emu.state.profile.webhook["secret_token"] == SECRET
    # the ordered server answers once the reply is sent, so the post ends just after it
    posts = await emu.wait_for(lambda: emu.webhook_posts(), what="the post's answer")
    assert all(post.status == 200 for post in posts)
    assert not any(call.method == "getUpdates" for call in emu.calls)  # nobody polls


async def test_a_post_without_the_right_secret_is_refused(hooked: Stack) -> None:
    url = hooked.emu.state.profile.webhook["url"]
    bob = hooked.emu.add_user("Bob", "bob")
    forged = {
        "update_id": 10**9,
        "message": {
            "message_id": 1, "date": 0, "text": "/start",
            "chat": {"id": bob.id, "type": "private", "first_name": "Bob"},
            "from": {"id": bob.id, "is_bot": False, "first_name": "Bob"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }  # fmt: skip
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET[:-1]}):
            async with session.post(url, json=forged, headers=headers) as answer:
                assert answer.status == 403
    assert hooked.emu.bot_messages(bob) == []


async def test_a_persons_commands_are_answered_in_the_order_typed(hooked: Stack) -> None:
    emu = hooked.emu
    carol = emu.add_user("Carol", "carol")
    coins = [f"ZZ{n}" for n in range(8)]  # unknown coins: each refusal names the one asked
    for coin in coins:
        await emu.send_message(carol, f"/price {coin}")
    replies = await emu.wait_for_bot_messages(carol, count=len(coins), timeout=30)
    named = [next(coin for coin in coins if coin in (m.text or "")) for m in replies]
    assert named == coins


async def test_polling_again_deletes_the_webhook_and_keeps_what_is_pending(
    hooked: Stack,
) -> None:
    emu, settings = hooked.emu, hooked.app.bot_data.settings
    polling = settings.model_copy(update={"webhook_url": "", "webhook_secret": ""})
    async with Bot(emu.token, base_url=emu.base_url) as bot:
        await bot.delete_webhook()  # as if the webhook replicas were gone
        dave = emu.add_user("Dave", "dave")
        await emu.send_message(dave, "/start")  # pending, for whoever takes updates next
        await bot.set_webhook("http://127.0.0.1:9/nobody", secret_token=SECRET)
    app = build_application(
        polling, token=emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url,
        deps=hooked.deps,
    )  # fmt: skip
    runtime = BotRuntime(app)
    await runtime.start(poll_timeout=1)
    try:
        [reply] = await emu.wait_for_bot_messages(dave, timeout=10)
        assert reply.text
        assert emu.state.profile.webhook == {}
    finally:
        await runtime.stop()
