"""The news job against feeds on loopback: one story per event across publishers, conditional
GET, tags stored, and every bad feed costing that feed its cycle and nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.clock import FixedClock
from core.news.feeds import FeedSpec
from core.settings import Settings
from db.news import NewsArticle, NewsAssetTag, NewsCoverage, NewsFeed
from services.deps import build_deps, close_deps
from tests.fakes.news_feeds import BadFeeds, Entry, rss
from workers.jobs import ingest_news
from workers.jobs.base import WorkerDeps
from workers.news.fetch import FetchLimits
from workers.news.sources import NewsSources

NOW = datetime(2022, 4, 26, 12, tzinfo=UTC)
SYMBOLS = ["BTC", "ETH", "SOL", "ADA", "XRP", "USDT"]
QUICK = FetchLimits(connect=1.0, read=0.5, total=2.0, max_bytes=2 * 1024 * 1024, max_redirects=5)

# Real items of the cryptonews data set: one story told by two publishers, and another.
COINTELEGRAPH = [
    Entry(
        "Binance announces crypto card for Ukrainian refugees",
        "https://cointelegraph.com/news/binance-announces-crypto-card-for-ukrainian-refugees"
        "?utm_source=rss_feed&utm_medium=rss",
        "https://cointelegraph.com/news/binance-announces-crypto-card-for-ukrainian-refugees",
        datetime(2022, 4, 26, 8, tzinfo=UTC),
        "The card will allow displaced Ukrainians to send and receive crypto payments.",
    ),
    Entry(
        "Smart money is accumulating Ethereum even as traders warn of a drop to $2.4K",
        "https://cointelegraph.com/news/smart-money-is-accumulating-ethereum-even-as-traders-"
        "warn-of-a-drop-to-2-4k",
        None,
        datetime(2022, 4, 26, 7, tzinfo=UTC),
    ),
]
CRYPTOPOTATO = [
    Entry(
        "Binance Introduces New Crypto Card for Ukrainian Refugees",
        "https://cryptopotato.com/binance-introduces-new-crypto-card-for-ukrainian-refugees/",
        None,
        datetime(2022, 4, 26, 9, 49, tzinfo=UTC),
        "Binance Refugee Crypto Card could aid millions of Ukrainians.",
    ),
    Entry(
        "Retail Cardano Wallets Reached New All-Time High as ADA Jumped 5%",
        "https://cryptopotato.com/retail-cardano-wallets-reached-new-all-time-high/",
        None,
        datetime(2022, 4, 26, 6, tzinfo=UTC),
    ),
]


@pytest.fixture
async def server() -> AsyncIterator[BadFeeds]:
    feeds = BadFeeds()
    await feeds.start()
    yield feeds
    await feeds.stop()


@pytest.fixture
async def make_deps(db_url: str, engine) -> AsyncIterator:  # engine: empties Postgres
    made: list[WorkerDeps] = []

    async def make(feeds: list[FeedSpec]) -> WorkerDeps:
        settings = Settings(database_url=db_url, symbols=SYMBOLS)
        base = await build_deps(settings, FixedClock(NOW))
        deps = WorkerDeps.of(base, news=NewsSources(feeds, limits=QUICK))
        made.append(deps)
        return deps

    yield make
    for deps in made:
        assert deps.news is not None
        await deps.news.close()
        await close_deps(deps)


async def count(deps: WorkerDeps, what) -> int:
    async with deps.read() as session:
        return await session.scalar(select(func.count()).select_from(what)) or 0


async def feed_rows(deps: WorkerDeps) -> dict[str, NewsFeed]:
    async with deps.read() as session:
        return {row.url.rsplit("/", 1)[-1]: row for row in await session.scalars(select(NewsFeed))}


async def test_one_story_told_by_two_publishers_is_one_row_that_counts_both(
    server: BadFeeds, make_deps
) -> None:
    server.feeds = {"ct": rss(COINTELEGRAPH), "cp": rss(CRYPTOPOTATO)}
    deps = await make_deps(
        [FeedSpec("Cointelegraph", f"{server.url}/feed/ct"),
         FeedSpec("CryptoPotato", f"{server.url}/feed/cp")]
    )  # fmt: skip
    result = await ingest_news.run(deps)
    assert result.ok, result.summary
    assert "3 new stories, 1 retold" in result.summary
    async with deps.read() as session:
        card = await session.scalar(
            select(NewsArticle).where(NewsArticle.title.ilike("%crypto card%"))
        )
        assert card is not None
        assert card.publishers == 2
        # the feeds are fetched at once: the story row is whichever publisher's item was stored
        # first, its link that publisher's; the date is the earliest of all
        first = {
            "Cointelegraph": "https://cointelegraph.com/news/binance-announces-crypto-card-for-"
            "ukrainian-refugees",
            "CryptoPotato": "https://cryptopotato.com/binance-introduces-new-crypto-card-for-"
            "ukrainian-refugees",
        }
        assert card.url == first[card.source]
        assert card.published_at == datetime(2022, 4, 26, 8, tzinfo=UTC)  # the earliest
        urls = set(
            await session.scalars(
                select(NewsCoverage.url).where(NewsCoverage.article_id == card.id)
            )
        )
    assert urls == {
        "https://cointelegraph.com/news/binance-announces-crypto-card-for-ukrainian-refugees",
        "https://cryptopotato.com/binance-introduces-new-crypto-card-for-ukrainian-refugees",
    }
    assert await count(deps, NewsArticle) == 3 and await count(deps, NewsCoverage) == 4


async def test_tags_are_stored_for_the_coins_a_story_names(server: BadFeeds, make_deps) -> None:
    server.feeds = {"ct": rss(COINTELEGRAPH), "cp": rss(CRYPTOPOTATO)}
    deps = await make_deps(
        [FeedSpec("Cointelegraph", f"{server.url}/feed/ct"),
         FeedSpec("CryptoPotato", f"{server.url}/feed/cp")]
    )  # fmt: skip
    await ingest_news.run(deps)
    async with deps.read() as session:
        rows = await session.execute(
            select(NewsArticle.title, NewsAssetTag.asset_id).join(
                NewsAssetTag, NewsAssetTag.article_id == NewsArticle.id
            )
        )
        symbols = {i: s for s, i in deps.directory.ids.items()}
        tags = {(title[:20], symbols[asset_id]) for title, asset_id in rows}
    assert tags == {("Smart money is accum", "ETH"), ("Retail Cardano Walle", "ADA")}


async def test_a_second_run_asks_with_the_validators_and_stores_nothing_twice(
    server: BadFeeds, make_deps
) -> None:
    server.feeds = {"ct": rss(COINTELEGRAPH)}
    deps = await make_deps([FeedSpec("Cointelegraph", f"{server.url}/feed/ct")])
    await ingest_news.run(deps)
    again = await ingest_news.run(deps)
    first, second = server.asked("/feed/ct")
    assert first.if_none_match is None
    assert second.if_none_match is not None and second.if_none_match.startswith('"')
    assert second.if_modified_since == "Sat, 05 Dec 2026 10:00:00 GMT"
    assert "1 unchanged" in again.summary
    assert await count(deps, NewsArticle) == 2


async def test_an_item_seen_again_with_new_tracking_or_a_new_link_is_not_new(
    server: BadFeeds, make_deps
) -> None:
    server.feeds = {"ct": rss(COINTELEGRAPH)}
    deps = await make_deps([FeedSpec("Cointelegraph", f"{server.url}/feed/ct")])
    await ingest_news.run(deps)
    card, eth = COINTELEGRAPH
    server.feeds["ct"] = rss(
        [
            Entry(card.title, card.link.split("?")[0] + "?utm_source=twitter#top", card.guid,
                  card.published),
            Entry(card.title, "https://cointelegraph.com/news/renamed-slug", card.guid,
                  card.published),  # the same GUID at a new address
            eth,
        ]
    )  # fmt: skip
    result = await ingest_news.run(deps)
    assert "0 new stories, 0 retold" in result.summary
    assert await count(deps, NewsArticle) == 2 and await count(deps, NewsCoverage) == 2


BAD = {
    "malformed": ("/feed/broken", "malformed"),
    "not a feed": ("/feed/page", "not_a_feed"),
    "hangs": ("/hang", "timeout"),
    "drips": ("/drip", "timeout"),
    "redirects forever": ("/loop", "too_many_redirects"),
    "10 MB": ("/huge", "too_large"),
    "says 10 MB": ("/declared-huge", "too_large"),
    "503": ("/status/503?retry=600", "http_503"),
    "gone": ("/status/410", "http_410"),
}


@pytest.mark.parametrize("bad", sorted(BAD))
async def test_a_bad_feed_costs_that_feed_its_cycle_and_nothing_else(
    server: BadFeeds, make_deps, bad: str
) -> None:
    path, reason = BAD[bad]
    server.feeds = {
        "ct": rss(COINTELEGRAPH),
        "cp": rss(CRYPTOPOTATO),
        "broken": b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>Bro',
        "page": b"<!doctype html><html><body><p>Welcome to our crypto blog</p></body></html>",
    }
    server.content_types = {"page": "text/html"}
    deps = await make_deps(
        [FeedSpec("Cointelegraph", f"{server.url}/feed/ct"),
         FeedSpec("Bad", f"{server.url}{path}"),
         FeedSpec("CryptoPotato", f"{server.url}/feed/cp")]
    )  # fmt: skip
    result = await ingest_news.run(deps)
    assert result.ok, result.summary
    assert f"1 failed ({reason} 1)" in result.summary
    assert await count(deps, NewsArticle) == 3  # both good feeds' stories
    state = (await feed_rows(deps))[path.rsplit("/", 1)[-1]]
    assert state.failures == 1 and state.last_error == reason
    assert state.retry_at is not None and state.retry_at > NOW
    if reason == "http_503":
        assert state.retry_at >= NOW + timedelta(seconds=600)  # the server's Retry-After


async def test_a_feed_that_lies_about_its_encoding_is_read_as_it_is(
    server: BadFeeds, make_deps
) -> None:
    entry = Entry("Café in Lugano takes €5 of Bitcoin", "https://feeds.example/cafe")
    server.feeds = {"lies": rss([entry], encoding="cp1252", declared="utf-8")}
    server.content_types = {"lies": "application/rss+xml; charset=utf-8"}
    deps = await make_deps([FeedSpec("Liar", f"{server.url}/feed/lies")])
    result = await ingest_news.run(deps)
    assert result.ok, result.summary
    async with deps.read() as session:
        assert await session.scalar(select(NewsArticle.title)) == entry.title


async def test_a_failing_feed_is_not_asked_while_it_backs_off_and_recovers_after(
    server: BadFeeds, make_deps
) -> None:
    deps = await make_deps(
        [FeedSpec("Cointelegraph", f"{server.url}/feed/ct"),
         FeedSpec("CryptoPotato", f"{server.url}/feed/cp")]
    )  # fmt: skip
    server.feeds = {"cp": rss(CRYPTOPOTATO)}  # Cointelegraph's is missing: 404
    await ingest_news.run(deps)
    retry_at = (await feed_rows(deps))["ct"].retry_at
    assert retry_at is not None
    clock = deps.clock
    assert isinstance(clock, FixedClock)
    clock.advance(retry_at - NOW - timedelta(seconds=1))
    await ingest_news.run(deps)  # still backing off: not asked
    assert len(server.asked("/feed/ct")) == 1 and len(server.asked("/feed/cp")) == 2
    server.feeds["ct"] = rss(COINTELEGRAPH)
    clock.advance(timedelta(seconds=2))
    result = await ingest_news.run(deps)
    assert len(server.asked("/feed/ct")) == 2
    assert "1 retold" in result.summary  # the card story, told first by CryptoPotato now
    state = (await feed_rows(deps))["ct"]
    assert state.failures == 0 and state.retry_at is None and state.last_error is None


async def test_redirects_within_the_cap_are_followed(server: BadFeeds, make_deps) -> None:
    server.feeds = {"good": rss(CRYPTOPOTATO)}
    deps = await make_deps([FeedSpec("CryptoPotato", f"{server.url}/hop/3")])
    result = await ingest_news.run(deps)
    assert "2 new stories" in result.summary, result.summary
