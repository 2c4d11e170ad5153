"""/settings: a person's choices in one message, each changed in place with buttons — the same
services as /language, /timezone, /currency, /costbasis and /quiet, which stay as shortcuts.

Time zone asks for a city: the person's next text in that chat is the search (a private chat:
the bot sees every message there), answered with the matching zones as buttons. In a group
/settings is sent privately, as the portfolio is; a press by anyone but the settings' owner is
refused."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.callbacks import SettingsButton, matches
from bot.context import CustomContext
from bot.handlers.common import NEW, ChangingCommand, answer, edit, owners_press, person_and_chat
from bot.i18n import Texts, texts_for
from bot.private import deliver_privately
from bot.views import settings_menu as view
from bot.views.basic import language_set
from bot.views.portfolio_settings import currency_set
from bot.views.quiet_hours import quiet_set, timezone_set
from bot.views.refusals import refusal_text
from core.people import CostMethod
from core.refusal import Refusal
from services import people

Page = view.Page
Shows = Callable[[Update, CustomContext, Texts, SettingsButton], Awaitable[Page]]


async def settings_command(update: Update, context: CustomContext) -> None:
    """Your settings in one message, with a button for each: /settings."""
    user = update.effective_user
    if user is None:
        return
    t = await context.texts(update)
    chosen = await people.preferences(context.deps, user.id)
    text, markup = view.menu(t, user.id, chosen, context.deps.clock.now())

    async def send(chat_id: int) -> object:
        return await context.bot.send_message(chat_id, text, parse_mode="HTML", reply_markup=markup)

    unreachable = view.cannot_reach(t, context.bot.username)
    await deliver_privately(
        update, context, send, sent=view.sent_privately(t), unreachable=unreachable
    )


async def press(update: Update, context: CustomContext) -> None:
    """A /settings button: its page shown, or its choice made, in the same message."""
    press = await owners_press(update, context, SettingsButton, view.not_yours)
    if press is None:
        return
    (query, pressed), t = press, await context.texts(update)
    await answer(query)
    text, markup = await PAGES[pressed.page](update, context, t, pressed)
    await edit(query, text, markup)


async def _menu(update: Update, context: CustomContext, t: Texts, b: SettingsButton) -> Page:
    chat_id = update.effective_chat.id if update.effective_chat else b.owner
    chosen = await people.back_to_settings(context.deps, b.owner, chat_id)
    return view.menu(t, b.owner, chosen, context.deps.clock.now())


async def _language(update: Update, context: CustomContext, t: Texts, b: SettingsButton) -> Page:
    if b.value is None:
        return view.language_page(t, b.owner)
    try:
        changed = await people.set_language(context.deps, *person_and_chat(update), b.value)
    except Refusal as refusal:
        return view.refused(t, b.owner, refusal_text(t, refusal))
    said_in = texts_for(changed.preferences.language)  # the new language, at once
    return view.language_page(said_in, b.owner, language_set(said_in, changed.changed))


async def _currency(update: Update, context: CustomContext, t: Texts, b: SettingsButton) -> Page:
    if b.value is None:
        chosen = await people.preferences(context.deps, b.owner)
        return view.currency_page(t, b.owner, chosen.quote)
    try:
        change = await people.set_quote(context.deps, *person_and_chat(update), b.value)
    except Refusal as refusal:  # currency.mixed: said in place, the kept one still ticked
        kept = str(refusal.params.get("kept", ""))
        return view.currency_page(t, b.owner, kept, refusal_text(t, refusal))
    return view.currency_page(t, b.owner, change.preferences.quote, currency_set(t, change))


async def _cost_basis(update: Update, context: CustomContext, t: Texts, b: SettingsButton) -> Page:
    if b.value not in ("fifo", "average"):
        chosen = await people.preferences(context.deps, b.owner)
        return view.cost_basis_page(t, b.owner, chosen.method)
    method: CostMethod = "average" if b.value == "average" else "fifo"
    change = await people.set_cost_method(context.deps, *person_and_chat(update), method)
    said = view.cost_basis_set(t, method, change.changed, change.trades)
    return view.cost_basis_page(t, b.owner, change.preferences.method, said)


async def _quiet(update: Update, context: CustomContext, t: Texts, b: SettingsButton) -> Page:
    if b.value not in view.QUIET_PRESETS:
        return view.quiet_page(t, b.owner, await people.preferences(context.deps, b.owner))
    hours = view.QUIET_PRESETS[b.value]
    change = await people.set_quiet_hours(context.deps, *person_and_chat(update), hours)
    return view.quiet_page(t, b.owner, change.preferences, quiet_set(t, change.preferences))


async def _notices(update: Update, context: CustomContext, t: Texts, b: SettingsButton) -> Page:
    chosen = view.notice_choice(b.value or "")
    if chosen is None:
        muted = (await people.preferences(context.deps, b.owner)).muted
        return view.notices_page(t, b.owner, muted)
    kind, mute = chosen
    change = await people.set_muted(context.deps, *person_and_chat(update), kind, mute)
    said = view.notice_set(t, kind, mute)
    return view.notices_page(t, b.owner, change.preferences.muted, said)


async def _ask_zone(update: Update, context: CustomContext, t: Texts, b: SettingsButton) -> Page:
    chat_id = update.effective_chat.id if update.effective_chat else b.owner
    chosen = await people.ask_zone(context.deps, b.owner, chat_id)
    return view.zone_ask(t, b.owner, chosen.timezone)


async def _zone(update: Update, context: CustomContext, t: Texts, b: SettingsButton) -> Page:
    now = context.deps.clock.now()
    try:
        change = await people.set_timezone(context.deps, *person_and_chat(update), b.value or "")
    except Refusal as refusal:
        return view.refused(t, b.owner, refusal_text(t, refusal))
    said = timezone_set(t, change.preferences.timezone, now)
    return view.menu(t, b.owner, change.preferences, now, said)


PAGES: dict[str, Shows] = {
    "menu": _menu,
    "lang": _language,
    "cur": _currency,
    "cb": _cost_basis,
    "quiet": _quiet,
    "notes": _notices,
    "tz": _ask_zone,
    "zone": _zone,
}


async def type_zone(update: Update, context: CustomContext) -> None:
    """A text in a private chat: a zone search, if /settings asked for one; else nothing."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return
    typed = message.text
    found = await people.typed_zone(context.deps, user.id, message.chat_id, typed)
    if found is None:
        return
    t = await context.texts(update)
    if not found:
        await message.reply_html(view.no_zone_found(t, typed))
        return
    text, markup = view.zones_found(t, user.id, typed, found)
    await message.reply_html(text, reply_markup=markup)


HANDLERS = [
    ChangingCommand("settings", settings_command),
    CallbackQueryHandler(press, pattern=matches(SettingsButton)),
]
# After every conversation (the guided /alert takes typed text first while it runs).
TYPED = [
    MessageHandler(NEW & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, type_zone)
]
