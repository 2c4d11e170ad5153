"""The whole schema of Pythia, typed (SQLAlchemy 2). Later features add behaviour, not tables."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.types import ExactDecimal, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        datetime: UTCDateTime(),
        Decimal: ExactDecimal(),
        dict[str, Any]: JSON(),
    }


class User(Base):
    """A Telegram user who has talked to Pythia; `id` is their Telegram user id."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    username: Mapped[str | None] = mapped_column(String(64))
    first_name: Mapped[str] = mapped_column(String(128), default="")
    language_code: Mapped[str | None] = mapped_column(String(16))  # Telegram's, as last seen
    language: Mapped[str] = mapped_column(String(8), default="en")  # Pythia speaks to them in
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    quote_currency: Mapped[str] = mapped_column(String(10), default="USD")
    cost_basis: Mapped[str] = mapped_column(String(8), default="fifo")
    quiet_start: Mapped[int | None] = mapped_column(Integer)  # minutes after local midnight
    quiet_end: Mapped[int | None] = mapped_column(Integer)
    # the kinds of notice (core.people.MUTABLE) the person chose not to hear
    muted: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    blocked_at: Mapped[datetime | None]  # when Telegram said the person blocked the bot
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]

    __table_args__ = (CheckConstraint("cost_basis IN ('fifo', 'average')", name="cost_basis"),)


class Chat(Base):
    """A private chat, group, supergroup or channel Pythia is in."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(256))
    username: Mapped[str | None] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    language_code: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # the bot is (still) in it
    created_at: Mapped[datetime]
    # groups and channels: the language Pythia posts in (None: the one who set it up's)
    language: Mapped[str | None] = mapped_column(String(8))
    # the admin who set Pythia up there (a digest, a group alert, a linked channel): told when
    # the bot is removed
    set_up_by: Mapped[int | None] = mapped_column(BigInteger)
    # why it is paused ('removed': the bot was removed or lost its rights), and since when
    paused_reason: Mapped[str | None] = mapped_column(String(16))
    paused_at: Mapped[datetime | None]
    # a group upgraded to a supergroup: the supergroup's id (this row is then inactive)
    migrated_to: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint("type IN ('private', 'group', 'supergroup', 'channel')", name="type"),
    )


class Asset(Base):
    """A coin or token, by ticker: BTC, ETH."""

    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    symbol: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    tracked: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]

    aliases: Mapped[list[AssetAlias]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", lazy="raise"
    )


class AssetAlias(Base):
    """A word that names an asset in news and in chat: "bitcoin", "xbt"."""

    __tablename__ = "asset_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(64), unique=True)

    asset: Mapped[Asset] = relationship(back_populates="aliases", lazy="raise")


class Market(Base):
    """An asset traded on an exchange against a quote: binance BTC/USDT."""

    __tablename__ = "markets"

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange: Mapped[str] = mapped_column(String(32))
    symbol: Mapped[str] = mapped_column(String(32))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    quote: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(8), default="spot", server_default="spot")  # or perp
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("exchange", "symbol"),)


class Candle(Base):
    """One OHLCV candle of a market; `ts` is the open time.

    `market_id` has no foreign key: Postgres checked it once per candle, which cost more than
    storing the candle and held bulk saves under half their speed. `save_candles` checks the
    market once per save instead and holds it until its transaction ends. Nothing deletes a
    market (or an asset, whose markets would cascade): whatever comes to must delete their
    candles in the same transaction, as no cascade does it any more.
    """

    __tablename__ = "candles"

    market_id: Mapped[int] = mapped_column(primary_key=True)
    timeframe: Mapped[str] = mapped_column(String(4), primary_key=True)
    ts: Mapped[datetime] = mapped_column(primary_key=True)
    open: Mapped[Decimal]
    high: Mapped[Decimal]
    low: Mapped[Decimal]
    close: Mapped[Decimal]
    volume: Mapped[Decimal]


class LatestPrice(Base):
    """The last ticker seen for a market: the database's copy of what the cache holds."""

    __tablename__ = "latest_prices"

    market_id: Mapped[int] = mapped_column(
        ForeignKey("markets.id", ondelete="CASCADE"), primary_key=True
    )
    price: Mapped[Decimal]
    change_24h_pct: Mapped[Decimal | None]
    volume_24h: Mapped[Decimal | None]
    ts: Mapped[datetime]
    updated_at: Mapped[datetime]


class ModelVersion(Base):
    """A trained prediction model for one asset and horizon, and how it validated."""

    __tablename__ = "model_registry"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    horizon: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="candidate")
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    features: Mapped[dict[str, Any]] = mapped_column(default=dict)
    artifact: Mapped[bytes | None] = mapped_column(LargeBinary)
    trained_from: Mapped[datetime]
    trained_to: Mapped[datetime]
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("asset_id", "horizon", "version"),
        CheckConstraint(
            "status IN ('candidate', 'champion', 'retired', 'rejected')", name="status"
        ),
    )


class Trade(Base):
    """A buy or sell a person recorded; the ledger their portfolio is computed from."""

    __tablename__ = "trades"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    side: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[Decimal]
    price: Mapped[Decimal]
    fee: Mapped[Decimal] = mapped_column(default=Decimal(0))
    quote_currency: Mapped[str] = mapped_column(String(10))
    executed_at: Mapped[datetime]
    created_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(String(256))

    __table_args__ = (
        CheckConstraint("side IN ('buy', 'sell')", name="side"),
        Index("ix_trades_user_executed", "user_id", "executed_at"),
    )


class PortfolioSnapshot(Base):
    """A person's portfolio value at the end of a day, for the P&L picture."""

    __tablename__ = "portfolio_snapshots"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[datetime] = mapped_column(primary_key=True)
    value: Mapped[Decimal]
    invested: Mapped[Decimal]
    quote_currency: Mapped[str] = mapped_column(String(10))


class WatchlistItem(Base):
    __tablename__ = "watchlist"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime]


class Alert(Base):
    """A condition a person asked to be told about; `params` holds the kind's own fields."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    kind: Mapped[str] = mapped_column(String(16))
    thread_id: Mapped[int | None] = mapped_column(BigInteger)  # the forum topic it posts into
    direction: Mapped[str | None] = mapped_column(String(8))
    threshold: Mapped[Decimal | None]
    timeframe: Mapped[str | None] = mapped_column(String(4))
    window_seconds: Mapped[int | None] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    recurring: Mapped[bool] = mapped_column(Boolean, default=False)
    cooldown_seconds: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(8), default="active")
    expires_at: Mapped[datetime | None]
    last_fired_at: Mapped[datetime | None]
    fire_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("kind IN ('price', 'change', 'indicator', 'volume')", name="kind"),
        CheckConstraint(
            "status IN ('active', 'paused', 'fired', 'expired', 'deleted')", name="status"
        ),
        Index("ix_alerts_asset_status", "asset_id", "status"),
        Index("ix_alerts_chat_id", "chat_id"),  # a group's alerts are read by chat
    )


class OutboxMessage(Base):
    """A notification waiting to be sent; the dedupe key makes a retry harmless."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]]
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(512))

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        Index("ix_outbox_status_not_before", "status", "not_before"),
        Index("ix_outbox_status_claimed_until", "status", "claimed_until"),  # chats being sent to
    )


class PendingAction(Base):
    """An action waiting for its owner's Confirm (a trade, an import, an undo). It is acted on
    only through the conditional update that marks it answered, in the transaction that acts:
    a second press, or one in another process, finds it answered and does nothing."""

    __tablename__ = "pending_actions"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)  # may not be registered yet
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    answered_at: Mapped[datetime | None]


class DigestSubscription(Base):
    """A scheduled market summary for a chat, at local times in the chat's time zone."""

    __tablename__ = "digest_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    schedule: Mapped[str] = mapped_column(String(64))  # canonical: "daily 08:00", "weekly mon
    # 08:00", "every 6h" (core.digest.schedule)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")  # the chat's, kept in step
    contents: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"sections": [...],
    # "coins": [...]}
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False: paused by an admin
    last_sent_at: Mapped[datetime | None]  # the slot last posted (its scheduled time)
    created_at: Mapped[datetime]
    thread_id: Mapped[int | None] = mapped_column(BigInteger)  # forum topic it posts into
    next_run_at: Mapped[datetime | None]  # the next slot, UTC; None while paused

    __table_args__ = (Index("ix_digest_subscriptions_due", "active", "next_run_at"),)


class JobRun(Base):
    """One run of a scheduled job: when, where, and how it ended. Shows jobs never overlap."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64), index=True)
    worker: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    ok: Mapped[bool | None] = mapped_column(Boolean)
    summary: Mapped[str | None] = mapped_column(String(512))


class NewsFollow(Base):
    """A coin whose important news a person wants pushed to them (/follow news BTC)."""

    __tablename__ = "news_follows"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime]


class NewsPush(Base):
    """A story pushed to a person: never the same story twice, and at most a few a day."""

    __tablename__ = "news_pushes"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("news_articles.id", ondelete="CASCADE"), primary_key=True
    )
    pushed_at: Mapped[datetime]

    __table_args__ = (Index("ix_news_pushes_user_pushed", "user_id", "pushed_at"),)


import db.news  # noqa: E402  (their tables are part of the schema wherever this is)
import db.staging  # noqa: E402, F401
from db.predictions import Prediction as Prediction  # noqa: E402  (its table is in the schema)
