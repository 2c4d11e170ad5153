"""Scores stored beside each story, and the sentiment index stored as an hourly series per
followed coin and for the market, read back by `sentiment_series`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.clock import FixedClock
from core.news.feeds import FeedSpec
from core.sentiment_index import Story, sentiment_index
from core.settings import Settings
from db.news import NewsArticle, SentimentPoint
from services.deps import build_deps, close_deps
from services.news import StoryScore, save_scores, stories_to_score
from services.sentiment_series import (
    sentiment_series,
    sentiment_summary,
    update_sentiment_index,
)
from tests.fakes.news_feeds import BadFeeds, Entry, rss
from workers.jobs import ingest_news
from workers.jobs.base import WorkerDeps
from workers.news.sources import NewsSources

NOW = datetime(2022, 4, 26, 12, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)
# Real headlines of the cryptonews data set, dated within the last day.
ENTRIES = [
    Entry("Smart money is accumulating Ethereum even as traders warn of a drop to $2.4K",
          "https://cointelegraph.com/news/smart-money-is-accumulating-ethereum", None,
          datetime(2022, 4, 26, 7, tzinfo=UTC)),
    Entry("Ethereum Miners Made $1.29 Billion in Revenue in March: Data",
          "https://cryptopotato.com/ethereum-miners-made-1-29-billion", None,
          datetime(2022, 4, 26, 2, tzinfo=UTC)),
    Entry("Trader flags BTC price levels to watch as Bitcoin still risks $30K 'ultimate bottom'",
          "https://cointelegraph.com/news/trader-flags-btc-price-levels", None,
          datetime(2022, 4, 26, 11, tzinfo=UTC)),
    Entry("Gibraltar Introduces New Regulation Against Crypto Market Manipulation",
          "https://cryptopotato.com/gibraltar-introduces-new-regulation", None,
          datetime(2022, 4, 25, 20, tzinfo=UTC)),
]  # fmt: skip


@pytest.fixture
async def deps(db_url: str, engine) -> AsyncIterator[WorkerDeps]:  # engine: empties Postgres
    server = BadFeeds(feeds={"news": rss(ENTRIES)})
    await server.start()
    base = await build_deps(
        Settings(database_url=db_url, symbols=["BTC", "ETH", "SOL"]), FixedClock(NOW)
    )
    worker = WorkerDeps.of(base, news=NewsSources([FeedSpec("Feeds", f"{server.url}/feed/news")]))
    assert (await ingest_news.run(worker)).ok
    yield worker
    await worker.news.close()  # type: ignore[union-attr]
    await close_deps(base)
    await server.stop()


async def stories(deps: WorkerDeps) -> dict[str, NewsArticle]:
    async with deps.read() as session:
        return {row.title.split()[0]: row for row in await session.scalars(select(NewsArticle))}


async def score(deps: WorkerDeps, values: dict[str, float]) -> None:
    """Scores as a model would give them: the light model's `values`, VADER's the opposite."""
    by_word = await stories(deps)
    scores = [
        StoryScore(by_word[word].id, -value, value, "positive" if value > 0 else "negative")
        for word, value in values.items()
    ]
    await save_scores(deps, scores, "test-model+vader-x")


async def test_scores_are_stored_with_the_scorers_version_and_not_asked_again(
    deps: WorkerDeps,
) -> None:
    assert len(await stories_to_score(deps, 10)) == 4
    await score(deps, {"Smart": 0.5, "Ethereum": -0.25})
    rows = await stories(deps)
    assert rows["Smart"].model_score == 0.5 and rows["Smart"].vader_score == -0.5
    assert rows["Smart"].scorer_version == "test-model+vader-x"
    assert rows["Smart"].scored_at == NOW
    assert {s.title.split()[0] for s in await stories_to_score(deps, 10)} == {"Trader", "Gibraltar"}


async def test_the_index_is_stored_hourly_per_followed_coin_and_for_the_market(
    deps: WorkerDeps,
) -> None:
    await score(deps, {"Smart": 0.5, "Ethereum": -0.25, "Trader": -0.75, "Gibraltar": 0.25})
    written = await update_sentiment_index(deps)
    at = datetime(2022, 4, 26, 12, tzinfo=UTC)  # the hour now is in
    eth = await sentiment_series(deps, "ETH", at - HOUR, at)
    expected = sentiment_index(
        [Story(datetime(2022, 4, 26, 7, tzinfo=UTC), 0.5, 1),
         Story(datetime(2022, 4, 26, 2, tzinfo=UTC), -0.25, 1)], at
    )  # fmt: skip
    assert expected is not None
    assert [(r.ts, r.stories) for r in eth] == [(at - HOUR, 2), (at, 2)]
    assert eth[-1].value == pytest.approx(expected.value)
    assert eth[-1].weight == pytest.approx(expected.weight)
    market = await sentiment_series(deps, None, at, at)
    assert market[0].stories == 4
    btc = await sentiment_series(deps, "BTC", at - 2 * HOUR, at)
    assert [r.ts for r in btc] == [at - HOUR, at]  # BTC's story was published at 11:00
    assert await sentiment_series(deps, "SOL", at - 48 * HOUR, at) == []  # no SOL story
    assert await sentiment_series(deps, "NOPE", at - 48 * HOUR, at) == []
    # the market since the first story (20:00 the day before), ETH since 02:00, BTC since 11:00
    assert written == 17 + 11 + 2


async def test_the_latest_point_is_recomputed_and_later_hours_added(deps: WorkerDeps) -> None:
    await score(deps, {"Smart": 0.5})
    await update_sentiment_index(deps)
    clock = deps.clock
    assert isinstance(clock, FixedClock)
    clock.advance(2 * HOUR)
    await score(deps, {"Ethereum": -0.25})  # scored late: the 12:00 point changes too
    await update_sentiment_index(deps)
    at = datetime(2022, 4, 26, 12, tzinfo=UTC)
    eth = await sentiment_series(deps, "ETH", at, at + 2 * HOUR)
    assert [(r.ts, r.stories) for r in eth] == [(at, 2), (at + HOUR, 2), (at + 2 * HOUR, 2)]
    async with deps.read() as session:
        twelve = list(await session.scalars(select(SentimentPoint).where(SentimentPoint.ts == at)))
    assert len(twelve) == 2  # ETH's and the market's, once each
    summary = await sentiment_summary(deps, "ETH")
    assert summary.now is not None and summary.now.ts == at + 2 * HOUR
    assert summary.day_ago is None and summary.change_24h is None
