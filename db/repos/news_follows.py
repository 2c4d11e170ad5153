"""Whose news goes where: the coins each person follows the news of, the important stories
about them, and the stories pushed to each person (never twice, a few a day). Reads and
writes for services.follows, which decides; these never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Asset, NewsFollow, NewsPush, User
from db.news import NewsArticle, NewsAssetTag, NewsCoverage
from db.upsert import insert_for


async def followed(session: AsyncSession, user_id: int) -> list[str]:
    """The coins whose news the person follows, in the order they followed them."""
    rows = await session.scalars(
        select(Asset.symbol)
        .join(NewsFollow, NewsFollow.asset_id == Asset.id)
        .where(NewsFollow.user_id == user_id)
        .order_by(NewsFollow.created_at, Asset.symbol)
    )
    return list(rows)


async def add(session: AsyncSession, user_id: int, asset_ids: Sequence[int], now: datetime) -> None:
    for asset_id in asset_ids:
        stmt = insert_for(session, NewsFollow).values(
            user_id=user_id, asset_id=asset_id, created_at=now
        )
        await session.execute(stmt.on_conflict_do_nothing())


async def remove(session: AsyncSession, user_id: int, asset_ids: Sequence[int]) -> int:
    result = await session.execute(
        delete(NewsFollow).where(NewsFollow.user_id == user_id, NewsFollow.asset_id.in_(asset_ids))
    )
    return cast(CursorResult[Any], result).rowcount or 0  # a DELETE's result has a row count


@dataclass(frozen=True, slots=True)
class Follower:
    """A person who follows some coins' news, and how they want to hear of it."""

    user_id: int
    language: str
    timezone: str
    quiet_start: int | None
    quiet_end: int | None
    asset_ids: frozenset[int]
    muted: tuple[str, ...] = ()  # the kinds of notice they chose not to hear (/settings)


async def followers(session: AsyncSession) -> list[Follower]:
    """Everyone who follows some coin's news and has not blocked the bot, by id."""
    rows = await session.execute(
        select(
            User.id,
            User.language,
            User.timezone,
            User.quiet_start,
            User.quiet_end,
            NewsFollow.asset_id,
            User.muted,
        )
        .join(NewsFollow, NewsFollow.user_id == User.id)
        .where(User.blocked_at.is_(None))
        .order_by(User.id)
    )
    people: dict[int, Follower] = {}
    for user_id, language, zone, start, end, asset_id, muted in rows.tuples():
        known = people.get(user_id)
        assets = (known.asset_ids if known else frozenset()) | {asset_id}
        hushed = tuple(kind for kind in muted or () if isinstance(kind, str))
        people[user_id] = Follower(user_id, language, zone, start, end, assets, hushed)
    return list(people.values())


@dataclass(frozen=True, slots=True)
class RecentStory:
    id: int
    title: str
    url: str
    published_at: datetime
    publishers: int
    vader: float | None
    model: float | None
    label: str | None


async def scored_since(
    session: AsyncSession, since: datetime, asset_ids: Sequence[int]
) -> tuple[list[RecentStory], list[tuple[int, int]]]:
    """Scored stories published since `since` tagged with any of `asset_ids`, and every
    (story id, asset id) tag of them."""
    if not asset_ids:
        return [], []
    tagged = select(NewsAssetTag.article_id).where(NewsAssetTag.asset_id.in_(asset_ids))
    rows = await session.execute(
        select(
            NewsArticle.id,
            NewsArticle.title,
            NewsArticle.url,
            NewsArticle.published_at,
            NewsArticle.publishers,
            NewsArticle.vader_score,
            NewsArticle.model_score,
            NewsArticle.sentiment_label,
        )
        .where(
            NewsArticle.published_at >= since,
            NewsArticle.scored_at.is_not(None),
            NewsArticle.id.in_(tagged),
        )
        .order_by(NewsArticle.id)
    )
    stories = [RecentStory(*row) for row in rows.tuples()]
    ids = [story.id for story in stories]
    tags = await session.execute(
        select(NewsAssetTag.article_id, NewsAssetTag.asset_id).where(
            NewsAssetTag.article_id.in_(ids)
        )
    )
    return stories, [(row[0], row[1]) for row in tags.tuples()]


async def publishers_of(session: AsyncSession, story_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each story's publishers, the first to publish first."""
    rows = await session.execute(
        select(NewsCoverage.article_id, NewsCoverage.publisher)
        .where(NewsCoverage.article_id.in_(story_ids))
        .order_by(NewsCoverage.published_at, NewsCoverage.id)
    )
    found: dict[int, list[str]] = {}
    for story_id, publisher in rows.tuples():
        names = found.setdefault(story_id, [])
        if publisher not in names:
            names.append(publisher)
    return found


async def pushes_per_person(session: AsyncSession, since: datetime) -> dict[int, int]:
    """How many stories went to each person since `since`."""
    rows = await session.execute(
        select(NewsPush.user_id, func.count())
        .where(NewsPush.pushed_at >= since)
        .group_by(NewsPush.user_id)
    )
    return {row[0]: row[1] for row in rows.tuples()}


async def pushed_of(session: AsyncSession, story_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(user id, story id) of the pushes of these stories, whenever they were."""
    rows = await session.execute(
        select(NewsPush.user_id, NewsPush.article_id).where(NewsPush.article_id.in_(story_ids))
    )
    return {(row[0], row[1]) for row in rows.tuples()}


async def record_push(session: AsyncSession, user_id: int, story_id: int, now: datetime) -> bool:
    """Note that `story_id` goes to `user_id`; False if it went already (nothing changes)."""
    stmt = (
        insert_for(session, NewsPush)
        .values(user_id=user_id, article_id=story_id, pushed_at=now)
        .on_conflict_do_nothing()
        .returning(NewsPush.user_id)
    )
    return await session.scalar(stmt) is not None


async def prune_pushes(session: AsyncSession, before: datetime) -> int:
    """Forget the pushes made before `before`; how many."""
    result = await session.execute(delete(NewsPush).where(NewsPush.pushed_at < before))
    return cast(CursorResult[Any], result).rowcount
