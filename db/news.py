"""The news tables: one row per story, one per publisher's item of it, the coins it is about,
each feed's fetch state, and the sentiment index series. Kept apart from db.models, which
imports it: the schema is whole wherever the models are."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base


class NewsArticle(Base):
    """A story: what one or more publishers reported, once. Its `url`, `source` and `title`
    are those of the first item seen; `publishers` counts the publishers that carried it
    (their items are its `news_coverage` rows). Scored by both sentiment models."""

    __tablename__ = "news_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))  # the first publisher
    url: Mapped[str] = mapped_column(String(1024), unique=True)  # canonical
    title: Mapped[str] = mapped_column(Text)
    title_key: Mapped[str] = mapped_column(Text)  # core.news.titles.title_key(title)
    summary: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(index=True)  # the earliest item's
    fetched_at: Mapped[datetime]  # when it was first seen
    publishers: Mapped[int] = mapped_column(Integer, default=1)
    vader_score: Mapped[float | None] = mapped_column(Float)  # [-1, 1], not money
    model_score: Mapped[float | None] = mapped_column(Float)  # [-1, 1]
    sentiment_label: Mapped[str | None] = mapped_column(String(16))
    scorer_version: Mapped[str | None] = mapped_column(String(64))
    scored_at: Mapped[datetime | None] = mapped_column(index=True)


class NewsCoverage(Base):
    """One publisher's item of a story, as its feed gave it: where it is and when."""

    __tablename__ = "news_coverage"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("news_articles.id", ondelete="CASCADE"), index=True
    )
    publisher: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(1024), unique=True)  # canonical
    guid: Mapped[str | None] = mapped_column(String(1024))
    title: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime]
    fetched_at: Mapped[datetime]

    __table_args__ = (Index("ix_news_coverage_publisher_guid", "publisher", "guid"),)


class NewsAssetTag(Base):
    """Which assets a story is about."""

    __tablename__ = "news_asset_tags"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("news_articles.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class NewsFeed(Base):
    """A feed's state between fetches: its validators for a conditional GET, and its
    back-off after failures (`retry_at`: nothing is asked of it before then)."""

    __tablename__ = "news_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(1024), unique=True)
    publisher: Mapped[str] = mapped_column(String(64))
    etag: Mapped[str | None] = mapped_column(String(256))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    last_checked_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(64))  # a reason code
    items: Mapped[int] = mapped_column(Integer, default=0)  # in its last good fetch


class SentimentPoint(Base):
    """The news sentiment index of an asset (NULL: the whole market) at one time bucket."""

    __tablename__ = "sentiment_index"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    ts: Mapped[datetime]
    value: Mapped[float] = mapped_column(Float)  # [-1, 1]
    weight: Mapped[float] = mapped_column(Float)
    stories: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime]


# One point per asset and bucket, the market's (NULL asset) included: NULLs are distinct in a
# plain unique constraint, so the index is on the asset id with 0 for the market.
Index(
    "uq_sentiment_index_scope_ts",
    func.coalesce(SentimentPoint.asset_id, 0),
    SentimentPoint.ts,
    unique=True,
)
