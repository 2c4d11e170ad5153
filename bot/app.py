"""The PTB Application, built in one factory: routing, lifecycle and dependencies in one place."""

from __future__ import annotations

import asyncio
import logging

from telegram import BotCommand
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
)

from bot.charts import ChartRenderer
from bot.context import BotData, CustomContext
from bot.delivery import OutboxSender
from bot.delivery.pacing import Pacer
from bot.errors import on_error
from bot.flood import FloodGate
from bot.handlers import admin as operators
from bot.handlers import (
    alerts,
    backtest,
    basic,
    charts,
    chats,
    digest,
    follow,
    market,
    news,
    portfolio,
    predictions,
    preferences,
    price,
    settings_menu,
    ta,
    trades,
    watchlist,
)
from bot.handlers import settings as setting_handlers
from bot.handlers.common import command_names
from bot.handlers.fallbacks import (
    UnreadableButton,
    changing_commands,
    edits_of,
    unknown_button,
)
from bot.i18n import texts_for
from bot.limiter import FairRateLimiter
from bot.request import AiohttpRequest
from bot.shutdown import STOP_GRACE, finish_updates, stop_sending
from bot.updates import OnePerPersonAndChat
from bot.views.basic import menu
from bot.webhook import OrderedWebhook, start_webhook
from core.people import DEFAULT_LANGUAGE, LANGUAGES
from core.settings import Settings
from db.budget import TelegramBudget
from db.heartbeat import BEAT_EVERY, beat
from services.deps import Deps, build_deps, close_deps

log = logging.getLogger(__name__)

HANDLER_MODULES = (
    basic,
    chats,
    price,
    watchlist,
    follow,
    market,
    charts,
    ta,
    news,
    predictions,
    backtest,
    trades,
    portfolio,
    setting_handlers,
    preferences,
    settings_menu,
    digest,
)


async def _post_init(app: Application) -> None:
    """Build what handlers need, then publish the command menu."""
    data: BotData = app.bot_data
    if data.deps is None:
        data.deps = await build_deps(data.settings)
        data.owns_deps = True
    data.charts = ChartRenderer()
    for language in LANGUAGES:  # each person's app shows the menu in its own language
        commands = [BotCommand(name, text) for name, text in menu(texts_for(language))]
        code = None if language == DEFAULT_LANGUAGE else language
        await app.bot.set_my_commands(commands, language_code=code)
    await operators.publish_menu(app.bot, data.settings.admin_ids)  # theirs lists /status too
    deps, settings = data.deps, data.settings
    # several replicas may send as the bot: with Redis, they share one Telegram budget
    if settings.redis_url:
        data.budget = TelegramBudget(settings.redis_url, per_second=settings.outbox_rate)
    if isinstance(app.bot.rate_limiter, FairRateLimiter):
        app.bot.rate_limiter.share(data.budget)
    pacer = Pacer(per_second=settings.outbox_rate, budget=data.budget)
    data.outbox = OutboxSender(app.bot, deps, pacer, charts=data.charts)
    await data.outbox.start()


async def _post_stop(app: Application) -> None:
    """Finish the sends in flight while the bot can still send."""
    data: BotData = app.bot_data
    if data.outbox is not None:
        await data.outbox.stop()
        data.outbox = None


async def _post_shutdown(app: Application) -> None:
    data: BotData = app.bot_data
    await _post_stop(app)  # when stopped without app.stop(), e.g. a failed start
    if data.charts is not None:
        data.charts.close()
        data.charts = None
    if data.budget is not None:
        await data.budget.close()
        data.budget = None
    if data.deps is not None and data.owns_deps:
        await close_deps(data.deps)
        data.deps = None


def build_application(
    settings: Settings,
    *,
    token: str,
    base_url: str | None = None,
    base_file_url: str | None = None,
    deps: Deps | None = None,
    rate_limit: bool | None = None,
) -> Application:
    """A ready-to-start Application; `deps` are shared when bot and workers run in one process."""
    processor = OnePerPersonAndChat()
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url or settings.bot_api_base_url)
        .base_file_url(base_file_url or settings.bot_api_file_url)
        .context_types(ContextTypes(context=CustomContext, bot_data=BotData))
        # one slow reply must not hold up everyone else's; one person's run in order
        .concurrent_updates(processor)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connections=1))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if settings.telegram_rate_limit if rate_limit is None else rate_limit:
        # PTB types the builder's limiter before one is chosen (BaseRateLimiter[None])
        builder = builder.rate_limiter(FairRateLimiter(max_retries=3))  # type: ignore[arg-type]
    app = builder.build()
    processor.guard(FloodGate(app))  # nobody's flood slows down everyone else
    data: BotData = app.bot_data
    data.settings, data.deps, data.owns_deps = settings, deps, deps is None
    routed = [handler for module in HANDLER_MODULES for handler in module.HANDLERS]
    routed += alerts.handlers()  # its conversation holds state: one per Application
    routed += settings_menu.TYPED  # typed text no conversation took: a zone search?
    routed += operators.handlers(settings.admin_ids)  # for anyone else: no such commands
    processor.commands = command_names(routed)  # metrics label each by its command
    app.add_handler(UnreadableButton())  # first: no other handler sees data it cannot read
    app.add_handlers(routed)
    app.add_handler(CallbackQueryHandler(unknown_button))  # last: a press nothing else took
    app.add_handler(edits_of(changing_commands(routed)))  # an edit is not a new request
    app.add_error_handler(on_error)
    return app


class BotRuntime:
    """Start and stop an Application inside an event loop we already run (one loop for
    bot, workers and emulator), calling the lifecycle hooks as run_polling would."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self._heart: asyncio.Task[None] | None = None
        self._webhook: OrderedWebhook | None = None

    async def _beat(self) -> None:
        deps = self.app.bot_data.deps
        while deps is not None:
            try:
                await beat(deps.cache, "bot")
            except Exception:  # the health check will notice; the bot carries on
                log.warning("heartbeat failed", exc_info=True)
            await asyncio.sleep(BEAT_EVERY)

    async def start(self, poll_timeout: float = 10.0) -> None:
        await self.app.initialize()
        if self.app.post_init:
            await self.app.post_init(self.app)
        settings: Settings = self.app.bot_data.settings
        if settings.webhook_url:  # Telegram posts updates to us (see bot.webhook)
            self._webhook = await start_webhook(self.app, settings)
        else:  # polling deletes a webhook left set, keeping what is pending
            assert self.app.updater is not None  # ApplicationBuilder always builds one
            await self.app.updater.start_polling(
                poll_interval=0.0, timeout=int(poll_timeout), drop_pending_updates=False
            )
        await self.app.start()
        self._heart = asyncio.create_task(self._beat(), name="bot-heartbeat")
        if settings.webhook_url:
            log.info("bot @%s takes updates by webhook", self.app.bot.username)
        else:
            log.info("bot @%s is polling", self.app.bot.username)

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """No new updates or claims at once; the handlers running and the sends in flight
        finish within `grace` seconds, the rest is cancelled (bot.shutdown); then close."""
        deadline = asyncio.get_running_loop().time() + grace
        if self._heart is not None:
            self._heart.cancel()
        sending = stop_sending(self.app, grace)  # unstarted claims handed back now
        if self._webhook is not None:  # no new updates; those in hand finish first
            left = max(deadline - asyncio.get_running_loop().time(), 0.0)
            await self._webhook.stop(timeout=left)  # what is left: asyncio.run's to cancel
            self._webhook = None
        if self.app.updater and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await finish_updates(self.app, deadline)
        await sending
        if self.app.post_stop:
            await self.app.post_stop(self.app)
        await self.app.shutdown()
        if self.app.post_shutdown:
            await self.app.post_shutdown(self.app)
