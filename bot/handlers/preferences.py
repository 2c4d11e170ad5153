"""/quiet and /timezone: when a person wants to hear about their alerts, in their own time."""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import CustomContext
from bot.views.alerts import (
    bad_quiet,
    bad_timezone,
    quiet_now,
    quiet_set,
    timezone_now,
    timezone_set,
)
from core.people import ChatSeen, PersonSeen
from db.alerts import alert_hours, set_quiet_hours, set_timezone

_CLOCK = r"([01]?\d|2[0-3])(?::([0-5]\d))?"
_QUIET = re.compile(rf"^{_CLOCK}\s*(?:-|–|—|to)\s*{_CLOCK}$")
OFF = {"off", "none", "no", "never", "stop"}


def parse_quiet(text: str) -> tuple[int, int] | None:
    """`22:00-07:00` (or `22-7`, `22:30 to 6:15`) as minutes after midnight; None if unreadable
    or empty (start and end the same)."""
    match = _QUIET.match(text.strip().lower())
    if match is None:
        return None
    start_h, start_m, end_h, end_m = match.groups()
    start = int(start_h) * 60 + int(start_m or 0)
    end = int(end_h) * 60 + int(end_m or 0)
    return None if start == end else (start, end)


@cache
def _zones() -> dict[str, str]:
    """Every IANA zone name by its lower-case spelling: `europe/berlin` finds Europe/Berlin."""
    return {name.lower(): name for name in available_timezones()}


def find_zone(typed: str) -> str | None:
    return _zones().get(typed.strip().lower().replace(" ", "_"))


def _seen(update: Update) -> tuple[PersonSeen, ChatSeen]:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None  # a command always has both
    person = PersonSeen(user.id, user.first_name, user.username, user.language_code)
    return person, ChatSeen(chat.id, chat.type, chat.title, chat.username)


async def quiet_command(update: Update, context: CustomContext) -> None:
    """Show or set quiet hours for alerts: /quiet 22:00-07:00, /quiet off."""
    message = update.effective_message
    if message is None or update.effective_user is None or update.effective_chat is None:
        return
    deps, typed = context.deps, " ".join(context.args or [])
    if not typed:
        await message.reply_html(quiet_now(await alert_hours(deps, update.effective_user.id)))
        return
    hours = None if typed.lower() in OFF else parse_quiet(typed)
    if hours is None and typed.lower() not in OFF:
        await message.reply_html(bad_quiet(typed))
        return
    await message.reply_html(quiet_set(await set_quiet_hours(deps, *_seen(update), hours)))


async def timezone_command(update: Update, context: CustomContext) -> None:
    """Show or set your time zone: /timezone Europe/Berlin."""
    message = update.effective_message
    if message is None or update.effective_user is None or update.effective_chat is None:
        return
    deps, typed = context.deps, " ".join(context.args or [])
    if not typed:
        hours = await alert_hours(deps, update.effective_user.id)
        await message.reply_html(timezone_now(hours.timezone, deps.clock.now()))
        return
    zone = find_zone(typed)
    if zone is None:
        await message.reply_html(bad_timezone(typed))
        return
    hours = await set_timezone(deps, *_seen(update), zone)
    await message.reply_html(timezone_set(hours.timezone, deps.clock.now()))


HANDLERS = [
    CommandHandler("quiet", quiet_command),
    CommandHandler("timezone", timezone_command),
]
