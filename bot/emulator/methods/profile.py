"""Bot profile methods: commands per scope/language, descriptions, name, menu button."""

from __future__ import annotations

import re
from typing import Any

from bot.emulator.methods.common import ApiContext, Params, api_method, bad_request, get_chat
from bot.emulator.records import JsonDict

COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
MAX_COMMANDS = 100
_PLAIN_SCOPES = ("default", "all_private_chats", "all_group_chats", "all_chat_administrators")


def scope_key(ctx: ApiContext, scope: Any) -> str:
    """A stable key for a BotCommandScope: "default", "chat:<id>", "chat_member:<id>:<user>"."""
    if scope is None:
        return "default"
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope["type"]
    if kind in _PLAIN_SCOPES:
        return kind
    if kind not in ("chat", "chat_administrators", "chat_member"):
        raise bad_request("wrong BotCommandScope type specified")
    chat = get_chat(ctx, Params({"chat_id": scope.get("chat_id")}))
    if kind != "chat_member":
        return f"{kind}:{chat.id}"
    user_id = scope.get("user_id")
    if user_id not in ctx.state.users:
        raise bad_request("user not found")
    return f"chat_member:{chat.id}:{user_id}"


def _language(params: Params) -> str:
    language = params.str("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")  # wording approximate
    return language


@api_method("setMyCommands")
async def set_my_commands(ctx: ApiContext, params: Params) -> bool:
    commands = params.json("commands", "commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("too many commands specified")  # wording approximate
    stored: list[JsonDict] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not COMMAND_RE.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        stored.append({"command": name, "description": description})
    key = (scope_key(ctx, params.json("scope", "scope")), _language(params))
    if stored:
        ctx.state.profile.commands[key] = stored
    else:  # an empty list deletes, as in Telegram
        ctx.state.profile.commands.pop(key, None)
    return True


@api_method("getMyCommands")
async def get_my_commands(ctx: ApiContext, params: Params) -> list[JsonDict]:
    key = (scope_key(ctx, params.json("scope", "scope")), _language(params))
    return list(ctx.state.profile.commands.get(key, []))


@api_method("deleteMyCommands")
async def delete_my_commands(ctx: ApiContext, params: Params) -> bool:
    key = (scope_key(ctx, params.json("scope", "scope")), _language(params))
    ctx.state.profile.commands.pop(key, None)
    return True


def _store_text(store: dict[str, str], params: Params, name: str, limit: int) -> bool:
    value = params.str(name) or ""
    if len(value) > limit:
        raise bad_request(f"{name.replace('_', ' ')} is too long")  # wording approximate
    language = _language(params)
    if value:
        store[language] = value
    else:
        store.pop(language, None)
    return True


@api_method("setMyDescription")
async def set_my_description(ctx: ApiContext, params: Params) -> bool:
    return _store_text(ctx.state.profile.descriptions, params, "description", 512)


@api_method("getMyDescription")
async def get_my_description(ctx: ApiContext, params: Params) -> JsonDict:
    return {"description": ctx.state.profile.descriptions.get(_language(params), "")}


@api_method("setMyShortDescription")
async def set_my_short_description(ctx: ApiContext, params: Params) -> bool:
    return _store_text(ctx.state.profile.short_descriptions, params, "short_description", 120)


@api_method("getMyShortDescription")
async def get_my_short_description(ctx: ApiContext, params: Params) -> JsonDict:
    text = ctx.state.profile.short_descriptions.get(_language(params), "")
    return {"short_description": text}


@api_method("setMyName")
async def set_my_name(ctx: ApiContext, params: Params) -> bool:
    return _store_text(ctx.state.profile.names, params, "name", 64)


@api_method("getMyName")
async def get_my_name(ctx: ApiContext, params: Params) -> JsonDict:
    names = ctx.state.profile.names
    return {"name": names.get(_language(params)) or names.get("") or ctx.state.bot.first_name}


@api_method("setChatMenuButton")
async def set_chat_menu_button(ctx: ApiContext, params: Params) -> bool:
    chat_id = get_chat(ctx, params).id if params.has("chat_id") else None
    button = params.json("menu_button", "menu button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
        raise bad_request("can't parse menu button JSON object")
    ctx.state.profile.menu_buttons[chat_id] = button
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(ctx: ApiContext, params: Params) -> JsonDict:
    buttons = ctx.state.profile.menu_buttons
    chat_id = get_chat(ctx, params).id if params.has("chat_id") else None
    return buttons.get(chat_id) or buttons.get(None) or {"type": "default"}
