"""The in-process API: start the fake Telegram, act as users, observe what the bot did.

Typical use::

    async with Emulator() as emu:
        app = ApplicationBuilder().token(emu.token).base_url(emu.base_url)...build()
        alice = emu.add_user("Alice", username="alice")
        msg = await emu.send_message(alice, "/start")
        [reply] = await emu.wait_for_bot_messages(alice, after=msg)

Waiting uses the shared asyncio condition that every state change notifies; nothing sleeps.
World building and views live in ``world.py``, user actions in ``actions.py``.

Faults, for any Bot API method (``fail_next(method, chat=, times=, ...)``, also over the control
API and ``EmulatorClient``):

- ``code=429, retry_after=3`` / ``code=502`` / ``403`` / ``400``...: the call does nothing and
  answers that error, as Telegram would;
- ``mode="garbage"``: the call is carried out, then answered HTTP 200 with a body that is not
  JSON;
- ``mode="timeout_after"``: carried out, then the answer is held until the client gives up
  (at most ``hold`` seconds; a ``hold`` shorter than the client's patience is a slow answer);
- ``mode="reset_after"``: carried out, then the connection is closed without an answer.

The last three are what a bot cannot tell from "Telegram never got it" without care.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

from bot.emulator.actions import UserActions
from bot.emulator.limits import Clock, FloodLimiter, FloodLimits
from bot.emulator.methods import ApiContext
from bot.emulator.records import CallbackQueryRecord, MessageRecord, User
from bot.emulator.server import EmulatorServer
from bot.emulator.state import EmulatorState
from bot.emulator.webhook import Post
from bot.emulator.world import ChatRef, MessageRef

DEFAULT_TOKEN = "123456:TEST-TOKEN"
DEFAULT_FLOOD_LIMITS = FloodLimits()
# How long the waits below give the bot by default: a guard against a reply that never comes,
# not a measure of speed (benchmarks measure that). A reply takes milliseconds here, and
# seconds on a CI machine running four suites' workers on two cores.
PATIENCE = 15.0


def _describe(messages: Iterable[MessageRecord]) -> str:
    return "; ".join(f"#{m.message_id} {m.method}: {m.body[:80]!r}" for m in messages) or "none"


class Emulator(UserActions):
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "pythia_bot",
        bot_name: str = "Pythia",
        *,
        flood_limits: FloodLimits | None = DEFAULT_FLOOD_LIMITS,
        privacy_mode: bool = True,
        clock: Clock = time.monotonic,
    ):
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("token must look like '<bot id>:<secret>'")
        bot = User(id=int(bot_id), first_name=bot_name, username=bot_username, is_bot=True)
        limiter = FloodLimiter(flood_limits, clock) if flood_limits else None
        super().__init__(ApiContext(EmulatorState(bot), limiter, asyncio.Condition(), privacy_mode))
        self.token = token
        self.flood_limits = flood_limits
        self._runner: web.AppRunner | None = None
        self.url: str | None = None  # e.g. "http://127.0.0.1:8081"

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Emulator:
        """Serve on ``host:port`` (0 = a free port) in the running event loop."""
        app = EmulatorServer(self).build_app()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}"
        self.context.closing = False
        return self

    async def stop(self) -> None:
        """Release pending long polls, then shut the server down."""
        self.context.closing = True
        await self.context.notify()
        await self.context.webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _require_url(self) -> str:
        if self.url is None:
            raise RuntimeError("Emulator is not started; await emu.start() first")
        return self.url

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url()`` / ``Bot(base_url=...)``; PTB adds the token."""
        return f"{self._require_url()}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self._require_url()}/file/bot"

    @property
    def control_url(self) -> str:
        return f"{self._require_url()}/_emulator"

    def webhook_posts(self) -> list[Post]:
        """Every post of an update to the webhook so far (bot.emulator.webhook)."""
        return self.context.webhook.posts

    # ---- waiting ---------------------------------------------------------------------------

    async def wait_for(
        self, predicate: Callable[[], Any], timeout: float = PATIENCE, what: str = "condition"
    ) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every change); return its value."""
        condition = self.context.changed
        async with condition:
            try:
                async with asyncio.timeout(timeout):
                    return await condition.wait_for(predicate)
            except TimeoutError:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}") from None

    async def wait_for_bot_messages(
        self, chat: ChatRef, count: int = 1, after: MessageRef = 0, timeout: float = PATIENCE
    ) -> list[MessageRecord]:
        """The first ``count`` bot messages in ``chat`` with message_id > ``after``."""
        chat_id = self.chat(chat).id
        after_id = after.message_id if isinstance(after, MessageRecord) else after

        def new_messages() -> list[MessageRecord]:
            return [m for m in self.bot_messages(chat_id) if m.message_id > after_id]

        try:
            await self.wait_for(lambda: len(new_messages()) >= count, timeout)
        except TimeoutError:
            got = new_messages()
            failures = [f"{c.method} -> {c.status} {c.description}" for c in self.failed_calls()]
            raise TimeoutError(
                f"timed out after {timeout}s waiting for {count} bot message(s) in chat {chat_id} "
                f"after message_id {after_id}; got {len(got)}: {_describe(got)}. "
                f"Failed Bot API calls: {failures[-5:] or 'none'}. "
                f"Emulator errors: {len(self.internal_errors)}"
            ) from None
        return new_messages()[:count]

    async def wait_for_bot_messages_since(
        self, since: float, count: int, timeout: float = PATIENCE
    ) -> list[MessageRecord]:
        """Wait until `count` bot messages (any chat) exist after monotonic `since`."""
        await self.wait_for(
            lambda: len(self.state.bot_messages_since(since)) >= count,
            timeout,
            f"{count} bot messages since {since}",
        )
        return self.state.bot_messages_since(since)

    async def wait_for_callback_answer(
        self, query: CallbackQueryRecord | str, timeout: float = PATIENCE
    ) -> CallbackQueryRecord:
        query_id = query if isinstance(query, str) else query.id
        record = self.state.callback_queries[query_id]
        await self.wait_for(lambda: record.answered, timeout, f"answer to callback {query_id}")
        return record
