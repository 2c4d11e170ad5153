"""The emulator's world: users, chats, messages, files, updates, and what the bot did.

Pure state with no I/O and no asyncio, so it is trivially testable and can be shared by the HTTP
handlers (the Bot API side) and the in-process / control API (the "user" side).
"""

from __future__ import annotations

import bisect
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.records import (
    CHANNEL,
    GROUP,
    PRIVATE,
    SUPERGROUP,
    ApiCall,
    CallbackQueryRecord,
    Chat,
    ChatActionRecord,
    FileRecord,
    JsonDict,
    MessageRecord,
    UpdateRecord,
    User,
)

# Update types a bot gets when it never specified ``allowed_updates`` (Bot API default).
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_FILE_ID_PREFIX = {"photo": "AgAC", "document": "BQAC", "video": "BAAC", "audio": "CQAC"}
_FILE_FOLDERS = {"photo": "photos", "document": "documents", "video": "videos", "audio": "music"}


@dataclass
class BotProfile:
    """What setMyCommands / setMyDescription / setChatMenuButton & co. stored."""

    commands: dict[tuple[str, str], list[JsonDict]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)  # language -> text
    short_descriptions: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    menu_buttons: dict[int | None, JsonDict] = field(default_factory=dict)
    webhook: JsonDict = field(default_factory=dict)


class EmulatorState:
    def __init__(self, bot: User):
        self.bot = bot
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.messages: dict[int, list[MessageRecord]] = {}
        self.timeline: list[MessageRecord] = []  # every message in creation (monotonic) order
        self.updates: list[UpdateRecord] = []
        self.allowed_updates: list[str] | None = None
        self.files: dict[str, FileRecord] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.chat_actions: list[ChatActionRecord] = []
        self.calls: list[ApiCall] = []
        self.profile = BotProfile()
        self._update_ids = itertools.count(1)
        self._user_ids = itertools.count(100_000_001)
        self._group_ids = itertools.count(500_000_001)
        self._supergroup_ids = itertools.count(1_001_000_000_001)  # shown as -100xxxxxxxxxx
        self._file_counter = itertools.count(1)
        self._callback_ids = itertools.count(4_000_000_000_000_001)

    # ---- users and chats -------------------------------------------------------------------

    def add_user(self, first_name: str, user_id: int | None = None, **fields: Any) -> User:
        user_id = user_id if user_id is not None else next(self._user_ids)
        if user_id in self.users:
            raise ValueError(f"user {user_id} already exists")
        user = User(id=user_id, first_name=first_name, **fields)
        self.users[user_id] = user
        # A private chat's id equals the user's id.
        self.chats[user_id] = Chat(
            id=user_id,
            type=PRIVATE,
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
        )
        return user

    def add_group_chat(
        self,
        title: str,
        *,
        kind: str,
        chat_id: int | None = None,
        username: str | None = None,
        members: dict[int, str] | None = None,
        bot_status: str = "member",
        is_forum: bool = False,
    ) -> Chat:
        if kind not in (GROUP, SUPERGROUP, CHANNEL):
            raise ValueError(f"not a multi-user chat type: {kind}")
        if chat_id is None:
            counter = self._group_ids if kind == GROUP else self._supergroup_ids
            chat_id = -next(counter)
        if chat_id in self.chats:
            raise ValueError(f"chat {chat_id} already exists")
        chat = Chat(
            id=chat_id,
            type=kind,
            title=title,
            username=username,
            members=dict(members or {}),
            bot_status=bot_status,
            is_forum=is_forum,
        )
        self.chats[chat_id] = chat
        return chat

    def resolve_chat(self, ref: int | str | None) -> Chat | None:
        """Find a chat by id or by ``@username`` (public groups and channels only)."""
        if isinstance(ref, str):
            if ref.startswith("@"):
                name = ref[1:].lower()
                return next(
                    (
                        c
                        for c in self.chats.values()
                        if not c.is_private and (c.username or "").lower() == name
                    ),
                    None,
                )
            try:
                ref = int(ref)
            except ValueError:
                return None
        if isinstance(ref, bool) or not isinstance(ref, int):
            return None
        return self.chats.get(ref)

    def member_status(self, chat: Chat, user_id: int) -> str:
        if user_id == self.bot.id:
            return self.bot_status(chat)
        if chat.is_private:
            return "member" if user_id == chat.id else "left"
        return chat.members.get(user_id, "left")

    def bot_status(self, chat: Chat) -> str:
        return "member" if chat.is_private else chat.bot_status

    # ---- messages --------------------------------------------------------------------------

    def add_message(self, chat: Chat, **fields: Any) -> MessageRecord:
        """Store a new message with the chat's next message_id and the current time."""
        history = self.messages.setdefault(chat.id, [])
        now = time.time()
        message = MessageRecord(
            chat_id=chat.id,
            message_id=(history[-1].message_id + 1) if history else 1,
            date=int(now),
            monotonic=time.monotonic(),
            wall_time=now,
            **fields,
        )
        history.append(message)
        self.timeline.append(message)
        return message

    def bot_messages_since(self, since: float) -> list[MessageRecord]:
        """Bot messages in any chat created after monotonic time `since`, oldest first."""
        start = bisect.bisect_right(self.timeline, since, key=lambda m: m.monotonic)
        return [m for m in self.timeline[start:] if m.from_bot]

    def find_message(self, chat_id: int, message_id: int) -> MessageRecord | None:
        """A live (not deleted) message, or None."""
        for message in reversed(self.messages.get(chat_id, [])):
            if message.message_id == message_id:
                return None if message.deleted else message
        return None

    def chat_messages(self, chat_id: int) -> list[MessageRecord]:
        return list(self.messages.get(chat_id, []))

    def message_to_api(self, message: MessageRecord, with_reply: bool = True) -> JsonDict:
        """The Bot API Message object, complete enough for PTB's ``Message.de_json``."""
        chat = self.chats[message.chat_id]
        data: JsonDict = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": chat.to_api(),
        }
        if message.from_user is not None:
            data["from"] = message.from_user.to_api()
        if message.sender_chat_id is not None:
            data["sender_chat"] = self.chats[message.sender_chat_id].to_api()
        if message.message_thread_id is not None:
            data["message_thread_id"] = message.message_thread_id
            if chat.is_forum:  # Telegram marks every message posted in a forum topic
                data["is_topic_message"] = True
        if message.reply_to_message_id is not None and with_reply:
            replied = self.find_message(message.chat_id, message.reply_to_message_id)
            if replied is not None:  # Telegram omits replies to deleted messages
                data["reply_to_message"] = self.message_to_api(replied, with_reply=False)
        if message.media_group_id is not None:
            data["media_group_id"] = message.media_group_id
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.protect_content:
            data["has_protected_content"] = True
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.file is not None:
            file_data = message.file.to_api()
            data[message.file.kind] = [file_data] if message.file.kind == "photo" else file_data
        if message.caption:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        if message.link_preview_options:
            data["link_preview_options"] = message.link_preview_options
        data.update(message.extra)
        # Only inline keyboards are part of a Message; reply keyboards live on the client.
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data

    # ---- updates ---------------------------------------------------------------------------

    def push_update(self, kind: str, payload: JsonDict) -> UpdateRecord:
        update = UpdateRecord(next(self._update_ids), kind, payload)
        self.updates.append(update)
        return update

    def confirm_updates(self, offset: int) -> None:
        """Apply getUpdates' ``offset``: forget confirmed updates (negative = keep last -offset)."""
        if offset > 0:
            self.updates = [u for u in self.updates if u.update_id >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]

    def pending_updates(self, limit: int) -> list[UpdateRecord]:
        """Deliverable updates; ones the bot did not subscribe to are dropped, as Telegram does."""
        if self.allowed_updates:
            allowed = set(self.allowed_updates)
            self.updates = [u for u in self.updates if u.kind in allowed]
        else:
            self.updates = [u for u in self.updates if u.kind not in DEFAULT_EXCLUDED_UPDATES]
        return self.updates[:limit]

    # ---- files and callbacks ---------------------------------------------------------------

    def add_file(self, kind: str, content: bytes, **fields: Any) -> FileRecord:
        number = next(self._file_counter)
        prefix = _FILE_ID_PREFIX.get(kind, "CAAC")
        record = FileRecord(
            file_id=f"{prefix}AgADBAADemu{number:06d}{secrets.token_urlsafe(12)}",
            file_unique_id=f"AQAD{number:06d}{secrets.token_hex(3)}",
            kind=kind,
            content=content,
            **fields,
        )
        self.files[record.file_id] = record
        return record

    def assign_file_path(self, record: FileRecord) -> str:
        if record.file_path is None:
            folder = _FILE_FOLDERS.get(record.kind, f"{record.kind}s")
            suffix = ""
            if record.file_name and "." in record.file_name:
                suffix = "." + record.file_name.rsplit(".", 1)[1]
            elif record.kind == "photo":
                suffix = ".jpg"
            record.file_path = f"{folder}/file_{len(self.files_by_path())}{suffix}"
        return record.file_path

    def file_by_unique_id(self, file_unique_id: str) -> FileRecord | None:
        return next((f for f in self.files.values() if f.file_unique_id == file_unique_id), None)

    def files_by_path(self) -> dict[str, FileRecord]:
        return {f.file_path: f for f in self.files.values() if f.file_path}

    def new_callback_id(self) -> str:
        return str(next(self._callback_ids))
