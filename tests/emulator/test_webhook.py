"""Webhook delivery: setWebhook, posts with the secret, a chat's updates one at a time and in
order, Telegram's retries, getWebhookInfo, and getUpdates refused while a webhook is set."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from telegram import Bot, Update
from telegram.error import Conflict

from bot.emulator import Emulator, User
from bot.emulator.webhook import SECRET_HEADER

SECRET = "s3cret_token-1"


@dataclass
class Receiver:
    """The bot's side of a webhook: records each post and answers `status` (or holds it)."""

    url: str = ""
    posts: list[tuple[int, int, str | None, float]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answers to give first, then 200
    hold: asyncio.Event | None = None  # posts wait for it before answering
    in_flight: int = 0
    most_in_flight: int = 0
    bodies: list[dict[str, object]] = field(default_factory=list)

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.bodies.append(body)
        chat = (body.get("message") or {}).get("chat", {}).get("id", 0)
        self.posts.append((body["update_id"], chat, request.headers.get(SECRET_HEADER),
                           time.monotonic()))  # fmt: skip
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.hold is not None:
                await self.hold.wait()
            return web.Response(status=self.statuses.pop(0) if self.statuses else 200)
        finally:
            self.in_flight -= 1

    def texts(self) -> list[int]:
        return [update_id for update_id, *_ in self.posts]


async def until(check: Callable[[], object], timeout: float = 5.0) -> None:
    """Until `check()` is truthy (the receiver is outside the emulator: polled)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("the webhook never got there")
        await asyncio.sleep(0.01)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    got = Receiver()
    app = web.Application()
    app.router.add_post("/hook", got.receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    got.url = f"http://{host}:{port}/hook"
    yield got
    if got.hold is not None:
        got.hold.set()
    await runner.cleanup()


async def test_updates_are_posted_with_the_secret_in_order_and_confirmed(
    bot: Bot, emu: Emulator, alice: User, receiver: Receiver
) -> None:
    assert await bot.set_webhook(receiver.url, secret_token=SECRET)
    sent = [await emu.send_message(alice, f"m{i}") for i in range(5)]
    await until(lambda: len(receiver.posts) == 5 and not emu.state.updates)
    assert [secret for _, _, secret, _ in receiver.posts] == [SECRET] * 5
    assert {chat for _, chat, _, _ in receiver.posts} == {alice.id}
    assert receiver.texts() == sorted(receiver.texts())  # in order
    updates = [Update.de_json(body, bot) for body in receiver.bodies]
    assert [u.message.text for u in updates if u and u.message] == [m.text for m in sent]
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.last_error_message) == (receiver.url, 0, None)


async def test_get_updates_answers_409_while_a_webhook_is_set(
    bot: Bot, emu: Emulator, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates(timeout=0)
    await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


async def test_a_chat_gets_its_next_update_only_once_the_last_is_answered(
    bot: Bot, emu: Emulator, alice: User, receiver: Receiver
) -> None:
    bob = emu.add_user("Bob", "bob")
    receiver.hold = asyncio.Event()
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    await emu.send_message(alice, "first")
    await emu.send_message(alice, "second")
    await emu.send_message(bob, "bob's")
    await until(lambda: len(receiver.posts) == 2)  # alice's first and bob's, together
    await asyncio.sleep(0.2)  # nothing else comes while both are held
    assert sorted(chat for _, chat, _, _ in receiver.posts) == sorted([alice.id, bob.id])
    assert receiver.most_in_flight == 2
    receiver.hold.set()
    await until(lambda: len(receiver.posts) == 3 and not emu.state.updates)
    alice_posts = [update_id for update_id, chat, _, _ in receiver.posts if chat == alice.id]
    assert len(alice_posts) == 2 and alice_posts == sorted(alice_posts)


async def test_max_connections_bounds_the_posts_at_once(
    bot: Bot, emu: Emulator, receiver: Receiver
) -> None:
    receiver.hold = asyncio.Event()
    await bot.set_webhook(receiver.url, secret_token=SECRET, max_connections=2)
    for i in range(5):
        await emu.send_message(emu.add_user(f"U{i}"), "hi")
    await until(lambda: len(receiver.posts) == 2)
    await asyncio.sleep(0.2)
    assert len(receiver.posts) == 2
    receiver.hold.set()
    await until(lambda: len(receiver.posts) == 5 and not emu.state.updates)
    assert receiver.most_in_flight == 2


async def test_an_update_not_answered_2xx_is_posted_again_at_once_then_after_back_off(
    bot: Bot, emu: Emulator, alice: User, receiver: Receiver
) -> None:
    receiver.statuses = [500, 502]
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    await emu.send_message(alice, "again")
    await emu.send_message(alice, "behind it")
    await until(lambda: len(receiver.posts) == 2)
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 2
    assert "500" in (info.last_error_message or "") or "502" in (info.last_error_message or "")
    assert info.last_error_date is not None
    await until(lambda: len(receiver.posts) == 4 and not emu.state.updates, timeout=10)
    ids = receiver.texts()
    assert ids[0] == ids[1] == ids[2] < ids[3]  # the same update three times, then the next
    times = [at for *_, at in receiver.posts]
    assert times[2] - times[1] >= 1.5  # the second retry waited (2 s back-off)
    assert emu.webhook_posts()[-1].status == 200


async def test_a_webhook_nobody_answers_keeps_the_updates_for_get_updates(
    bot: Bot, emu: Emulator, alice: User
) -> None:
    await bot.set_webhook("http://127.0.0.1:9/hook", secret_token=SECRET)  # nothing listens
    await emu.send_message(alice, "kept")
    await until(lambda: emu.webhook_posts(), timeout=5)
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert "Connection failed" in (info.last_error_message or "")
    await bot.delete_webhook()  # back to polling: pending updates are kept
    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.text == "kept"


async def test_set_webhook_refuses_a_url_that_is_not_http(bot: Bot) -> None:
    from telegram.error import BadRequest

    with pytest.raises(BadRequest, match=r"(?i)https url"):
        await bot.set_webhook("ftp://example.com/hook")
