"""One command's help: its name, its one-liner in Telegram's menu, and its /help text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CommandHelp:
    name: str
    menu: str  # the one-liner in Telegram's command menu (≤ 256 characters), in English
    usage: str  # HTML, shown by /help <name>, in English: both are translated when said
