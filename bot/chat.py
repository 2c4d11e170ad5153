"""The sandbox's terminal chat: you are a Telegram user talking to Pythia through the emulator.

Works with the in-process emulator and, over its control API, with one in another process.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from bot.emulator import EmulatorClient
from bot.emulator.records import MessageRecord, User

STYLE = {
    "bold": "\033[1m",
    "italic": "\033[3m",
    "underline": "\033[4m",
    "strikethrough": "\033[9m",
    "code": "\033[36m",
    "pre": "\033[36m",
    "text_link": "\033[4;34m",
    "url": "\033[4;34m",
    "bot_command": "\033[33m",
    "spoiler": "\033[2m",
}
RESET = "\033[0m"
HELP = (
    "You are chatting with Pythia as a Telegram user. Type commands as in Telegram "
    "(/help, /price BTC ETH).\n"
    "  a number      press that button of the last message with buttons\n"
    "  :group        talk in a group chat with Pythia     :private  back to the private chat\n"
    "  :quit         leave (or Ctrl-D)"
)


def styled(text: str, entities: list[dict[str, Any]], colour: bool = True) -> str:
    """Telegram entities (UTF-16 offsets) as terminal styles."""
    if not colour or not entities:
        return text
    units = text.encode("utf-16-le")
    marks: dict[int, list[str]] = {}
    for entity in entities:
        style = STYLE.get(entity["type"])
        if style:
            start, end = entity["offset"], entity["offset"] + entity["length"]
            marks.setdefault(start, []).append(style)
            marks.setdefault(end, []).insert(0, RESET)
    out, last = [], 0
    for position in sorted(marks):
        out.append(units[last * 2 : position * 2].decode("utf-16-le"))
        out.extend(marks[position])
        last = position
    out.append(units[last * 2 :].decode("utf-16-le"))
    return "".join(out)


async def _maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def terminal_language() -> str:
    """The language of this terminal's locale (`es_ES.UTF-8` → es), as Telegram would report
    the app's: the sandbox speaks to you in it, as Pythia does to people in Telegram."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return value.split(".")[0].replace("_", "-")
    return "en"


class TerminalChat:
    """Read lines from the terminal, send them as the user, print what the bot answers."""

    def __init__(self, emulator: Any, downloads: Path, colour: bool | None = None) -> None:
        self.emu = emulator  # an Emulator, or a connected EmulatorClient
        self.downloads = downloads
        self.colour = sys.stdout.isatty() if colour is None else colour
        self.user: User | None = None
        self.private: Any = None
        self.group: Any = None
        self.chat: Any = None
        self.seen: dict[int, int] = {}
        self.with_buttons: MessageRecord | None = None

    async def setup(self) -> None:
        self.user = await _maybe(self.emu.add_user("You", "you", language_code=terminal_language()))
        self.private = self.chat = self.user
        self.group = await _maybe(
            self.emu.add_group("Sandbox group", members=[self.user], supergroup=True)
        )

    def print_message(self, message: MessageRecord) -> None:
        where = " (group)" if message.chat_id == self.group.id else ""
        body = styled(message.body, message.entities or message.caption_entities, self.colour)
        print(
            f"\n\033[32mPythia{where}:\033[0m {body}" if self.colour else f"\nPythia{where}: {body}"
        )
        if message.file is not None:
            self.downloads.mkdir(parents=True, exist_ok=True)
            suffix = ".png" if message.file.kind == "photo" else ""
            path = (
                self.downloads / f"{message.file.file_name or message.file.file_unique_id}{suffix}"
            )
            path.write_bytes(message.file.content)
            print(f"  [{message.file.kind} saved to {path}]")
        if message.buttons:
            self.with_buttons = message
            labels = [f"[{i}] {b.get('text')}" for i, b in enumerate(message.buttons, 1)]
            print("  " + "  ".join(labels))

    async def printer(self) -> None:
        """Print every new bot message of the current chats as it arrives."""
        while True:
            for chat in (self.private, self.group):
                key = chat.id
                try:
                    messages = await self.emu.wait_for_bot_messages(
                        chat, count=1, after=self.seen.get(key, 0), timeout=0.2
                    )
                except TimeoutError:
                    continue
                for message in messages:
                    self.seen[key] = max(self.seen.get(key, 0), message.message_id)
                    self.print_message(message)
                self.prompt()

    def prompt(self) -> None:
        print("you> ", end="", flush=True)

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the person wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line in (":quit", ":q", "/quit"):
            return False
        if line in (":help", ":h"):
            print(HELP)
        elif line == ":group":
            self.chat = self.group
            print("Now talking in 'Sandbox group' (address commands as /price@pythia_bot BTC).")
        elif line == ":private":
            self.chat = self.private
            print("Back in your private chat with Pythia.")
        elif line.isdigit() and self.with_buttons is not None:
            buttons = self.with_buttons.buttons
            index = int(line) - 1
            if 0 <= index < len(buttons) and "callback_data" in buttons[index]:
                await self.emu.press_button(
                    self.user, self.with_buttons, buttons[index]["callback_data"]
                )
            else:
                print(f"There is no button {line}.")
        else:
            await self.emu.send_message(self.user, line, chat=self.chat)
            return True
        self.prompt()
        return True

    async def run(self, stop: Awaitable[object] | None = None) -> None:
        """Chat until the person quits, stdin closes, or `stop` completes."""
        await self.setup()
        print("Pythia sandbox: an offline Telegram with real prices replayed from Binance.")
        print("Type /help to begin, :help for sandbox keys, Ctrl-D to leave.")
        self.prompt()
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def readable() -> None:
            line = sys.stdin.readline()
            lines.put_nowait(line if line else None)

        loop.add_reader(sys.stdin.fileno(), readable)
        printer = asyncio.create_task(self.printer())
        stopper = asyncio.ensure_future(stop) if stop is not None else None
        try:
            while True:
                getter = asyncio.create_task(lines.get())
                waiting = {getter} | ({stopper} if stopper else set())
                done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    getter.cancel()
                    break
                line = getter.result()
                if line is None or not await self.handle(line):
                    break
        finally:
            loop.remove_reader(sys.stdin.fileno())
            printer.cancel()
            if stopper is not None:
                stopper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await printer
            print("\nBye.")


async def attach(url: str) -> None:
    """`pythia chat`: chat with a sandbox running in another process."""
    async with EmulatorClient(url) as client:
        await TerminalChat(client, Path("var") / "sandbox").run()
