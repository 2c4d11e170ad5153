"""Prices as people ask for them: `/price` for the coins they name, `/top` for the day's movers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from core.market import PriceQuote
from core.movers import Movers, movers
from core.refusal import Refusal
from core.symbols import SymbolProblem, SymbolRequest
from services.coins import follow, market_names, resolve_coins, resolve_in
from services.deps import Deps
from services.prices import cached_or_none, quotes, stored_quotes


@dataclass(frozen=True, slots=True)
class Freshness:
    """When a price is old enough to say so, and how soon a first price arrives."""

    now: datetime
    stale_after: timedelta
    first_within: timedelta  # a newly followed coin's first price arrives within this


@dataclass(frozen=True, slots=True)
class Unknown:
    """What was typed that is not a coin Pythia can show, and what to suggest instead."""

    problems: tuple[SymbolProblem, ...] = ()
    examples: tuple[str, ...] = ()  # coins to try
    exchanges: tuple[str, ...] = ()  # where coins are listed ("replay" in the sandbox)


@dataclass(frozen=True, slots=True)
class Prices:
    """/price: the coins asked (in order), the quote of each that has one, and why not."""

    coins: tuple[str, ...]
    quotes: Mapping[str, PriceQuote]
    names: Mapping[str, str]  # coin -> "Bitcoin"
    following: tuple[str, ...]  # coins nobody followed until this ask
    too_many: bool  # more coins were asked than one message shows
    unknown: Unknown
    freshness: Freshness


@dataclass(frozen=True, slots=True)
class Top:
    """/top: the day's movers among the followed coins, and how many coins are followed."""

    movers: Movers
    followed: int


def freshness(deps: Deps, live: bool = True) -> Freshness:
    """`live`: the prices come from the cache the workers keep fresh; else (the cache is away)
    from the database, every one said to be stale."""
    settings = deps.settings
    return Freshness(
        deps.clock.now(),
        timedelta(seconds=settings.stale_after if live else 0),
        timedelta(seconds=settings.ticker_interval),
    )


def unknown(deps: Deps, request: SymbolRequest) -> Unknown:
    return Unknown(request.problems, tuple(deps.settings.symbols), market_names(deps))


def refuse_unknown(deps: Deps, request: SymbolRequest) -> NoReturn:
    """Refusal `coins.unknown`: what was typed is not (all) coins Pythia can show."""
    found = unknown(deps, request)
    raise Refusal(
        "coins.unknown",
        problems=found.problems,
        examples=found.examples,
        exchanges=found.exchanges,
    )


async def coins_or_refuse(
    deps: Deps, session: AsyncSession, typed: Sequence[str]
) -> tuple[str, ...]:
    """The coins typed, or Refusal coins.unknown if any of it is not one."""
    request = await resolve_coins(deps, session, typed)
    if request.problems:
        refuse_unknown(deps, request)
    return request.symbols


async def price(deps: Deps, typed: Sequence[str]) -> Prices:
    """The latest quote of each coin typed; a known coin nobody followed is followed from now.

    Asked of nearly every person many times a day, so it is answered from the cache when the
    cache holds every quote: no transaction at all. A cold cache or a coin nobody follows yet
    takes one transaction, which reads the stored quotes and starts following the rest."""
    request = resolve_in(await deps.current_directory(), typed)
    cached = await cached_or_none(deps, request.symbols)  # None: the cache is away
    found = {} if cached is None else cached
    missing = [s for s in request.symbols if s not in found]
    started: list[str] = []
    if missing:
        async with deps.write() as session:  # it may start following coins
            found.update(await stored_quotes(deps, session, missing))
            unpriced = [s for s in missing if s not in found]
            started = await follow(deps, session, unpriced) if unpriced else []
    if started:
        await deps.assets_changed()
    return Prices(
        coins=request.symbols,
        quotes=found,
        names=deps.directory.display,
        following=tuple(started),
        too_many=request.too_many,
        unknown=unknown(deps, request),
        # from the database while the cache is away: marked stale whatever their age
        freshness=freshness(deps, live=cached is not None),
    )


async def top(deps: Deps) -> Top:
    """The biggest moves up and down over 24 h among the coins Pythia follows."""
    async with deps.read() as session:
        tracked = (await deps.directory_in(session)).tracked
        found = await quotes(deps, session, tracked)
    return Top(movers(found.values()), len(tracked))
