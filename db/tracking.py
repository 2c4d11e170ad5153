"""Which coins the workers follow: the configured ones, and any a person asks about."""

from __future__ import annotations

from collections.abc import Sequence

from core.symbols import SymbolRequest, resolve
from db.repos.assets import set_tracked
from services.deps import Deps


async def resolve_symbols(deps: Deps, args: Sequence[str], limit: int = 10) -> SymbolRequest:
    """Typed arguments as known, listed coins (problems for the rest), on a fresh directory."""
    directory = await deps.current_directory()
    # Before the first market sync (or with every exchange down) nothing is known to be
    # listed; then every known coin is given the benefit of the doubt.
    listed = directory.listed or None
    return resolve(args, directory.symbols, directory.names, limit=limit, listed=listed)


async def ensure_tracked(deps: Deps, symbols: Sequence[str]) -> list[str]:
    """Start following listed coins nobody followed yet; returns those newly followed."""
    untracked = [s for s in symbols if s not in deps.directory.tracked]
    if not untracked:
        return []
    started = []
    async with deps.sessions.begin() as session:
        for symbol in untracked:
            if await set_tracked(session, symbol):
                started.append(symbol)
    if started:
        await deps.assets_changed()
    return started


def exchanges(deps: Deps) -> tuple[str, ...]:
    """The exchanges prices come from, as a person would name them."""
    if deps.settings.resolved_market_source == "replay":
        return ("the sandbox replay",)
    return tuple(deps.settings.exchanges)
