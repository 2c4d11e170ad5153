"""What /news and /sentiment read: the coin asked, pages of the latest stories and the index's
week with the price, on SQLite with the in-process cache and on Postgres with Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.clock import FixedClock
from core.market import Candle
from core.news.feeds import FeedSpec
from core.refusal import Refusal
from core.settings import Settings
from db.candles import candle_market, save_candles
from db.news import NewsArticle
from services.deps import build_deps, close_deps
from services.news import NEWS_TTL, StoryScore, asked_coin, news_page, save_scores
from services.sentiment_series import (
    SENTIMENT_TTL,
    sentiment_overview,
    update_sentiment_index,
)
from tests.fakes.news_feeds import BadFeeds, Entry, rss
from workers.jobs import ingest_news
from workers.jobs.base import WorkerDeps
from workers.news.sources import NewsSources

NOW = datetime(2022, 4, 26, 12, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)
HEADLINES = [
    "Bitcoin slips below $39K as traders brace for the Fed",
    "Ethereum developers set a date for the Merge testnet",
    "Solana validators restart the network after a seven-hour halt",
    "Bitcoin miners sold more coins than they mined in April",
    "Ethereum gas fees fall to their lowest level this year",
    "Dogecoin jumps 20% after Musk's Twitter bid is accepted",
    "Bitcoin ETF decision delayed again by the SEC",
    "Gibraltar introduces new rules against crypto market manipulation",
    "Ethereum staking deposits pass 12 million ETH",
    "Bitcoin hash rate reaches an all-time high",
    "Solana NFT sales overtake Ethereum's for a day",
    "Crypto lender raises $100 million at a $2 billion valuation",
]
ENTRIES = [
    Entry(title, f"https://news.example/{i}", None, NOW - (i + 1) * HOUR)
    for i, title in enumerate(HEADLINES)
]


@pytest.fixture
async def deps(
    db_url: str, cache_url: str | None, engine
) -> AsyncIterator[WorkerDeps]:  # engine: empties Postgres
    redis_url = cache_url
    server = BadFeeds(feeds={"news": rss(ENTRIES)})
    await server.start()
    settings = Settings(database_url=db_url, redis_url=redis_url, symbols=["BTC", "ETH", "SOL"])
    base = await build_deps(settings, FixedClock(NOW))
    worker = WorkerDeps.of(base, news=NewsSources([FeedSpec("Feeds", f"{server.url}/feed/news")]))
    assert (await ingest_news.run(worker)).ok
    yield worker
    await worker.news.close()  # type: ignore[union-attr]
    await close_deps(base)
    await server.stop()


async def test_the_coin_asked_is_read_as_price_reads_it(deps: WorkerDeps) -> None:
    assert await asked_coin(deps, [], "news") is None
    assert await asked_coin(deps, ["  "], "news") is None
    assert await asked_coin(deps, ["btc"], "news") == "BTC"
    assert await asked_coin(deps, ["$ETH"], "news") == "ETH"
    assert await asked_coin(deps, ["solana"], "sentiment") == "SOL"


async def test_more_than_one_coin_or_an_unknown_one_is_refused(deps: WorkerDeps) -> None:
    with pytest.raises(Refusal) as two:
        await asked_coin(deps, ["BTC", "ETH"], "sentiment")
    assert (two.value.code, two.value.params) == (
        "news.one_coin",
        {"command": "sentiment", "count": 2},
    )
    with pytest.raises(Refusal) as unknown:
        await asked_coin(deps, ["BTCC"], "news")
    assert unknown.value.code == "coins.unknown"
    (problem,) = unknown.value.params["problems"]
    assert problem.text == "BTCC" and "BTC" in problem.suggestions


async def test_pages_of_the_latest_stories_newest_first(deps: WorkerDeps) -> None:
    first = await news_page(deps, None)
    assert [s.title for s in first.page.stories] == HEADLINES[:5]
    assert (first.number, first.pages, first.page.total, first.now) == (0, 3, 12, NOW)
    last = await news_page(deps, None, 2)
    assert [s.title for s in last.page.stories] == HEADLINES[10:]
    assert not last.page.has_more
    btc = await news_page(deps, "BTC")
    assert [s.title for s in btc.page.stories] == [t for t in HEADLINES if "Bitcoin" in t]
    assert all("BTC" in s.coins for s in btc.page.stories)


async def test_a_page_past_the_last_is_the_last(deps: WorkerDeps) -> None:
    """A button sent when there were more stories (or forged) still turns to a page."""
    beyond = await news_page(deps, "ETH", 7)
    assert beyond.number == 0 and len(beyond.page.stories) == 4
    assert (await news_page(deps, "DOGE")).page.total == 0  # known, but no story tagged


async def test_a_page_is_served_from_the_cache_for_a_short_while(deps: WorkerDeps) -> None:
    before = await news_page(deps, None)
    key = "news:page:*:0:5"
    assert 0 < (await deps.cache.ttl(key) or 0) <= NEWS_TTL
    async with deps.write() as session:  # a story arrives meanwhile
        first = await session.scalar(select(NewsArticle).where(NewsArticle.url.endswith("/0")))
        assert first is not None
        first.title = "Bitcoin slips below $38K"
    again = await news_page(deps, None)
    assert again.page == before.page  # from the cache: no read
    await deps.cache.delete(key)
    fresh = await news_page(deps, None)
    assert fresh.page.stories[0].title == "Bitcoin slips below $38K"


async def score_all(deps: WorkerDeps) -> None:
    async with deps.read() as session:
        rows = list(await session.scalars(select(NewsArticle)))
    scores = [
        StoryScore(row.id, 0.1, -0.5 if "slips" in row.title else 0.5, "positive") for row in rows
    ]
    await save_scores(deps, scores, "test")
    assert await update_sentiment_index(deps) > 0


async def test_the_index_and_the_price_over_the_week(deps: WorkerDeps) -> None:
    await score_all(deps)
    candles = [
        Candle(NOW.replace(minute=0) - h * HOUR, *(Decimal(40000 - h),) * 4, Decimal(1))
        for h in range(200, 0, -1)
    ]
    async with deps.write() as session:
        market = await candle_market(session, "binance", "BTC/USDT", "BTC", "USDT", NOW)
        await save_candles(session, market, "1h", candles)

    market_wide = await sentiment_overview(deps, None)
    assert market_wide.asset is None and market_wide.coin == "BTC"
    now = market_wide.summary.now
    assert now is not None and now.ts == datetime(2022, 4, 26, 12, tzinfo=UTC)
    assert now.stories == 12
    assert market_wide.points[-1] == (now.ts, now.value)
    assert market_wide.quote == "USDT"
    assert market_wide.closes[-1] == (candles[-1].ts, candles[-1].close)
    assert len(market_wide.closes) >= 7 * 24 - 1  # a week of hourly closes
    assert market_wide.closes[0][0] >= NOW - timedelta(days=7, hours=1)

    eth = await sentiment_overview(deps, "ETH")
    assert eth.coin == "ETH" and eth.closes == () and eth.quote is None  # no ETH candles
    assert eth.summary.now is not None and eth.summary.now.stories == 4
    assert eth.summary.now.value == pytest.approx(0.5)  # every ETH story scored +0.5
    btc = await sentiment_overview(deps, "BTC")  # one of its four stories scored −0.5
    assert btc.summary.now is not None and 0 < btc.summary.now.value < 0.5


async def test_a_coin_without_index_has_none_and_the_overview_is_cached(deps: WorkerDeps) -> None:
    doge = await sentiment_overview(deps, "DOGE")  # known, not followed: no index kept
    assert doge.summary.now is None and doge.points == ()
    await score_all(deps)
    key = "sentiment:overview:DOGE"
    assert 0 < (await deps.cache.ttl(key) or 0) <= SENTIMENT_TTL
    assert await sentiment_overview(deps, "DOGE") == doge  # read back as it was stored
    sol = await sentiment_overview(deps, "SOL")
    assert sol.summary.now is not None
    assert await sentiment_overview(deps, "SOL") == sol  # the cached copy reads back equal
