"""Control API: the in-process ``Emulator`` API as JSON over HTTP under ``/_emulator/``.

Used when the emulator runs as a separate process (sandbox chat, benchmarks). Every action is
``POST /_emulator/<action>`` with a JSON object body (GET with query parameters works for the
read-only ones) and answers ``{"ok": true, "result": ...}``; bad input answers 400 and a wait
that timed out answers 408, both with ``{"ok": false, "error": "..."}``.
``bot.emulator.client.EmulatorClient`` wraps this with the same method names as ``Emulator``.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.emulator.records import JsonDict, MessageRecord, User

if TYPE_CHECKING:
    from bot.emulator.emulator import Emulator

Action = Callable[["Emulator", JsonDict], Awaitable[Any]]
ACTIONS: dict[str, Action] = {}


def action(name: str) -> Callable[[Action], Action]:
    def register(handler: Action) -> Action:
        ACTIONS[name] = handler
        return handler

    return register


def _user(emu: Emulator, body: JsonDict, key: str = "user_id") -> User:
    user = emu.state.users.get(int(body[key]))
    if user is None:
        raise KeyError(f"unknown user {body[key]}")
    return user


def _users(emu: Emulator, ids: Any) -> list[User]:
    return [_user(emu, {"id": user_id}, "id") for user_id in ids or []]


def _chat_id(body: JsonDict) -> int | None:
    return int(body["chat_id"]) if body.get("chat_id") is not None else None


def _message(emu: Emulator, body: JsonDict) -> MessageRecord:
    message = emu.state.find_message(int(body["chat_id"]), int(body["message_id"]))
    if message is None:
        raise KeyError(f"message {body['message_id']} not found in chat {body['chat_id']}")
    return message


def _content(body: JsonDict) -> bytes:
    return base64.b64decode(body.get("content_b64") or "")


@action("info")
async def _info(emu: Emulator, body: JsonDict) -> JsonDict:
    return {
        "base_url": emu.base_url,
        "base_file_url": emu.base_file_url,
        "token": emu.token,
        "bot": emu.bot.to_json(),
    }


@action("add_user")
async def _add_user(emu: Emulator, body: JsonDict) -> JsonDict:
    names = ("last_name", "language_code", "id", "is_premium", "started")
    options = {k: body[k] for k in names if k in body}
    return emu.add_user(body["first_name"], body.get("username"), **options).to_json()


@action("add_group")
async def _add_group(emu: Emulator, body: JsonDict) -> JsonDict:
    creator = _user(emu, body, "creator_id") if body.get("creator_id") is not None else None
    flags = ("supergroup", "bot_is_admin", "bot_is_member", "username", "id", "is_forum")
    chat = emu.add_group(
        body["title"],
        _users(emu, body.get("member_ids")),
        admins=_users(emu, body.get("admin_ids")),
        creator=creator,
        **{k: body[k] for k in flags if k in body},
    )
    return chat.to_json()


@action("add_channel")
async def _add_channel(emu: Emulator, body: JsonDict) -> JsonDict:
    chat = emu.add_channel(
        body["title"],
        body.get("username"),
        admins=_users(emu, body.get("admin_ids")),
        subscribers=_users(emu, body.get("subscriber_ids")),
        **{k: body[k] for k in ("bot_is_admin", "bot_is_member", "id") if k in body},
    )
    return chat.to_json()


@action("send_message")
async def _send_message(emu: Emulator, body: JsonDict) -> JsonDict:
    message = await emu.send_message(
        _user(emu, body), body["text"], _chat_id(body), reply_to=body.get("reply_to_message_id")
    )
    return message.to_json()


@action("send_messages")
async def _send_messages(emu: Emulator, body: JsonDict) -> list[JsonDict]:
    """Many users' messages injected at once (load generation without an HTTP call each)."""
    sent = [
        await emu.send_message(_user(emu, item), item["text"], _chat_id(item))
        for item in body["messages"]
    ]
    return [message.to_json() for message in sent]


@action("bot_messages_since")
async def _bot_messages_since(emu: Emulator, body: JsonDict) -> list[JsonDict]:
    """Bot messages in every chat created after the emulator's monotonic `since`; with
    `count`, waits (up to `timeout` s) until there are that many."""
    since, count = float(body.get("since", 0.0)), int(body.get("count", 0))
    if count:
        found = await emu.wait_for_bot_messages_since(since, count, float(body.get("timeout", 5)))
    else:
        found = emu.state.bot_messages_since(since)
    return [message.to_json() for message in found]


@action("send_command")
async def _send_command(emu: Emulator, body: JsonDict) -> JsonDict:
    message = await emu.send_command(
        _user(emu, body), body["command"], body.get("args", ""), _chat_id(body),
        mention_bot=bool(body.get("mention_bot")),
    )  # fmt: skip
    return message.to_json()


@action("send_document")
async def _send_document(emu: Emulator, body: JsonDict) -> JsonDict:
    message = await emu.send_document(
        _user(emu, body), body["filename"], _content(body), body.get("mime_type"),
        body.get("caption"), _chat_id(body),
    )  # fmt: skip
    return message.to_json()


@action("send_photo")
async def _send_photo(emu: Emulator, body: JsonDict) -> JsonDict:
    message = await emu.send_photo(
        _user(emu, body), _content(body), body.get("caption"), _chat_id(body)
    )
    return message.to_json()


@action("edit_message")
async def _edit_message(emu: Emulator, body: JsonDict) -> JsonDict:
    message = await emu.edit_message(_user(emu, body), _message(emu, body), body["text"])
    return message.to_json()


@action("press_button")
async def _press_button(emu: Emulator, body: JsonDict) -> JsonDict:
    query = await emu.press_button(
        _user(emu, body), _message(emu, body), body.get("data"), text=body.get("text"),
        strict=body.get("strict", True),
    )  # fmt: skip
    return query.to_json()


@action("wait_for_callback_answer")
async def _wait_for_callback_answer(emu: Emulator, body: JsonDict) -> JsonDict:
    query = await emu.wait_for_callback_answer(body["query_id"], float(body.get("timeout", 5.0)))
    return query.to_json()


@action("wait_for_bot_messages")
async def _wait_for_bot_messages(emu: Emulator, body: JsonDict) -> list[JsonDict]:
    messages = await emu.wait_for_bot_messages(
        int(body["chat_id"]), int(body.get("count", 1)), int(body.get("after", 0)),
        float(body.get("timeout", 5.0)),
    )  # fmt: skip
    return [message.to_json() for message in messages]


@action("chat_messages")
async def _chat_messages(emu: Emulator, body: JsonDict) -> list[JsonDict]:
    return [message.to_json() for message in emu.chat_messages(int(body["chat_id"]))]


@action("bot_messages")
async def _bot_messages(emu: Emulator, body: JsonDict) -> list[JsonDict]:
    return [message.to_json() for message in emu.bot_messages(int(body["chat_id"]))]


@action("block_bot")
async def _block_bot(emu: Emulator, body: JsonDict) -> bool:
    emu.block_bot(_user(emu, body))
    return True


@action("unblock_bot")
async def _unblock_bot(emu: Emulator, body: JsonDict) -> bool:
    emu.unblock_bot(_user(emu, body))
    return True


@action("set_member_status")
async def _set_member_status(emu: Emulator, body: JsonDict) -> bool:
    emu.set_member_status(int(body["chat_id"]), _user(emu, body), body["status"])
    return True


@action("set_bot_status")
async def _set_bot_status(emu: Emulator, body: JsonDict) -> bool:
    by = _user(emu, body, "by_id") if body.get("by_id") is not None else None
    emu.set_bot_status(int(body["chat_id"]), body["status"], by, rights=body.get("rights"))
    return True


@action("migrate_to_supergroup")
async def _migrate_to_supergroup(emu: Emulator, body: JsonDict) -> JsonDict:
    by = _user(emu, body, "by_id") if body.get("by_id") is not None else None
    return (await emu.migrate_to_supergroup(int(body["chat_id"]), by)).to_json()


@action("forward_message")
async def _forward_message(emu: Emulator, body: JsonDict) -> JsonDict:
    return (await emu.forward_message(_user(emu, body), _message(emu, body))).to_json()


@action("fail_next")
async def _fail_next(emu: Emulator, body: JsonDict) -> bool:
    names = ("code", "retry_after", "description", "times", "mode", "hold")
    emu.fail_next(
        body.get("method", "sendMessage"), chat=_chat_id(body),
        **{k: body[k] for k in names if body.get(k) is not None},
    )  # fmt: skip
    return True


@action("calls")
async def _calls(emu: Emulator, body: JsonDict) -> list[JsonDict]:
    return [call.to_json() for call in emu.calls]


@action("flood_violations")
async def _flood_violations(emu: Emulator, body: JsonDict) -> list[list[Any]]:
    return [list(violation) for violation in emu.flood_violations]


@action("webhook_posts")
async def _webhook_posts(emu: Emulator, body: JsonDict) -> list[list[Any]]:
    return [[p.update_id, p.queue, p.status, p.error] for p in emu.webhook_posts()]


@action("my_commands")
async def _my_commands(emu: Emulator, body: JsonDict) -> list[list[str]]:
    pairs = emu.my_commands(body.get("scope", "default"), body.get("language_code", ""))
    return [list(pair) for pair in pairs]


@action("reset")
async def _reset(emu: Emulator, body: JsonDict) -> bool:
    emu.reset()
    return True


def add_control_routes(app: web.Application, emulator: Emulator) -> None:
    async def handle(request: web.Request) -> web.Response:
        handler = ACTIONS.get(request.match_info["action"])
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown control action"}, status=404)
        body: JsonDict = dict(request.query)
        if request.can_read_body:
            try:
                payload = await request.json()
            except ValueError:
                return web.json_response({"ok": False, "error": "body must be JSON"}, status=400)
            body.update(payload or {})
        try:
            result = await handler(emulator, body)
        except TimeoutError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=408)
        except (KeyError, ValueError, TypeError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            return web.json_response({"ok": False, "error": error}, status=400)
        return web.json_response({"ok": True, "result": result})

    app.router.add_route("*", "/_emulator/{action}", handle)
