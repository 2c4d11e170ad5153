"""Async client for the control API of an emulator running in another process.

Method names and return types mirror ``Emulator`` (records are rebuilt from JSON), except that
everything is ``async`` because it goes over HTTP. Control errors map back to the exceptions
the in-process API raises: 408 -> TimeoutError, 400 -> ValueError.
"""

from __future__ import annotations

import base64
from typing import Any

import aiohttp

from bot.emulator.limits import FloodViolation
from bot.emulator.records import ApiCall, CallbackQueryRecord, Chat, MessageRecord, User
from bot.emulator.webhook import Post

ChatRef = Chat | User | int


def _chat_id(chat: ChatRef | None) -> int | None:
    return chat if chat is None or isinstance(chat, int) else chat.id


class EmulatorClient:
    def __init__(self, url: str, *, session: aiohttp.ClientSession | None = None):
        """``url`` is the emulator root, e.g. "http://127.0.0.1:8081"."""
        self.url = url.rstrip("/")
        self._session = session
        self._owns_session = session is None
        self.base_url: str | None = None  # filled by connect(): pass to PTB
        self.base_file_url: str | None = None
        self.token: str | None = None
        self.bot: User | None = None

    async def connect(self) -> EmulatorClient:
        info = await self._call("info")
        self.base_url, self.base_file_url = info["base_url"], info["base_file_url"]
        self.token, self.bot = info["token"], User.from_json(info["bot"])
        return self

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    async def __aenter__(self) -> EmulatorClient:
        return await self.connect()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _call(self, action: str, **body: Any) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        timeout = aiohttp.ClientTimeout(total=float(body.get("timeout", 5.0)) + 30.0)
        async with self._session.post(
            f"{self.url}/_emulator/{action}", json=body, timeout=timeout
        ) as response:
            payload = await response.json()
        if payload.get("ok"):
            return payload["result"]
        error = payload.get("error", "control API error")
        if response.status == 408:
            raise TimeoutError(error)
        raise ValueError(error)

    # ---- world building --------------------------------------------------------------------

    async def add_user(self, first_name: str, username: str | None = None, **options: Any) -> User:
        data = await self._call("add_user", first_name=first_name, username=username, **options)
        return User.from_json(data)

    async def add_group(
        self,
        title: str,
        members: list[User] | tuple[User, ...] = (),
        *,
        admins: list[User] | tuple[User, ...] = (),
        creator: User | None = None,
        **options: Any,
    ) -> Chat:
        data = await self._call(
            "add_group",
            title=title,
            member_ids=[u.id for u in members],
            admin_ids=[u.id for u in admins],
            creator_id=creator.id if creator else None,
            **options,
        )
        return Chat.from_json(data)

    async def add_channel(
        self, title: str, username: str | None = None, *,
        admins: list[User] | tuple[User, ...] = (),
        subscribers: list[User] | tuple[User, ...] = (), **options: Any,
    ) -> Chat:  # fmt: skip
        data = await self._call(
            "add_channel", title=title, username=username,
            admin_ids=[u.id for u in admins], subscriber_ids=[u.id for u in subscribers],
            **options,
        )  # fmt: skip
        return Chat.from_json(data)

    async def set_member_status(self, chat: ChatRef, user: User, status: str) -> None:
        await self._call(
            "set_member_status", chat_id=_chat_id(chat), user_id=user.id, status=status
        )

    async def set_bot_status(
        self,
        chat: ChatRef,
        status: str,
        by: User | None = None,
        *,
        rights: dict[str, bool] | None = None,
    ) -> None:
        await self._call(
            "set_bot_status", chat_id=_chat_id(chat), status=status,
            by_id=None if by is None else by.id, rights=rights,
        )  # fmt: skip

    async def migrate_to_supergroup(self, group: ChatRef, by: User | None = None) -> Chat:
        data = await self._call(
            "migrate_to_supergroup", chat_id=_chat_id(group), by_id=None if by is None else by.id
        )
        return Chat.from_json(data)

    async def forward_message(self, user: User, message: MessageRecord) -> MessageRecord:
        data = await self._call(
            "forward_message", user_id=user.id, chat_id=message.chat_id,
            message_id=message.message_id,
        )  # fmt: skip
        return MessageRecord.from_json(data)

    async def block_bot(self, user: User) -> None:
        await self._call("block_bot", user_id=user.id)

    async def unblock_bot(self, user: User) -> None:
        await self._call("unblock_bot", user_id=user.id)

    async def fail_next(
        self, method: str = "sendMessage", *, chat: ChatRef | None = None, **options: Any
    ) -> None:
        """As ``Emulator.fail_next``: ``code``, ``retry_after``, ``description``, ``times``,
        ``mode`` ("error", "garbage", "timeout_after", "reset_after"), ``hold``."""
        await self._call("fail_next", method=method, chat_id=_chat_id(chat), **options)

    async def reset(self) -> None:
        await self._call("reset")

    # ---- acting as users -------------------------------------------------------------------

    async def send_message(
        self, user: User, text: str, chat: ChatRef | None = None, *,
        reply_to: MessageRecord | int | None = None,
    ) -> MessageRecord:  # fmt: skip
        reply_id = reply_to.message_id if isinstance(reply_to, MessageRecord) else reply_to
        data = await self._call(
            "send_message", user_id=user.id, text=text, chat_id=_chat_id(chat),
            reply_to_message_id=reply_id,
        )  # fmt: skip
        return MessageRecord.from_json(data)

    async def send_messages(
        self, messages: list[tuple[User, str, ChatRef | None]]
    ) -> list[MessageRecord]:
        """Inject many messages in one control call: (user, text, chat) each."""
        items = [
            {"user_id": user.id, "text": text, "chat_id": _chat_id(chat)}
            for user, text, chat in messages
        ]
        data = await self._call("send_messages", messages=items)
        return [MessageRecord.from_json(item) for item in data]

    async def bot_messages_since(
        self, since: float = 0.0, count: int = 0, timeout: float = 5.0
    ) -> list[MessageRecord]:
        """Bot messages in any chat created after `since` (the emulator's monotonic clock);
        with `count`, waits until there are that many."""
        data = await self._call("bot_messages_since", since=since, count=count, timeout=timeout)
        return [MessageRecord.from_json(item) for item in data]

    async def send_command(
        self, user: User, command: str, args: str = "", chat: ChatRef | None = None, *,
        mention_bot: bool = False,
    ) -> MessageRecord:  # fmt: skip
        data = await self._call(
            "send_command", user_id=user.id, command=command, args=args,
            chat_id=_chat_id(chat), mention_bot=mention_bot,
        )  # fmt: skip
        return MessageRecord.from_json(data)

    async def send_document(
        self, user: User, filename: str, content: bytes, mime_type: str | None = None,
        caption: str | None = None, chat: ChatRef | None = None,
    ) -> MessageRecord:  # fmt: skip
        data = await self._call(
            "send_document", user_id=user.id, filename=filename,
            content_b64=base64.b64encode(content).decode("ascii"), mime_type=mime_type,
            caption=caption, chat_id=_chat_id(chat),
        )  # fmt: skip
        return MessageRecord.from_json(data)

    async def send_photo(
        self, user: User, content: bytes, caption: str | None = None, chat: ChatRef | None = None
    ) -> MessageRecord:
        data = await self._call(
            "send_photo", user_id=user.id, content_b64=base64.b64encode(content).decode("ascii"),
            caption=caption, chat_id=_chat_id(chat),
        )  # fmt: skip
        return MessageRecord.from_json(data)

    async def edit_message(self, user: User, message: MessageRecord, text: str) -> MessageRecord:
        data = await self._call(
            "edit_message", user_id=user.id, chat_id=message.chat_id,
            message_id=message.message_id, text=text,
        )  # fmt: skip
        return MessageRecord.from_json(data)

    async def press_button(
        self, user: User, message: MessageRecord, data: str | None = None, *,
        text: str | None = None, strict: bool = True,
    ) -> CallbackQueryRecord:  # fmt: skip
        result = await self._call(
            "press_button", user_id=user.id, chat_id=message.chat_id,
            message_id=message.message_id, data=data, text=text, strict=strict,
        )  # fmt: skip
        return CallbackQueryRecord.from_json(result)

    # ---- observing -------------------------------------------------------------------------

    async def wait_for_callback_answer(
        self, query: CallbackQueryRecord | str, timeout: float = 5.0
    ) -> CallbackQueryRecord:
        query_id = query if isinstance(query, str) else query.id
        data = await self._call("wait_for_callback_answer", query_id=query_id, timeout=timeout)
        return CallbackQueryRecord.from_json(data)

    async def wait_for_bot_messages(
        self, chat: ChatRef, count: int = 1, after: MessageRecord | int = 0, timeout: float = 5.0
    ) -> list[MessageRecord]:
        after_id = after.message_id if isinstance(after, MessageRecord) else after
        data = await self._call(
            "wait_for_bot_messages", chat_id=_chat_id(chat), count=count, after=after_id,
            timeout=timeout,
        )  # fmt: skip
        return [MessageRecord.from_json(item) for item in data]

    async def chat_messages(self, chat: ChatRef) -> list[MessageRecord]:
        data = await self._call("chat_messages", chat_id=_chat_id(chat))
        return [MessageRecord.from_json(item) for item in data]

    async def bot_messages(self, chat: ChatRef) -> list[MessageRecord]:
        data = await self._call("bot_messages", chat_id=_chat_id(chat))
        return [MessageRecord.from_json(item) for item in data]

    async def calls(self) -> list[ApiCall]:
        return [ApiCall.from_json(item) for item in await self._call("calls")]

    async def flood_violations(self) -> list[FloodViolation]:
        return [FloodViolation(*item) for item in await self._call("flood_violations")]

    async def webhook_posts(self) -> list[Post]:
        """Every post of an update to the webhook: update id, chat queue, status, error."""
        return [Post(*item) for item in await self._call("webhook_posts")]

    async def my_commands(
        self, scope: str = "default", language_code: str = ""
    ) -> list[tuple[str, str]]:
        pairs = await self._call("my_commands", scope=scope, language_code=language_code)
        return [(command, description) for command, description in pairs]
