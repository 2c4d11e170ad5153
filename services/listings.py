"""What the exchanges list, so any coin one of them trades can be asked for by name."""

from __future__ import annotations

from collections.abc import Mapping

from db.repos.assets import register_listings
from services.deps import Deps

Listing = Mapping[str, tuple[str, str]]  # asset -> (market, quote), e.g. BTC -> (BTC/USDT, USDT)


async def record_listings(deps: Deps, listings: Mapping[str, Listing]) -> int:
    """Record every market each exchange (by name) lists; coins new to Pythia start
    unfollowed. Returns how many markets were new (then every process reloads its assets)."""
    async with deps.write() as session:
        new = 0
        for exchange, listed in listings.items():
            new += await register_listings(session, exchange, listed, deps.clock.now())
    if new:
        await deps.assets_changed()
    return new
