"""/watch, /unwatch, /prices and /top through the emulator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from db.repos.assets import register_listings
from db.repos.watchlist import MAX_WATCHED
from tests.e2e.conftest import Stack

# The module shares one running Pythia (the `stack` fixture), so it shares one event loop.
pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_watch_then_prices_in_one_message(stack: Stack, alice) -> None:
    reply = await stack.ask(alice, "/watch btc ETH")
    assert reply.text.startswith("Watching BTC, ETH.")
    assert "Your list: BTC, ETH" in reply.text
    table = await stack.ask(alice, "/prices")
    lines = table.text.split("\n")
    assert lines[0] == "Your watchlist"
    assert lines[1].startswith("BTC ") and lines[2].startswith("ETH ")
    assert "%" in lines[1] and lines[-1].startswith("24 h change · prices")
    assert table.buttons == [{"text": "🔄 Refresh", "callback_data": f"prices:{alice.id}"}]


async def test_refresh_updates_the_table_in_place(stack: Stack, alice) -> None:
    await stack.ask(alice, "/watch SOL")
    table = await stack.ask(alice, "/prices")
    query = await stack.emu.press_button(alice, table, f"prices:{alice.id}")
    await stack.emu.wait_for_callback_answer(query)
    assert len(stack.emu.bot_messages(alice)) == 2  # edited, not re-sent


async def test_someone_else_cannot_refresh_my_list(stack: Stack, alice) -> None:
    bob = stack.emu.add_user("Bob")
    group = stack.emu.add_group("Traders", members=[alice, bob])
    await stack.ask(alice, "/watch@pythia_bot BTC", chat=group)
    table = await stack.ask(alice, "/prices@pythia_bot", chat=group)
    query = await stack.emu.press_button(bob, table, f"prices:{alice.id}")
    answered = await stack.emu.wait_for_callback_answer(query)
    assert "someone else's watchlist" in answered.answer_text
    assert answered.show_alert


async def test_duplicates_are_noted_and_unwatch_removes(stack: Stack, alice) -> None:
    await stack.ask(alice, "/watch BTC ETH")
    again = await stack.ask(alice, "/watch btc doge")
    assert again.text.startswith("Watching DOGE. Already on your list: BTC.")
    removed = await stack.ask(alice, "/unwatch ETH sol")
    assert removed.text == "Removed ETH. SOL isn't on your watchlist. Still watching BTC, DOGE."
    cleared = await stack.ask(alice, "/unwatch all")
    assert cleared.text == "Removed BTC, DOGE. Your watchlist is empty."
    empty = await stack.ask(alice, "/prices")
    assert empty.text.startswith("Your watchlist is empty") and not empty.buttons


async def test_a_coin_nobody_followed_is_followed_once_watched(fresh_stack: Stack, alice) -> None:
    stack = fresh_stack
    # XRP is in the replay data but not among this stack's configured symbols
    assert "XRP" not in stack.deps.directory.tracked
    reply = await stack.ask(alice, "/watch XRP")
    assert reply.text.startswith("Watching XRP.")
    directory = await stack.deps.current_directory()
    assert "XRP" in directory.tracked


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/watch", "Which coins? Send /watch BTC ETH SOL."),
        ("/watch FOO", "Unknown symbol: FOO — try BTC, ETH, SOL, DOGE."),
        ("/watch LTC", "LTC isn't traded on the sandbox replay."),
        ("/watch 🚀🚀", "Not a coin I know: 🚀🚀 — try BTC, ETH, SOL, DOGE."),
        ("/unwatch", "Which coins? Send /unwatch BTC, or /unwatch all."),
    ],
)
async def test_bad_watch_input_gets_one_line_and_writes_nothing(
    stack: Stack, alice, typed: str, expected: str
) -> None:
    await stack.ask(alice, "/start")
    before = await stack.row_counts()
    reply = await stack.ask(alice, typed)
    assert reply.text == expected
    assert await stack.row_counts() == before


async def test_the_watchlist_has_a_limit(fresh_stack: Stack, alice) -> None:
    stack = fresh_stack
    # an exchange listing more coins than a watchlist holds (setup data, written as the
    # market sync job writes it)
    coins = [f"ZZ{i:02d}" for i in range(MAX_WATCHED + 1)]
    async with stack.deps.sessions.begin() as session:
        await register_listings(
            session, "replay", {c: (f"{c}/USDT", "USDT") for c in coins}, datetime.now(UTC)
        )
    await stack.deps.assets_changed()
    first = await stack.ask(alice, "/watch " + " ".join(coins[:MAX_WATCHED]))
    assert first.text.startswith(f"Watching {coins[0]}, ")
    before = await stack.row_counts()
    refused = await stack.ask(alice, f"/watch {coins[-1]}")
    assert refused.text == (
        f"A watchlist holds at most {MAX_WATCHED} coins and yours has {MAX_WATCHED}; "
        "remove some with /unwatch first."
    )
    assert await stack.row_counts() == before


async def test_top_lists_gainers_and_losers(stack: Stack, alice) -> None:
    reply = await stack.ask(alice, "/top")
    assert reply.text.startswith("Top movers, 24 h — 4 of 5 coins followed")
    assert "Gainers" in reply.text and "Losers" in reply.text
