"""The latest price of assets, as a command needs it: the cache first, the database behind it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.market import PriceQuote
from db.cache import PRICE_CHANNEL
from db.repos.prices import latest_for_assets
from services.deps import Deps


async def next_quotes(
    deps: Deps, assets: Sequence[str], unlike: Mapping[str, PriceQuote] | None = None
) -> dict[str, PriceQuote]:
    """Wait for price events until every asset has a cached quote (different from `unlike`)."""
    unlike = unlike or {}

    def settled(quotes: Mapping[str, PriceQuote]) -> bool:
        return all(a in quotes and quotes[a] != unlike.get(a) for a in assets)

    async with deps.cache.subscribe(PRICE_CHANNEL) as events:
        while not settled(quotes := await deps.cache.get_prices(assets)):
            await events.get(timeout=1.0)
    return quotes


async def latest_quotes(deps: Deps, assets: Sequence[str]) -> dict[str, PriceQuote]:
    if not assets:
        return {}
    quotes = await deps.cache.get_prices(assets)
    missing = [a for a in assets if a not in quotes]
    if missing:  # a cold cache (restart, eviction): the database has the last ticker we saw
        async with deps.sessions() as session:
            quotes.update(await latest_for_assets(session, missing))
    return quotes
