"""A person's watchlist: how many coins it holds, and what adding some does to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_WATCHED = 30  # coins on one watchlist: /prices shows them all in one message


@dataclass(frozen=True, slots=True)
class Adding:
    new: tuple[str, ...]  # asked for and not on the list yet, in the order asked
    already: tuple[str, ...]  # asked for and on the list before

    def fits(self, current: Sequence[str], most: int = MAX_WATCHED) -> bool:
        """Whether the list still holds at most `most` coins with the new ones added."""
        return len(current) + len(self.new) <= most


def adding(current: Sequence[str], asked: Sequence[str]) -> Adding:
    return Adding(
        tuple(c for c in asked if c not in current), tuple(c for c in asked if c in current)
    )
