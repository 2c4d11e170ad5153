"""Feeds as configured, items as kept, and a failing feed's back-off."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from core.news.feeds import (
    BACKOFF_CAP,
    DEFAULT_FEEDS,
    FeedItem,
    FeedSpec,
    clean_item,
    next_attempt,
    parse_feed,
    parse_feeds,
)
from core.settings import SettingsError, load_settings

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def test_a_feed_is_publisher_equals_url_or_a_bare_url() -> None:
    assert parse_feed("Bitcoin Magazine=https://bitcoinmagazine.com/.rss/full/") == FeedSpec(
        "Bitcoin Magazine", "https://bitcoinmagazine.com/.rss/full/"
    )
    assert parse_feed("https://www.theblock.co/rss.xml") == FeedSpec(
        "theblock.co", "https://www.theblock.co/rss.xml"
    )
    assert parse_feed("https://a.example/rss?x=1=2").url == "https://a.example/rss?x=1=2"


@pytest.mark.parametrize("bad", ["", "CoinDesk=", "ftp://x/rss", "CoinDesk=coindesk.com/rss"])
def test_a_feed_that_is_not_http_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_feed(bad)


def test_the_default_feeds_are_the_major_publishers_once_each() -> None:
    feeds = parse_feeds(DEFAULT_FEEDS)
    names = {feed.publisher for feed in feeds}
    assert {"CoinDesk", "Cointelegraph", "Decrypt", "Bitcoin Magazine"} <= names
    assert len(feeds) == len(DEFAULT_FEEDS) == len(names)
    assert all(feed.url.startswith("https://") for feed in feeds)


def test_the_setting_splits_at_commas_and_keeps_names_with_spaces() -> None:
    settings = load_settings(
        news_feeds="Bitcoin Magazine=https://bitcoinmagazine.com/.rss/full/,https://decrypt.co/feed"
    )
    assert settings.news_feeds == [
        "Bitcoin Magazine=https://bitcoinmagazine.com/.rss/full/",
        "decrypt.co=https://decrypt.co/feed",
    ]
    with pytest.raises(SettingsError, match="NEWS_FEEDS"):
        load_settings(news_feeds="CoinDesk=gopher://x")


def test_an_item_is_kept_with_its_canonical_url_plain_title_and_summary() -> None:
    raw = FeedItem(
        title="  Brazil&#8217;s Petrobras <b>uses</b>\n Cardano ",
        link="https://cointelegraph.com/news/petrobras?utm_source=rss_feed",
        guid="https://cointelegraph.com/news/petrobras",
        published_at=NOW - timedelta(hours=1),
        summary='<p style="float:right"><img src="x.png"></p><p>Petrobras developed two apps</p>',
    )
    item = clean_item("Cointelegraph", raw, NOW)
    assert item is not None
    assert item.title == "Brazil’s Petrobras uses Cardano"
    assert item.url == "https://cointelegraph.com/news/petrobras"
    assert item.summary == "Petrobras developed two apps"
    assert item.published_at == NOW - timedelta(hours=1)


def test_an_item_without_a_title_or_an_address_is_not_kept() -> None:
    assert clean_item("X", FeedItem(title=" ", link="https://a.example/x"), NOW) is None
    assert clean_item("X", FeedItem(title="Bitcoin", link="not a link"), NOW) is None
    by_guid = clean_item("X", FeedItem(title="Bitcoin", link="", guid="https://a.example/p"), NOW)
    assert by_guid is not None and by_guid.url == "https://a.example/p"


def test_an_undated_or_future_item_is_dated_when_fetched() -> None:
    undated = clean_item("X", FeedItem(title="A", link="https://a.example/1"), NOW)
    future = clean_item(
        "X", FeedItem("A", "https://a.example/2", published_at=NOW + timedelta(days=2)), NOW
    )
    assert undated is not None and undated.published_at == NOW
    assert future is not None and future.published_at == NOW


def test_a_failing_feed_waits_longer_each_time_up_to_the_cap() -> None:
    rng = random.Random(5)
    waits = [(next_attempt(n, NOW, rng=rng) - NOW).total_seconds() for n in range(1, 12)]
    assert 150 <= waits[0] <= 300  # about one cycle
    assert 300 <= waits[1] <= 600
    assert max(waits) <= BACKOFF_CAP
    assert (next_attempt(1, NOW, retry_after=3600, rng=rng) - NOW).total_seconds() == 3600
