"""Plain record types the emulator stores and hands to tests.

Each record knows two representations: ``to_api()`` (what the Bot API would send, so PTB can
``de_json`` it) and ``to_json()``/``from_json()`` (the control API's lossless form, used by the
out-of-process client so it can return the very same record types as the in-process API).
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field, fields
from typing import Any

JsonDict = dict[str, Any]

PRIVATE, GROUP, SUPERGROUP, CHANNEL = "private", "group", "supergroup", "channel"
# Member statuses that mean "is in the chat".
PRESENT_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})


def _drop_none(data: JsonDict) -> JsonDict:
    return {key: value for key, value in data.items() if value is not None}


def _known(cls: type, data: JsonDict) -> JsonDict:
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    is_premium: bool = False
    # Emulator-side facts about the user's private chat with the bot.
    started_bot: bool = True  # pressed "Start"; otherwise the bot cannot write first
    blocked_bot: bool = False

    def to_api(self) -> JsonDict:
        return _drop_none(
            {
                "id": self.id,
                "is_bot": self.is_bot,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "username": self.username,
                "language_code": None if self.is_bot else self.language_code,
                "is_premium": True if self.is_premium else None,
            }
        )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_json(self) -> JsonDict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: JsonDict) -> User:
        return cls(**_known(cls, data))


@dataclass
class Chat:
    id: int
    type: str  # private, group, supergroup, channel
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False
    members: dict[int, str] = field(default_factory=dict)  # user id -> status
    bot_status: str = "member"  # creator, administrator, member, left, kicked
    pinned_message_ids: list[int] = field(default_factory=list)
    migrated_to: int | None = None  # a group upgraded to this supergroup: its id is dead
    bot_rights: dict[str, bool] = field(default_factory=dict)  # an admin bot's, where not all

    @property
    def is_private(self) -> bool:
        return self.type == PRIVATE

    def to_api(self) -> JsonDict:
        return _drop_none(
            {
                "id": self.id,
                "type": self.type,
                "title": self.title,
                "username": self.username,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "is_forum": True if self.is_forum else None,
            }
        )

    def to_json(self) -> JsonDict:
        data = asdict(self)
        data["members"] = {str(k): v for k, v in self.members.items()}  # JSON keys are strings
        return data

    @classmethod
    def from_json(cls, data: JsonDict) -> Chat:
        data = _known(cls, data)
        data["members"] = {int(k): v for k, v in data.get("members", {}).items()}
        return cls(**data)


@dataclass
class FileRecord:
    """An uploaded file. ``kind`` is the Bot API field it appears under (photo, document...)."""

    file_id: str
    file_unique_id: str
    kind: str
    content: bytes = field(repr=False)
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    file_path: str | None = None  # assigned by getFile, like Telegram
    source_url: str | None = None  # set when the bot sent an HTTP URL instead of bytes

    @property
    def file_size(self) -> int:
        return len(self.content)

    def to_api(self) -> JsonDict:
        base: JsonDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        dims = {"width": self.width or 0, "height": self.height or 0}
        named = {"file_name": self.file_name, "mime_type": self.mime_type}
        if self.kind == "photo":
            return {**base, **dims}
        if self.kind in ("video", "animation"):
            return _drop_none({**base, **dims, "duration": 0, **named})
        if self.kind in ("audio", "voice"):
            return _drop_none({**base, "duration": 0, **named})
        if self.kind == "video_note":
            return {**base, "length": self.width or 0, "duration": 0}
        if self.kind == "sticker":
            return {**base, **dims, "type": "regular", "is_animated": False, "is_video": False}
        return _drop_none({**base, **named})

    def to_json(self) -> JsonDict:
        data = asdict(self)
        data["content"] = base64.b64encode(self.content).decode("ascii")
        return data

    @classmethod
    def from_json(cls, data: JsonDict) -> FileRecord:
        data = _known(cls, data)
        data["content"] = base64.b64decode(data.get("content") or "")
        return cls(**data)


@dataclass
class MessageVersion:
    """Content of a message as set by one send or edit call."""

    method: str
    text: str | None
    entities: list[JsonDict]
    caption: str | None
    caption_entities: list[JsonDict]
    reply_markup: JsonDict | None
    parse_mode: str | None
    date: int
    monotonic: float
    wall_time: float


@dataclass
class MessageRecord:
    chat_id: int
    message_id: int
    date: int
    from_user: User | None  # the bot for bot messages, None for channel posts
    from_bot: bool
    method: str  # Bot API method that created it, or "user" for injected messages
    text: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JsonDict] = field(default_factory=list)
    parse_mode: str | None = None
    reply_markup: JsonDict | None = None
    file: FileRecord | None = None
    extra: JsonDict = field(default_factory=dict)  # other API fields: location, dice, ...
    sender_chat_id: int | None = None
    reply_to_message_id: int | None = None
    message_thread_id: int | None = None
    media_group_id: str | None = None
    disable_notification: bool = False
    protect_content: bool = False
    link_preview_options: JsonDict | None = None
    edits: list[MessageVersion] = field(default_factory=list)  # content set by each edit
    original: MessageVersion | None = None  # content before the first edit (None if unedited)
    edit_date: int | None = None
    deleted: bool = False
    monotonic: float = 0.0  # time.monotonic() when created, for latency measurements
    wall_time: float = 0.0  # time.time() when created

    @property
    def photo(self) -> FileRecord | None:
        return self.file if self.file and self.file.kind == "photo" else None

    @property
    def document(self) -> FileRecord | None:
        return self.file if self.file and self.file.kind == "document" else None

    @property
    def body(self) -> str:
        """Text or caption, whichever the message has (handy in assertions)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def history(self) -> list[MessageVersion]:
        """Every version of an edited message, oldest first; empty if never edited."""
        return [self.original, *self.edits] if self.original else []

    @property
    def buttons(self) -> list[JsonDict]:
        """All inline keyboard buttons, flattened row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    def to_json(self) -> JsonDict:
        data = asdict(self)
        data["file"] = self.file.to_json() if self.file else None
        return data

    @classmethod
    def from_json(cls, data: JsonDict) -> MessageRecord:
        data = _known(cls, data)
        data["from_user"] = User.from_json(data["from_user"]) if data.get("from_user") else None
        data["file"] = FileRecord.from_json(data["file"]) if data.get("file") else None
        data["edits"] = [MessageVersion(**e) for e in data.get("edits") or []]
        data["original"] = MessageVersion(**data["original"]) if data.get("original") else None
        return cls(**data)


@dataclass
class CallbackQueryRecord:
    id: str
    from_user: User
    chat_id: int
    message_id: int
    data: str
    chat_instance: str
    monotonic: float
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None
    answered_monotonic: float | None = None

    def to_json(self) -> JsonDict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: JsonDict) -> CallbackQueryRecord:
        data = _known(cls, data)
        data["from_user"] = User.from_json(data["from_user"])
        return cls(**data)


@dataclass
class ChatActionRecord:
    chat_id: int
    action: str
    monotonic: float


@dataclass
class ApiCall:
    """One Bot API request. Unpacks as ``method, params = call`` for convenience."""

    method: str
    params: JsonDict
    status: int = 0  # HTTP status answered (0 while still running, e.g. a long poll)
    description: str | None = None  # error description when status != 200
    monotonic: float = 0.0
    fault: str | None = None  # how its answer was lost ("garbage", "timeout_after", ...)

    def __iter__(self):
        return iter((self.method, self.params))

    @property
    def ok(self) -> bool:
        return self.status == 200

    def to_json(self) -> JsonDict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: JsonDict) -> ApiCall:
        return cls(**_known(cls, data))


@dataclass
class UpdateRecord:
    update_id: int
    kind: str  # message, edited_message, channel_post, callback_query, ...
    payload: JsonDict

    def to_api(self) -> JsonDict:
        return {"update_id": self.update_id, self.kind: self.payload}
