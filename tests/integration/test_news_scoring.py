"""The scoring job end to end: stories ingested from a feed on loopback, scored by both real
models (workers.sentiment), and the sentiment index stored from those scores."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.clock import FixedClock
from core.news.feeds import FeedSpec
from core.settings import Settings
from db.news import NewsArticle
from services.deps import build_deps, close_deps
from services.sentiment_series import sentiment_series
from tests.fakes.news_feeds import BadFeeds, Entry, rss
from workers.jobs import ingest_news, score_news
from workers.jobs.base import WorkerDeps
from workers.news.sources import NewsSources

NOW = datetime(2022, 4, 26, 12, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)
# Real headlines of the cryptonews data set.
ENTRIES = [
    Entry("Bitcoin and Ethereum Gain Bullish Momentum, SOL and LUNA Rally",
          "https://crypto.news.example/bitcoin-and-ethereum-gain-bullish-momentum", None,
          datetime(2022, 4, 26, 7, tzinfo=UTC)),
    Entry("Terra Users Lose $4.3M in Crypto to Phishing Scam Over 10 Days",
          "https://cryptopotato.com/terra-users-lose-4-3m-in-crypto-to-phishing-scam", None,
          datetime(2022, 4, 26, 2, tzinfo=UTC)),
    Entry("Trader flags BTC price levels to watch as Bitcoin still risks $30K 'ultimate bottom'",
          "https://cointelegraph.com/news/trader-flags-btc-price-levels", None,
          datetime(2022, 4, 26, 11, tzinfo=UTC)),
]  # fmt: skip


@pytest.fixture
async def deps(db_url: str, engine) -> AsyncIterator[WorkerDeps]:  # engine: empties Postgres
    server = BadFeeds(feeds={"news": rss(ENTRIES)})
    await server.start()
    base = await build_deps(Settings(database_url=db_url, symbols=["BTC", "ETH"]), FixedClock(NOW))
    worker = WorkerDeps.of(base, news=NewsSources([FeedSpec("Feeds", f"{server.url}/feed/news")]))
    assert (await ingest_news.run(worker)).ok
    yield worker
    await worker.news.close()  # type: ignore[union-attr]
    await close_deps(base)
    await server.stop()


async def test_every_story_is_scored_by_both_models_and_the_index_stored(
    deps: WorkerDeps,
) -> None:
    result = await score_news.run(deps)
    assert result.ok, result.summary
    assert result.summary.startswith("3 stories scored")
    async with deps.read() as session:
        rows = list(await session.scalars(select(NewsArticle)))
    assert all(r.vader_score is not None and r.model_score is not None for r in rows)
    assert all(-1 <= (r.vader_score or 0) <= 1 and -1 <= (r.model_score or 0) <= 1 for r in rows)
    assert all(r.sentiment_label in ("negative", "neutral", "positive") for r in rows)
    assert len({r.scorer_version for r in rows}) == 1 and rows[0].scorer_version
    market = await sentiment_series(deps, None, NOW - HOUR, NOW)
    btc = await sentiment_series(deps, "BTC", NOW - HOUR, NOW)
    assert market and market[-1].stories == 3
    assert btc and btc[-1].stories == 2
    again = await score_news.run(deps)
    assert again.summary.startswith("0 stories scored")
