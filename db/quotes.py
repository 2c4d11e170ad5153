"""The latest price of assets, as a command needs it: the cache first, the database behind it."""

from __future__ import annotations

from collections.abc import Sequence

from core.market import PriceQuote
from db.deps import Deps
from db.repos.prices import latest_for_assets


async def latest_quotes(deps: Deps, assets: Sequence[str]) -> dict[str, PriceQuote]:
    if not assets:
        return {}
    quotes = await deps.cache.get_prices(assets)
    missing = [a for a in assets if a not in quotes]
    if missing:  # a cold cache (restart, eviction): the database has the last ticker we saw
        async with deps.sessions() as session:
            quotes.update(await latest_for_assets(session, missing))
    return quotes
