"""Validation of ``reply_markup`` and ``reply_parameters`` like Telegram does it.

Keyboard mistakes (callback_data over 64 bytes, a button without an action, a bad URL) are
classic production bugs, so they are rejected here with Telegram's error texts.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bot.emulator.methods.common import ApiContext, Params, bad_request
from bot.emulator.records import Chat, JsonDict

MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS = 100
_INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip


def validate_reply_markup(markup: Any) -> JsonDict | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return {"inline_keyboard": _inline_rows(markup["inline_keyboard"])}
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "keyboard" must be an Array of Arrays')
        normalised = [[_reply_button(button) for button in row] for row in rows]
        return {**markup, "keyboard": normalised}
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return dict(markup)
    raise bad_request('can\'t find field "inline_keyboard"')


def _inline_rows(rows: Any) -> list[list[JsonDict]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" must be an Array of Arrays')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            _check_inline_button(button)
    return [[dict(button) for button in row] for row in rows]


def _check_inline_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise bad_request(prefix + 'Field "text" must be of type String')
    actions = [name for name in _INLINE_ACTIONS if name in button]
    if not actions:
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if "callback_data" in button and (
        not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if "url" in button and not _valid_button_url(url):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _valid_button_url(url: Any) -> bool:
    if not isinstance(url, str) or not url or any(ch.isspace() for ch in url):
        return False
    parts = urlsplit(url if "://" in url or url.startswith("tg:") else f"http://{url}")
    if parts.scheme in ("tg", "ton"):
        return True
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and "." in host and host != "localhost"


def _reply_button(button: Any) -> JsonDict:
    if isinstance(button, str):
        return {"text": button}
    if isinstance(button, dict) and isinstance(button.get("text"), str):
        return dict(button)
    raise bad_request("can't parse keyboard button: KeyboardButton must be a String or an Object")


def reply_to_message_id(ctx: ApiContext, chat: Chat, params: Params) -> int | None:
    """Resolve ``reply_parameters`` / legacy ``reply_to_message_id`` to a message in ``chat``."""
    reply = params.json("reply_parameters", "reply parameters")
    if reply is not None:
        if not isinstance(reply, dict) or "message_id" not in reply:
            raise bad_request("can't parse reply parameters JSON object")
        message_id = reply["message_id"]
        allow_missing = bool(reply.get("allow_sending_without_reply"))
        if reply.get("chat_id") not in (None, chat.id, chat.username and f"@{chat.username}"):
            raise bad_request("replies to other chats are not emulated")
    else:
        message_id = params.int("reply_to_message_id")
        allow_missing = params.bool("allow_sending_without_reply")
    if message_id is None:
        return None
    if ctx.state.find_message(chat.id, int(message_id)) is None:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return int(message_id)


def common_message_fields(ctx: ApiContext, chat: Chat, params: Params) -> JsonDict:
    """Fields every send method accepts, validated; ready for ``EmulatorState.add_message``."""
    preview = params.json("link_preview_options", "link preview options")
    if params.bool("disable_web_page_preview"):
        preview = {**(preview or {}), "is_disabled": True}
    sender: JsonDict = (
        {"from_user": None, "sender_chat_id": chat.id}
        if chat.type == "channel"
        else {"from_user": ctx.state.bot}
    )
    return {
        **sender,
        "from_bot": True,
        "reply_markup": validate_reply_markup(params.json("reply_markup", "reply keyboard markup")),
        "reply_to_message_id": reply_to_message_id(ctx, chat, params),
        "message_thread_id": params.int("message_thread_id"),
        "disable_notification": params.bool("disable_notification"),
        "protect_content": params.bool("protect_content"),
        "link_preview_options": preview if isinstance(preview, dict) else None,
    }
