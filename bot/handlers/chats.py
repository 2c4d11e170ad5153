"""Pythia's own membership of groups and channels, and linking channels from a private chat.

- `my_chat_member`: the bot removed (left, kicked; in a channel also no longer allowed to post)
  pauses what it posted there and tells who set it up; added back resumes it, with a short
  hello in the group; added to a group the first time, a hello saying what it can do there.
- A group upgraded to a supergroup (the service message with `migrate_to_chat_id` in the old
  chat, or `migrate_from_chat_id` in the new one): its settings, digests and alerts move.
- `/channel @name` (or a post forwarded from the channel) links a channel; `/channels` lists
  them, each with an Unlink button.
"""

from __future__ import annotations

from telegram import ChatMember, ChatMemberAdministrator, MessageOriginChannel, Update
from telegram.constants import ChatType
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import UnlinkChannel, matches
from bot.context import CustomContext
from bot.groups import check_channel
from bot.handlers.common import NEW, ChangingCommand, answer, edit, owners_press, person_and_chat
from bot.i18n import texts_for
from bot.views.chats import (
    back_text,
    channels_keyboard,
    channels_text,
    hello_text,
    link_in_private,
    link_problem,
    link_usage,
    linked_text,
    not_your_channel,
    unlinked_note,
)
from bot.views.refusals import refusal_text
from core.people import ChatSeen
from core.refusal import Refusal
from services import chats

PRESENT = frozenset({"creator", "administrator", "member", "restricted"})


def _posts(member: ChatMember, chat_type: str) -> bool:
    """Whether the bot, as this member, may post in the chat (in a channel: an admin who may)."""
    if chat_type == ChatType.CHANNEL:
        return isinstance(member, ChatMemberAdministrator) and bool(member.can_post_messages)
    return member.status in PRESENT and getattr(member, "can_send_messages", True) is not False


async def membership_changed(update: Update, context: CustomContext) -> None:
    """The bot's status in a group or channel changed: pause, resume, or say hello."""
    change = update.my_chat_member
    if change is None or change.chat.type == ChatType.PRIVATE:
        return
    chat = change.chat
    before = _posts(change.old_chat_member, chat.type)
    after = _posts(change.new_chat_member, chat.type)
    if before and not after:
        await chats.removed(context.deps, chat.id)
        return
    if after and not before:
        person, _ = person_and_chat(update)
        seen = ChatSeen(chat.id, chat.type, chat.title, chat.username)
        back = await chats.returned(context.deps, seen, person)
        if chat.type == ChatType.CHANNEL:
            return  # a channel is spoken to only by what its admin set up
        t = texts_for(back.chat.language) if back.chat.language else await context.texts(update)
        if back.first_time or back.resumed:
            text = hello_text(t) if back.first_time else back_text(t, back.digests, back.alerts)
            await context.bot.send_message(chat.id, text, parse_mode="HTML")


async def migrated(update: Update, context: CustomContext) -> None:
    """A group became a supergroup: what Pythia keeps for it moves to the new id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    await chats.migrate(context.deps, old, new, context.deps.clock.now())


async def link_command(update: Update, context: CustomContext) -> None:
    """/channel @name: link a channel Pythia may post in (in a private chat)."""
    message = update.effective_message
    if message is None or update.effective_chat is None:
        return
    t = await context.texts(update)
    if update.effective_chat.type != ChatType.PRIVATE:
        await message.reply_html(link_in_private(t))
    elif not context.args or len(context.args) > 1:
        await message.reply_html(link_usage(t))
    else:
        typed = context.args[0]
        await _link(update, context, _reference(typed), typed)


def _reference(typed: str) -> int | str:
    """What getChat takes for what was typed: '@name', 't.me/name', 'name', or an id."""
    if typed.lstrip("-").isdigit():
        return int(typed)
    name = typed.removeprefix("https://").removeprefix("t.me/").lstrip("@")
    return f"@{name}"


async def link_forwarded(update: Update, context: CustomContext) -> None:
    """A post forwarded from a channel (in a private chat): link that channel."""
    message = update.effective_message
    origin = message.forward_origin if message is not None else None
    if not isinstance(origin, MessageOriginChannel):
        return
    name = origin.chat.title or origin.chat.username or str(origin.chat.id)
    await _link(update, context, origin.chat.id, name)


async def _link(update: Update, context: CustomContext, ref: int | str, typed: str) -> None:
    message, t = update.effective_message, await context.texts(update)
    assert message is not None
    person, _ = person_and_chat(update)
    checked = await check_channel(context, ref, person.id)
    if checked.channel is None or checked.problem is not None:
        await message.reply_html(link_problem(t, checked.problem or "not_found", typed))
        return
    try:
        linked = await chats.link_channel(
            context.deps, person, checked.channel, context.deps.clock.now()
        )
    except Refusal as refusal:
        await message.reply_html(refusal_text(t, refusal))
        return
    await message.reply_html(linked_text(t, linked))


async def channels_command(update: Update, context: CustomContext) -> None:
    """/channels: the channels you linked, each with an Unlink button."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    t, owner = await context.texts(update), update.effective_user.id
    linked = await chats.linked_channels(context.deps, owner)
    await message.reply_html(
        channels_text(t, linked), reply_markup=channels_keyboard(t, owner, linked)
    )


async def unlink_button(update: Update, context: CustomContext) -> None:
    """Unlink: Pythia stops posting in the channel; the list is shown anew."""
    press = await owners_press(update, context, UnlinkChannel, not_your_channel)
    if press is None:
        return
    (query, pressed), t = press, await context.texts(update)
    try:
        gone = await chats.unlink_channel(context.deps, pressed.owner, pressed.channel_id)
    except Refusal:  # unlinked already (a second press): the list says how it is
        await answer(query)
    else:
        await answer(query, unlinked_note(t, gone))
    linked = await chats.linked_channels(context.deps, pressed.owner)
    await edit(query, channels_text(t, linked), channels_keyboard(t, pressed.owner, linked))


class _FromAChannel(filters.MessageFilter):
    """A message forwarded from a channel."""

    def filter(self, message: object) -> bool:
        return isinstance(getattr(message, "forward_origin", None), MessageOriginChannel)


HANDLERS = [
    ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
    MessageHandler(filters.StatusUpdate.MIGRATE, migrated),
    ChangingCommand("channel", link_command),
    CommandHandler("channels", channels_command),
    MessageHandler(NEW & filters.ChatType.PRIVATE & _FromAChannel(), link_forwarded),
    CallbackQueryHandler(unlink_button, pattern=matches(UnlinkChannel)),
]
