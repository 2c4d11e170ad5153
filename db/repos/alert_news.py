"""What alerts read of the news: the stories tagged with some coins in a span (one query on the
tags' asset index and the stories' published_at index, for many coins at once), and the stored
points of their sentiment index. Reads only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.news import CoinStory
from db.news import NewsArticle, NewsAssetTag, SentimentPoint

MAX_STORIES = 5000  # rows read per call: a day of every feed about a few coins fits


async def tagged_stories(
    session: AsyncSession, asset_ids: Sequence[int], since: datetime, until: datetime
) -> list[CoinStory]:
    """Stories tagged with any of the coins, published in [since, until], newest first (a
    story about two of them comes once for each)."""
    if not asset_ids:
        return []
    query = (
        select(
            NewsAssetTag.asset_id,
            NewsArticle.id,
            NewsArticle.title,
            NewsArticle.url,
            NewsArticle.source,
            NewsArticle.published_at,
            NewsArticle.publishers,
            NewsArticle.model_score,
            NewsArticle.vader_score,
        )
        .join(NewsAssetTag, NewsAssetTag.article_id == NewsArticle.id)
        .where(
            NewsAssetTag.asset_id.in_(sorted(set(asset_ids))),
            NewsArticle.published_at >= since,
            NewsArticle.published_at <= until,
        )
        .order_by(NewsArticle.published_at.desc(), NewsArticle.id.desc())
        .limit(MAX_STORIES)
    )
    rows = (await session.execute(query)).tuples()
    return [
        CoinStory(
            asset, id_, title, url, source, at, publishers, model if model is not None else vader
        )
        for asset, id_, title, url, source, at, publishers, model, vader in rows
    ]


async def index_points(
    session: AsyncSession, asset_ids: Sequence[int], since: datetime, until: datetime
) -> list[tuple[int, datetime, float]]:
    """(asset id, ts, value) of the coins' sentiment index points in [since, until], oldest
    first."""
    if not asset_ids:
        return []
    query = (
        select(SentimentPoint.asset_id, SentimentPoint.ts, SentimentPoint.value)
        .where(
            SentimentPoint.asset_id.in_(sorted(set(asset_ids))),
            SentimentPoint.ts >= since,
            SentimentPoint.ts <= until,
        )
        .order_by(SentimentPoint.ts)
    )
    rows = (await session.execute(query)).tuples()
    return [(asset, ts, value) for asset, ts, value in rows if asset is not None]
