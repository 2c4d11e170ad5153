"""Who may configure Pythia in a group or channel: its admins, as Telegram says.

Reading is for everyone; changing what Pythia does in a group (its digests, its alerts, its
language and time zone) is for the group's admins. Telegram is asked (`getChatMember`) and its
answer kept for `ADMIN_TTL` seconds in the cache, so a burst of presses asks once, and a person
promoted or demoted is seen within a minute. An anonymous admin (who posts as the group,
`sender_chat` the group itself) is an admin. In a private chat the person is their own admin.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import ChatMemberAdministrator, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, ChatMigrated, Forbidden

from bot.context import CustomContext
from core.people import ChatSeen

log = logging.getLogger(__name__)

ADMIN_TTL = 60.0  # seconds Telegram's answer about a member is believed
ADMIN_STATUSES = frozenset({"creator", "administrator"})
ADMIN_KEY = "chat:{}:admin:{}"


@dataclass(frozen=True, slots=True)
class Place:
    """Where an update was sent: the chat, its kind, and the forum topic (None: not in one)."""

    chat_id: int
    chat_type: str
    thread_id: int | None

    @property
    def private(self) -> bool:
        return self.chat_type == ChatType.PRIVATE


def place_of(update: Update) -> Place | None:
    """The chat and topic of `update` (a press: of the message its button is under)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None:
        return None
    thread = None
    if isinstance(message, Message) and message.is_topic_message:
        thread = message.message_thread_id
    return Place(chat.id, chat.type, thread)


def posted_as_the_group(update: Update) -> bool:
    """The message was sent by an anonymous admin, as the group itself."""
    message, chat = update.effective_message, update.effective_chat
    sender = message.sender_chat if isinstance(message, Message) else None
    return sender is not None and chat is not None and sender.id == chat.id


async def is_admin(
    context: CustomContext, chat_id: int, user_id: int, *, fresh: bool = False
) -> bool:
    """Whether `user_id` is an admin (or the creator) of `chat_id`, as Telegram said within
    the last minute (`fresh`: asked now). False when Telegram will not say (the bot is not in
    the chat, or the person is unknown there)."""
    key = ADMIN_KEY.format(chat_id, user_id)
    cache = context.deps.cache
    cached = None if fresh else await cache.get(key)
    if cached in ("1", "0"):
        return cached == "1"
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except (Forbidden, BadRequest) as exc:
        log.info("getChatMember(%s, %s) refused: %s", chat_id, user_id, exc)
        return False
    admin = member.status in ADMIN_STATUSES
    await cache.set(key, "1" if admin else "0", ADMIN_TTL)
    return admin


async def may_configure(update: Update, context: CustomContext) -> bool:
    """Whether the sender of `update` may change what Pythia does in its chat: anyone in a
    private chat, an admin (or an anonymous admin) in a group or channel."""
    user, chat = update.effective_user, update.effective_chat
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    if posted_as_the_group(update):
        return True
    if user is None:
        return False
    return await is_admin(context, chat.id, user.id)


@dataclass(frozen=True, slots=True)
class ChannelCheck:
    """What Telegram says of a channel someone wants Pythia to post in: the channel (None: not
    found) and what stands in the way (None: nothing), a code `bot.views.chats` says."""

    channel: ChatSeen | None
    problem: str | None = None


async def check_channel(context: CustomContext, ref: int | str, user_id: int) -> ChannelCheck:
    """Whether `ref` (an @username or an id) is a channel where the bot is an admin with the
    right to post and `user_id` an admin (or its creator): asked of Telegram now, not cached."""
    bot = context.bot
    try:
        chat = await bot.get_chat(ref)
    except (BadRequest, Forbidden, ChatMigrated) as exc:
        log.info("getChat(%s) refused: %s", ref, exc)
        return ChannelCheck(None, "not_found")
    seen = ChatSeen(chat.id, chat.type, chat.title, chat.username)
    if chat.type != ChatType.CHANNEL:
        return ChannelCheck(seen, "not_a_channel")
    try:
        me = await bot.get_chat_member(chat.id, bot.id)
        if not isinstance(me, ChatMemberAdministrator):
            return ChannelCheck(seen, "bot_not_admin")
    except (BadRequest, Forbidden) as exc:  # not in the channel at all
        log.info("getChatMember(%s, bot) refused: %s", chat.id, exc)
        return ChannelCheck(seen, "bot_not_admin")
    if not me.can_post_messages:
        return ChannelCheck(seen, "bot_cannot_post")
    admin = await is_admin(context, chat.id, user_id, fresh=True)
    return ChannelCheck(seen, None if admin else "not_admin")
