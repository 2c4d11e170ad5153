"""News as use cases, one transaction each: which feeds to fetch now, what a fetch brought (its
items stored, its feed's state and back-off), which stories to score and their scores, and
the latest stories for a person (`latest_news`, for /news).

The ingestion job fetches and parses; these store what it got. Nothing here says words: a
failed fetch is a reason code (core.news.feeds.Failed)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.news.feeds import Failed, FeedSpec, Fetched, Item, NotModified, Outcome, next_attempt
from core.refusal import Refusal
from core.symbols import resolve
from db.repos import news as repo
from db.repos.assets import AssetDirectory
from services.deps import Deps
from services.market import refuse_unknown
from services.news_store import store_items, tagger_for

PAGE_MAX = 20


@dataclass(frozen=True, slots=True)
class FeedToFetch:
    id: int
    publisher: str
    url: str
    etag: str | None
    last_modified: str | None
    failures: int


async def feeds_to_fetch(deps: Deps, feeds: Sequence[FeedSpec]) -> list[FeedToFetch]:
    """The configured feeds (each given a state row the first time) that are not backing off."""
    now = deps.clock.now()
    async with deps.write() as session:
        await repo.register_feeds(session, [(feed.url, feed.publisher) for feed in feeds])
        rows = await repo.feeds_by_url(session, [feed.url for feed in feeds])
    order = {feed.url: i for i, feed in enumerate(feeds)}
    return [
        FeedToFetch(row.id, row.publisher, row.url, row.etag, row.last_modified, row.failures)
        for row in sorted(rows, key=lambda r: order[r.url])
        if row.retry_at is None or row.retry_at <= now
    ]


@dataclass(frozen=True, slots=True)
class FeedReport:
    """How one feed's fetch went: `status` new / unchanged / failed; `reason` when failed."""

    publisher: str
    url: str
    status: str
    items: int = 0
    new: int = 0
    retold: int = 0
    reason: str | None = None
    retry_at: datetime | None = None


async def record_fetch(
    deps: Deps, feed: FeedToFetch, outcome: Outcome, items: Sequence[Item] = ()
) -> FeedReport:
    """Store what a fetch of `feed` brought: its items (deduplicated, tagged) and the feed's
    validators when it was fetched; its back-off when it failed (or its failures forgotten)."""
    now = deps.clock.now()
    async with deps.write() as session:
        if isinstance(outcome, Failed):
            failures = feed.failures + 1
            retry_at = next_attempt(failures, now, outcome.retry_after)
            await repo.update_feed(
                session,
                feed.id,
                failures=failures,
                retry_at=retry_at,
                last_error=outcome.reason[:64],
                last_checked_at=now,
            )
            return FeedReport(feed.publisher, feed.url, "failed", 0, 0, 0, outcome.reason, retry_at)
        cleared = {"failures": 0, "retry_at": None, "last_error": None, "last_checked_at": now}
        if isinstance(outcome, NotModified):
            await repo.update_feed(session, feed.id, last_ok_at=now, **cleared)
            return FeedReport(feed.publisher, feed.url, "unchanged")
        directory = await deps.directory_in(session)
        stored = await store_items(session, items, tagger_for(directory), directory.ids, now)
        validators = (
            {"etag": outcome.etag, "last_modified": outcome.last_modified}
            if isinstance(outcome, Fetched)
            else {}
        )
        await repo.update_feed(
            session, feed.id, last_ok_at=now, items=len(items), **validators, **cleared
        )
    return FeedReport(feed.publisher, feed.url, "new", len(items), stored.new, stored.retold)


# --- scores ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoryToScore:
    id: int
    title: str


async def stories_to_score(deps: Deps, limit: int) -> list[StoryToScore]:
    """Up to `limit` stories no model has scored yet, oldest first."""
    async with deps.read() as session:
        return [StoryToScore(*row) for row in await repo.unscored(session, limit)]


@dataclass(frozen=True, slots=True)
class StoryScore:
    id: int
    vader: float
    model: float
    label: str


async def save_scores(deps: Deps, scores: Sequence[StoryScore], version: str) -> int:
    """Both models' scores of each story, with the scorer's version; how many were saved."""
    now = deps.clock.now()
    async with deps.write() as session:
        for score in scores:
            await repo.save_score(
                session,
                score.id,
                vader_score=_bounded(score.vader),
                model_score=_bounded(score.model),
                sentiment_label=score.label[:16],
                scorer_version=version[:64],
                scored_at=now,
            )
    return len(scores)


def _bounded(score: float) -> float:
    return max(-1.0, min(1.0, float(score)))


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoryView:
    """A story as /news shows it."""

    id: int
    title: str
    url: str
    source: str  # the first publisher
    publishers: int
    published_at: datetime
    vader: float | None
    model: float | None
    label: str | None
    coins: tuple[str, ...]
    sources: tuple[tuple[str, str], ...] = field(default=())  # (publisher, url), first first


@dataclass(frozen=True, slots=True)
class NewsPage:
    stories: tuple[StoryView, ...]
    offset: int
    total: int  # stories of the asset (or all) there are

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.stories) < self.total


async def coins_of(
    session: AsyncSession, directory: AssetDirectory, story_ids: Sequence[int]
) -> dict[int, list[str]]:
    """The coins (in `directory`) each of the stories is tagged with, in tag order."""
    symbols = {asset_id: symbol for symbol, asset_id in directory.ids.items()}
    coins: dict[int, list[str]] = {}
    for story_id, tagged in await repo.tags_of(session, story_ids):
        if tagged in symbols:
            coins.setdefault(story_id, []).append(symbols[tagged])
    return coins


async def latest_news(
    deps: Deps, asset: str | None = None, offset: int = 0, limit: int = 5
) -> NewsPage:
    """The latest stories (of `asset`, a known symbol; None: all), newest first, `limit` from
    `offset`. An asset Pythia does not know has no stories."""
    offset, limit = max(offset, 0), min(max(limit, 1), PAGE_MAX)
    async with deps.read() as session:
        directory = await deps.directory_in(session)
        asset_id = None if asset is None else directory.ids.get(asset)
        if asset is not None and asset_id is None:
            return NewsPage((), offset, 0)
        rows, total = await repo.latest_stories(session, asset_id, offset, limit)
        ids = [row.id for row in rows]
        coins = await coins_of(session, directory, ids)
        sources: dict[int, list[tuple[str, str]]] = {}
        for story_id, publisher, url in await repo.coverage_of(session, ids):
            sources.setdefault(story_id, []).append((publisher, url))
    stories = tuple(
        StoryView(
            row.id,
            row.title,
            row.url,
            row.source,
            row.publishers,
            row.published_at,
            row.vader_score,
            row.model_score,
            row.sentiment_label,
            tuple(sorted(coins.get(row.id, ()))),
            tuple(sources.get(row.id, ())),
        )
        for row in rows
    )
    return NewsPage(stories, offset, total)


# --- /news and /sentiment: the coin asked, and pages read through the cache ------------------

NEWS_PAGE_SIZE = 5
# A page read from the database is served from the cache for this long. A short life rather
# than invalidation: the stories are written by the workers (another process, every minute or
# so), and a page up to half a minute old costs nobody anything, while an invalidation would
# tie every writer of news to every reader's keys (pages per coin and offset).
NEWS_TTL = 30.0


async def asked_coin(deps: Deps, typed: Sequence[str], command: str) -> str | None:
    """The one coin typed after /news or /sentiment (None: nothing typed, the whole market).
    Refusals: `news.one_coin` (command, count) for more than one, `coins.unknown` as /price
    says it for one Pythia does not know. Reads the asset directory (cached), opens nothing."""
    words = [word for word in typed if word.strip()]
    if not words:
        return None
    if len(words) > 1:
        raise Refusal("news.one_coin", command=command, count=len(words))
    directory = await deps.current_directory()
    # Any coin Pythia knows can have news, listed on a followed exchange or not.
    request = resolve(words, directory.symbols, directory.names, limit=1)
    if request.problems or not request.symbols:
        refuse_unknown(deps, request)
    return request.symbols[0]


@dataclass(frozen=True, slots=True)
class LatestNews:
    """/news: one page of the latest stories of `asset` (None: all), read at `now`."""

    asset: str | None
    page: NewsPage
    number: int  # the page, from 0
    size: int
    now: datetime

    @property
    def pages(self) -> int:
        return max(1, -(-self.page.total // self.size))


async def news_page(
    deps: Deps, asset: str | None, number: int = 0, size: int = NEWS_PAGE_SIZE
) -> LatestNews:
    """Page `number` of the latest stories of `asset` (a known symbol, or None for all), from
    the cache when it was read in the last NEWS_TTL seconds. A page past the last (the stories
    were fewer when its button was sent) is the last page."""
    number = max(number, 0)
    page = await _cached_page(deps, asset, number * size, size)
    if not page.stories and page.total and number:
        number = (page.total - 1) // size
        page = await _cached_page(deps, asset, number * size, size)
    return LatestNews(asset, page, number, size, deps.clock.now())


async def _cached_page(deps: Deps, asset: str | None, offset: int, limit: int) -> NewsPage:
    key = f"news:page:{asset or '*'}:{offset}:{limit}"
    cached = await deps.cache.get(key)
    if cached is not None:
        return _page_from_json(cached)
    page = await latest_news(deps, asset, offset, limit)
    await deps.cache.set(key, _page_to_json(page), ttl=NEWS_TTL)
    return page


def _page_to_json(page: NewsPage) -> str:
    stories = [
        {**asdict(story), "published_at": story.published_at.isoformat()} for story in page.stories
    ]
    return json.dumps({"stories": stories, "offset": page.offset, "total": page.total})


def _page_from_json(text: str) -> NewsPage:
    data = json.loads(text)
    stories = tuple(
        StoryView(
            **{
                **story,
                "published_at": datetime.fromisoformat(story["published_at"]),
                "coins": tuple(story["coins"]),
                "sources": tuple(tuple(source) for source in story["sources"]),
            }
        )
        for story in data["stories"]
    )
    return NewsPage(stories, data["offset"], data["total"])
