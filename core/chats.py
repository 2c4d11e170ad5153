"""Chats Pythia posts to — private chats, groups, supergroups, channels — and what they chose."""

from __future__ import annotations

from dataclasses import dataclass

GROUP_TYPES = frozenset({"group", "supergroup"})
PAUSED_REMOVED = "removed"  # the bot was removed from the chat, or lost the right to post
PAUSED_UNLINKED = "unlinked"  # a channel its admin unlinked
# Telegram's GroupAnonymousBot: who a group admin posting as the group appears to be
ANONYMOUS_ADMIN = 1087968824


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """A chat as Pythia keeps it: its kind, the language and time zone it is spoken to in, and
    whether Pythia may post there now (`active` and not paused)."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    language: str | None = None  # None: the language of who set it up (else English)
    timezone: str = "UTC"
    active: bool = True
    paused_reason: str | None = None
    set_up_by: int | None = None
    migrated_to: int | None = None

    @property
    def is_group(self) -> bool:
        return self.type in GROUP_TYPES

    @property
    def is_channel(self) -> bool:
        return self.type == "channel"

    @property
    def postable(self) -> bool:
        return self.active and self.paused_reason is None and self.migrated_to is None
