"""News alerts from chat, through the emulator on both stacks: `/alert BTC sentiment < -0.95` and
`/alert ETH news 100 in 1h` set and listed, bad variants refused in one line with nothing
written, the guided flow's news kinds, and a burst delivered to the chat with its stories."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.alerts.grammar import parse_alert
from core.alerts.storage import spec_of
from db.news import NewsArticle, NewsAssetTag
from services.alerts import delete
from tests.e2e.conftest import Stack
from tests.e2e.test_alerts_setup import SET, alerts_of, labels, press, refused

pytestmark = pytest.mark.asyncio(loop_scope="module")

PREVIEW = re.compile(
    r"^(BTC news sentiment is [+−]?[\d.]+ now\. )?(It would (not have fired|have fired (once|\d+ "
    r"times)) in the last (day|\d+ days|hour|\d+ hours)(, (last )?on [A-Z][a-z]{2} \d{1,2})?\.|"
    r"I have too little news sentiment of BTC stored yet to say how often it would have fired\.)$"
)
BURST_PREVIEW = re.compile(
    r"^(It would (not have fired|have fired (once|\d+ times)) in the last (day|\d+ days|hour|"
    r"\d+ hours)(, (last )?on [A-Z][a-z]{2} \d{1,2})?\.|I have no stories about ETH stored yet to "
    r"say how often it would have fired\.)$"
)


async def test_news_alerts_are_set_and_listed(stack: Stack, alice) -> None:
    # levels the sandbox's replayed news cannot reach: a fired alert in alice's chat between a
    # command and its reply would be taken for the reply
    sentiment = await stack.ask(alice, "/alert BTC sentiment < -0.95")
    first, second = sentiment.text.split("\n")
    match = SET.match(first)
    assert match and match.group(2) == "BTC news sentiment falls below −0.95 — once", first
    assert PREVIEW.match(second), second
    burst = await stack.ask(alice, "/alert eth news 100 in 1h every 2h")
    first, second = burst.text.split("\n")
    match = SET.match(first)
    described = "100 stories or more about ETH within 1 hour — every 2 hours at most"
    assert match and match.group(2) == described, first
    assert BURST_PREVIEW.match(second), second
    assert labels(burst) == ["⏸ Pause", "🗑 Delete"]

    one, two = await alerts_of(stack, alice)
    assert spec_of(one) == parse_alert("BTC sentiment < -0.95", one.created_at)
    assert spec_of(two) == parse_alert("ETH news 100 in 1h every 2h", two.created_at)
    assert (one.kind, one.params["indicator"], two.params["indicator"]) == (
        "indicator",
        "sentiment",
        "news",
    )
    listing = await stack.ask(alice, "/alerts")
    assert listing.text.split("\n")[:5] == [
        "Your alerts — 2 active",
        f"#{one.id} 🟢 BTC news sentiment falls below −0.95 — once",
        "      not fired yet",
        f"#{two.id} 🟢 {described}",
        "      not fired yet",
    ]
    again = await stack.ask(alice, "/alert BTC sentiment below -0.950")
    assert again.text == f"You already have this alert (#{one.id}) — see /alerts."
    for alert in (one, two):  # the sandbox's own news must not fire them in a later test
        await delete(stack.deps, alice.id, alert.id)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/alert BTC sentiment 0.3", "Say a side and a level from -1 to 1, like "),
        ("/alert BTC sentiment < -1.5", "News sentiment runs from -1 (all bad) to 1 (all good)"),
        ("/alert BTC sentiment > 1", "News sentiment runs from -1 (all bad) to 1 (all good)"),
        ("/alert BTC sentiment < lots", "“lots” is not a sentiment level"),
        ("/alert BTC sentiment < -0.3 4h", "I don't understand “4h” here; try sentiment < -0.3."),
        ("/alert ETH news", "Say how many stories within how long, like /alert ETH news 5 in 1h."),
        ("/alert ETH news 0 in 1h", "Stories: give a whole number from 1 to 100, not 0."),
        ("/alert ETH news 5000 in 1h", "Stories: give a whole number from 1 to 100, not 5000."),
        ("/alert ETH news 5 in 5m", "Window: it must be from 15 minutes to 1 day, not 5m."),
        ("/alert ETH news 5 in 7d", "Window: it must be from 15 minutes to 1 day, not 7d."),
        ("/alert ETH news 5 in 1h soon", "I don't understand “soon” here; try news 5 in 1h."),
        ("/alert FOO sentiment < -0.3", "Unknown symbol: FOO."),
        ("/alert market sentiment > 0.5", "An alert watches one coin, like /alert BTC sentiment"),
    ],
)
async def test_bad_news_alerts_get_one_line_and_write_nothing(
    stack: Stack, alice, typed: str, expected: str
) -> None:
    reply = await refused(stack, alice, typed)
    assert reply.text.startswith(expected), reply.text


async def test_the_guided_flow_sets_a_sentiment_alert(stack: Stack, alice) -> None:
    menu = await stack.ask(alice, "/alert")
    await press(stack, alice, menu, "BTC")
    assert labels(menu)[5:7] == ["🧭 News sentiment", "📰 News burst"]
    await press(stack, alice, menu, "🧭 News sentiment")
    assert menu.text.startswith("BTC news sentiment (from -1, all bad, to 1, all good)")
    assert labels(menu) == ["below −0.5", "below −0.3", "above +0.3", "above +0.5", "✖️ Cancel"]
    await press(stack, alice, menu, "above +0.3")
    first, second = menu.text.split("\n")
    assert re.match(r"🔔 Alert #\d+ set: BTC news sentiment rises above \+0\.3 — once$", first)
    assert PREVIEW.match(second), second
    [row] = await alerts_of(stack, alice)
    assert row.direction == "above" and row.params["indicator"] == "sentiment"
    await delete(stack.deps, alice.id, row.id)


async def test_a_news_burst_reaches_the_chat_with_its_stories(stack: Stack, alice) -> None:
    await stack.ask(alice, "/alert DOGE news 10 in 15m")  # more than the sandbox's own news
    deps = stack.deps
    now = deps.clock.now()
    async with deps.sessions.begin() as session:
        for i in range(10):
            story = NewsArticle(
                source="CoinDesk",
                url=f"https://news.test/doge-{now.timestamp()}-{i}",
                title=f"Dogecoin <story> {i} & more",
                title_key=f"dogecoin story {i} {now.timestamp()}",
                summary="",
                published_at=now + timedelta(seconds=i + 1),
                fetched_at=now,
                publishers=2,
            )
            session.add(story)
            await session.flush()
            session.add(NewsAssetTag(article_id=story.id, asset_id=deps.directory.ids["DOGE"]))
    # the alerts_news job finds it (every 5 s here) and the sender delivers it
    fired = await stack.emu.wait_for(
        lambda: next(
            (m for m in stack.emu.bot_messages(alice) if m.text.startswith("🔔 10 stories")),
            None,
        ),
        what="the burst's message",
        timeout=30,
    )
    lines = fired.text.split("\n")
    assert lines[0] == "🔔 10 stories or more about DOGE within 15 minutes — once"
    assert lines[1] == "10 stories about DOGE within 15 minutes"
    assert lines[-4:] == [
        "📰 The stories behind it",
        "• Dogecoin <story> 9 & more — CoinDesk · 2 publishers",
        "• Dogecoin <story> 8 & more — CoinDesk · 2 publishers",
        "• Dogecoin <story> 7 & more — CoinDesk · 2 publishers",
    ]
    [row] = await alerts_of(stack, alice)
    assert (row.status, row.fire_count) == ("fired", 1)
