"""The simulated world: users and chats to create, and read-only views of what happened.

``World`` is the base of ``Emulator``: it owns nothing asynchronous except the shared
``ApiContext`` (state + change condition) and is split out only to keep modules small.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from bot.emulator.limits import FloodViolation
from bot.emulator.methods import ApiContext
from bot.emulator.methods.chats import chat_member
from bot.emulator.methods.common import Fault
from bot.emulator.records import (
    CHANNEL,
    GROUP,
    PRESENT_STATUSES,
    SUPERGROUP,
    ApiCall,
    CallbackQueryRecord,
    Chat,
    ChatActionRecord,
    FileRecord,
    MessageRecord,
    User,
)
from bot.emulator.state import EmulatorState

ChatRef = Chat | User | int  # a User stands for the private chat with that user
MessageRef = MessageRecord | int


class World:
    def __init__(self, context: ApiContext):
        self.context = context
        self.internal_errors: list[str] = []  # tracebacks of emulator bugs (HTTP 500 answers)
        self._notifications: set[asyncio.Task[None]] = set()

    # ---- read-only views -------------------------------------------------------------------

    @property
    def state(self) -> EmulatorState:
        return self.context.state

    @property
    def bot(self) -> User:
        return self.state.bot

    @property
    def calls(self) -> list[ApiCall]:
        return self.state.calls

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.state.calls if call.method == method]

    def failed_calls(self) -> list[ApiCall]:
        """Bot API calls answered with an error (status != 200), in order."""
        return [call for call in self.state.calls if call.status not in (0, 200)]

    @property
    def flood_violations(self) -> list[FloodViolation]:
        return self.context.flood_violations

    @property
    def commands(self) -> dict[tuple[str, str], list[dict[str, str]]]:
        """setMyCommands results keyed by (scope key, language code); see ``my_commands``."""
        return self.state.profile.commands

    def my_commands(self, scope: str = "default", language_code: str = "") -> list[tuple[str, str]]:
        """(command, description) pairs; scope keys: "default", "chat:<id>", ..."""
        stored = self.state.profile.commands.get((scope, language_code), [])
        return [(c["command"], c["description"]) for c in stored]

    @property
    def chat_actions(self) -> list[ChatActionRecord]:
        return self.state.chat_actions

    @property
    def callback_queries(self) -> dict[str, CallbackQueryRecord]:
        return self.state.callback_queries

    def chat(self, ref: ChatRef) -> Chat:
        chat_id = ref if isinstance(ref, int) else ref.id
        chat = self.state.chats.get(chat_id)
        if chat is None:
            raise KeyError(f"unknown chat {chat_id}")
        return chat

    def private_chat(self, user: User | int) -> Chat:
        return self.chat(user)

    def chat_messages(self, chat: ChatRef) -> list[MessageRecord]:
        return self.state.chat_messages(self.chat(chat).id)

    def bot_messages(self, chat: ChatRef) -> list[MessageRecord]:
        return [m for m in self.chat_messages(chat) if m.from_bot]

    def last_bot_message(self, chat: ChatRef) -> MessageRecord | None:
        messages = self.bot_messages(chat)
        return messages[-1] if messages else None

    def file(self, file_id: str) -> FileRecord:
        return self.state.files[file_id]

    # ---- world building --------------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        username: str | None = None,
        *,
        last_name: str | None = None,
        language_code: str | None = "en",
        id: int | None = None,  # mirrors the Bot API field name
        is_premium: bool = False,
        started: bool = True,
    ) -> User:
        """A user; ``started=False``: never pressed Start, so the bot cannot write first."""
        return self.state.add_user(
            first_name,
            id,
            username=username,
            last_name=last_name,
            language_code=language_code,
            is_premium=is_premium,
            started_bot=started,
        )

    def add_group(
        self,
        title: str,
        members: Iterable[User] = (),
        *,
        supergroup: bool = False,
        bot_is_admin: bool = False,
        bot_is_member: bool = True,
        admins: Iterable[User] = (),
        creator: User | None = None,
        username: str | None = None,
        id: int | None = None,
        is_forum: bool = False,
    ) -> Chat:
        statuses = {user.id: "member" for user in members}
        statuses.update({user.id: "administrator" for user in admins})
        if creator is not None:
            statuses[creator.id] = "creator"
        bot_status = "administrator" if bot_is_admin else "member" if bot_is_member else "left"
        return self.state.add_group_chat(
            title,
            kind=SUPERGROUP if supergroup or is_forum else GROUP,
            chat_id=id,
            username=username,
            members=statuses,
            bot_status=bot_status,
            is_forum=is_forum,
        )

    def add_channel(
        self,
        title: str,
        username: str | None = None,
        *,
        bot_is_admin: bool = True,
        bot_is_member: bool = True,
        admins: Iterable[User] = (),
        subscribers: Iterable[User] = (),
        id: int | None = None,
    ) -> Chat:
        statuses = {user.id: "member" for user in subscribers}
        statuses.update({user.id: "administrator" for user in admins})
        bot_status = "administrator" if bot_is_admin else "member" if bot_is_member else "left"
        return self.state.add_group_chat(
            title, kind=CHANNEL, chat_id=id, username=username, members=statuses,
            bot_status=bot_status,
        )  # fmt: skip

    def set_member_status(self, chat: ChatRef, user: User, status: str) -> None:
        self.chat(chat).members[user.id] = status

    def set_bot_status(
        self,
        chat: ChatRef,
        status: str,
        by: User | None = None,
        *,
        rights: dict[str, bool] | None = None,
    ) -> None:
        """The bot's status in a group or channel becomes "administrator", "member", "left" or
        "kicked", changed by ``by`` (default: the chat's creator, else an admin, else the bot
        itself, as when it leaves). Like Telegram, a change pushes a ``my_chat_member`` update
        (old and new ChatMember of the bot, ``from`` who did it), and the bot added to a group
        also gets the ``new_chat_members`` service message. ``rights``: an administrator bot's
        rights that differ from all, e.g. ``{"can_post_messages": False}`` in a channel."""
        target = self.chat(chat)
        if target.is_private:
            raise ValueError("the bot's status in a private chat is blocked or not: block_bot")
        old, old_rights = target.bot_status, target.bot_rights
        target.bot_status = status
        target.bot_rights = dict(rights or {}) if status == "administrator" else {}
        if old == status and old_rights == target.bot_rights:
            return
        was = replace(target, bot_rights=old_rights)
        actor = by or self._in_charge(target)
        bot, now = self.bot, int(time.time())
        self.state.push_update(
            "my_chat_member",
            {
                "chat": target.to_api(),
                "from": actor.to_api(),
                "date": now,
                "old_chat_member": chat_member(was, bot, old),
                "new_chat_member": chat_member(target, bot, status),
            },
        )
        joined = old not in PRESENT_STATUSES and status in PRESENT_STATUSES
        if joined and target.type in (GROUP, SUPERGROUP):
            message = self.state.add_message(
                target, from_user=actor, from_bot=False, method="user",
                extra={"new_chat_members": [bot.to_api()]},
            )  # fmt: skip
            self.state.push_update("message", self.state.message_to_api(message))
        self._notify_soon()

    def _in_charge(self, chat: Chat) -> User:
        """Who changes the bot's status when a test does not say: the creator, else an admin."""
        for wanted in ("creator", "administrator"):
            for user_id, status in chat.members.items():
                if status == wanted and user_id in self.state.users:
                    return self.state.users[user_id]
        return self.bot

    def block_bot(self, user: User) -> None:
        """The user blocks the bot: later sends to their private chat get 403."""
        self._set_blocked(user, True)

    def unblock_bot(self, user: User) -> None:
        self._set_blocked(user, False)

    def _set_blocked(self, user: User, blocked: bool) -> None:
        stored = self.state.users[user.id]
        if stored.blocked_bot == blocked:
            return
        stored.blocked_bot = blocked
        user.blocked_bot = blocked
        bot = self.bot.to_api()
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        old_member: dict[str, Any] = {"status": old, "user": bot}
        new_member: dict[str, Any] = {"status": new, "user": bot}
        # a "kicked" member always carries until_date (0: for ever), before as after
        (new_member if blocked else old_member)["until_date"] = 0
        self.state.push_update(
            "my_chat_member",
            {
                "chat": self.chat(user).to_api(),
                "from": stored.to_api(),
                "date": int(time.time()),
                "old_chat_member": old_member,
                "new_chat_member": new_member,
            },
        )
        self._notify_soon()

    def fail_next(
        self,
        method: str = "sendMessage",
        *,
        chat: ChatRef | None = None,
        code: int = 429,
        retry_after: int | None = None,
        description: str | None = None,
        times: int = 1,
        mode: str = "error",
        hold: float = 60.0,
    ) -> None:
        """The next ``times`` calls of ``method`` (any Bot API method; to ``chat``, if given)
        fail as Telegram or the network between can make them fail.

        ``mode="error"`` (the default): the call does nothing and answers ``code`` — 429 with
        ``retry_after`` (default 1), 502 Bad Gateway (PTB: NetworkError), 403, 400...
        The other modes carry the call out (a message is stored, an action recorded) and then
        lose its answer: ``"garbage"`` answers HTTP 200 with a body cut in half (not JSON),
        ``"timeout_after"`` holds the answer until the client gives up (or ``hold`` seconds),
        ``"reset_after"`` closes the connection without answering. Such calls are logged in
        ``calls`` with their real status and ``fault`` set to the mode."""
        parameters = None
        if mode == "error" and code == 429:
            retry_after = retry_after or 1
            parameters = {"retry_after": retry_after}
        default = {
            429: f"Too Many Requests: retry after {retry_after}",
            502: "Bad Gateway",
            403: "Forbidden: bot was blocked by the user",
            400: "Bad Request: chat not found",
        }.get(code, "Internal Server Error")
        chat_id = None if chat is None else chat if isinstance(chat, int) else chat.id
        fault = Fault(method, code, description or default, chat_id, parameters, times, mode, hold)
        self.context.faults.append(fault)

    def reset(self) -> None:
        """Forget everything (users, chats, messages, calls...) except the bot's identity."""
        self.context.state = EmulatorState(self.bot)
        self.context.flood_violations.clear()
        self.context.faults.clear()
        if self.context.limiter is not None:
            self.context.limiter.reset()
        self.internal_errors.clear()
        self._notify_soon()

    def _notify_soon(self) -> None:
        """Wake waiters from synchronous code (nobody can be waiting without a running loop)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(self.context.notify())
        self._notifications.add(task)  # keep a reference until done, as asyncio requires
        task.add_done_callback(self._notifications.discard)
