"""The table an import's trades wait in for their owner's Confirm: written in short batches
while they read the preview, moved into `trades` by one statement when they confirm, pruned
otherwise (db.repos.trades). Kept apart from db.models, which imports it: the schema is whole
wherever the models are."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base


class StagedTrade(Base):
    """A trade of a file being imported, waiting for its owner's Confirm. Written in short
    batches while they read the preview; their Confirm moves a batch into `trades` in one
    statement (or it is pruned). No ledger reads this table: an import never shows half-done."""

    __tablename__ = "staged_trades"

    id: Mapped[int] = mapped_column(primary_key=True)  # the order they are recorded in
    batch: Mapped[str] = mapped_column(String(32), index=True)  # names the import (a secret)
    user_id: Mapped[int] = mapped_column(BigInteger)
    asset_id: Mapped[int] = mapped_column(Integer)  # checked against the assets when moved
    side: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[Decimal]
    price: Mapped[Decimal]
    fee: Mapped[Decimal]
    quote_currency: Mapped[str] = mapped_column(String(10))
    executed_at: Mapped[datetime]
    staged_at: Mapped[datetime] = mapped_column(index=True)
