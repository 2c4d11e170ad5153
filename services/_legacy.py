"""TEMPORARY, while the areas move onto the services: the old self-opening helpers, built on
the building blocks. Nothing may import this once issue 9's conversion is done (a test checks)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from core.market import PriceQuote
from core.symbols import SymbolRequest
from services.coins import follow, market_names, resolve_coins
from services.deps import Deps
from services.prices import quotes
from services.series import Series
from services.series import load_series as _load_series


async def latest_quotes(deps: Deps, assets: Sequence[str]) -> dict[str, PriceQuote]:
    async with deps.read() as session:
        return await quotes(deps, session, assets)


async def load_series(
    deps: Deps,
    asset: str,
    timeframe: str,
    span: timedelta | None = None,
    limit: int | None = None,
) -> Series | None:
    async with deps.read() as session:
        return await _load_series(deps, session, asset, timeframe, span=span, limit=limit)


async def ensure_tracked(deps: Deps, symbols: Sequence[str]) -> list[str]:
    async with deps.write() as session:
        started = await follow(deps, session, symbols)
    if started:
        await deps.assets_changed()
    return started


async def resolve_symbols(deps: Deps, typed: Sequence[str], limit: int = 10) -> SymbolRequest:
    async with deps.read() as session:
        return await resolve_coins(deps, session, typed, limit)


def exchanges(deps: Deps) -> tuple[str, ...]:
    return market_names(deps)
