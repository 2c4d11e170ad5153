"""Feeds and what they give: which feeds (the NEWS_FEEDS setting), an item as a feed wrote it
and as Pythia keeps it, how a fetch ended, and when a failing feed is asked again."""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from core.backoff import Backoff
from core.news.urls import canonical_url

# The major crypto publishers' public feeds (`Publisher=URL`).
DEFAULT_FEEDS = (
    "CoinDesk=https://www.coindesk.com/arc/outboundfeeds/rss/",
    "Cointelegraph=https://cointelegraph.com/rss",
    "Decrypt=https://decrypt.co/feed",
    "Bitcoin Magazine=https://bitcoinmagazine.com/.rss/full/",
    "The Block=https://www.theblock.co/rss.xml",
    "CryptoSlate=https://cryptoslate.com/feed/",
    "CryptoPotato=https://cryptopotato.com/feed/",
    "Bitcoinist=https://bitcoinist.com/feed/",
    "NewsBTC=https://www.newsbtc.com/feed/",
)
# A failing feed waits about one cycle (5 min) after its first failure, twice that after its
# second… up to six hours: a bad feed costs itself cycles, never the others.
BACKOFF_BASE, BACKOFF_CAP = 300.0, 6 * 3600.0
TITLE_MAX = 500
SUMMARY_MAX = 600
FUTURE_SLACK = timedelta(hours=1)  # a date further ahead than this is a feed's mistake
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A feed to fetch and the publisher whose it is."""

    publisher: str
    url: str


def parse_feed(entry: str) -> FeedSpec:
    """`Publisher=https://…` or a bare URL (the publisher is then its host). ValueError when
    the URL is not http(s)."""
    name, sep, url = entry.partition("=")
    if not sep or name.strip().lower().startswith(("http://", "https://")):
        name, url = "", entry
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{entry!r} is not Publisher=https://… or an http(s) URL")
    publisher = " ".join(name.split()) or parts.hostname.removeprefix("www.")
    return FeedSpec(publisher[:64], url)


def parse_feeds(entries: Iterable[str]) -> list[FeedSpec]:
    """Each entry parsed; a URL given twice is one feed."""
    feeds: dict[str, FeedSpec] = {}
    for entry in entries:
        feed = parse_feed(entry)
        feeds.setdefault(feed.url, feed)
    return list(feeds.values())


@dataclass(frozen=True, slots=True)
class FeedItem:
    """An item as the feed wrote it (after the parser), before anything is decided."""

    title: str
    link: str
    guid: str | None = None
    published_at: datetime | None = None
    summary: str = ""


@dataclass(frozen=True, slots=True)
class Item:
    """An item as Pythia keeps it: canonical URL, plain-text title and summary, a date."""

    publisher: str
    url: str
    guid: str | None
    title: str
    summary: str
    published_at: datetime


def plain_text(text: str, limit: int) -> str:
    """HTML tags dropped, entities read, spaces folded, cut at `limit` characters."""
    plain = _SPACES.sub(" ", html.unescape(_TAGS.sub(" ", text))).strip()
    return plain if len(plain) <= limit else plain[: limit - 1].rstrip() + "…"


def clean_item(publisher: str, raw: FeedItem, fetched_at: datetime) -> Item | None:
    """The item to keep, or None when it has no title or no web address (its link, else a
    GUID that is one). No date, or one far in the future, is the time it was fetched."""
    title = plain_text(raw.title, TITLE_MAX)
    url = canonical_url(raw.link) if raw.link else None
    if url is None and raw.guid:
        url = canonical_url(raw.guid)
    if not title or url is None:
        return None
    published = raw.published_at
    if published is None or published > fetched_at + FUTURE_SLACK:
        published = fetched_at
    guid = raw.guid.strip()[:1024] if raw.guid and raw.guid.strip() else None
    return Item(publisher, url, guid, title, plain_text(raw.summary, SUMMARY_MAX), published)


@dataclass(frozen=True, slots=True)
class Fetched:
    """A feed's bytes came back (200), with the validators to send next time."""

    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None  # the HTTP header: its charset is a hint to the parser


@dataclass(frozen=True, slots=True)
class NotModified:
    """The feed said 304: nothing new since the validators we sent."""


@dataclass(frozen=True, slots=True)
class Failed:
    """The fetch or the parse failed; `reason` is a code (`timeout`, `too_large`,
    `too_many_redirects`, `http_503`, `connection`, `malformed`, `not_a_feed`…)."""

    reason: str
    retry_after: float | None = None  # seconds, as the server asked


Outcome = Fetched | NotModified | Failed


def next_attempt(
    failures: int, now: datetime, retry_after: float | None = None, rng: random.Random | None = None
) -> datetime:
    """When a feed that has now failed `failures` times in a row is asked again: the
    exchanges' back-off (core.backoff), on the feed's own scale."""
    backoff = Backoff(
        base=BACKOFF_BASE, cap=BACKOFF_CAP, failures=failures - 1, rng=rng or random.Random()
    )
    delay = backoff.failed(0.0, retry_after)
    return now + timedelta(seconds=delay)
