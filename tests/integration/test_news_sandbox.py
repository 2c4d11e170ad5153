"""The sandbox's news end to end: the bundled snapshots and real headlines served over local
HTTP, played forward on the clock, through the same job as the publishers' feeds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.clock import FixedClock
from core.settings import Settings
from db.news import NewsArticle, NewsCoverage
from services.deps import build_deps, close_deps
from services.news import latest_news
from workers.jobs import ingest_news
from workers.jobs.base import WorkerDeps
from workers.news.sandbox import HISTORY, load_headlines, sandbox_feeds
from workers.news.sources import NewsSources

START = datetime(2026, 12, 5, 12, tzinfo=UTC)


@pytest.fixture
async def deps(db_url: str, engine) -> AsyncIterator[WorkerDeps]:  # engine: empties Postgres
    clock = FixedClock(START)
    base = await build_deps(Settings(database_url=db_url), clock)
    server = sandbox_feeds(clock)
    await server.start()
    worker = WorkerDeps.of(base, news=NewsSources(server.feeds(), server))
    yield worker
    await worker.news.close()  # type: ignore[union-attr]
    await close_deps(base)


async def test_the_sandbox_starts_with_the_snapshots_and_three_days_of_headlines(
    deps: WorkerDeps,
) -> None:
    result = await ingest_news.run(deps)
    assert result.ok, result.summary
    assert result.summary.startswith("7/7 feeds")
    async with deps.read() as session:
        sources = set(await session.scalars(select(NewsCoverage.publisher)))
        newest = await session.scalar(select(func.max(NewsArticle.published_at)))
        snapshot = await session.scalar(
            select(NewsArticle).where(NewsArticle.title.like("Brazil’s Petrobras uses Cardano%"))
        )
    assert sources == {
        "CoinDesk", "Cointelegraph", "Decrypt", "Bitcoin Magazine", "CryptoPotato", "CryptoNews"
    }  # fmt: skip
    assert newest is not None and newest <= START
    assert snapshot is not None and snapshot.url.endswith("renewable-diesel")  # utm_* gone
    page = await latest_news(deps, "ADA")
    assert any("Cardano" in story.title for story in page.stories)


async def test_the_headlines_play_forward_and_a_story_of_two_publishers_is_one(
    deps: WorkerDeps,
) -> None:
    await ingest_news.run(deps)
    assert "0 new stories" in (await ingest_news.run(deps)).summary  # nothing new: 304s
    clock = deps.clock
    assert isinstance(clock, FixedClock)
    first = min(h.published_at for h in load_headlines())
    card_published = datetime(2022, 4, 26, 9, 49, tzinfo=UTC)  # CryptoPotato's, the later
    clock.advance(card_published - first - HISTORY + timedelta(minutes=5))
    result = await ingest_news.run(deps)
    assert result.ok, result.summary
    async with deps.read() as session:
        card = await session.scalar(
            select(NewsArticle).where(
                NewsArticle.title.ilike("%crypto card for ukrainian refugees")
            )
        )
    assert card is not None
    assert card.publishers == 2
    page = await latest_news(deps)
    assert page.stories[0].published_at <= clock.now()
    shown = next(
        story for story in (await latest_news(deps, limit=20)).stories if story.id == card.id
    )
    assert {publisher for publisher, _ in shown.sources} == {"Cointelegraph", "CryptoPotato"}
