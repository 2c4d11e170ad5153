"""Webhook delivery as the Bot API server does it (tdlib/telegram-bot-api, WebhookActor).

After ``setWebhook(url, secret_token=, max_connections=)`` every pending update is POSTed to
``url`` as JSON with the header ``X-Telegram-Bot-Api-Secret-Token``, and ``getUpdates``
answers 409. What Telegram does, and so this does:

- one queue per chat (a press without a message: per user): a chat's next update is posted
  only once the previous one was answered 2xx, so a chat's updates arrive in order and one at
  a time; different chats go in parallel, at most ``max_connections`` at once;
- an update not answered 2xx (refused, an error status, no answer in time, no connection) is
  posted again: at once the first time, then after 2, 4, 8... seconds up to a minute (random
  between 60 and 120 s from there), or after the answer's ``Retry-After``; it holds up only its
  chat; ``getWebhookInfo`` shows ``pending_update_count``, ``last_error_date`` and
  ``last_error_message``;
- ``deleteWebhook`` stops the posting (what was not delivered stays pending for
  ``getUpdates``, unless ``drop_pending_updates``).

``posts`` records every attempt (update id, chat queue, status or error) for tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp

from bot.emulator.records import JsonDict, UpdateRecord

if TYPE_CHECKING:
    from bot.emulator.methods.common import ApiContext

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_RESEND = 60  # seconds: the longest back-off starts here (random up to twice that)
POST_TIMEOUT = 60.0  # seconds Telegram waits for the webhook to answer


@dataclass
class Post:
    update_id: int
    queue: int
    status: int | None  # None: no answer (connection refused, reset, time-out)
    error: str = ""
    monotonic: float = field(default_factory=time.monotonic)


@dataclass
class _Retry:
    delay: float = 1.0
    fails: int = 0
    at: float = 0.0  # monotonic time it may be posted again


def queue_of(update: UpdateRecord) -> int:
    """The queue an update waits in: its chat, else its sender."""
    payload = update.payload
    chat = payload.get("chat") or (payload.get("message") or {}).get("chat")
    if isinstance(chat, dict) and "id" in chat:
        return int(chat["id"])
    sender = payload.get("from") or {}
    return int(sender.get("id", 0))


class WebhookPusher:
    """Posts the emulator's pending updates to the webhook while one is set."""

    def __init__(self) -> None:
        self.url = ""
        self.secret: str | None = None
        self.max_connections = 40
        self.posts: list[Post] = []
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._in_flight: dict[int, asyncio.Task[None]] = {}  # queue -> its post
        self._retries: dict[int, _Retry] = {}  # update id -> its back-off
        self._session: aiohttp.ClientSession | None = None

    def set(self, ctx: ApiContext, url: str, secret: str | None, max_connections: int) -> None:
        self.url, self.secret = url, secret
        self.max_connections = max(1, min(max_connections, 100))
        self.last_error_date = self.last_error_message = None
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(ctx), name="webhook")

    async def close(self) -> None:
        """Stop posting (deleteWebhook, or the emulator stopping)."""
        self.url = ""
        tasks = [t for t in (self._task, *self._in_flight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._task, self._in_flight = None, {}
        if self._session is not None:
            await self._session.close()
            self._session = None

    def info(self) -> JsonDict:
        extra: JsonDict = {}
        if self.last_error_date is not None:
            extra = {
                "last_error_date": self.last_error_date,
                "last_error_message": self.last_error_message,
            }
        return extra

    async def _run(self, ctx: ApiContext) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=POST_TIMEOUT),
            connector=aiohttp.TCPConnector(limit=100, force_close=False),
        )
        while self.url:
            soonest = self._start_posts(ctx)
            async with ctx.changed:
                with contextlib.suppress(TimeoutError):
                    timeout = None if soonest is None else max(soonest - time.monotonic(), 0)
                    async with asyncio.timeout(timeout):  # not wait_for: see services.tasks
                        await ctx.changed.wait()

    def _start_posts(self, ctx: ApiContext) -> float | None:
        """Post the head of every queue that may go now; the monotonic time one next may."""
        now, soonest, seen = time.monotonic(), None, set()
        for update in ctx.state.pending_updates(len(ctx.state.updates)):
            queue = queue_of(update)
            if queue in seen:
                continue  # only a queue's first update may be posted
            seen.add(queue)
            if queue in self._in_flight:
                continue
            if len(self._in_flight) >= self.max_connections:
                break
            retry = self._retries.get(update.update_id)
            if retry is not None and retry.at > now:
                soonest = retry.at if soonest is None else min(soonest, retry.at)
                continue
            task = asyncio.get_running_loop().create_task(self._post(ctx, update, queue))
            self._in_flight[queue] = task
        return soonest

    async def _post(self, ctx: ApiContext, update: UpdateRecord, queue: int) -> None:
        assert self._session is not None
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        status, error, retry_after = None, "", 0
        try:
            async with self._session.post(self.url, json=update.to_api(), headers=headers) as r:
                status = r.status
                await r.read()
                if not 200 <= status <= 299:
                    error = f"Wrong response from the webhook: {status} {r.reason}"
                    with contextlib.suppress(ValueError):
                        retry_after = int(r.headers.get("Retry-After", "0"))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # refused, reset, timed out: Telegram says it like this
            error = f"Connection failed: {type(exc).__name__}"
        self.posts.append(Post(update.update_id, queue, status, error))
        if error:
            self._failed(update.update_id, error, retry_after)
        else:
            self._retries.pop(update.update_id, None)
            ctx.state.updates = [u for u in ctx.state.updates if u.update_id != update.update_id]
        self._in_flight.pop(queue, None)
        await ctx.notify()

    def _failed(self, update_id: int, error: str, retry_after: int) -> None:
        """Telegram's back-off: again at once, then doubling from 2 s up to a minute or two."""
        self.last_error_date, self.last_error_message = int(time.time()), error
        retry = self._retries.setdefault(update_id, _Retry())
        wait = float(min(max(retry_after, 0), 3600))
        if retry_after <= 0 and retry.fails > 0:
            ceiling = random.uniform(MAX_RESEND, MAX_RESEND * 2)
            retry.delay = min(ceiling, retry.delay * 2)
            wait = retry.delay
        retry.fails += 1
        retry.at = time.monotonic() + wait
