"""Prices as use cases need them: the cache first, the database behind it.

Building blocks, not use cases: they take the caller's session and open no transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from core.currencies import DOLLAR_LIKE
from core.market import PriceQuote
from db.cache import PRICE_CHANNEL
from db.repos.prices import latest_for_assets
from services.deps import Deps


async def quotes(deps: Deps, session: AsyncSession, assets: Sequence[str]) -> dict[str, PriceQuote]:
    """The latest quote of each asset Pythia has one for."""
    if not assets:
        return {}
    found = await deps.cache.get_prices(assets)
    missing = [a for a in assets if a not in found]
    if missing:  # a cold cache (restart, eviction): the database has the last ticker we saw
        found.update(await latest_for_assets(session, missing))
    return found


async def prices_in(
    deps: Deps, session: AsyncSession, assets: Sequence[str], quote: str
) -> dict[str, Decimal]:
    """The latest price of each asset in `quote`; an asset Pythia cannot price is left out.

    The cross-exchange price is a median over USD and dollar-stablecoin markets, so it serves
    "USD" and the dollar stablecoins alike (their pegs hold to well under the spread shown).
    """
    if quote not in DOLLAR_LIKE:
        return {}
    found = await quotes(deps, session, list(assets))
    return {asset: q.price for asset, q in found.items() if q.quote.upper() in DOLLAR_LIKE}


async def next_quotes(
    deps: Deps, assets: Sequence[str], unlike: Mapping[str, PriceQuote] | None = None
) -> dict[str, PriceQuote]:
    """Wait for price events until every asset has a cached quote (different from `unlike`)."""
    unlike = unlike or {}

    def settled(current: Mapping[str, PriceQuote]) -> bool:
        return all(a in current and current[a] != unlike.get(a) for a in assets)

    async with deps.cache.subscribe(PRICE_CHANNEL) as events:
        while not settled(current := await deps.cache.get_prices(assets)):
            await events.get(timeout=1.0)
    return current
