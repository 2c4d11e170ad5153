"""Chat information, membership, chat actions and callback query answers."""

from __future__ import annotations

import time

from bot.emulator.methods.common import (
    ApiContext,
    Params,
    api_method,
    bad_request,
    ensure_bot_in_chat,
    get_chat,
)
from bot.emulator.records import CHANNEL, PRESENT_STATUSES, Chat, ChatActionRecord, JsonDict, User
from bot.emulator.textutil import utf16_len

CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
MAX_CALLBACK_ANSWER = 200
INVALID_QUERY = "query is too old and response timeout expired or query ID is invalid"


def _admin_rights(channel: bool) -> JsonDict:
    rights = {
        "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
        "can_delete_messages": True, "can_manage_video_chats": True,
        "can_restrict_members": True, "can_promote_members": False, "can_change_info": True,
        "can_invite_users": True, "can_post_stories": True, "can_edit_stories": True,
        "can_delete_stories": True, "can_pin_messages": True,
    }  # fmt: skip
    if channel:
        rights.update(can_post_messages=True, can_edit_messages=True)
    return rights


def chat_member(chat: Chat, user: User, status: str) -> JsonDict:
    """A ChatMember object of the right subtype for ``status``."""
    member: JsonDict = {"status": status, "user": user.to_api()}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(_admin_rights(chat.type == CHANNEL))
        if user.is_bot:
            member.update(chat.bot_rights)
    elif status == "kicked":
        member["until_date"] = 0
    elif status == "restricted":
        member["status"] = "member"  # restrictions are not emulated
    return member


def _user(ctx: ApiContext, user_id: int | None) -> User:
    if user_id == ctx.state.bot.id:
        return ctx.state.bot
    user = ctx.state.users.get(user_id or 0)
    if user is None:
        raise bad_request("user not found")
    return user


def _group_chat(ctx: ApiContext, params: Params) -> Chat:
    chat = get_chat(ctx, params)
    if not chat.is_private:
        ensure_bot_in_chat(ctx, chat)
    return chat


@api_method("getChat")
async def get_chat_info(ctx: ApiContext, params: Params) -> JsonDict:
    chat = get_chat(ctx, params)
    if not chat.is_private and chat.username is None:  # a public chat is seen from outside
        ensure_bot_in_chat(ctx, chat)
    info = {
        **chat.to_api(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
            "premium_subscription": False, "gifts_from_channels": False,
        },
    }  # fmt: skip
    if chat.pinned_message_ids:
        pinned = ctx.state.find_message(chat.id, chat.pinned_message_ids[-1])
        if pinned is not None:
            info["pinned_message"] = ctx.state.message_to_api(pinned)
    return info


@api_method("getChatMember")
async def get_chat_member(ctx: ApiContext, params: Params) -> JsonDict:
    chat = get_chat(ctx, params)
    if not chat.is_private and not (chat.type == CHANNEL and chat.username):
        ensure_bot_in_chat(ctx, chat)  # a public channel answers about the bot from outside
    user = _user(ctx, params.int("user_id"))
    admin = chat.bot_status in ("administrator", "creator")
    if chat.type == CHANNEL and user.id != ctx.state.bot.id and not admin:
        raise bad_request("member list is inaccessible")  # a channel's members are private
    return chat_member(chat, user, ctx.state.member_status(chat, user.id))


@api_method("getChatAdministrators")
async def get_chat_administrators(ctx: ApiContext, params: Params) -> list[JsonDict]:
    chat = _group_chat(ctx, params)
    if chat.is_private:
        raise bad_request("there are no administrators in the private chat")
    admins = [
        chat_member(chat, ctx.state.users[user_id], status)
        for user_id, status in chat.members.items()
        if status in ("creator", "administrator") and user_id in ctx.state.users
    ]
    if chat.bot_status == "administrator":
        admins.append(chat_member(chat, ctx.state.bot, "administrator"))
    return admins


@api_method("getChatMemberCount")
async def get_chat_member_count(ctx: ApiContext, params: Params) -> int:
    chat = _group_chat(ctx, params)
    if chat.is_private:
        return 2
    humans = sum(1 for status in chat.members.values() if status in PRESENT_STATUSES)
    return humans + (1 if chat.bot_status in PRESENT_STATUSES else 0)


@api_method("leaveChat")
async def leave_chat(ctx: ApiContext, params: Params) -> bool:
    chat = _group_chat(ctx, params)
    if chat.is_private:
        raise bad_request("chat member status can't be changed in private chats")
    bot, was = ctx.state.bot, chat_member(chat, ctx.state.bot, chat.bot_status)
    chat.bot_status = "left"
    ctx.state.push_update(  # the bot is told of its own leaving, like any change of its status
        "my_chat_member",
        {
            "chat": chat.to_api(), "from": bot.to_api(), "date": int(time.time()),
            "old_chat_member": was, "new_chat_member": chat_member(chat, bot, "left"),
        },
    )  # fmt: skip
    await ctx.notify()
    return True


@api_method("sendChatAction")
async def send_chat_action(ctx: ApiContext, params: Params) -> bool:
    chat = get_chat(ctx, params)
    ensure_bot_in_chat(ctx, chat)
    action = params.str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    ctx.state.chat_actions.append(ChatActionRecord(chat.id, action, time.monotonic()))
    await ctx.notify()
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(ctx: ApiContext, params: Params) -> bool:
    query = ctx.state.callback_queries.get(params.str("callback_query_id") or "")
    if query is None or query.answered:
        raise bad_request(INVALID_QUERY)
    text = params.str("text")
    if text is not None and utf16_len(text) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    query.answer_text = text
    query.show_alert = params.bool("show_alert")
    query.url = params.str("url")
    query.cache_time = params.int("cache_time")
    query.answered_monotonic = time.monotonic()
    await ctx.notify()
    return True
