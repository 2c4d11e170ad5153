"""A person's choices, their serialised changes and their pending confirmations, in the database
(SQLite and Postgres alike): no cache key with a lifetime decides anything here."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from core.clock import FixedClock
from core.people import ChatSeen, PersonSeen, Preferences
from core.refusal import BadArgument, Refusal
from core.settings import Settings
from db.models import PendingAction, Trade, User
from db.repos import people as people_rows
from services import pending, people
from services.deps import Deps, build_deps, close_deps

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
ANA = PersonSeen(11, "Ana", "ana", "es-ES")
BOB = PersonSeen(12, "Bob", "bob", "en")


def chat_of(person: PersonSeen) -> ChatSeen:
    return ChatSeen(person.id, "private")


@pytest.fixture
async def deps(db_url: str, engine) -> AsyncIterator[Deps]:
    settings = Settings(database_url=db_url, symbols=["BTC", "ETH"])
    built = await build_deps(settings, FixedClock(NOW))
    yield built
    await close_deps(built)


async def test_a_new_person_gets_their_telegram_language_and_keeps_their_own(deps: Deps) -> None:
    welcome = await people.start(deps, ANA, chat_of(ANA))
    assert welcome.new and welcome.preferences.language == "es"
    await people.set_language(deps, ANA, chat_of(ANA), "ru")
    again = await people.start(deps, PersonSeen(11, "Ana", "ana", "en-GB"), chat_of(ANA))
    assert not again.new and again.preferences.language == "ru"  # Telegram's changed, not hers
    assert await people.language_of(deps, ANA.id, "en") == "ru"


async def test_someone_pythia_never_met_has_the_defaults(deps: Deps) -> None:
    assert await people.preferences(deps, 999) == Preferences()
    assert await people.language_of(deps, 999, "ru-RU") == "ru"
    assert await people.language_of(deps, 998, "de") == "en"


async def test_the_language_cache_is_only_a_copy_of_the_database(deps: Deps) -> None:
    await people.start(deps, BOB, chat_of(BOB))
    assert await people.language_of(deps, BOB.id, "en") == "en"
    async with deps.write() as session:  # another process changed it (and its cache): ours
        await people_rows.set_preferences(session, BOB.id, language="es")
    await deps.cache.delete(people.LANGUAGE_KEY.format(BOB.id))
    assert await people.language_of(deps, BOB.id, "en") == "es"


async def test_preferences_change_and_say_whether_they_did(deps: Deps) -> None:
    changed = await people.set_timezone(deps, ANA, chat_of(ANA), "europe/madrid")
    assert changed.changed and changed.preferences.timezone == "Europe/Madrid"
    same = await people.set_timezone(deps, ANA, chat_of(ANA), "Europe/Madrid")
    assert not same.changed
    quiet = await people.set_quiet_hours(deps, ANA, chat_of(ANA), (22 * 60, 7 * 60))
    assert quiet.preferences.quiet_hours == (1320, 420)
    method = await people.set_cost_method(deps, ANA, chat_of(ANA), "average")
    assert method.changed and method.preferences.method == "average" and method.trades == 0
    assert (await people.preferences(deps, ANA.id)).timezone == "Europe/Madrid"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: people.set_timezone(d, ANA, chat_of(ANA), "Mars/Olympus"), "timezone.unknown"),
        (lambda d: people.set_language(d, ANA, chat_of(ANA), "klingon"), "language.unknown"),
        (lambda d: people.set_quote(d, ANA, chat_of(ANA), "EUR"), "currency.unknown"),
        (lambda d: people.set_cost_method(d, ANA, chat_of(ANA), "lifo"), "cost_basis.unknown"),
    ],
)
async def test_a_bad_choice_is_refused_and_writes_nothing(deps: Deps, change, code: str) -> None:
    with pytest.raises(BadArgument) as refused:
        await change(deps)
    assert refused.value.code == code
    async with deps.read() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_the_currency_stays_while_trades_are_booked_in_another(deps: Deps) -> None:
    await people.start(deps, ANA, chat_of(ANA))
    async with deps.write() as session:
        session.add(
            Trade(user_id=ANA.id, asset_id=deps.directory.ids["BTC"], side="buy",
                  quantity=1, price=100, fee=0, quote_currency="USDC", executed_at=NOW,
                  created_at=NOW)
        )  # fmt: skip
    await people.set_quote(deps, ANA, chat_of(ANA), "USD")  # USDC books as USD there
    with pytest.raises(Refusal) as refused:
        await people.set_quote(deps, ANA, chat_of(ANA), "USDT")
    assert refused.value.code == "currency.mixed"
    assert refused.value.params == {"booked": ("USDC",), "kept": "USD", "wanted": "USDT"}
    assert (await people.preferences(deps, ANA.id)).quote == "USD"


async def test_one_persons_changes_run_one_after_the_other(deps: Deps) -> None:
    """Each change reads a count and writes count + 1 after a pause: interleaved, two would
    write the same number."""
    await people.start(deps, ANA, chat_of(ANA))

    async def bump() -> None:
        async with deps.write_for(ANA.id) as session:
            seen = await session.scalar(select(User.quiet_start).where(User.id == ANA.id))
            await asyncio.sleep(0.05)
            await session.execute(
                text("UPDATE users SET quiet_start = :n WHERE id = :id"),
                {"n": (seen or 0) + 1, "id": ANA.id},
            )

    await asyncio.gather(*(bump() for _ in range(5)))
    assert (await people.preferences(deps, ANA.id)).quiet_start == 5


async def test_a_pending_action_is_taken_once_by_its_owner(deps: Deps) -> None:
    async with deps.write_for(ANA.id) as session:
        token = await pending.ask(session, ANA.id, "record", {"x": 1}, NOW)

    async def press(person: PersonSeen) -> str:
        try:
            async with deps.write_for(person.id) as session:
                kind, payload = await pending.take(session, token, person.id, NOW)
                return f"took {kind} {payload}"
        except Refusal as refused:
            return refused.code

    assert await press(BOB) == "confirm.not_yours"
    outcomes = await asyncio.gather(*(press(ANA) for _ in range(6)))
    assert sorted(outcomes) == ["confirm.answered"] * 5 + ["took record {'x': 1}"]


async def test_an_expired_pending_action_is_not_taken(deps: Deps) -> None:
    async with deps.write_for(ANA.id) as session:
        token = await pending.ask(session, ANA.id, "undo", {}, NOW - timedelta(minutes=11))
    with pytest.raises(Refusal) as refused:
        async with deps.write_for(ANA.id) as session:
            await pending.take(session, token, ANA.id, NOW)
    assert refused.value.code == "confirm.expired"
    with pytest.raises(Refusal) as unknown:
        async with deps.write_for(ANA.id) as session:
            await pending.take(session, "no-such-token-at-all", ANA.id, NOW)
    assert unknown.value.code == "confirm.expired"
    async with deps.read() as session:
        row = await session.get(PendingAction, token)
    assert row is not None and row.answered_at is None
