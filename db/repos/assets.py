"""Assets, their aliases and their markets, and a snapshot of them to keep in memory."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.assets import info_for
from db.models import Asset, AssetAlias, Market
from db.upsert import insert_for


@dataclass(frozen=True)
class AssetDirectory:
    """Known assets and markets, loaded once and refreshed, so a command needs no lookup query."""

    ids: dict[str, int] = field(default_factory=dict)  # symbol -> asset id
    names: dict[str, str] = field(default_factory=dict)  # lower-case name/alias -> symbol
    display: dict[str, str] = field(default_factory=dict)  # symbol -> "Bitcoin"
    markets: dict[tuple[str, str], int] = field(default_factory=dict)  # (exchange, market) -> id
    tracked: tuple[str, ...] = ()  # assets whose prices and candles are ingested
    listed: frozenset[str] = frozenset()  # assets some configured exchange trades
    exchanges: dict[str, tuple[str, ...]] = field(default_factory=dict)  # symbol -> exchanges

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(self.ids)


async def ensure_assets(
    session: AsyncSession, symbols: Iterable[str], now: datetime, *, track: bool = True
) -> None:
    """Make sure each symbol exists with its catalogue name and aliases, tracked (or, with
    `track=False`, new ones untracked and the others left as they are)."""
    for symbol in symbols:
        info = info_for(symbol)
        stmt = insert_for(session, Asset).values(
            symbol=symbol, name=info.name, tracked=track, created_at=now
        )
        await session.execute(
            stmt.on_conflict_do_update(index_elements=[Asset.symbol], set_={"tracked": True})
            if track
            else stmt.on_conflict_do_nothing(index_elements=[Asset.symbol])
        )
        asset_id = await session.scalar(select(Asset.id).where(Asset.symbol == symbol))
        aliases = {a.lower() for a in (*info.aliases, info.name, symbol)}
        for alias in sorted(aliases):
            await session.execute(
                insert_for(session, AssetAlias)
                .values(asset_id=asset_id, alias=alias)
                .on_conflict_do_nothing(index_elements=[AssetAlias.alias])
            )


async def ensure_market(
    session: AsyncSession,
    exchange: str,
    market: str,
    asset: str,
    quote: str,
    now: datetime,
    kind: str = "spot",
) -> int:
    """The id of `market` on `exchange`, creating it (spot, or `kind`) the first time it is
    seen."""
    existing = await session.scalar(
        select(Market.id).where(Market.exchange == exchange, Market.symbol == market)
    )
    if existing is not None:
        return existing
    asset_id = await session.scalar(select(Asset.id).where(Asset.symbol == asset))
    if asset_id is None:
        raise LookupError(f"asset {asset} is not known")
    await session.execute(
        insert_for(session, Market)
        .values(
            exchange=exchange,
            symbol=market,
            asset_id=asset_id,
            quote=quote,
            kind=kind,
            active=True,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=[Market.exchange, Market.symbol])
    )
    found = await session.execute(
        select(Market.id).where(Market.exchange == exchange, Market.symbol == market)
    )
    return found.scalar_one()


async def load_directory(session: AsyncSession) -> AssetDirectory:
    assets = (
        await session.execute(select(Asset.id, Asset.symbol, Asset.name, Asset.tracked))
    ).all()
    aliases = (await session.execute(select(AssetAlias.alias, Asset.symbol).join(Asset))).all()
    markets = (
        await session.execute(
            select(Market.id, Market.exchange, Market.symbol, Asset.symbol.label("asset"))
            .join(Asset, Asset.id == Market.asset_id)
            .where(Market.active.is_(True))
        )
    ).all()
    exchanges: dict[str, set[str]] = {}
    for row in markets:
        exchanges.setdefault(row.asset, set()).add(row.exchange)
    return AssetDirectory(
        ids={row.symbol: row.id for row in assets},
        names={row.alias: row.symbol for row in aliases},
        display={row.symbol: row.name for row in assets},
        markets={(row.exchange, row.symbol): row.id for row in markets},
        tracked=tuple(sorted(row.symbol for row in assets if row.tracked)),
        listed=frozenset(exchanges),
        exchanges={asset: tuple(sorted(names)) for asset, names in exchanges.items()},
    )


TICKER_SHAPE = re.compile(r"^[A-Z0-9]{2,15}$")
CHUNK = 400  # rows per multi-row insert: well under SQLite's bound-variable limit


async def register_listings(
    session: AsyncSession,
    exchange: str,
    listed: Mapping[str, tuple[str, str]],
    now: datetime,
) -> int:
    """Record every market an exchange lists (asset -> (market, quote)); new assets start
    untracked. Returns how many markets were new."""
    usable = {a: m for a, m in listed.items() if TICKER_SHAPE.match(a)}
    rows = [
        {"symbol": a, "name": info_for(a).name, "tracked": False, "created_at": now}
        for a in sorted(usable)
    ]
    for start in range(0, len(rows), CHUNK):
        stmt = insert_for(session, Asset).values(rows[start : start + CHUNK])
        await session.execute(stmt.on_conflict_do_nothing(index_elements=[Asset.symbol]))
    ids = dict(
        (await session.execute(select(Asset.symbol, Asset.id).where(Asset.symbol.in_(usable))))
        .tuples()
        .all()
    )
    markets = [
        {
            "exchange": exchange,
            "symbol": market,
            "asset_id": ids[asset],
            "quote": quote,
            "active": True,
            "created_at": now,
        }
        for asset, (market, quote) in sorted(usable.items())
    ]
    new = 0
    for start in range(0, len(markets), CHUNK):
        stmt = insert_for(session, Market).values(markets[start : start + CHUNK])
        result = await session.execute(
            stmt.on_conflict_do_nothing(index_elements=[Market.exchange, Market.symbol])
        )
        new += max(cast(CursorResult[Any], result).rowcount or 0, 0)
    return new


async def set_tracked(session: AsyncSession, symbol: str) -> bool:
    """Start ingesting an asset's prices; True if it was not tracked before."""
    result = await session.execute(
        update(Asset).where(Asset.symbol == symbol, Asset.tracked.is_(False)).values(tracked=True)
    )
    return bool(cast(CursorResult[Any], result).rowcount)
