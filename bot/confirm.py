"""Ask before acting: a Confirm / Cancel keyboard whose pending action waits in the cache.

The callback data carries only a random token. The action's kind, its owner and its data wait
under that token for PENDING_TTL seconds (Redis or the in-process cache alike). Only the
owner's press counts; the entry is taken under a lock and marked answered before the action
runs, so pressing Confirm twice, or in two processes, acts once.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.context import CustomContext
from db.cache import Cache

PENDING_TTL = 600.0  # ten minutes to make up one's mind
YES, NO = "y", "n"
EXPIRED = "This confirmation has expired — send the command again."
NOT_YOURS = "Only the person who asked can answer this."
ANSWERED = "This was already answered."
CANCELLED = "Cancelled — nothing was changed."

# An action runs on Confirm with the pending data and returns the message's new text (HTML).
Action = Callable[[Update, CustomContext, Any], Awaitable[str]]


class Confirmations:
    """Pending actions of the kinds in `actions`, answered by buttons whose data starts `prefix`."""

    def __init__(self, prefix: str, actions: Mapping[str, Action]) -> None:
        self.prefix = prefix
        self.actions = dict(actions)

    def key(self, token: str) -> str:
        return f"confirm:{self.prefix}:{token}"

    async def ask(
        self, cache: Cache, owner: int, kind: str, data: Any, confirm: str = "✅ Confirm"
    ) -> InlineKeyboardMarkup:
        """Keep the action pending and return the keyboard that answers it."""
        if kind not in self.actions:
            raise ValueError(f"no action {kind!r}")
        token = secrets.token_urlsafe(12)
        entry = {"owner": owner, "kind": kind, "data": data, "answered": False}
        await cache.set(self.key(token), json.dumps(entry), PENDING_TTL)
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(confirm, callback_data=f"{self.prefix}:{token}:{YES}"),
                    InlineKeyboardButton("✖️ Cancel", callback_data=f"{self.prefix}:{token}:{NO}"),
                ]
            ]
        )

    async def _take(self, cache: Cache, key: str) -> dict[str, Any] | None:
        """The pending entry, marked answered so no other press takes it; None if gone/taken."""
        async with cache.lock(key + ":taking", ttl=30.0, wait=5.0) as held:
            raw = await cache.get(key) if held else None
            entry = None if raw is None else json.loads(raw)
            if entry is None or entry["answered"]:
                return None
            await cache.set(key, json.dumps({**entry, "answered": True}), PENDING_TTL)
            return entry

    async def pressed(self, update: Update, context: CustomContext) -> None:
        """Confirm or Cancel: act once, for the owner only, and show the outcome in place."""
        query = update.callback_query
        if query is None or query.data is None:
            return
        _, token, choice = query.data.split(":")
        cache, key = context.deps.cache, self.key(token)
        raw = await cache.get(key)
        if raw is None:
            await query.answer(EXPIRED, show_alert=True)
            await _drop_buttons(query)
            return
        if json.loads(raw)["owner"] != query.from_user.id:
            await query.answer(NOT_YOURS, show_alert=True)
            return
        entry = await self._take(cache, key)
        if entry is None:
            await query.answer(ANSWERED)
            return
        await query.answer()
        if choice == YES:
            text = await self.actions[entry["kind"]](update, context, entry["data"])
        else:
            text = CANCELLED
        await query.edit_message_text(text, parse_mode="HTML")  # no markup: the buttons go

    def handler(self) -> CallbackQueryHandler:
        return CallbackQueryHandler(self.pressed, pattern=rf"^{self.prefix}:[\w-]+:[{YES}{NO}]$")


async def _drop_buttons(query: Any) -> None:
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as exc:  # already gone
        if "not modified" not in exc.message.lower():
            raise
