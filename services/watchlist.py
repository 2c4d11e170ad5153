"""A person's watchlist: `/watch`, `/unwatch` and `/prices`.

Refusals: `watch.which_coins` and `unwatch.which_coins` (nothing typed), `coins.unknown`
(nothing typed is a coin: problems, examples, exchanges), `watch.full` (most, have: adding
would pass MAX_WATCHED; nothing is added).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core.market import PriceQuote
from core.people import ChatSeen, PersonSeen
from core.refusal import Refusal
from core.symbols import SymbolRequest
from core.watchlist import MAX_WATCHED, adding
from db.repos import watchlist
from db.repos.people import register
from services.coins import follow, resolve_coins
from services.deps import Deps
from services.market import Freshness, Unknown, freshness, refuse_unknown, unknown
from services.prices import quotes

LIMIT = MAX_WATCHED  # coins one /watch or /unwatch may name
ALL = "all"  # /unwatch all


@dataclass(frozen=True, slots=True)
class Watched:
    added: tuple[str, ...]
    already: tuple[str, ...]  # asked for, but on the list before
    watching: tuple[str, ...]  # the whole list now, in the order it was built
    following: tuple[str, ...]  # coins nobody followed until now
    unknown: Unknown  # what else was typed


@dataclass(frozen=True, slots=True)
class Unwatched:
    removed: tuple[str, ...]
    missing: tuple[str, ...]  # asked for, but not on the list
    remaining: tuple[str, ...]
    unknown: Unknown


@dataclass(frozen=True, slots=True)
class WatchlistPrices:
    coins: tuple[str, ...]  # in the order they were added
    quotes: Mapping[str, PriceQuote]
    freshness: Freshness


async def _coins(deps: Deps, session: AsyncSession, typed: Sequence[str]) -> SymbolRequest | None:
    """The coins typed; None when nothing was typed; Refusal coins.unknown when none of what
    was typed is a coin."""
    request = await resolve_coins(deps, session, typed, limit=LIMIT)
    if request.problems and not request.symbols:
        refuse_unknown(deps, request)
    return request if request.symbols else None


async def watch(deps: Deps, person: PersonSeen, chat: ChatSeen, typed: Sequence[str]) -> Watched:
    """Add the coins typed to the person's watchlist, all or none; coins nobody followed are
    followed from now."""
    async with deps.write_for(person.id) as session:
        request = await _coins(deps, session, typed)
        if request is None:
            raise Refusal("watch.which_coins")
        await register(session, person, chat, deps.clock.now())
        current = await watchlist.watched(session, person.id)
        asked = adding(current, request.symbols)
        if not asked.fits(current):
            raise Refusal("watch.full", most=MAX_WATCHED, have=len(current))
        directory = await deps.directory_in(session)
        ids = [directory.ids[s] for s in asked.new]
        await watchlist.add(session, person.id, ids, deps.clock.now())
        watching = await watchlist.watched(session, person.id)
        started = await follow(deps, session, asked.new)
    if started:
        await deps.assets_changed()
    return Watched(
        added=asked.new,
        already=asked.already,
        watching=tuple(watching),
        following=tuple(started),
        unknown=unknown(deps, request),
    )


async def unwatch(deps: Deps, user_id: int, typed: Sequence[str]) -> Unwatched:
    """Remove the coins typed from the person's watchlist, or all of them (`/unwatch all`)."""
    everything = [a.strip().lower() for a in typed] == [ALL]
    async with deps.write_for(user_id) as session:
        request: SymbolRequest | None = SymbolRequest()
        if not everything:
            request = await _coins(deps, session, typed)
        if request is None:
            raise Refusal("unwatch.which_coins")
        current = await watchlist.watched(session, user_id)
        asked = current if everything else list(request.symbols)
        targets = [s for s in asked if s in current]
        if targets:
            directory = await deps.directory_in(session)
            await watchlist.remove(session, user_id, [directory.ids[s] for s in targets])
    return Unwatched(
        removed=tuple(targets),
        missing=tuple(s for s in asked if s not in current),
        remaining=tuple(s for s in current if s not in targets),
        unknown=unknown(deps, request),
    )


async def watchlist_prices(deps: Deps, user_id: int) -> WatchlistPrices:
    """The person's coins and the latest quote of each."""
    async with deps.read() as session:
        coins = await watchlist.watched(session, user_id)
        found = await quotes(deps, session, coins)
    return WatchlistPrices(tuple(coins), found, freshness(deps))
