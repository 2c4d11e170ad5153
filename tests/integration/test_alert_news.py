"""News in alerts, on SQLite and Postgres: a fired price alert carries its coin's latest tagged
stories (read in the transaction that fires it, one query per batch); sentiment and news-burst
alerts fire once per crossing into the outbox, and a second run — or a restarted process —
writes nothing new."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event

from bot.i18n import texts_for
from bot.views.alert_notices import fired_text
from core.clock import FixedClock
from core.market import PriceQuote
from core.people import ChatSeen, PersonSeen
from core.settings import Settings
from db.news import NewsArticle, NewsAssetTag, SentimentPoint
from db.repos.people import register
from services.alerts import set_alert
from services.deps import Deps, build_deps, close_deps
from services.sentiment_series import update_sentiment_index
from tests.integration.test_alert_firing import alert_row, notice_of, outbox, started

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ANN, BOB = 101, 202
M, H = timedelta(minutes=1), timedelta(hours=1)
D = Decimal
EN = texts_for("en")


@pytest.fixture
async def deps(db_url: str, engine) -> AsyncIterator[Deps]:  # engine: empties Postgres
    settings = Settings(database_url=db_url, symbols=["BTC", "ETH"], alerts_max_active=500)
    deps = await build_deps(settings, FixedClock(T0))
    async with deps.sessions.begin() as session:
        for person in (ANN, BOB):
            await register(session, PersonSeen(person, "P"), ChatSeen(person, "private"), T0)
    yield deps
    await close_deps(deps)


def clock(deps: Deps) -> FixedClock:
    assert isinstance(deps.clock, FixedClock)
    return deps.clock


async def add_alert(deps: Deps, text: str, user: int = ANN) -> int:
    person, chat = PersonSeen(user, "P"), ChatSeen(user, "private")
    return (await set_alert(deps, person, chat, text)).alert_id


_stories = 0


async def add_story(
    deps: Deps,
    title: str,
    coins: tuple[str, ...],
    published_at: datetime,
    publishers: int = 1,
    score: float | None = None,
    url: str | None = None,
) -> int:
    """A stored story tagged with `coins`, as ingestion and scoring leave it."""
    global _stories
    _stories += 1
    async with deps.sessions.begin() as session:
        story = NewsArticle(
            source="CoinDesk",
            url=url or f"https://news.test/{_stories}",
            title=title,
            title_key=title.lower(),
            summary="",
            published_at=published_at,
            fetched_at=published_at,
            publishers=publishers,
            model_score=score,
            vader_score=score,
            scored_at=published_at if score is not None else None,
        )
        session.add(story)
        await session.flush()
        for coin in coins:
            session.add(NewsAssetTag(article_id=story.id, asset_id=deps.directory.ids[coin]))
        return story.id


async def add_point(deps: Deps, coin: str, ts: datetime, value: float) -> None:
    """A point of the coin's sentiment index, as the scoring job stores it."""
    async with deps.sessions.begin() as session:
        session.add(
            SentimentPoint(
                asset_id=deps.directory.ids[coin], ts=ts, value=value, weight=1.0, stories=1,
                computed_at=ts,
            )
        )  # fmt: skip


def quote(coin: str, price: str, at: datetime) -> PriceQuote:
    return PriceQuote(coin, D(price), "USDT", "binance", at, D("1.25"))


class Statements:
    """The SQL statements an engine runs while counting."""

    def __init__(self, deps: Deps) -> None:
        self.seen: list[str] = []
        self.engine = deps.engine.sync_engine

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.seen.append(statement)


# ---- news under a fired price alert --------------------------------------------------------------


async def test_a_fired_price_alert_carries_its_coins_latest_stories(deps: Deps) -> None:
    await add_story(
        deps, "BTC <breaks> out & ETH follows", ("BTC", "ETH"), T0 - 30 * M, publishers=3,
        url="https://news.test/btc?a=1&b=<2>",
    )  # fmt: skip
    await add_story(deps, "BTC: week-old news", ("BTC",), T0 - 7 * H)
    await add_story(deps, "ETH only", ("ETH",), T0 - 5 * M)
    await add_story(deps, "Bitcoin miners sell", ("BTC",), T0 - 2 * M)
    btc = await add_alert(deps, "BTC > 70000")
    eth = await add_alert(deps, "ETH < 3000", user=BOB)
    matcher = await started(deps)
    await matcher.on_quotes(deps, [quote("BTC", "69000", T0), quote("ETH", "3100", T0)])
    with Statements(deps) as statements:
        fired = await matcher.on_quotes(
            deps, [quote("BTC", "70100", T0 + M), quote("ETH", "2990", T0 + M)]
        )
    assert fired == 2
    read = [s for s in statements.seen if "news_articles" in s]
    assert len(read) == 1  # one query for the batch, both coins

    rows = {notice_of(r).alert_id: notice_of(r) for r in await outbox(deps)}
    titles = [h.title for h in rows[btc].headlines]
    assert titles == ["BTC <breaks> out & ETH follows", "Bitcoin miners sell"]  # 3 publishers
    assert [h.title for h in rows[eth].headlines] == ["BTC <breaks> out & ETH follows", "ETH only"]
    first = rows[btc].headlines[0]
    assert (first.publishers, first.source, first.published_at) == (3, "CoinDesk", T0 - 30 * M)
    text = fired_text(EN, rows[btc])
    assert "📰 <b>Latest on BTC</b>" in text
    assert (
        '• <a href="https://news.test/btc?a=1&amp;b=&lt;2&gt;">BTC &lt;breaks&gt; out &amp; '
        "ETH follows</a> — <i>CoinDesk</i> · 3 publishers"
    ) in text
    assert "week-old" not in text and "ETH only" not in text


async def test_a_price_alert_fires_without_stories_when_there_are_none(deps: Deps) -> None:
    await add_story(deps, "Old BTC story", ("BTC",), T0 - 6 * H - M)
    await add_story(deps, "A later one", ("BTC",), T0 + 5 * M)  # after the tick
    await add_alert(deps, "BTC > 70000")
    matcher = await started(deps)
    await matcher.on_quotes(deps, [quote("BTC", "69000", T0)])
    assert await matcher.on_quotes(deps, [quote("BTC", "70100", T0 + M)]) == 1
    (row,) = await outbox(deps)
    assert notice_of(row).headlines == ()
    assert "📰" not in fired_text(EN, notice_of(row))


# ---- sentiment alerts ----------------------------------------------------------------------------


async def test_a_sentiment_alert_fires_once_per_crossing(deps: Deps) -> None:
    await add_point(deps, "BTC", T0 - H, -0.1)
    await add_point(deps, "BTC", T0, -0.2)
    await add_point(deps, "ETH", T0, -0.5)  # already past its level: not a crossing
    once = await add_alert(deps, "BTC sentiment < -0.3")
    again = await add_alert(deps, "BTC sentiment < -0.3 every 5m", user=BOB)
    never = await add_alert(deps, "BTC sentiment > 0.5")
    past = await add_alert(deps, "ETH sentiment < -0.3")
    await add_story(deps, "BTC exchange hacked", ("BTC",), T0 + 20 * M, 2, score=-0.9)
    await add_story(deps, "BTC ETF inflows", ("BTC",), T0 + 25 * M, score=0.7)
    matcher = await started(deps)
    assert (await matcher.on_news(deps)).summary == "4 news alerts checked, 0 fired"

    clock(deps).advance(H + 10 * M)
    await add_point(deps, "BTC", T0 + H, -0.35)
    await add_point(deps, "ETH", T0 + H, -0.6)
    assert (await matcher.on_news(deps)).summary == "4 news alerts checked, 2 fired"
    assert (await matcher.on_news(deps)).summary == "3 news alerts checked, 0 fired"
    restarted = await started(deps)
    assert (await restarted.on_news(deps)).summary == "3 news alerts checked, 0 fired"

    rows = await outbox(deps)
    assert sorted(r.dedupe_key for r in rows) == sorted(
        f"alert:{i}:news:{(T0 + H).isoformat()}" for i in (once, again)
    )
    notice = notice_of(rows[0])
    assert (notice.value, notice.at, notice.price) == (D("-0.35"), T0 + H, None)
    assert [h.title for h in notice.headlines] == ["BTC exchange hacked"]
    text = fired_text(EN, notice)
    assert text.startswith("🔔 <b>BTC news sentiment falls below −0.3")
    assert "BTC news sentiment is at <code>−0.35</code>" in text
    assert "📰 <b>The stories behind it</b>" in text and "· 2 publishers" in text
    assert (await alert_row(deps, once)).status == "fired"
    assert [(await alert_row(deps, i)).status for i in (again, never, past)] == ["active"] * 3

    clock(deps).advance(H)  # back above the level, then below again: a second crossing
    await add_point(deps, "BTC", T0 + 2 * H, -0.2)
    assert (await matcher.on_news(deps)).summary == "3 news alerts checked, 0 fired"
    clock(deps).advance(H)
    await add_point(deps, "BTC", T0 + 3 * H, -0.45)
    assert (await matcher.on_news(deps)).summary == "3 news alerts checked, 1 fired"
    assert (await restarted.on_news(deps)).summary == "3 news alerts checked, 0 fired"
    rows = await outbox(deps)
    assert len(rows) == 3 and notice_of(rows[-1]).alert_id == again
    assert notice_of(rows[-1]).fire_count == 2
    assert (await alert_row(deps, again)).last_fired_at == T0 + 3 * H


async def test_the_index_the_scoring_job_stores_fires_sentiment_alerts(deps: Deps) -> None:
    """The whole path after ingestion: scored stories → the index's hourly points → the alert."""
    await add_story(deps, "BTC calm", ("BTC",), T0 - 2 * H, score=0.2)
    assert await update_sentiment_index(deps) > 0
    alert_id = await add_alert(deps, "BTC sentiment < -0.3")
    matcher = await started(deps)
    assert (await matcher.on_news(deps)).summary.endswith("0 fired")
    for minutes in (10, 20, 30):
        await add_story(deps, f"BTC crash {minutes}", ("BTC",), T0 + minutes * M, 4, score=-0.95)
    clock(deps).advance(H + 2 * M)
    await update_sentiment_index(deps)
    assert (await matcher.on_news(deps)).summary.endswith("1 fired")
    (row,) = await outbox(deps)
    notice = notice_of(row)
    assert notice.alert_id == alert_id and notice.value is not None and notice.value < D("-0.3")
    assert len(notice.headlines) == 3


async def test_setting_a_sentiment_alert_previews_it_over_the_stored_index(deps: Deps) -> None:
    for hours, value in enumerate((0.1, -0.4, 0.0, -0.5, -0.2)):
        await add_point(deps, "BTC", T0 - timedelta(days=3) + hours * H, value)
    person, chat = PersonSeen(ANN, "P"), ChatSeen(ANN, "private")
    done = await set_alert(deps, person, chat, "BTC sentiment < -0.3")
    assert done.history.source == "sentiment" and done.history.reading == -0.2
    assert done.history.result is not None and done.history.result.count == 2
    done = await set_alert(deps, person, chat, "ETH news 2 in 1h")
    assert done.history.source == "news" and done.history.result is None  # no ETH stories


# ---- news bursts ---------------------------------------------------------------------------------


async def test_a_news_burst_fires_once_and_again_only_after_it_ended(deps: Deps) -> None:
    for minutes in (30, 20, 10):  # a burst already running when the alert is set
        await add_story(deps, f"ETH earlier {minutes}", ("ETH",), T0 - minutes * M)
    burst = await add_alert(deps, "ETH news 3 in 1h every 5m")
    matcher = await started(deps)
    await add_story(deps, "ETH one more", ("ETH",), T0 + M)
    clock(deps).advance(2 * M)
    assert (await matcher.on_news(deps)).summary == "1 news alerts checked, 0 fired"

    clock(deps).advance(2 * H)  # the earlier ones have aged out
    start = clock(deps).now()
    await add_story(deps, "ETH upgrade ships", ("ETH",), start + M)
    await add_story(deps, "BTC and ETH rally", ("BTC", "ETH"), start + 2 * M, 5)
    await add_story(deps, "BTC only", ("BTC",), start + 3 * M)
    clock(deps).advance(4 * M)
    assert (await matcher.on_news(deps)).summary.endswith("0 fired")  # two of ETH so far
    await add_story(deps, "ETH <gas> fees & fall", ("ETH",), start + 5 * M)
    clock(deps).advance(2 * M)
    assert (await matcher.on_news(deps)).summary.endswith("1 fired")
    assert (await matcher.on_news(deps)).summary.endswith("0 fired")
    await add_story(deps, "ETH a fourth", ("ETH",), start + 7 * M)  # the same burst goes on
    clock(deps).advance(5 * M)
    assert (await matcher.on_news(deps)).summary.endswith("0 fired")
    assert (await (await started(deps)).on_news(deps)).summary.endswith("0 fired")

    (row,) = await outbox(deps)
    notice = notice_of(row)
    assert (notice.alert_id, notice.at, notice.value) == (burst, start + 5 * M, D(3))
    assert row.dedupe_key == f"alert:{burst}:news:{(start + 5 * M).isoformat()}"
    assert [h.title for h in notice.headlines] == [
        "ETH <gas> fees & fall",
        "BTC and ETH rally",
        "ETH upgrade ships",
    ]
    text = fired_text(EN, notice)
    assert "3 stories about ETH within 1 hour" in text
    assert "ETH &lt;gas&gt; fees &amp; fall" in text and "· 5 publishers" in text

    clock(deps).advance(2 * H)  # over: a new burst fires again
    again = clock(deps).now()
    for minutes in (1, 2, 3):
        await add_story(deps, f"ETH again {minutes}", ("ETH",), again + minutes * M)
    clock(deps).advance(5 * M)
    assert (await matcher.on_news(deps)).summary.endswith("1 fired")
    rows = await outbox(deps)
    assert len(rows) == 2 and notice_of(rows[-1]).fire_count == 2


async def test_a_paused_news_alert_does_not_fire(deps: Deps) -> None:
    from services.alerts import pause

    alert_id = await add_alert(deps, "ETH news 1 in 15m")
    matcher = await started(deps)
    await pause(deps, ANN, alert_id)
    await add_story(deps, "ETH news", ("ETH",), T0 + M)
    clock(deps).advance(2 * M)
    assert (await matcher.on_news(deps)).summary == "0 news alerts checked, 0 fired"
    assert await outbox(deps) == []


async def test_a_crossing_found_hours_late_is_not_news_any_more(deps: Deps) -> None:
    await add_point(deps, "BTC", T0, -0.1)
    alert_id = await add_alert(deps, "BTC sentiment < -0.3")
    clock(deps).advance(H)
    await add_point(deps, "BTC", T0 + H, -0.5)  # crossed, while no matcher ran
    clock(deps).advance(2 * H + M)  # the workers come back more than 2 hours later
    matcher = await started(deps)
    assert (await matcher.on_news(deps)).summary == "1 news alerts checked, 0 fired"
    assert await outbox(deps) == [] and (await alert_row(deps, alert_id)).status == "active"


async def test_a_recurring_burst_waits_out_its_cooldown(deps: Deps) -> None:
    alert_id = await add_alert(deps, "ETH news 2 in 15m every 1d")
    matcher = await started(deps)
    for minutes in (1, 2):
        await add_story(deps, f"ETH first {minutes}", ("ETH",), T0 + minutes * M)
    clock(deps).advance(3 * M)
    assert (await matcher.on_news(deps)).summary.endswith("1 fired")
    clock(deps).advance(H)  # a second burst within the day
    for minutes in (1, 2):
        await add_story(deps, f"ETH second {minutes}", ("ETH",), clock(deps).now() + minutes * M)
    clock(deps).advance(3 * M)
    assert (await matcher.on_news(deps)).summary.endswith("0 fired")
    assert (await (await started(deps)).on_news(deps)).summary.endswith("0 fired")
    assert len(await outbox(deps)) == 1
    assert (await alert_row(deps, alert_id)).last_fired_at == T0 + 2 * M
