"""The typed context every handler receives: `context.deps` instead of globals."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.charts import ChartRenderer
from bot.delivery import OutboxSender
from bot.i18n import Texts, texts_for
from core.people import DEFAULT_LANGUAGE
from core.settings import Settings
from db.budget import TelegramBudget
from services.deps import Deps
from services.people import language_of


@dataclass
class BotData:
    settings: Settings = field(default_factory=Settings)
    deps: Deps | None = None
    owns_deps: bool = True  # False when `pythia run` shares one Deps with the workers
    charts: ChartRenderer | None = None
    outbox: OutboxSender | None = None  # started in post_init, stopped in post_stop
    budget: TelegramBudget | None = None  # Telegram's, shared by replicas (Redis only)


class CustomContext(CallbackContext[ExtBot[None], dict, dict, BotData]):
    """PTB's context plus Pythia's dependencies."""

    def __init__(
        self,
        application: Application,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self._texts: Texts | None = None

    async def texts(self, update: object) -> Texts:
        """Pythia's words in the language of the person who sent `update` (read once per
        update): the one they chose, else their Telegram's, else English."""
        if self._texts is None:
            user = update.effective_user if isinstance(update, Update) else None
            language = DEFAULT_LANGUAGE
            if user is not None and self.bot_data.deps is not None:
                language = await language_of(self.deps, user.id, user.language_code)
            self._texts = texts_for(language)
        return self._texts

    @property
    def charts(self) -> ChartRenderer:
        charts = self.bot_data.charts
        if charts is None:
            raise RuntimeError("the chart renderer is built in post_init")
        return charts

    @property
    def deps(self) -> Deps:
        deps = self.bot_data.deps
        if deps is None:
            raise RuntimeError("Deps are built in post_init; the application was not started")
        return deps
