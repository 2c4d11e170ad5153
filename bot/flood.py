"""Each person's fair share of the bot: a token bucket per person in the cache (Redis when
there is one, so every bot process counts the same person together), asked by the update
processor (bot/updates.py) before an update waits for anything.

A person may send FLOOD_BURST messages and presses at once and FLOOD_RATE a second after that
(by default 20, then one a second — Telegram itself lets a bot answer a private chat about once
a second, so nobody is answered faster than that anyway). What is beyond it is turned away:
its handler never runs. The first message turned away in a flood gets one line asking to slow
down; the flood lasts until the bucket has filled up again, so a person who keeps flooding
hears it once. A press turned away is always answered — with a short line — as every press
must be, or the person's button keeps spinning.
"""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application

from bot.context import BotData
from bot.handlers.common import answer
from bot.i18n import Texts, texts_for
from bot.views.flood import slow_down, slow_down_press
from core.people import DEFAULT_LANGUAGE
from services.people import language_of

QUIET_KEPT = 10_000  # people remembered as flooding before those whose wait is over are forgotten
ASKING_AT_ONCE = 8  # calls to the cache's bucket in flight at once (a pool of 64 serves the rest)


def _limited(update: Update) -> bool:
    """What a person sends: messages, edits, presses and inline queries."""
    return bool(
        update.message or update.edited_message or update.callback_query or update.inline_query
    )


class FloodGate:
    """The bot's gate for OnePerPersonAndChat; settings and cache come from `app`'s BotData
    (the cache exists once post_init has built the Deps; before that everyone is let in)."""

    def __init__(self, app: Application) -> None:
        self._app = app
        # person -> loop time before which their bucket cannot grant (it said so when it last
        # denied): the rest of a flood is turned away here, without asking the cache each time
        self._quiet: dict[int, float] = {}
        # a burst of thousands of updates would otherwise queue thousands of calls on the
        # cache's connection pool at once, and its waiters' wake-ups cost more than the calls
        self._asking = asyncio.Semaphore(ASKING_AT_ONCE)

    async def admit(self, update: Update) -> tuple[bool, bool]:
        data: BotData = self._app.bot_data
        user = update.effective_user
        if data.deps is None or user is None or not _limited(update):
            return True, False
        now = asyncio.get_running_loop().time()
        if self._quiet.get(user.id, 0.0) > now:
            return False, False
        settings = data.settings
        async with self._asking:
            taken = await data.deps.cache.take_token(
                f"flood:{user.id}", settings.flood_burst, settings.flood_rate
            )
        if not taken.granted:
            if len(self._quiet) > QUIET_KEPT:
                self._quiet = {k: t for k, t in self._quiet.items() if t > now}
            self._quiet[user.id] = now + taken.wait
        return taken.granted, taken.first_denial

    async def turn_away(self, update: Update, tell: bool) -> None:
        if update.callback_query is not None:
            await answer(update.callback_query, slow_down_press(await self._texts(update)))
        elif tell and update.effective_chat is not None:
            text = slow_down(await self._texts(update))
            message = update.effective_message  # a forum topic's line goes to that topic
            topic = message.message_thread_id if message and message.is_topic_message else None
            await self._app.bot.send_message(
                update.effective_chat.id,
                text,
                parse_mode=ParseMode.HTML,
                message_thread_id=topic,
            )

    async def _texts(self, update: Update) -> Texts:
        data: BotData = self._app.bot_data
        user = update.effective_user
        if data.deps is None or user is None:
            return texts_for(DEFAULT_LANGUAGE)
        return texts_for(await language_of(data.deps, user.id, user.language_code))
