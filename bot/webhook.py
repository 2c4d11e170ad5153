"""Webhook mode: Telegram posts each update to us, behind a reverse proxy.

When WEBHOOK_URL is set the bot does not poll: on start it tells Telegram where to post
(setWebhook with the secret token, pending updates kept) and serves that path on
WEBHOOK_LISTEN:WEBHOOK_PORT; a request without the right X-Telegram-Bot-Api-Secret-Token is
refused (403). Going back to polling deletes the webhook (PTB's start_polling does).

One process (the in-process cache): PTB's own webhook server (Updater.start_webhook). It
answers 200 as soon as the update is queued; the Application then runs a person's updates one
after the other (bot.updates.OnePerPersonAndChat), so their order holds.

Several replicas (Redis: any number of `pythia bot` behind a round-robin proxy). Order is the
problem: PTB's early 200 lets Telegram post the person's next update at once, the proxy hands it
to another replica, and "/alert" can run before the "/start" typed before it. Two ways out:
- Queue every update in Redis, sharded by chat and person, each shard consumed by one replica
  at a time under a lease. It works with any sender, but it is a second delivery system
  (leases, take-over, acknowledgements, a backlog to watch) in front of the one Telegram runs.
- Let Telegram keep the order. The Bot API server (tdlib/telegram-bot-api, WebhookActor) keeps
  one queue per chat and posts a chat's next update only after the previous one was answered
  2xx (a failed post is retried, 0 s then 2, 4... up to a minute, and blocks that chat only);
  different chats go in parallel on up to `max_connections` connections. So if a replica
  answers only once the update has been *handled*, a chat's updates are handled strictly one
  after the other, whichever replica gets each.
We take the second (`OrderedWebhook`): nothing to run or lose in between, and a replica that
dies mid-update leaves it unanswered, so Telegram posts it again (to another replica: handled
at least once; what the dead one had half done is what a crash of one process does today).
The cost: one chat's updates are handled one at a time even in a group (Telegram's queue is the
chat, not the person), and throughput is bounded by `MAX_CONNECTIONS` slow handlers at once;
a handler running past `ANSWER_WITHIN` is answered anyway so Telegram does not post it twice.
The flood gate and the outbox are already shared through Redis and Postgres.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from dataclasses import dataclass, field

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from core.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # HTTP headers are case-blind
MAX_CONNECTIONS = 100  # Telegram's most: chats posted to us at once
ANSWER_WITHIN = 50.0  # seconds; a longer handler is answered anyway (Telegram would repost it)


async def start_webhook(app: Application, settings: Settings) -> OrderedWebhook | None:
    """Serve updates by webhook as `settings` say; the ordered server with Redis, else PTB's
    (then None: the updater runs it and stops it)."""
    if settings.redis_url:
        server = OrderedWebhook(app, settings)
        await server.start()
        return server
    assert app.updater is not None  # ApplicationBuilder always builds one
    await app.updater.start_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=settings.webhook_path,
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret,
        drop_pending_updates=False,
        max_connections=MAX_CONNECTIONS,
    )
    return None


@dataclass
class OrderedWebhook:
    """Answers Telegram's post of an update only once the Application has handled it."""

    app: Application
    settings: Settings
    _runner: web.AppRunner | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _closing: bool = False

    async def start(self) -> None:
        web_app = web.Application()
        web_app.router.add_post("/" + self.settings.webhook_path.lstrip("/"), self._receive)
        self._runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.webhook_listen, self.settings.webhook_port)
        await site.start()
        # listening first: Telegram may post the moment it knows where
        await self.app.bot.set_webhook(
            self.settings.webhook_url,
            secret_token=self.settings.webhook_secret,
            max_connections=MAX_CONNECTIONS,
            drop_pending_updates=False,
        )
        log.info("bot @%s takes updates at %s", self.app.bot.username, self.settings.webhook_url)

    async def stop(self, timeout: float = 8.0) -> None:
        """Take no new update (Telegram keeps it for a replica that does); finish those in
        hand."""
        self._closing = True
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=timeout)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        secret = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(secret.encode(), self.settings.webhook_secret.encode()):
            return web.Response(status=403)
        if self._closing:  # not answered 2xx: Telegram posts it again, to another replica
            return web.Response(status=503)
        try:
            update = Update.de_json(await request.json(), self.app.bot)
        except Exception:
            log.warning("webhook: a post that is not an update", exc_info=True)
            return web.Response(status=400)
        processor = self.app.update_processor
        task = asyncio.create_task(
            processor.process_update(update, self.app.process_update(update)),
            name=f"update-{update.update_id}",
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        try:
            await asyncio.wait_for(asyncio.shield(task), ANSWER_WITHIN)
        except TimeoutError:
            log.warning("webhook: update %s still running; answered", update.update_id)
        except Exception:  # handled as far as it goes: posting it again would not mend it
            log.exception("webhook: update %s failed", update.update_id)
        return web.Response(status=200)
