"""Acting as Telegram users: messages, commands, files, edits and button presses.

Injected messages get the entities a real client would produce and become updates only when
Telegram would deliver them to the bot (privacy mode in groups hides plain chatter).
"""

from __future__ import annotations

import mimetypes
import time
from typing import Any

from bot.emulator.methods.media import image_size
from bot.emulator.records import (
    CHANNEL,
    GROUP,
    PRESENT_STATUSES,
    SUPERGROUP,
    CallbackQueryRecord,
    Chat,
    MessageRecord,
    User,
)
from bot.emulator.textutil import detect_entities, trim, utf16_slice
from bot.emulator.world import ChatRef, MessageRef, World


class UserActions(World):
    # ---- acting as users -------------------------------------------------------------------

    async def send_message(
        self,
        user: User,
        text: str,
        chat: ChatRef | None = None,
        *,
        reply_to: MessageRef | None = None,
        thread_id: int | None = None,
    ) -> MessageRecord:
        """Inject a text message (commands get their bot_command entity like in Telegram);
        `thread_id`: into that topic of a forum supergroup."""
        target = self._chat_for_user(user, chat)
        text, entities = trim(text, detect_entities(text))
        if not text:
            raise ValueError("Telegram clients cannot send an empty message")
        topic = self._topic(target, thread_id)
        return await self._inject(
            user, target, text=text, entities=entities, reply_to=reply_to, **topic
        )

    async def send_command(
        self, user: User, command: str, args: str = "", chat: ChatRef | None = None,
        *, mention_bot: bool = False,
    ) -> MessageRecord:  # fmt: skip
        """``send_command(alice, "price", "BTC")`` sends "/price BTC" (or "/price@bot BTC")."""
        text = "/" + command.lstrip("/")
        if mention_bot:
            text += f"@{self.bot.username}"
        return await self.send_message(user, f"{text} {args}".strip(), chat)

    async def send_document(
        self,
        user: User,
        filename: str,
        content: bytes,
        mime_type: str | None = None,
        caption: str | None = None,
        chat: ChatRef | None = None,
        thread_id: int | None = None,
    ) -> MessageRecord:
        target = self._chat_for_user(user, chat)
        topic = self._topic(target, thread_id)
        # Telegram derives the MIME type from the file name when the client does not say.
        mime_type = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        record = self.state.add_file("document", content, file_name=filename, mime_type=mime_type)
        return await self._inject(user, target, file=record, caption=caption, **topic)

    async def send_photo(
        self, user: User, content: bytes, caption: str | None = None, chat: ChatRef | None = None
    ) -> MessageRecord:
        size = image_size(content)
        if size is None:
            raise ValueError("not a PNG/JPEG/GIF/WebP/BMP image")
        target = self._chat_for_user(user, chat)
        record = self.state.add_file("photo", content, width=size[0], height=size[1])
        return await self._inject(user, target, file=record, caption=caption)

    async def edit_message(self, user: User, message: MessageRecord, text: str) -> MessageRecord:
        """The user edits their own text message; the bot gets an ``edited_message`` update."""
        stored = self._live_message(message)
        if stored.from_bot or stored.from_user is None or stored.from_user.id != user.id:
            raise ValueError("users can only edit their own messages")
        stored.text, stored.entities = trim(text, detect_entities(text))
        stored.edit_date = int(time.time())
        chat = self.chat(stored.chat_id)
        kind = "edited_channel_post" if chat.type == CHANNEL else "edited_message"
        self.state.push_update(kind, self.state.message_to_api(stored))
        await self.context.notify()
        return stored

    async def press_button(
        self, user: User, message: MessageRecord, data: str | None = None, *,
        text: str | None = None, strict: bool = True,
    ) -> CallbackQueryRecord:  # fmt: skip
        """Press an inline button by ``data`` (callback_data) or by its label ``text``.

        With ``strict`` the button must exist on the message, as a real client can only press
        what is shown; that catches tests (and bots) that drift from the actual keyboard.
        """
        stored = self._live_message(message)
        if text is not None:
            button = next((b for b in stored.buttons if b.get("text") == text), None)
            if button is None or "callback_data" not in button:
                raise ValueError(f"no callback button labelled {text!r}; buttons: {stored.buttons}")
            data = button["callback_data"]
        if data is None:
            raise ValueError("pass the callback data or text= of the button to press")
        if strict and not any(b.get("callback_data") == data for b in stored.buttons):
            raise ValueError(
                f"message #{stored.message_id} has no button with callback_data {data!r}; "
                f"buttons: {stored.buttons}"
            )
        query = CallbackQueryRecord(
            id=self.state.new_callback_id(),
            from_user=self.state.users[user.id],
            chat_id=stored.chat_id,
            message_id=stored.message_id,
            data=data,
            # Stable per chat, like Telegram's opaque chat_instance.
            chat_instance=str((abs(stored.chat_id) * 2_654_435_761) % 10**19),
            monotonic=time.monotonic(),
        )
        self.state.callback_queries[query.id] = query
        self.state.push_update(
            "callback_query",
            {
                "id": query.id,
                "from": query.from_user.to_api(),
                "message": self.state.message_to_api(stored),
                "chat_instance": query.chat_instance,
                "data": data,
            },
        )
        await self.context.notify()
        return query

    async def forward_message(self, user: User, message: MessageRecord) -> MessageRecord:
        """``user`` forwards ``message`` (a channel post, say) into their private chat with the
        bot: its text or caption, and ``forward_origin`` saying where it came from."""
        stored = self._live_message(message)
        source = self.chat(stored.chat_id)
        origin: dict[str, Any] = {"date": stored.date}
        if source.type == CHANNEL:
            origin |= {"type": "channel", "chat": source.to_api(), "message_id": stored.message_id}
        elif stored.from_user is not None:
            origin |= {"type": "user", "sender_user": stored.from_user.to_api()}
        else:
            origin |= {"type": "chat", "sender_chat": source.to_api()}
        target = self._chat_for_user(user, None)
        content: dict[str, Any] = {"extra": {"forward_origin": origin}}
        if stored.text is not None:
            content |= {"text": stored.text, "entities": list(stored.entities)}
        else:
            content |= {"file": stored.file, "caption": stored.caption}
        return await self._inject(user, target, **content)

    async def migrate_to_supergroup(self, group: ChatRef, by: User | None = None) -> Chat:
        """A group's admin upgrades it (``by``: default its creator): it becomes a supergroup
        with a new id (-100…), as Telegram does. The old chat gets a service message with
        ``migrate_to_chat_id``, the new one a message with ``migrate_from_chat_id`` (both sent
        to the bot while it is in the group); any Bot API method on the old id then answers 400
        "group chat was upgraded to a supergroup chat" with ``parameters.migrate_to_chat_id``."""
        old = self.chat(group)
        if old.type != GROUP or old.migrated_to is not None:
            raise ValueError(f"{old.title!r} is not a basic group")
        actor = by or self._in_charge(old)
        new = self.state.add_group_chat(
            old.title or "", kind=SUPERGROUP, username=old.username, members=old.members,
            bot_status=old.bot_status,
        )  # fmt: skip
        new.bot_rights = dict(old.bot_rights)
        sees = old.bot_status in PRESENT_STATUSES
        for chat, field_ in ((old, "migrate_to_chat_id"), (new, "migrate_from_chat_id")):
            other = new.id if chat is old else old.id
            message = self.state.add_message(
                chat, from_user=self.state.users.get(actor.id, actor), from_bot=False,
                method="user", extra={field_: other},
            )  # fmt: skip
            if sees:
                self.state.push_update("message", self.state.message_to_api(message))
        old.migrated_to = new.id
        await self.context.notify()
        return new

    # ---- injection internals ---------------------------------------------------------------

    def _live_message(self, message: MessageRecord) -> MessageRecord:
        stored = self.state.find_message(message.chat_id, message.message_id)
        if stored is None:
            raise ValueError(f"message #{message.message_id} was deleted or never existed")
        return stored

    @staticmethod
    def _topic(chat: Chat, thread_id: int | None) -> dict[str, Any]:
        """The fields of a message posted in forum topic `thread_id` (none: not in a topic)."""
        if thread_id is None:
            return {}
        if not chat.is_forum:
            raise ValueError(f"{chat.title!r} is not a forum: it has no topics")
        return {"message_thread_id": thread_id, "extra": {"is_topic_message": True}}

    def _chat_for_user(self, user: User, chat: ChatRef | None) -> Chat:
        """Validate that ``user`` can post in ``chat`` (default: their private chat)."""
        stored = self.state.users.get(user.id)
        if stored is None:
            raise KeyError(f"unknown user {user.id}; create it with add_user()")
        target = self.chat(chat if chat is not None else user)
        if target.migrated_to is not None:
            raise ValueError(f"{target.title!r} became the supergroup {target.migrated_to}")
        if target.is_private:
            if target.id != user.id:
                raise ValueError("a user can only write in their own private chat with the bot")
            # Writing to the bot (re)starts it, which also lifts a block ("Restart" button).
            stored.started_bot = True
            if stored.blocked_bot:
                self._set_blocked(stored, False)
            return target
        status = target.members.get(user.id, "left")
        allowed = {"creator", "administrator"} if target.type == CHANNEL else PRESENT_STATUSES
        if status not in allowed:
            raise ValueError(f"{user.first_name} ({status}) cannot post in {target.title!r}")
        return target

    async def _inject(
        self, user: User, chat: Chat, *, reply_to: MessageRef | None = None, **content: Any
    ) -> MessageRecord:
        caption = content.pop("caption", None)
        if caption is not None:
            caption, entities = trim(caption, detect_entities(caption))
            content.update(caption=caption or None, caption_entities=entities)
        reply_id = reply_to.message_id if isinstance(reply_to, MessageRecord) else reply_to
        if reply_id is not None and self.state.find_message(chat.id, reply_id) is None:
            raise ValueError(f"message #{reply_id} to reply to is not in chat {chat.id}")
        channel = chat.type == CHANNEL
        message = self.state.add_message(
            chat,
            from_user=None if channel else self.state.users[user.id],
            sender_chat_id=chat.id if channel else None,
            from_bot=False,
            method="user",
            reply_to_message_id=reply_id,
            **content,
        )
        if self._bot_sees(message, chat):
            kind = "channel_post" if channel else "message"
            self.state.push_update(kind, self.state.message_to_api(message))
        await self.context.notify()
        return message

    def _bot_sees(self, message: MessageRecord, chat: Chat) -> bool:
        """Telegram's privacy mode: in groups a bot only gets commands, replies and mentions."""
        if chat.is_private:
            return True
        if chat.bot_status not in PRESENT_STATUSES:
            return False
        is_admin = chat.bot_status in ("administrator", "creator")
        if chat.type == CHANNEL:
            return is_admin  # only channel admins receive channel posts
        if is_admin or not self.context.privacy_mode:
            return True
        replied = message.reply_to_message_id and self.state.find_message(
            chat.id, message.reply_to_message_id
        )
        if replied and replied.from_bot:
            return True
        body = message.body
        entities = message.entities if message.text is not None else message.caption_entities
        username = (self.bot.username or "").lower()
        for entity in entities:
            value = utf16_slice(body, entity["offset"], entity["length"]).lower()
            if entity["type"] == "mention" and value == f"@{username}":
                return True
            if entity["type"] == "bot_command":
                _, _, addressee = value.partition("@")
                if addressee in ("", username):
                    return True
        return False
