"""One person sending far more than anyone can read: they hear once that they should slow down,
what was turned away is never answered later (but a press is answered at once), and everyone
else is served as usual meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.emulator.records import User
from services import people
from tests.e2e.conftest import BACKENDS, Stack, running_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")

BURST = 3  # a small fair share, so that a test floods with a few messages
SLOW_DOWN = (
    "⏳ You're sending faster than I can answer, so I'm skipping some of your messages. "
    "Wait a few seconds, then send one at a time."
)


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=BACKENDS)
async def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    directory = tmp_path_factory.mktemp("flood")
    async with running_stack(request, directory, flood_burst=BURST, flood_rate=0.1) as shared:
        yield shared


async def flood(stack: Stack, user: User, text: str, count: int) -> None:
    await asyncio.gather(*(stack.emu.send_message(user, text) for _ in range(count)))


async def test_a_flood_is_told_once_to_slow_down_and_the_rest_is_not_answered(
    stack: Stack,
) -> None:
    flooder = stack.emu.add_user("Flooder")
    await flood(stack, flooder, "/help", BURST + 7)
    replies = await stack.emu.wait_for_bot_messages(flooder, count=BURST + 1, timeout=15)
    assert [r.text for r in replies].count(SLOW_DOWN) == 1
    with pytest.raises(TimeoutError):  # nothing turned away is answered later
        await stack.emu.wait_for_bot_messages(flooder, count=BURST + 2, timeout=2)


async def test_someone_else_is_answered_while_one_person_floods(stack: Stack) -> None:
    flooder, other = stack.emu.add_user("Flooder"), stack.emu.add_user("Other")
    await flood(stack, flooder, "/price BTC", 50)
    reply = await stack.ask(other, "/price BTC")
    assert reply.text.startswith("BTC ")


async def test_a_press_turned_away_is_still_answered(stack: Stack) -> None:
    presser = stack.emu.add_user("Presser")
    languages = await stack.ask(presser, "/language")  # one of the bucket's tokens
    await flood(stack, presser, "/help", BURST)
    query = await stack.emu.press_button(presser, languages, text="Español")
    answered = await stack.emu.wait_for_callback_answer(query)
    assert answered.answer_text == "⏳ Too many presses at once — wait a few seconds and try again."
    assert (await people.preferences(stack.deps, presser.id)).language == "en"  # nothing done


async def test_in_a_forum_the_slow_down_line_goes_to_the_topic_written_in(stack: Stack) -> None:
    flooder = stack.emu.add_user("Topical")
    forum = stack.emu.add_group("Forum", [flooder], is_forum=True, creator=flooder)
    await asyncio.gather(
        *(stack.emu.send_message(flooder, "/help@pythia_bot", chat=forum, thread_id=7)
          for _ in range(BURST + 3))
    )  # fmt: skip
    replies = await stack.emu.wait_for_bot_messages(forum.id, count=BURST + 1, timeout=15)
    told = [r for r in replies if r.text == SLOW_DOWN]
    assert len(told) == 1 and told[0].message_thread_id == 7
    assert {r.message_thread_id for r in replies} == {7}
