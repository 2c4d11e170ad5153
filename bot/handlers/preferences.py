"""/quiet and /timezone: when a person wants to hear about their alerts, in their own time."""

from __future__ import annotations

from telegram import Update

from bot.context import CustomContext
from bot.handlers.common import ChangingCommand, person_and_chat
from bot.views.quiet_hours import quiet_now, quiet_set, timezone_now, timezone_set
from bot.views.refusals import refusal_text
from core.quiet_hours import parse_quiet_hours
from core.refusal import Refusal
from services import people


async def quiet_command(update: Update, context: CustomContext) -> None:
    """Show or set quiet hours for alerts: /quiet 22:00-07:00, /quiet off."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t, typed = await context.texts(update), " ".join(context.args or [])
    if not typed:
        await message.reply_html(quiet_now(t, await people.preferences(context.deps, user.id)))
        return
    try:
        hours = parse_quiet_hours(typed)
        changed = await people.set_quiet_hours(context.deps, *person_and_chat(update), hours)
    except Refusal as refused:
        await message.reply_html(refusal_text(t, refused))
        return
    await message.reply_html(quiet_set(t, changed.preferences))


async def timezone_command(update: Update, context: CustomContext) -> None:
    """Show or set your time zone: /timezone Europe/Berlin."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t, typed, now = (
        await context.texts(update),
        " ".join(context.args or []),
        context.deps.clock.now(),
    )
    if not typed:
        chosen = await people.preferences(context.deps, user.id)
        await message.reply_html(timezone_now(t, chosen.timezone, now))
        return
    try:
        changed = await people.set_timezone(context.deps, *person_and_chat(update), typed)
    except Refusal as refused:
        await message.reply_html(refusal_text(t, refused))
        return
    await message.reply_html(timezone_set(t, changed.preferences.timezone, now))


HANDLERS = [
    ChangingCommand("quiet", quiet_command),
    ChangingCommand("timezone", timezone_command),
]
