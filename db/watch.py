"""Watchlists as commands need them: add, remove, read, with the limits checked here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from core.people import ChatSeen, PersonSeen
from db.repos import watchlist
from db.repos.people import register
from services._legacy import ensure_tracked
from services.deps import Deps


@dataclass(frozen=True)
class WatchOutcome:
    added: tuple[str, ...] = ()
    already: tuple[str, ...] = ()
    watching: tuple[str, ...] = ()
    over_limit: bool = False  # nothing was added: it would pass MAX_WATCHED
    following: tuple[str, ...] = field(default=())  # coins nobody followed until now


async def watch(
    deps: Deps, person: PersonSeen, chat: ChatSeen, symbols: Sequence[str]
) -> WatchOutcome:
    """Add coins to the person's watchlist, all or none."""
    async with deps.sessions.begin() as session:
        await register(session, person, chat, deps.clock.now())
        current = await watchlist.watched(session, person.id)
        new = [s for s in symbols if s not in current]
        if len(current) + len(new) > watchlist.MAX_WATCHED:
            return WatchOutcome(watching=tuple(current), over_limit=True)
        ids = [deps.directory.ids[s] for s in new]
        await watchlist.add(session, person.id, ids, deps.clock.now())
        watching = await watchlist.watched(session, person.id)
    following = await ensure_tracked(deps, new)
    return WatchOutcome(
        added=tuple(new),
        already=tuple(s for s in symbols if s in current),
        watching=tuple(watching),
        following=tuple(following),
    )


async def unwatch(
    deps: Deps, user_id: int, symbols: Sequence[str] | None
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Remove coins (None: all); returns (removed, not on the list, still watching)."""
    async with deps.sessions.begin() as session:
        current = await watchlist.watched(session, user_id)
        targets = current if symbols is None else [s for s in symbols if s in current]
        missing = () if symbols is None else tuple(s for s in symbols if s not in current)
        if targets:
            await watchlist.remove(session, user_id, [deps.directory.ids[s] for s in targets])
        remaining = [s for s in current if s not in targets]
    return tuple(targets), missing, tuple(remaining)


async def watched(deps: Deps, user_id: int) -> list[str]:
    async with deps.sessions() as session:
        return await watchlist.watched(session, user_id)
