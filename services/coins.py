"""Which coins a person means, and which the workers follow: the configured ones, and any a
person asks about.

Building blocks, not use cases: they take the caller's session and open no transaction. A use
case that started following coins calls `deps.assets_changed()` once its transaction committed.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from core.symbols import SymbolRequest, resolve
from db.repos.assets import AssetDirectory, set_tracked
from services.deps import Deps

REPLAY = "replay"  # the sandbox's market, named among the exchanges


async def resolve_coins(
    deps: Deps, session: AsyncSession, typed: Sequence[str], limit: int = 10
) -> SymbolRequest:
    """Typed arguments as known, listed coins (problems for the rest), on a fresh directory."""
    return resolve_in(await deps.directory_in(session), typed, limit)


def resolve_in(directory: AssetDirectory, typed: Sequence[str], limit: int = 10) -> SymbolRequest:
    """Typed arguments as known, listed coins of `directory` (problems for the rest)."""
    # Before the first market sync (or with every exchange down) nothing is known to be
    # listed; then every known coin is given the benefit of the doubt.
    listed = directory.listed or None
    return resolve(typed, directory.symbols, directory.names, limit=limit, listed=listed)


async def follow(deps: Deps, session: AsyncSession, symbols: Sequence[str]) -> list[str]:
    """Start following listed coins nobody followed yet; returns those newly followed (then
    call `deps.assets_changed()` after the commit)."""
    directory = await deps.directory_in(session)
    return [s for s in symbols if s not in directory.tracked and await set_tracked(session, s)]


def market_names(deps: Deps) -> tuple[str, ...]:
    """The exchanges prices come from (REPLAY in the sandbox)."""
    if deps.settings.resolved_market_source == "replay":
        return (REPLAY,)
    return tuple(deps.settings.exchanges)
