"""A person's ledger as the use cases read it: their stored trades booked in their portfolio's
currency and replayed with their cost-basis method.

Building blocks, not use cases: they take the caller's session and open no transaction.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.people import Preferences
from core.portfolio import Ledger, Trade, booked_in
from core.refusal import Refusal
from db.repos import trades as trade_rows
from db.repos.trades import Version
from services.deps import Deps

LEDGER_CACHE_SIZE = 128  # people whose replayed ledger this process keeps
# Per engine (so two stacks in one test process never share), least recently used first:
# (person, method, quote) -> (the version of their trades, the ledger replayed from them).
_Cached = OrderedDict[tuple[int, str, str], tuple[Version, Ledger]]
_ledgers: WeakKeyDictionary[AsyncEngine, _Cached] = WeakKeyDictionary()
R = TypeVar("R", bound=Refusal)


async def stored_trades(session: AsyncSession, user_id: int, chosen: Preferences) -> list[Trade]:
    """The person's stored trades as their portfolio books them (dollar stablecoins as USD)."""
    return booked_in(await trade_rows.all_trades(session, user_id), chosen.quote)


async def load_ledger(session: AsyncSession, user_id: int, chosen: Preferences) -> Ledger:
    """The person's ledger replayed from every stored trade; TradeRejected if they do not
    replay (a stored sell of more than was held)."""
    return Ledger.replay(await stored_trades(session, user_id, chosen), chosen.method)


async def shared_ledger(
    deps: Deps, session: AsyncSession, user_id: int, chosen: Preferences
) -> Ledger:
    """The person's ledger as load_ledger replays it, reused while their trades and choices
    stay as they were; after trades were only added, just those are read (reading 10,000 trades
    takes far longer than replaying them). Read the ledger; never record into it.

    The cache is this process's; what it holds is checked against the database (in `session`,
    so in the caller's transaction) every time."""
    cache = _ledgers.setdefault(deps.engine, OrderedDict())
    key = (user_id, chosen.method, chosen.quote)
    now = await trade_rows.version(session, user_id)
    seen = cache.get(key)
    if seen is not None and seen[0] == now:
        ledger = seen[1]
    else:
        added = await _added_since(session, user_id, chosen, seen[0], now) if seen else None
        if seen is not None and added is not None:
            ledger = Ledger.replay([*seen[1].trades, *added], chosen.method)
        else:
            ledger = await load_ledger(session, user_id, chosen)
        for other in [k for k in cache if k[0] == user_id]:
            del cache[other]
        cache[key] = now, ledger
        while len(cache) > LEDGER_CACHE_SIZE:
            cache.popitem(last=False)
    cache.move_to_end(key)
    return ledger


async def _added_since(
    session: AsyncSession, user_id: int, chosen: Preferences, before: Version, now: Version
) -> list[Trade] | None:
    """The trades recorded since `before` as the ledger books them, if adding them is all that
    happened (none of the earlier ones went away); else None."""
    count, last_id, _ = before
    if last_id is None or now[0] <= count:
        return None
    added = booked_in(await trade_rows.recorded_after(session, user_id, last_id), chosen.quote)
    return added if count + len(added) == now[0] else None


def in_zone(refusal: R, zone: str) -> R:
    """`refusal` with the person's time zone, for the moments it names to be shown in it."""
    if "at" in refusal.params:
        refusal.params.setdefault("zone", zone)
    return refusal
