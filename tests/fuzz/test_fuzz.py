"""The fuzzer: its detectors fire on what they look for, a seed gives the same actions, and a
short run against the whole bot finds nothing (`make fuzz` runs a longer one)."""

from __future__ import annotations

import logging
import os
import random

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import callbacks as cb
from bot.emulator import ApiCall
from tests.fuzz import checks
from tests.fuzz.buttons import Known, expectation, forged, garbage
from tests.fuzz.commands import ANY, READ_ONLY, REFUSED, typed_command
from tests.fuzz.documents import choose_document
from tests.fuzz.runner import fuzz
from tests.fuzz.snapshot import Snapshot

ACTIONS = int(os.environ.get("PYTHIA_FUZZ_ACTIONS", "150"))
ALICE, BOB = 1001, 1002


def _sent(text: str, method: str = "sendMessage", status: int = 200, **params: object) -> ApiCall:
    return ApiCall(method, {"text": text, "parse_mode": "HTML", **params}, status)


def test_a_call_telegram_refused_is_a_failure_but_an_unchanged_edit_is_not():
    refused = _sent("x" * 5000, status=400)
    refused.description = "Bad Request: message is too long"
    unchanged = _sent("same", "editMessageText", 400)
    unchanged.description = "Bad Request: message is not modified"
    found = checks.call_findings([refused, unchanged], typed="/price")
    assert [f.kind for f in found] == [checks.REFUSED_CALL]
    assert "too long" in found[0].signature


def test_exception_text_and_raw_values_in_a_reply_are_failures():
    found = checks.call_findings(
        [
            _sent("Sorry: KeyError: 'BTC'"),
            _sent("Price: <b>None</b> USD"),
            _sent("Change: nan %"),
            _sent("Hello, {name}"),
            _sent("<object at 0x7f>"),
        ],
        typed="/price BTC",
    )
    kinds = sorted(f.kind for f in found)
    assert kinds.count(checks.EXCEPTION_TEXT) == 1
    assert kinds.count(checks.RAW_VALUE) == 3


def test_what_the_person_typed_may_be_echoed_but_not_as_markup():
    typed = "/price NaN <i>x</i>"
    echoed = checks.call_findings([_sent("«NaN» is not a coin")], typed)
    assert echoed == []
    unescaped = checks.call_findings([_sent("Unknown coin <i>x</i>")], typed)
    assert [f.kind for f in unescaped] == [checks.INJECTION]
    escaped = checks.call_findings([_sent("Unknown coin &lt;i&gt;x&lt;/i&gt;")], typed)
    assert escaped == []


def test_a_reply_outside_the_topic_of_the_command_is_a_failure():
    calls = [
        _sent("in the topic", chat_id=-5, message_thread_id=7),
        _sent("in General", chat_id=-5),
        _sent("elsewhere", chat_id=42),
    ]
    found = checks.topic_findings(calls, chat_id=-5, thread_id=7)
    assert [f.detail for f in found] == ["sendMessage to thread None for topic 7: 'in General'"]


def test_an_error_logged_with_its_traceback_names_where_it_was_raised():
    def lookup() -> None:
        raise KeyError("missing")

    try:
        lookup()
    except KeyError as error:
        record = logging.LogRecord("bot.errors", logging.ERROR, __file__, 1, "boom", (), None)
        record.exc_info = (KeyError, error, error.__traceback__)
    (found,) = checks.log_findings([record])
    assert found.kind == checks.ERROR_LOG
    assert "tests/fuzz/test_fuzz.py:" in found.signature


def test_changed_rows_are_told_by_person_and_table():
    row = (("id", "1"),)
    before = Snapshot({ALICE: {"alerts": frozenset({row})}}, Known([ALICE, BOB]))
    after = Snapshot(
        {ALICE: {"alerts": frozenset()}, BOB: {"watchlist": frozenset({row})}}, Known([ALICE])
    )
    assert before.changed(after) == {ALICE: ["alerts +0 -1"], BOB: ["watchlist +1 -0"]}
    assert before.changed(before) == {}


def test_a_press_may_change_only_what_is_the_pressers():
    known = Known([ALICE, BOB], alerts={ALICE: [1], BOB: [2]}, tokens={BOB: ["B" * 12]})
    assert expectation("", ALICE, known) == REFUSED
    assert expectation("x" * 65, ALICE, known) == REFUSED
    assert expectation(cb.encode(cb.AlertAction("pause", 1, ALICE)), ALICE, known) == ANY
    assert expectation(cb.encode(cb.AlertAction("pause", 2, None)), ALICE, known) == REFUSED
    assert expectation(cb.encode(cb.LanguageChoice("es", BOB)), ALICE, known) == REFUSED
    assert expectation(cb.encode(cb.ConfirmButton("B" * 12, "y")), ALICE, known) == REFUSED
    assert expectation(cb.encode(cb.ConfirmButton("B" * 12, "y")), BOB, known) == ANY
    assert expectation(cb.encode(cb.RefreshPrices(ALICE)), ALICE, known) == READ_ONLY


def test_the_same_seed_gives_the_same_inputs():
    def inputs(seed: int) -> list[str]:
        rng = random.Random(seed)
        known = Known([ALICE, BOB], alerts={BOB: [3]}, tokens={BOB: ["T" * 16]})
        made = [typed_command(rng).text for _ in range(200)]
        made += [forged(rng, ALICE, known) for _ in range(50)]
        made += [garbage(rng, ["alert:pause:3:1002"]) for _ in range(50)]
        made += [choose_document(rng).content.hex()[:64] for _ in range(20)]
        return made

    assert inputs(7) == inputs(7)
    assert inputs(7) != inputs(8)


@pytest.mark.slow
async def test_a_short_fuzz_run_finds_nothing(
    backend: str, db_url: str, engine: AsyncEngine, request: pytest.FixtureRequest
):
    """Hostile commands, files, edits and presses from many people: nothing a person should
    never see or suffer (PYTHIA_FUZZ_ACTIONS sets how many; `make fuzz` for a long run)."""
    redis_url = None
    if backend == "postgres":  # the `engine` fixture has emptied the database
        import redis.asyncio as redis

        redis_url = request.getfixturevalue("redis_reachable")
        client = redis.Redis.from_url(redis_url)
        await client.flushdb()
        await client.aclose()
    report = await fuzz(db_url, redis_url, seed=11, count=ACTIONS, name=backend)
    assert sum(report.actions.values()) == ACTIONS - len(report.notes)  # notes: not done
    assert report.presses and report.replies
    assert not report.failed, report.text()
