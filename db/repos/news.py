"""Stories, their coverage and tags, the feeds' state and the sentiment index: reads and writes
for the news services (which decide; these never commit)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.news import NewsArticle, NewsAssetTag, NewsCoverage, NewsFeed, SentimentPoint
from db.upsert import insert_for

CHUNK = 400  # values per IN (…) or multi-row insert: under SQLite's bound-variable limit


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


# --- feeds -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedRow:
    id: int
    url: str
    publisher: str
    etag: str | None
    last_modified: str | None
    failures: int
    retry_at: datetime | None


def _feed(row: NewsFeed) -> FeedRow:
    return FeedRow(
        row.id, row.url, row.publisher, row.etag, row.last_modified, row.failures, row.retry_at
    )


async def register_feeds(session: AsyncSession, feeds: Iterable[tuple[str, str]]) -> None:
    """Make sure each (url, publisher) has a state row; a known one gets its publisher set."""
    for url, publisher in feeds:
        stmt = insert_for(session, NewsFeed).values(
            url=url, publisher=publisher, failures=0, items=0
        )
        await session.execute(
            stmt.on_conflict_do_update(index_elements=[NewsFeed.url], set_={"publisher": publisher})
        )


async def feeds_by_url(session: AsyncSession, urls: Sequence[str]) -> list[FeedRow]:
    rows: list[NewsFeed] = []
    for chunk in _chunks(urls):
        rows += (await session.scalars(select(NewsFeed).where(NewsFeed.url.in_(chunk)))).all()
    return [_feed(row) for row in rows]


async def feed(session: AsyncSession, feed_id: int) -> FeedRow | None:
    row = await session.get(NewsFeed, feed_id)
    return None if row is None else _feed(row)


async def update_feed(session: AsyncSession, feed_id: int, **values: Any) -> None:
    await session.execute(update(NewsFeed).where(NewsFeed.id == feed_id).values(**values))


# --- stories ---------------------------------------------------------------------------------


async def known_urls(session: AsyncSession, urls: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(urls):
        found |= set(
            await session.scalars(select(NewsCoverage.url).where(NewsCoverage.url.in_(chunk)))
        )
    return found


async def known_guids(session: AsyncSession, publisher: str, guids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(guids):
        query = select(NewsCoverage.guid).where(
            NewsCoverage.publisher == publisher, NewsCoverage.guid.in_(chunk)
        )
        found |= {guid for guid in await session.scalars(query) if guid is not None}
    return found


@dataclass(frozen=True, slots=True)
class StoryTitle:
    id: int
    title: str
    title_key: str
    published_at: datetime


async def stories_between(
    session: AsyncSession, start: datetime, end: datetime
) -> list[StoryTitle]:
    """Every story published in [start, end], with its title (near-duplicate candidates)."""
    rows = await session.execute(
        select(
            NewsArticle.id, NewsArticle.title, NewsArticle.title_key, NewsArticle.published_at
        ).where(NewsArticle.published_at >= start, NewsArticle.published_at <= end)
    )
    return [StoryTitle(*row) for row in rows.tuples()]


async def add_story(session: AsyncSession, **values: Any) -> int:
    story = NewsArticle(**values)
    session.add(story)
    await session.flush()
    return story.id


async def add_coverage(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Publishers' items of stories; one whose URL is already stored is skipped."""
    for chunk in _chunks(rows):
        stmt = insert_for(session, NewsCoverage).values(list(chunk))
        await session.execute(stmt.on_conflict_do_nothing(index_elements=[NewsCoverage.url]))


async def recount(session: AsyncSession, story_ids: Sequence[int]) -> None:
    """Set each story's publisher count and date from its coverage: how many publishers
    carry it, and the earliest of their dates."""
    counted: list[Any] = []
    for chunk in _chunks(story_ids):
        counted += (
            await session.execute(
                select(
                    NewsCoverage.article_id,
                    func.count(func.distinct(NewsCoverage.publisher)),
                    func.min(NewsCoverage.published_at),
                )
                .where(NewsCoverage.article_id.in_(chunk))
                .group_by(NewsCoverage.article_id)
            )
        ).all()
    if counted:
        await session.execute(
            update(NewsArticle),
            [{"id": row[0], "publishers": row[1], "published_at": row[2]} for row in counted],
        )


async def add_tags(session: AsyncSession, pairs: Iterable[tuple[int, int]]) -> None:
    """(story id, asset id) tags; one already there is skipped."""
    rows = [{"article_id": story, "asset_id": asset} for story, asset in sorted(set(pairs))]
    for chunk in _chunks(rows):
        stmt = insert_for(session, NewsAssetTag).values(list(chunk))
        await session.execute(stmt.on_conflict_do_nothing())


async def latest_stories(
    session: AsyncSession, asset_id: int | None, offset: int, limit: int
) -> tuple[list[NewsArticle], int]:
    """Stories (tagged with `asset_id`, or all), newest first: `limit` from `offset`, and how
    many there are."""
    counted = select(func.count()).select_from(_stories(asset_id).subquery())
    total = await session.scalar(counted) or 0
    return await newest_stories(session, asset_id, offset, limit), total


async def newest_stories(
    session: AsyncSession, asset_id: int | None, offset: int, limit: int
) -> list[NewsArticle]:
    """`latest_stories` without counting them all (a digest wants only the newest)."""
    page = _stories(asset_id).order_by(NewsArticle.published_at.desc(), NewsArticle.id.desc())
    return list(await session.scalars(page.offset(offset).limit(limit)))


def _stories(asset_id: int | None) -> Select[tuple[NewsArticle]]:
    query = select(NewsArticle)
    if asset_id is None:
        return query
    return query.join(NewsAssetTag, NewsAssetTag.article_id == NewsArticle.id).where(
        NewsAssetTag.asset_id == asset_id
    )


async def tags_of(session: AsyncSession, story_ids: Sequence[int]) -> list[tuple[int, int]]:
    """(story id, asset id) of each tag of the stories."""
    query = select(NewsAssetTag.article_id, NewsAssetTag.asset_id).where(
        NewsAssetTag.article_id.in_(story_ids)
    )
    return [(row[0], row[1]) for row in (await session.execute(query)).tuples()]


async def coverage_of(
    session: AsyncSession, story_ids: Sequence[int]
) -> list[tuple[int, str, str]]:
    """(story id, publisher, url) of each item of the stories, the first published first."""
    query = (
        select(NewsCoverage.article_id, NewsCoverage.publisher, NewsCoverage.url)
        .where(NewsCoverage.article_id.in_(story_ids))
        .order_by(NewsCoverage.published_at, NewsCoverage.id)
    )
    return [(row[0], row[1], row[2]) for row in (await session.execute(query)).tuples()]


# --- scores ----------------------------------------------------------------------------------


async def unscored(session: AsyncSession, limit: int) -> list[tuple[int, str]]:
    """(id, title) of stories no model has scored, oldest first."""
    rows = await session.execute(
        select(NewsArticle.id, NewsArticle.title)
        .where(NewsArticle.scored_at.is_(None))
        .order_by(NewsArticle.id)
        .limit(limit)
    )
    return [(row.id, row.title) for row in rows]


async def save_score(session: AsyncSession, story_id: int, **values: Any) -> None:
    await session.execute(update(NewsArticle).where(NewsArticle.id == story_id).values(**values))


@dataclass(frozen=True, slots=True)
class ScoredStory:
    published_at: datetime
    vader: float | None
    model: float | None
    publishers: int


async def scored_stories(
    session: AsyncSession, start: datetime, end: datetime, asset_id: int | None = None
) -> list[ScoredStory]:
    """Scored stories published in [start, end], of one asset (or of all)."""
    query = select(
        NewsArticle.published_at,
        NewsArticle.vader_score,
        NewsArticle.model_score,
        NewsArticle.publishers,
    ).where(
        NewsArticle.published_at >= start,
        NewsArticle.published_at <= end,
        NewsArticle.scored_at.is_not(None),
    )
    if asset_id is not None:
        query = query.join(NewsAssetTag, NewsAssetTag.article_id == NewsArticle.id).where(
            NewsAssetTag.asset_id == asset_id
        )
    return [ScoredStory(*row) for row in (await session.execute(query)).tuples()]


# --- the index -------------------------------------------------------------------------------


def _scope(asset_id: int | None) -> Any:
    return (
        SentimentPoint.asset_id.is_(None)
        if asset_id is None
        else SentimentPoint.asset_id == asset_id
    )


async def last_point_time(session: AsyncSession, asset_id: int | None) -> datetime | None:
    return await session.scalar(select(func.max(SentimentPoint.ts)).where(_scope(asset_id)))


async def save_point(
    session: AsyncSession,
    asset_id: int | None,
    ts: datetime,
    value: float,
    weight: float,
    stories: int,
    now: datetime,
) -> None:
    """The point of `asset_id` (None: the market) at `ts`, replacing one stored there. Its
    writer is one job at a time (a singleton), so delete-then-insert cannot race."""
    await session.execute(delete(SentimentPoint).where(_scope(asset_id), SentimentPoint.ts == ts))
    session.add(
        SentimentPoint(
            asset_id=asset_id, ts=ts, value=value, weight=weight, stories=stories, computed_at=now
        )
    )


async def points(
    session: AsyncSession, asset_id: int | None, since: datetime, until: datetime
) -> list[SentimentPoint]:
    query = (
        select(SentimentPoint)
        .where(_scope(asset_id), SentimentPoint.ts >= since, SentimentPoint.ts <= until)
        .order_by(SentimentPoint.ts)
    )
    return list(await session.scalars(query))
