"""/digest in a chat — through the emulator with the real Application, on both stacks.

A person's digests in a private chat; a group's and a forum topic's, where the replies and
the preview go into the topic; a linked channel's from its admin's private chat. The matrix:
every configuring action (create, toggle a section, pause, resume, delete, preview, coins,
zone, language) × who (an admin, a member, a non-member pressing a button in a public group)
× where (a group, a topic): the admin's acts, anyone else's is refused with one line (a press:
an alert) and the database is as it was. A non-member cannot post in a group, so the commands
are a member's and an admin's only. An anonymous admin (posting as the group) may configure.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.callbacks import DigestButton, decode
from bot.emulator.records import Chat, MessageRecord, User
from bot.groups import ADMIN_KEY
from db.models import Chat as ChatRow
from db.models import DigestSubscription
from tests.e2e.conftest import BACKENDS, Stack, ingest_candles_now, running_stack
from tests.e2e.groups import ADMINS_ONLY, PLACES, as_the_group, cast

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=BACKENDS)
async def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    """The module's Pythia without its digest job, its clock at the wall's pace: a digest made
    here for 08:00 (or every 4 h) would otherwise come due when the tests cross that time and
    post between a command and its reply. Posting when due is tests/integration/
    test_digests.py's. Its candles are in before the first test: a preview with the chart
    section draws from them."""
    directory = tmp_path_factory.mktemp("stack")
    async with running_stack(request, directory, without=("digests",), replay_speed=1) as own:
        yield await ingest_candles_now(own)


BUTTONS = ("toggle", "pause", "resume", "delete", "preview")
COMMANDS = {
    "create": "/digest@pythia_bot daily 09:15",
    "coins": "/digest@pythia_bot coins BTC DOGE",
    "zone": "/digest@pythia_bot zone Asia/Tokyo",
    "language": "/digest@pythia_bot language ru",
}
_n = itertools.count(1)


async def digests_of(stack: Stack, chat_id: int) -> list[tuple[Any, ...]]:
    async with stack.deps.sessions() as session:
        rows = await session.scalars(
            select(DigestSubscription).where(DigestSubscription.chat_id == chat_id)
        )
        return sorted(
            (r.id, r.thread_id, r.schedule, r.timezone, r.active, str(r.contents), r.next_run_at)
            for r in rows
        )


async def chat_row(stack: Stack, chat_id: int) -> tuple[Any, ...] | None:
    async with stack.deps.sessions() as session:
        row = await session.get(ChatRow, chat_id)
        return None if row is None else (row.language, row.timezone, row.set_up_by)


async def snapshot(stack: Stack, chat_id: int) -> tuple[Any, ...]:
    return (
        await stack.row_counts(),
        await digests_of(stack, chat_id),
        await chat_row(stack, chat_id),
    )


def button(message: MessageRecord, action: str, section: str | None = None) -> str:
    """The data of `message`'s first button doing `action` (on `section`)."""
    for b in message.buttons:
        pressed = decode(b.get("callback_data"))
        wanted = isinstance(pressed, DigestButton) and pressed.action == action
        if wanted and section in (None, getattr(pressed, "section", None)):
            return str(b["callback_data"])
    raise AssertionError(f"no {action} button: {message.buttons}")


async def press(stack: Stack, user: User, message: MessageRecord, data: str) -> str | None:
    """Press; None when it acted (the message edited, or a new message for a preview), the
    alert's text when refused."""
    emu, edits = stack.emu, len(message.edits)
    before = len(emu.bot_messages(message.chat_id))
    query = await emu.press_button(user, message, data)
    answered = await emu.wait_for_callback_answer(query, timeout=10)
    if answered.show_alert:
        return answered.answer_text
    if decode(data).action == "preview":  # type: ignore[union-attr]
        await emu.wait_for(lambda: len(emu.bot_messages(message.chat_id)) > before, 10, "preview")
    else:
        await emu.wait_for(lambda: len(message.edits) > edits, 10, "the edit")
    return None


async def pictured(stack: Stack, chat: User | Chat, shown: int, thread: int | None = None) -> str:
    """The text of the digest a preview posted in `chat` after its first `shown` messages, once
    its picture is there too: the picture with the text as its caption, or (a text too long
    for a caption) the text and then the picture; all of it in `thread`."""
    emu = stack.emu
    posted = lambda: emu.bot_messages(chat)[shown:]  # noqa: E731
    await emu.wait_for(lambda: any(m.photo for m in posted()), 10, "the preview's picture")
    *text, picture = posted()
    assert [m.message_thread_id for m in posted()] == [thread] * len(posted())
    if not text:
        return picture.caption or ""
    assert len(text) == 1 and picture.caption is None, posted()
    return text[0].text or ""


# ---- a private chat -----------------------------------------------------------------------------


async def test_a_person_makes_and_looks_after_a_digest_in_private(stack: Stack) -> None:
    emu = stack.emu
    dana = emu.add_user("Dana", "dana")
    empty = await stack.ask(dana, "/digest")
    assert "No digests here yet." in empty.text and "/digest daily 08:00" in empty.text

    made = await stack.ask(dana, "/digest daily 8:00")
    assert made.text.startswith("🗞 Digest set: every day at 08:00 (UTC).")
    assert "▫️ Chart" in [b["text"] for b in made.buttons]
    [row] = await digests_of(stack, dana.id)
    assert row[2] == "daily 08:00" and row[4] is True and "'chart'" not in row[5]

    assert await press(stack, dana, made, button(made, "toggle", "chart")) is None
    assert "✅ Chart" in [b["text"] for b in made.buttons]
    assert "'chart'" in (await digests_of(stack, dana.id))[0][5]
    assert await press(stack, dana, made, button(made, "done")) is None
    assert "every day at 08:00 (UTC)" in made.text and "Next:" in made.text

    assert await press(stack, dana, made, button(made, "pause")) is None
    assert made.text.startswith("⏸ Paused the digest") and "paused" in made.text
    assert (await digests_of(stack, dana.id))[0][4] is False
    assert await press(stack, dana, made, button(made, "resume")) is None
    assert (await digests_of(stack, dana.id))[0][4] is True

    before, shown = await snapshot(stack, dana.id), len(emu.bot_messages(dana))
    assert await press(stack, dana, made, button(made, "preview")) is None
    preview = await pictured(stack, dana, shown)  # the chart is on
    assert "Market digest" in preview, preview
    assert await snapshot(stack, dana.id) == before  # a preview writes nothing

    coins = await stack.ask(dana, "/digest coins btc doge")
    assert "BTC, DOGE" in coins.text
    assert "['BTC', 'DOGE']" in (await digests_of(stack, dana.id))[0][5]
    zone = await stack.ask(dana, "/digest zone Europe/Madrid")
    assert "Europe/Madrid" in zone.text
    assert (await digests_of(stack, dana.id))[0][3] == "Europe/Madrid"
    spoken = await stack.ask(dana, "/digest language es")
    assert "Español" in spoken.text
    listed = await stack.ask(dana, "/digest")
    assert "cada día a las 08:00 (Europe/Madrid)" in listed.text

    assert await press(stack, dana, listed, button(listed, "delete")) is None
    assert listed.text.startswith("🗑") and await digests_of(stack, dana.id) == []


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/digest hourly", "as a schedule"),
        ("/digest daily 25:00", "as a schedule"),
        ("/digest weekly funday 09:00", "as a schedule"),
        ("/digest every 5h", "every 1, 2, 3, 4, 6, 8 or 12 hours"),
        ("/digest coins", "/digest coins BTC ETH SOL"),
        ("/digest zone Mars/Olympus", "/digest zone"),
        ("/digest language xx", "/digest language es"),
    ],
)
async def test_bad_input_is_one_line_saying_what_works(stack: Stack, typed: str, says: str) -> None:
    erin = stack.emu.add_user(f"Erin{next(_n)}")
    await stack.ask(erin, "/digest daily 07:00")
    before = await snapshot(stack, erin.id)
    reply = await stack.ask(erin, typed)
    assert says in reply.text and "\n" not in reply.text, reply.text
    assert await snapshot(stack, erin.id) == before


async def test_too_many_coins_unknown_coins_and_a_sixth_digest_are_refused(stack: Stack) -> None:
    fay = stack.emu.add_user("Fay")
    start = stack.deps.clock.now() + timedelta(hours=6)  # none comes due during the test
    for hour in range(5):
        await stack.ask(fay, f"/digest daily {(start + timedelta(hours=hour)):%H}:30")
    before = await snapshot(stack, fay.id)
    sixth = await stack.ask(fay, "/digest every 6h")
    assert "5 digests" in sixth.text
    many = await stack.ask(fay, "/digest coins BTC ETH SOL DOGE LTC XRP ADA DOT AVAX LINK TRX")
    assert "up to 10 coins" in many.text
    unknown = await stack.ask(fay, "/digest coins BTC NOTACOINZ")
    assert "NOTACOINZ" in unknown.text
    assert await snapshot(stack, fay.id) == before


# ---- a group and a topic: the matrix ------------------------------------------------------------


@pytest.mark.parametrize("place", PLACES)
async def test_an_admin_configures_the_groups_digests(stack: Stack, place: str) -> None:
    c = cast(stack, place)
    emu = stack.emu
    made = await c.say(c.admin, COMMANDS["create"])
    assert made.text.startswith("🗞 Digest set: every day at 09:15")
    [row] = await digests_of(stack, c.group.id)
    assert row[1] == c.thread and "['BTC', 'ETH', 'SOL']" in row[5]
    assert (await chat_row(stack, c.group.id))[2] == c.admin.id  # type: ignore[index]

    assert await press(stack, c.admin, made, button(made, "toggle", "chart")) is None
    assert "'chart'" in (await digests_of(stack, c.group.id))[0][5]
    assert await press(stack, c.admin, made, button(made, "done")) is None
    assert made.message_thread_id == c.thread and "every day at 09:15" in made.text
    assert await press(stack, c.admin, made, button(made, "pause")) is None
    assert (await digests_of(stack, c.group.id))[0][4] is False
    assert await press(stack, c.admin, made, button(made, "resume")) is None
    assert (await digests_of(stack, c.group.id))[0][4] is True
    shown = len(emu.bot_messages(c.group))
    assert await press(stack, c.admin, made, button(made, "preview")) is None
    assert "Market digest" in await pictured(stack, c.group, shown, c.thread)

    assert "BTC, DOGE" in (await c.say(c.admin, COMMANDS["coins"])).text
    assert "Asia/Tokyo" in (await c.say(c.admin, COMMANDS["zone"])).text
    assert (await digests_of(stack, c.group.id))[0][3] == "Asia/Tokyo"
    assert "Русский" in (await c.say(c.admin, COMMANDS["language"])).text
    listed = await c.say(c.member, "/digest@pythia_bot")  # reading is for everyone
    assert "каждый день в 09:15 (Asia/Tokyo)" in listed.text
    assert await press(stack, c.admin, listed, button(listed, "delete")) is None
    assert await digests_of(stack, c.group.id) == []


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("role", ["member", "non-member"])
@pytest.mark.parametrize("action", BUTTONS)
async def test_only_admins_press_the_groups_digest_buttons(
    stack: Stack, place: str, role: str, action: str
) -> None:
    c = cast(stack, place)
    made = await c.say(c.admin, COMMANDS["create"])
    if action != "toggle":  # the others are under the list
        made = await c.say(c.admin, "/digest@pythia_bot")
    if action == "resume":
        assert await press(stack, c.admin, made, button(made, "pause")) is None
    data = button(made, action, "chart" if action == "toggle" else None)
    before, text = await snapshot(stack, c.group.id), made.text
    messages = len(stack.emu.bot_messages(c.group))
    assert await press(stack, c.who(role), made, data) == ADMINS_ONLY
    assert await snapshot(stack, c.group.id) == before and made.text == text
    assert len(stack.emu.bot_messages(c.group)) == messages  # no preview posted


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("action", COMMANDS)
async def test_a_member_cannot_configure_by_command(stack: Stack, place: str, action: str) -> None:
    c = cast(stack, place)
    await c.say(c.admin, "/digest@pythia_bot every 4h")
    before = await snapshot(stack, c.group.id)
    reply = await c.say(c.member, COMMANDS[action])
    assert reply.text == ADMINS_ONLY and not reply.buttons
    assert await snapshot(stack, c.group.id) == before


@pytest.mark.parametrize("place", PLACES)
async def test_an_anonymous_admin_may_configure(stack: Stack, place: str) -> None:
    c = cast(stack, place)
    sent = await as_the_group(c, "/digest@pythia_bot weekly mon 09:30")
    (reply,) = await stack.emu.wait_for_bot_messages(c.group, after=sent, timeout=10)
    assert reply.text.startswith("🗞 Digest set: Mondays at 09:30"), reply.text
    assert reply.message_thread_id == c.thread
    [row] = await digests_of(stack, c.group.id)
    assert row[2] == "weekly mon 09:30" and row[1] == c.thread


async def test_a_press_cannot_reach_another_groups_digest(stack: Stack) -> None:
    """A forged button naming another chat does nothing there."""
    c, other = cast(stack, "group"), cast(stack, "group")
    await c.say(c.admin, COMMANDS["create"])
    theirs = await other.say(other.admin, COMMANDS["create"])
    [(their_id, *_)] = await digests_of(stack, other.group.id)
    forged = f"dg:delete:{other.group.id}:{their_id}"
    before = await snapshot(stack, other.group.id)
    query = await stack.emu.press_button(c.admin, theirs, forged, strict=False)
    answered = await stack.emu.wait_for_callback_answer(query, timeout=10)
    assert answered.show_alert
    assert await snapshot(stack, other.group.id) == before


# ---- a channel, from its admin's private chat ---------------------------------------------------


async def _linked(stack: Stack, admin: User, channel: Chat) -> None:
    """The channel linked by its admin with /channel, as a person does it."""
    await stack.ask(admin, f"/channel @{channel.username}")
    async with stack.deps.sessions() as session:
        row = await session.get(ChatRow, channel.id)
    assert row is not None and row.set_up_by == admin.id


async def test_a_channels_admin_configures_it_from_a_private_chat(stack: Stack) -> None:
    emu = stack.emu
    gil, hal = emu.add_user("Gil", "gil"), emu.add_user("Hal", "hal")
    channel = emu.add_channel("Gil's news", "gilnews", admins=[gil, hal])
    await _linked(stack, gil, channel)
    made = await stack.ask(gil, "/digest @gilnews daily 08:00")
    assert made.text.startswith("🗞 Digest set: every day at 08:00"), made.text
    [row] = await digests_of(stack, channel.id)
    assert row[1] is None and "['BTC', 'ETH', 'SOL']" in row[5]
    assert await press(stack, gil, made, button(made, "done")) is None
    assert await press(stack, gil, made, button(made, "pause")) is None
    assert (await digests_of(stack, channel.id))[0][4] is False
    assert "Digests of @gilnews" in made.text
    assert await press(stack, gil, made, button(made, "preview")) is None
    assert "Market digest" in emu.last_bot_message(gil).text  # type: ignore[union-attr]
    assert emu.bot_messages(channel) == []  # the preview is for the admin, not the channel

    emu.set_member_status(channel, gil, "member")  # no longer an admin
    await stack.deps.cache.delete(ADMIN_KEY.format(channel.id, gil.id))  # not a minute later
    before = await snapshot(stack, channel.id)
    refused = await stack.ask(gil, "/digest @gilnews every 6h")
    assert refused.text == "Only @gilnews's admins can change its digests."
    assert await press(stack, gil, made, button(made, "resume")) is not None
    assert await snapshot(stack, channel.id) == before


async def test_a_channel_not_linked_by_the_person_is_not_theirs(stack: Stack) -> None:
    emu = stack.emu
    ivy, jon = emu.add_user("Ivy", "ivy"), emu.add_user("Jon", "jon")
    channel = emu.add_channel("Ivy's", "ivychan", admins=[ivy])
    await _linked(stack, ivy, channel)
    before = await snapshot(stack, channel.id)
    reply = await stack.ask(jon, "/digest @ivychan daily 08:00")
    assert "\n" not in reply.text and not reply.buttons
    assert await snapshot(stack, channel.id) == before


async def test_the_last_section_stays_on(stack: Stack) -> None:
    kai = stack.emu.add_user("Kai")
    made = await stack.ask(kai, "/digest every 12h")
    on = [b["callback_data"] for b in made.buttons if b["text"].startswith("✅")]
    for data in on[:-1]:
        assert await press(stack, kai, made, data) is None
    before = await snapshot(stack, kai.id)
    refused = await press(stack, kai, made, on[-1])
    assert refused == "A digest needs at least one section — turn another on first."
    assert await snapshot(stack, kai.id) == before
