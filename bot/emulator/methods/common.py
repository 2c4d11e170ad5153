"""Shared plumbing for Bot API method handlers: errors, parameter decoding, common checks.

Handlers are plain ``async def handler(ctx, params) -> result`` functions registered with
``@api_method``; they raise ``ApiError`` to answer ``{"ok": false, ...}`` exactly as Telegram.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.html import EntityParseError, ParsedText, ParseModeError, parse_text
from bot.emulator.limits import MESSAGE_METHODS, FloodLimiter, FloodViolation
from bot.emulator.records import CHANNEL, PRIVATE, SUPERGROUP, Chat, JsonDict
from bot.emulator.state import EmulatorState
from bot.emulator.textutil import utf16_len
from bot.emulator.webhook import WebhookPusher

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"


class ApiError(Exception):
    """An error answer: HTTP status == ``error_code``, body ``{"ok": false, ...}``."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")


# Parameters that are strings in the Bot API: PTB sends them raw (not JSON-encoded), so they
# must never be json-decoded ("123" as a message text must stay a string).
STRING_PARAMS = frozenset(
    {
        "text", "caption", "parse_mode", "caption_parse_mode", "callback_query_id", "url",
        "title", "description", "short_description", "name", "emoji", "action",
        "language_code", "file_id", "query", "message_effect_id", "business_connection_id",
        "inline_message_id", "first_name", "last_name", "phone_number", "vcard", "address",
        "foursquare_id", "foursquare_type", "google_place_id", "google_place_type", "question",
        "explanation", "explanation_parse_mode", "custom_emoji_id", "invite_link",
        "secret_token", "ip_address", "payload", "currency", "provider_token",
        "start_parameter", "game_short_name", "web_app_query_id", "switch_pm_text",
        "switch_pm_parameter", "next_offset", "error_message", "sticker_set_name",
        "photo", "document", "video", "audio", "voice", "animation", "video_note", "sticker",
        "thumbnail",
    }
)  # fmt: skip


def decode_form_value(name: str, raw: str) -> Any:
    """Decode one form field the way PTB encoded it: JSON unless it is a string parameter."""
    if name in STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


@dataclass
class UploadedFile:
    filename: str
    content: bytes = field(repr=False)
    content_type: str | None


class Params:
    """Typed access to decoded request parameters, with Telegram-style errors."""

    def __init__(
        self,
        values: JsonDict,
        files: dict[str, UploadedFile] | None = None,
        client_gone: Callable[[], bool] | None = None,
    ):
        self.values = values
        self.files = files or {}
        # Lets a long poll notice that its HTTP client disconnected.
        self.client_gone: Callable[[], bool] = client_gone or (lambda: False)

    def has(self, name: str) -> bool:
        return self.values.get(name) is not None or name in self.files

    def str(self, name: builtins.str, default: builtins.str | None = None) -> builtins.str | None:
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def int(self, name: builtins.str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        raise bad_request(f"wrong parameter {name} specified")

    def bool(self, name: builtins.str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def json(self, name: builtins.str, what: builtins.str | None = None) -> Any:
        """A JSON-typed parameter; clients may send it already decoded or as a JSON string."""
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {what or name} JSON object") from None
        return value

    def input_file(
        self, name: builtins.str, value: Any = None
    ) -> UploadedFile | builtins.str | None:
        """An InputFile parameter: an upload (direct or ``attach://``), a file_id or a URL."""
        value = self.values.get(name) if value is None else value
        if isinstance(value, str) and value.startswith("attach://"):
            upload = self.files.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(f"file to attach for {name} not found")
            return upload
        if value is None:
            return self.files.get(name)
        return value if isinstance(value, str) else None

    def for_log(self) -> JsonDict:
        """Parameters as recorded in the call log; uploads are summarised, not copied."""
        logged = dict(self.values)
        for key, upload in self.files.items():
            logged[key] = {
                "upload": upload.filename,
                "size": len(upload.content),
                "mime_type": upload.content_type,
            }
        return logged


# How an injected fault meets a call: "error" answers an error and does nothing; the others
# carry the call out (a message is stored) and then lose its answer: "garbage" answers HTTP 200
# with a body that is not JSON, "timeout_after" holds the answer until the client gives up (or
# `hold` seconds), "reset_after" closes the connection without answering.
FAULT_MODES = ("error", "garbage", "timeout_after", "reset_after")


@dataclass
class Fault:
    """What the next ``times`` calls of ``method`` (to ``chat_id``, if set) meet: see
    ``FAULT_MODES``."""

    method: str
    code: int
    description: str
    chat_id: int | None = None
    parameters: JsonDict | None = None
    times: int = 1
    mode: str = "error"
    hold: float = 60.0  # "timeout_after": seconds the answer is held at most

    def __post_init__(self) -> None:
        if self.mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {self.mode!r}; one of {FAULT_MODES}")

    def matches(self, method: str, params: Params) -> bool:
        if self.times <= 0 or self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(params.values.get("chat_id")) == str(self.chat_id)

    def error(self) -> ApiError:
        return ApiError(self.code, self.description, self.parameters)


@dataclass
class ApiContext:
    """What handlers may touch; owned by the Emulator."""

    state: EmulatorState
    limiter: FloodLimiter | None
    changed: asyncio.Condition  # notified on every state change; waiters re-check
    privacy_mode: bool = True
    flood_violations: list[FloodViolation] = field(default_factory=list)
    closing: bool = False
    poll_generation: int = 0
    faults: list[Fault] = field(default_factory=list)  # injected by tests: fail_next()
    webhook: WebhookPusher = field(default_factory=WebhookPusher)  # posts while one is set

    def take_fault(self, method: str, params: Params) -> Fault | None:
        """The injected fault this call meets, if any (each fault fires `times` times)."""
        for fault in self.faults:
            if fault.matches(method, params):
                fault.times -= 1
                return fault
        return None

    async def notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()


Handler = Callable[[ApiContext, Params], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def api_method(*names: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            METHODS[name] = handler
        return handler

    return register


# ---- checks shared by the sending methods ------------------------------------------------


def get_chat(ctx: ApiContext, params: Params, name: str = "chat_id") -> Chat:
    value = params.values.get(name)
    if value is None or value == "":
        raise bad_request(f"{name} is empty")
    chat = ctx.state.resolve_chat(value)
    if chat is None:
        raise bad_request("chat not found")
    if chat.migrated_to is not None:  # PTB raises ChatMigrated(new_chat_id)
        raise ApiError(400, MIGRATED, {"migrate_to_chat_id": chat.migrated_to})
    return chat


def ensure_bot_in_chat(ctx: ApiContext, chat: Chat) -> None:
    """403 like Telegram when the bot is not (or no longer) in the chat."""
    if chat.is_private:
        user = ctx.state.users[chat.id]
        if user.blocked_bot:
            raise forbidden("bot was blocked by the user")
        if not user.started_bot:
            raise forbidden("bot can't initiate conversation with a user")
        return
    kind = {SUPERGROUP: "supergroup", CHANNEL: "channel"}.get(chat.type, "group")
    if chat.bot_status == "kicked":
        raise forbidden(f"bot was kicked from the {kind} chat")
    if chat.bot_status == "left":
        raise forbidden(f"bot is not a member of the {kind} chat")


def ensure_can_post(ctx: ApiContext, chat: Chat) -> None:
    ensure_bot_in_chat(ctx, chat)
    if chat.type == CHANNEL and (
        chat.bot_status not in ("administrator", "creator")
        or not chat.bot_rights.get("can_post_messages", True)
    ):
        raise bad_request("need administrator rights in the channel chat")


def take_flood_token(ctx: ApiContext, method: str, chat: Chat) -> None:
    if ctx.limiter is None or method not in MESSAGE_METHODS:
        return
    retry_after = ctx.limiter.acquire(chat.id, private=chat.type == PRIVATE)
    if retry_after is not None:
        ctx.flood_violations.append(FloodViolation(method, chat.id, retry_after))
        raise ApiError(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )


def parse_body(
    text: str | None, parse_mode: str | None, entities: Any, *, caption: bool
) -> ParsedText:
    """Parse text/caption with its parse_mode and enforce Telegram's length limits."""
    if entities is not None and not isinstance(entities, list):
        raise bad_request(f"can't parse {'caption_' if caption else ''}entities JSON object")
    try:
        (text or "").encode("utf-8")
        parsed = parse_text(text or "", parse_mode, entities)
    except (EntityParseError, ParseModeError) as exc:
        raise ApiError(400, exc.description) from None
    except UnicodeEncodeError:  # lone surrogates, e.g. from a JSON "\ud83d" escape
        raise bad_request("text must be encoded in UTF-8") from None
    if caption:
        if utf16_len(parsed.text) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
    elif not parsed.text:
        raise bad_request("message text is empty")
    elif utf16_len(parsed.text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return parsed
