"""/digest: a chat's scheduled digests — listed with Pause/Resume, Delete, Sections and Preview
buttons, made with `/digest daily 08:00`, and the chat's coins, zone and language set with
`/digest coins|zone|language …`. From a private chat `/digest @channel …` does the same for
a linked channel its person still administers.

Listing is for everyone; every change (and a preview: it posts in the chat) is for the person
in a private chat, a group's admins (an anonymous one too), a channel's admins. A press acts on
the chat its data names only where it was pressed, or on a channel from its admin's private
chat; anything else is refused with one line and nothing is written."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler

from bot.callbacks import DigestButton, decode, matches
from bot.context import CustomContext
from bot.delivery.pictures import DigestPictures, post
from bot.delivery.summary import Outgoing
from bot.groups import is_admin, may_configure, place_of
from bot.handlers.common import ChangingCommand, answer, edit, person_and_chat
from bot.i18n import Texts, texts_for
from bot.views import digest as views
from bot.views.chats import admins_only
from bot.views.common import plain
from bot.views.digest_notice import digest_chart, digest_text
from bot.views.refusals import refusal_text
from core.chats import ChatSettings
from core.digest.schedule import parse_schedule
from core.people import ChatSeen
from core.refusal import Refusal
from services import chats, digests, people
from services.digest_inputs import available_sections

Reply = tuple[str, InlineKeyboardMarkup | None]
SETTINGS = ("coins", "zone", "language")


@dataclass(frozen=True, slots=True)
class Target:
    """The chat a /digest is about: where it was sent, or a channel named from a private
    chat (`channel`: its name as shown)."""

    chat: ChatSeen
    thread_id: int | None
    channel: str | None = None


# ---- /digest -------------------------------------------------------------------------------------


async def digest_command(update: Update, context: CustomContext) -> None:
    """List, make, or set the coins, zone or language of this chat's digests."""
    message, args = update.effective_message, list(context.args or [])
    if message is None or update.effective_user is None or place_of(update) is None:
        return
    t = await context.texts(update)
    try:
        target = await _target(update, context, args)
        t = await _texts(update, context, target)
        if not args:
            text, markup = await _listing(context, t, target)
        elif not await _may(update, context, target):
            text, markup = _refused(t, target), None
        else:
            text, markup = await _change(update, context, t, target, args)
    except Refusal as refused:
        text, markup = _said(t, refused), None
    await message.reply_html(text, reply_markup=markup)


async def _target(update: Update, context: CustomContext, args: list[str]) -> Target:
    """This chat and topic, or (private chat, first word `@name`) a linked channel."""
    place, user = place_of(update), update.effective_user
    assert place is not None and user is not None
    if place.private and args and args[0].startswith("@"):
        return _channel(await chats.channel_for(context.deps, user.id, args.pop(0)))
    return Target(person_and_chat(update)[1], place.thread_id)


def _channel(channel: ChatSettings) -> Target:
    """A linked channel's digests, looked after from its admin's private chat."""
    seen = ChatSeen(channel.id, "channel", channel.title, channel.username)
    name = f"@{channel.username}" if channel.username else channel.title or str(channel.id)
    return Target(seen, None, name)


async def _texts(update: Update, context: CustomContext, target: Target) -> Texts:
    """A group's own language when it has one; else (and for a channel's admin in a private
    chat) the person's."""
    if target.channel is None and target.chat.type != "private":
        settings = await digests.chat_settings(context.deps, target.chat.id)
        if settings is not None and settings.language:
            return texts_for(settings.language)
    return await context.texts(update)


async def _may(update: Update, context: CustomContext, target: Target) -> bool:
    """Whoever may change the target's digests: its admins (a channel's: checked now)."""
    if target.channel is not None:
        user = update.effective_user
        return user is not None and await is_admin(context, target.chat.id, user.id)
    return await may_configure(update, context)


def _refused(t: Texts, target: Target | None) -> str:
    if target is not None and target.channel is not None:
        return views.channel_admins_only(t, target.channel)
    return admins_only(t)


async def _listing(
    context: CustomContext, t: Texts, target: Target, said: str | None = None
) -> Reply:
    found = await digests.list_for(context.deps, target.chat.id, target.thread_id)
    now = context.deps.clock.now()
    return views.digest_list(t, found, target.chat.id, now, where=target.channel, said=said)


async def _change(
    update: Update, context: CustomContext, t: Texts, target: Target, args: list[str]
) -> Reply:
    """`coins …`, `zone …`, `language …`, or a schedule: a new digest and its sections."""
    word, rest = args[0].lower(), args[1:]
    if word in SETTINGS:
        if not rest:
            return views.what_to_type(t, word), None
        return await SETTERS[word](update, context, t, target, rest), None
    schedule = parse_schedule(args)
    person = person_and_chat(update)[0]
    made = await digests.create(context.deps, person, target.chat, target.thread_id, schedule)
    offered = await available_sections(context.deps)
    t = await _texts(update, context, target)  # a new group took its creator's language
    return views.sections_editor(t, made, offered, target.chat.id, created=True)


async def _coins(
    update: Update, context: CustomContext, t: Texts, target: Target, typed: list[str]
) -> str:
    """Every digest of the chat (and topic) shows the coins typed."""
    if len({word.upper() for word in typed}) > digests.MAX_COINS:  # said before any is read
        raise Refusal("digest.limits", what="coins", most=digests.MAX_COINS)
    changed = await digests.set_chat_coins(context.deps, target.chat.id, target.thread_id, typed)
    if not changed:
        return views.no_digests_for_coins(t)
    return views.coins_set(t, changed)


async def _zone(
    update: Update, context: CustomContext, t: Texts, target: Target, typed: list[str]
) -> str:
    """The chat's zone; in a private chat the person's (what their digests and alerts keep)."""
    person, chat, deps = *person_and_chat(update), context.deps
    try:
        if target.chat.type == "private":
            await people.set_timezone(deps, person, chat, " ".join(typed))
        settings = await chats.set_chat_zone(
            deps, target.chat.id, " ".join(typed), person=person, chat=chat
        )
    except Refusal as refused:
        if refused.code != "timezone.unknown":
            raise
        return views.zone_unknown(t, **refused.params)
    return views.zone_set(t, settings, context.deps.clock.now())


async def _language(
    update: Update, context: CustomContext, t: Texts, target: Target, typed: list[str]
) -> str:
    """The chat's language; in a private chat the person's (what their digests are said in)."""
    person, chat = person_and_chat(update)
    chosen = typed[0].lower()
    try:
        if target.chat.type == "private":
            await people.set_language(context.deps, person, chat, chosen)
        else:
            await chats.set_chat_language(
                context.deps, target.chat.id, chosen, person=person, chat=chat
            )
    except Refusal as refused:
        if refused.code != "language.unknown":
            raise
        return views.language_unknown(t, **refused.params)
    return views.language_set(texts_for(chosen) if target.channel is None else t, chosen)


SETTERS: dict[str, Callable[[Update, CustomContext, Texts, Target, list[str]], Awaitable[str]]] = {
    "coins": _coins,
    "zone": _zone,
    "language": _language,
}


def _said(t: Texts, refused: Refusal) -> str:
    return refusal_text(t, refused)


# ---- the buttons ---------------------------------------------------------------------------------


async def digest_press(update: Update, context: CustomContext) -> None:
    """A digest's button; refused (as an alert) for whoever may not, and when it cannot be
    done (the digest gone, its last section)."""
    query = update.callback_query
    pressed = decode(query.data) if query is not None else None
    if query is None or not isinstance(pressed, DigestButton):
        return
    target = await _pressed_target(update, context, pressed)
    t = await context.texts(update) if target is None else await _texts(update, context, target)
    if target is None or not (pressed.action == "list" or await _may(update, context, target)):
        await answer(query, plain(_refused(t, target)), alert=True)
        return
    try:  # a quick write or read, then the answer: it carries a refusal (the last section…)
        await PRESSES[pressed.action](update, context, t, target, pressed)
    except Refusal as refused:
        await answer(query, plain(_said(t, refused)), alert=True)
        return
    await answer(query)


async def _pressed_target(
    update: Update, context: CustomContext, pressed: DigestButton
) -> Target | None:
    """The chat the press may act on: the chat pressed in, or from a private chat a channel
    (recorded as one); None for anything else (a forged button)."""
    place = place_of(update)
    if place is None:
        return None
    if pressed.chat_id == place.chat_id:
        return Target(person_and_chat(update)[1], _thread(update))
    if not place.private:
        return None
    found = await digests.chat_settings(context.deps, pressed.chat_id)
    if found is None or not found.is_channel:
        return None
    return _channel(found)


def _thread(update: Update) -> int | None:
    """The forum topic of the pressed message (its thread id in a forum, even where the
    message does not say it is a topic message)."""
    place, message = place_of(update), update.effective_message
    if place is not None and place.thread_id is not None:
        return place.thread_id
    if isinstance(message, Message) and message.chat.is_forum:
        return message.message_thread_id
    return None


async def _list_press(
    update: Update, context: CustomContext, t: Texts, target: Target, pressed: DigestButton
) -> None:
    assert update.callback_query is not None
    await edit(update.callback_query, *await _listing(context, t, target))


async def _sections_press(
    update: Update, context: CustomContext, t: Texts, target: Target, pressed: DigestButton
) -> None:
    """🧩 Sections, or a section toggled: the digest's toggles in place."""
    assert update.callback_query is not None and pressed.digest_id is not None
    deps, chat_id = context.deps, target.chat.id
    if pressed.action == "toggle" and pressed.section:
        found = await digests.toggle_section(deps, chat_id, pressed.digest_id, pressed.section)
    else:
        found = await digests.get(deps, chat_id, pressed.digest_id)
    offered = await available_sections(deps)
    await edit(update.callback_query, *views.sections_editor(t, found, offered, chat_id))


async def _state_press(
    update: Update, context: CustomContext, t: Texts, target: Target, pressed: DigestButton
) -> None:
    """⏸ ▶ 🗑: done, and the list as it now is, saying what was done."""
    assert update.callback_query is not None and pressed.digest_id is not None
    act, say = STATES[pressed.action]
    done = await act(context.deps, target.chat.id, pressed.digest_id)
    await edit(update.callback_query, *await _listing(context, t, target, said=say(t, done)))


async def _preview_press(
    update: Update, context: CustomContext, t: Texts, target: Target, pressed: DigestButton
) -> None:
    """👁 Preview: the digest as it would post now, in the chat (and topic) pressed in."""
    place = place_of(update)
    assert place is not None and pressed.digest_id is not None
    now = context.deps.clock.now()
    shown = await digests.preview(context.deps, target.chat.id, pressed.digest_id, now)
    text, chart = digest_text(t, shown.facts, shown.digest.zone), digest_chart(shown.facts)
    thread = _thread(update) if target.channel is None else None
    outgoing = Outgoing(text, None, thread, chart, None, t.language)  # with its picture, if any
    outbox = context.bot_data.outbox
    pictures = outbox.pictures if outbox else DigestPictures(context.deps, context.charts)
    await post(context.bot, pictures, place.chat_id, outgoing, take=lambda _: None)


STATES = {
    "pause": (digests.pause, views.paused),
    "resume": (digests.resume, views.resumed),
    "delete": (digests.delete, views.deleted),
}
PRESSES: dict[
    str,
    Callable[[Update, CustomContext, Texts, Target, DigestButton], Awaitable[None]],
] = {
    "list": _list_press,
    "done": _list_press,
    "sections": _sections_press,
    "toggle": _sections_press,
    "pause": _state_press,
    "resume": _state_press,
    "delete": _state_press,
    "preview": _preview_press,
}

HANDLERS = [
    ChangingCommand("digest", digest_command),
    CallbackQueryHandler(digest_press, pattern=matches(DigestButton)),
]
