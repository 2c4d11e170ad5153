"""Prices as use cases need them: the cache first, the database behind it.

Building blocks, not use cases: they take the caller's session and open no transaction.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from core.currencies import DOLLAR_LIKE
from core.market import PriceQuote, Ticker
from core.reference import reference_quotes, refusal
from core.settings import Settings
from db.cache import PRICE_CHANNEL
from db.repos.prices import latest_tickers
from services.deps import Deps

log = logging.getLogger(__name__)


def fresh_for(settings: Settings) -> timedelta:
    """How old an exchange's quote may be and still count towards the reference price: a few
    ticker rounds, so one slow round does not drop an exchange."""
    return timedelta(seconds=max(3 * settings.ticker_interval, 30))


async def quotes(deps: Deps, session: AsyncSession, assets: Sequence[str]) -> dict[str, PriceQuote]:
    """The latest quote of each asset Pythia has one for."""
    found = await cached_or_none(deps, assets) or {}
    missing = [a for a in assets if a not in found]
    if missing:  # a cold cache (restart, eviction): the database has the last tickers we saw
        found.update(await stored_quotes(deps, session, missing))
    return found


async def cached_quotes(deps: Deps, assets: Sequence[str]) -> dict[str, PriceQuote]:
    """The latest quotes the cache holds of `assets` (those it lacks are left out)."""
    return await deps.cache.get_prices(assets) if assets else {}


async def cached_or_none(deps: Deps, assets: Sequence[str]) -> dict[str, PriceQuote] | None:
    """As `cached_quotes`, or None when the cache cannot be reached (Redis away): the caller
    reads the database instead, and says its prices may be stale."""
    try:
        return await cached_quotes(deps, assets)
    except Exception:  # redis-py's and the network's errors vary; any of them: not cached
        log.warning("prices: the cache is away; reading the database", exc_info=True)
        return None


async def stored_quotes(
    deps: Deps, session: AsyncSession, assets: Sequence[str]
) -> dict[str, PriceQuote]:
    """The reference price of each asset from the last stored quote of each of its markets,
    by the live price's rules (core.reference) taken at the asset's last known moment: the
    database's freshest row alone might be the one exchange that was far off. Rows stamped
    ahead of our clock (it was set back since) count only when the asset has no other."""
    now = deps.clock.now()
    by_asset: dict[str, list[Ticker]] = defaultdict(list)
    for ticker in await latest_tickers(session, assets):
        by_asset[ticker.base].append(ticker)
    found: dict[str, PriceQuote] = {}
    for stored in by_asset.values():
        tickers = [t for t in stored if refusal(t, now) != "future"] or stored
        last_seen = max(t.ts for t in tickers)
        found.update(reference_quotes(tickers, last_seen, fresh_for(deps.settings)))
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
