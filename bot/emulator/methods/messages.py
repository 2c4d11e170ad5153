"""Text message methods: send, edit, delete, copy/forward, plus small extras (location, dice).

Edits follow Telegram's rules that commonly bite bots: editing without ``reply_markup`` removes
the inline keyboard, and an edit that changes nothing is a 400 "message is not modified".
"""

from __future__ import annotations

import random
import time
from typing import Any

from bot.emulator.methods.common import (
    ApiContext,
    Params,
    api_method,
    bad_request,
    ensure_bot_in_chat,
    ensure_can_post,
    get_chat,
    parse_body,
    take_flood_token,
)
from bot.emulator.methods.markup import common_message_fields, validate_reply_markup
from bot.emulator.records import Chat, JsonDict, MessageRecord, MessageVersion

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


@api_method("sendMessage")
async def send_message(ctx: ApiContext, params: Params) -> JsonDict:
    chat = get_chat(ctx, params)
    ensure_can_post(ctx, chat)
    parse_mode = params.str("parse_mode")
    parsed = parse_body(params.str("text"), parse_mode, params.json("entities"), caption=False)
    fields = common_message_fields(ctx, chat, params)
    take_flood_token(ctx, "sendMessage", chat)
    message = ctx.state.add_message(
        chat,
        method="sendMessage",
        text=parsed.text,
        entities=parsed.entities,
        parse_mode=parse_mode,
        **fields,
    )
    await ctx.notify()
    return ctx.state.message_to_api(message)


def _target_message(ctx: ApiContext, params: Params, action: str) -> MessageRecord:
    """The bot message an edit addresses (inline messages are not emulated)."""
    if params.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = get_chat(ctx, params)
    ensure_bot_in_chat(ctx, chat)
    message_id = params.int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = ctx.state.find_message(chat.id, message_id)
    if message is None:
        raise bad_request(f"message to {action} not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def _version(message: MessageRecord, method: str) -> MessageVersion:
    now = time.time()
    return MessageVersion(
        method=method,
        text=message.text,
        entities=message.entities,
        caption=message.caption,
        caption_entities=message.caption_entities,
        reply_markup=message.reply_markup,
        parse_mode=message.parse_mode,
        date=int(now),
        monotonic=time.monotonic(),
        wall_time=now,
    )


def _apply_edit(
    message: MessageRecord, method: str, parse_mode: str | None = None, **changes: Any
) -> None:
    """Apply an edit and record it, or raise Telegram's "not modified" if nothing changes.

    Like Telegram, only the resulting content and markup are compared, not the parse_mode.
    """
    current = {name: getattr(message, name) for name in changes}
    if current == changes:
        raise bad_request(NOT_MODIFIED)
    if message.original is None:
        message.original = _version(message, message.method)
    for name, value in changes.items():
        setattr(message, name, value)
    if method != "editMessageReplyMarkup":
        message.parse_mode = parse_mode
    message.edit_date = int(time.time())
    message.edits.append(_version(message, method))


def _inline_markup(params: Params) -> JsonDict | None:
    markup = validate_reply_markup(params.json("reply_markup", "reply keyboard markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")  # edits only accept inline keyboards
    return markup


@api_method("editMessageText")
async def edit_message_text(ctx: ApiContext, params: Params) -> JsonDict:
    message = _target_message(ctx, params, "edit")
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    parse_mode = params.str("parse_mode")
    parsed = parse_body(params.str("text"), parse_mode, params.json("entities"), caption=False)
    _apply_edit(
        message,
        "editMessageText",
        parse_mode,
        text=parsed.text,
        entities=parsed.entities,
        reply_markup=_inline_markup(params),
    )
    await ctx.notify()
    return ctx.state.message_to_api(message)


@api_method("editMessageCaption")
async def edit_message_caption(ctx: ApiContext, params: Params) -> JsonDict:
    message = _target_message(ctx, params, "edit")
    if message.file is None:
        raise bad_request("there is no caption in the message to edit")
    parse_mode = params.str("parse_mode")
    parsed = parse_body(
        params.str("caption"), parse_mode, params.json("caption_entities"), caption=True
    )
    _apply_edit(
        message,
        "editMessageCaption",
        parse_mode,
        caption=parsed.text or None,
        caption_entities=parsed.entities,
        reply_markup=_inline_markup(params),
    )
    await ctx.notify()
    return ctx.state.message_to_api(message)


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(ctx: ApiContext, params: Params) -> JsonDict:
    message = _target_message(ctx, params, "edit")
    _apply_edit(message, "editMessageReplyMarkup", reply_markup=_inline_markup(params))
    await ctx.notify()
    return ctx.state.message_to_api(message)


def _delete(ctx: ApiContext, chat: Chat, message_id: int) -> bool:
    message = ctx.state.find_message(chat.id, message_id)
    if message is None:
        return False
    # Bots may delete their own messages anywhere, and others' only in private chats or as admin.
    if not (message.from_bot or chat.is_private or chat.bot_status in ("administrator", "creator")):
        raise bad_request("message can't be deleted")
    message.deleted = True
    return True


@api_method("deleteMessage")
async def delete_message(ctx: ApiContext, params: Params) -> bool:
    chat = get_chat(ctx, params)
    ensure_bot_in_chat(ctx, chat)
    message_id = params.int("message_id")
    if message_id is None or not _delete(ctx, chat, message_id):
        raise bad_request("message to delete not found")
    await ctx.notify()
    return True


@api_method("deleteMessages")
async def delete_messages(ctx: ApiContext, params: Params) -> bool:
    chat = get_chat(ctx, params)
    ensure_bot_in_chat(ctx, chat)
    ids = params.json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must be a non-empty list of at most 100 identifiers")
    for message_id in ids:
        _delete(ctx, chat, int(message_id))
    await ctx.notify()
    return True


def _source_message(ctx: ApiContext, params: Params, action: str) -> MessageRecord:
    source_chat = get_chat(ctx, params, "from_chat_id")
    message = ctx.state.find_message(source_chat.id, params.int("message_id") or 0)
    if message is None:
        raise bad_request(f"message to {action} not found")
    return message


def _copy_fields(source: MessageRecord) -> JsonDict:
    return {
        "text": source.text,
        "entities": list(source.entities),
        "caption": source.caption,
        "caption_entities": list(source.caption_entities),
        "file": source.file,
        "extra": dict(source.extra),
    }


@api_method("copyMessage")
async def copy_message(ctx: ApiContext, params: Params) -> JsonDict:
    source = _source_message(ctx, params, "copy")
    chat = get_chat(ctx, params)
    ensure_can_post(ctx, chat)
    fields = {**_copy_fields(source), **common_message_fields(ctx, chat, params)}
    if params.has("caption"):
        parse_mode = params.str("parse_mode")
        parsed = parse_body(
            params.str("caption"), parse_mode, params.json("caption_entities"), caption=True
        )
        fields.update(caption=parsed.text or None, caption_entities=parsed.entities)
    take_flood_token(ctx, "copyMessage", chat)
    message = ctx.state.add_message(chat, method="copyMessage", **fields)
    await ctx.notify()
    return {"message_id": message.message_id}


@api_method("forwardMessage")
async def forward_message(ctx: ApiContext, params: Params) -> JsonDict:
    source = _source_message(ctx, params, "forward")
    chat = get_chat(ctx, params)
    ensure_can_post(ctx, chat)
    origin: JsonDict = {"type": "user", "date": source.date}
    if source.from_user is not None:
        origin["sender_user"] = source.from_user.to_api()
    else:
        origin = {"type": "channel", "date": source.date,
                  "chat": ctx.state.chats[source.chat_id].to_api(),
                  "message_id": source.message_id}  # fmt: skip
    fields = _copy_fields(source)
    fields["extra"] = {**fields["extra"], "forward_origin": origin}
    sender = common_message_fields(ctx, chat, params)
    take_flood_token(ctx, "forwardMessage", chat)
    message = ctx.state.add_message(chat, method="forwardMessage", **{**sender, **fields})
    await ctx.notify()
    return ctx.state.message_to_api(message)


async def _send_extra(ctx: ApiContext, params: Params, method: str, extra: JsonDict) -> JsonDict:
    chat = get_chat(ctx, params)
    ensure_can_post(ctx, chat)
    fields = common_message_fields(ctx, chat, params)
    take_flood_token(ctx, method, chat)
    message = ctx.state.add_message(chat, method=method, extra=extra, **fields)
    await ctx.notify()
    return ctx.state.message_to_api(message)


@api_method("sendLocation")
async def send_location(ctx: ApiContext, params: Params) -> JsonDict:
    latitude, longitude = params.json("latitude"), params.json("longitude")
    if not isinstance(latitude, int | float) or not isinstance(longitude, int | float):
        raise bad_request("wrong latitude or longitude specified")
    location = {"latitude": float(latitude), "longitude": float(longitude)}
    return await _send_extra(ctx, params, "sendLocation", {"location": location})


@api_method("sendDice")
async def send_dice(ctx: ApiContext, params: Params) -> JsonDict:
    emoji = params.str("emoji") or "🎲"
    faces = {"🎯": 6, "🎲": 6, "🎳": 6, "🏀": 5, "⚽": 5, "🎰": 64}
    if emoji not in faces:
        raise bad_request("emoji is invalid")
    dice = {"emoji": emoji, "value": random.randint(1, faces[emoji])}
    return await _send_extra(ctx, params, "sendDice", {"dice": dice})


def _pin_chat(ctx: ApiContext, params: Params) -> Chat:
    chat = get_chat(ctx, params)
    ensure_bot_in_chat(ctx, chat)
    if not chat.is_private and chat.bot_status not in ("administrator", "creator"):
        raise bad_request("not enough rights to manage pinned messages in the chat")
    return chat


@api_method("pinChatMessage")
async def pin_chat_message(ctx: ApiContext, params: Params) -> bool:
    chat = _pin_chat(ctx, params)
    message_id = params.int("message_id")
    if message_id is None or ctx.state.find_message(chat.id, message_id) is None:
        raise bad_request("message to pin not found")
    chat.pinned_message_ids.append(message_id)
    return True


@api_method("unpinChatMessage")
async def unpin_chat_message(ctx: ApiContext, params: Params) -> bool:
    chat = _pin_chat(ctx, params)
    message_id = params.int("message_id")
    pinned = chat.pinned_message_ids
    if message_id is None and pinned:
        pinned.pop()  # without message_id the most recent pin is removed
    elif message_id in pinned:
        pinned.remove(message_id)
    return True


@api_method("unpinAllChatMessages")
async def unpin_all_chat_messages(ctx: ApiContext, params: Params) -> bool:
    _pin_chat(ctx, params).pinned_message_ids.clear()
    return True
