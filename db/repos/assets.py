"""Assets, their aliases and their markets, and a snapshot of them to keep in memory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
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
    tracked: tuple[str, ...] = ()

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(self.ids)


async def ensure_assets(session: AsyncSession, symbols: Iterable[str], now: datetime) -> None:
    """Make sure each tracked symbol exists with its catalogue name and aliases."""
    for symbol in symbols:
        info = info_for(symbol)
        stmt = insert_for(session, Asset).values(
            symbol=symbol, name=info.name, tracked=True, created_at=now
        )
        await session.execute(
            stmt.on_conflict_do_update(index_elements=[Asset.symbol], set_={"tracked": True})
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
    session: AsyncSession, exchange: str, market: str, asset: str, quote: str, now: datetime
) -> int:
    """The id of `market` on `exchange`, creating it the first time it is seen."""
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
            active=True,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=[Market.exchange, Market.symbol])
    )
    return await session.scalar(
        select(Market.id).where(Market.exchange == exchange, Market.symbol == market)
    )


async def load_directory(session: AsyncSession) -> AssetDirectory:
    assets = (
        await session.execute(select(Asset.id, Asset.symbol, Asset.name, Asset.tracked))
    ).all()
    aliases = (await session.execute(select(AssetAlias.alias, Asset.symbol).join(Asset))).all()
    markets = (await session.execute(select(Market.id, Market.exchange, Market.symbol))).all()
    return AssetDirectory(
        ids={row.symbol: row.id for row in assets},
        names={row.alias: row.symbol for row in aliases},
        display={row.symbol: row.name for row in assets},
        markets={(row.exchange, row.symbol): row.id for row in markets},
        tracked=tuple(sorted(row.symbol for row in assets if row.tracked)),
    )
