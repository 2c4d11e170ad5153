"""The operators' words: /status within Telegram's limit however much there is to say, in
three languages; a broadcast escaped, line breaks kept, the same in the preview and as sent;
its buttons within 64 bytes and read back by the codec."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.callbacks import MAX_DATA, AdminButton, decode
from bot.delivery.summary import Recipient, message
from bot.i18n import texts_for
from bot.views.admin import (
    broadcast_text,
    preview_keyboard,
    preview_text,
    queued_text,
    status_keyboard,
    status_text,
)
from bot.views.common import MAX_MESSAGE, telegram_length
from core.notices import Broadcast, to_payload
from core.people import LANGUAGES
from services.admin import (
    BroadcastProgress,
    Exchange,
    FailedJob,
    Feed,
    ServingModel,
    Status,
)
from services.broadcasts import MAX_TEXT, Preview, Queued

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
TOKEN = "AbCdEfGhIjKlMnOp"


def status(size: int) -> Status:
    """A Pythia with `size` of everything: exchanges, feeds, failing jobs, coins with models."""
    ago = [NOW - timedelta(minutes=i) for i in range(size)]
    error = "RuntimeError: <" + "x" * 400
    return Status(
        now=NOW,
        wall=NOW,
        exchanges=[
            Exchange(f"exchange{i}", ago[i], {"1h": ago[i], "1d": ago[i]})
            for i in range(min(size, 8))
        ],
        feeds=[
            Feed(f"Feed <{i}>", ago[i], ago[i], i % 3, "timeout" if i % 3 else None)
            for i in range(size)
        ],
        bot_beat_at=NOW - timedelta(seconds=10),
        workers_beat_at=None,
        workers_seen={f"worker-{i}": ago[i] for i in range(min(size, 5))},
        pending=1234,
        due=234,
        oldest_pending_at=NOW - timedelta(minutes=7),
        failed_last_hour=3,
        maybe_sent_last_hour=1,
        failed_jobs=[FailedJob(f"job_{i}", i + 1, error, ago[i]) for i in range(size)],
        models=[
            ServingModel(f"C{i}", h, 3, i % 2 == 0, NOW - timedelta(days=i))
            for i in range(size)
            for h in ("1h", "4h", "24h")
        ],
        people=100_000,
        active_day=12_345,
        active_week=54_321,
        blocked=987,
        alerts={"price": 50_000, "move": 1_000},
        digests=321,
        digests_due=12,
        digests_late=2,
        paused_chats={"removed": 4},
        broadcasts=[BroadcastProgress(TOKEN, NOW - timedelta(minutes=5), 90_000, 9_000, 1_000)],
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", [0, 3, 60])
def test_status_fits_one_message_in_every_language(language: str, size: int) -> None:
    text = status_text(texts_for(language), status(size))
    assert telegram_length(text) <= MAX_MESSAGE
    assert size == 0 or ("<Feed" not in text and "RuntimeError: &lt;" in text)  # escaped
    people = texts_for(language).number(100_000)
    assert people in text and texts_for(language).number(90_000) in text  # never cut


def test_status_says_the_facts() -> None:
    text = status_text(texts_for("en"), status(3))
    assert "exchange1: price 1 min. ago · 1h candle 1 min. ago · 1d candle 1 min. ago" in text
    feed = "Feed &lt;1&gt;: newest story 1 min. ago · fetched 1 min. ago · ⚠️ failed 1 in a row"
    assert feed + " (timeout)" in text
    assert "Pending: 1,234 · due now: 234 · longest wait: due 7 min. ago" in text
    assert "Queued in the last hour: failed 3 · maybe sent 1" in text
    assert "Serving: 9 · with no edge (base rate served): 3" in text
    assert "C1: 1h v3 1 day ago, no edge · 4h v3 1 day ago, no edge" in text
    assert "People: 100,000 · active in 24 h: 12,345 · in 7 days: 54,321" in text
    assert "Active alerts: 51,000 (move 1,000 · price 50,000)" in text
    assert "Digests: 321 active · 12 due within the hour · ⚠️ late: 2" in text
    assert "Queued 5 min. ago: sent 90,000 · pending 9,000 · failed 1,000" in text
    assert "Workers' heartbeat here: ⚠️ none in the last minute" in text


def test_an_empty_pythia_says_so() -> None:
    text = status_text(texts_for("en"), status(0))
    for said in ("No prices or candles yet.", "No feeds.", "None.", "No trained models."):
        assert said in text
    assert "Broadcasts" in status_text(texts_for("en"), status(0))  # the one in the facts


def test_a_broadcast_reads_the_same_previewed_and_sent() -> None:
    typed = "Hello <b>all</b> & welcome\n\nSecond paragraph"
    t = texts_for("es")
    shown = broadcast_text(t, typed)
    assert shown.endswith("Hello &lt;b&gt;all&lt;/b&gt; &amp; welcome\n\nSecond paragraph")
    assert shown in preview_text(t, Preview(TOKEN, typed, 3, NOW))
    notice = Broadcast(broadcast_id=TOKEN, user_id=1, text=typed, at=NOW)
    sent = message(Recipient(t), to_payload(notice), notice)
    assert sent.text == shown and sent.keyboard is None
    assert shown in queued_text(t, Queued(TOKEN, 3, typed))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_longest_broadcast_fits_with_its_preview(language: str) -> None:
    t = texts_for(language)
    typed = "é" * MAX_TEXT
    for text in (preview_text(t, Preview(TOKEN, typed, 100_000, NOW)),
                 queued_text(t, Queued(TOKEN, 100_000, typed))):  # fmt: skip
        assert len(re.sub(r"<[^>]+>", "", text)) <= MAX_MESSAGE


def test_the_operators_buttons_fit_and_read_back() -> None:
    t = texts_for("ru")
    token = "A" * 32  # the longest a pending action's token is
    rows = [*status_keyboard(t).inline_keyboard, *preview_keyboard(t, token).inline_keyboard]
    data = [button.callback_data for row in rows for button in row]
    assert all(isinstance(d, str) and len(d.encode()) <= MAX_DATA for d in data)
    assert [decode(d) for d in data] == [
        AdminButton("refresh"),
        AdminButton("send", token),
        AdminButton("cancel", token),
    ]
    assert decode("adm:send:short") is None and decode("adm:delete:" + token) is None


def test_a_cache_that_did_not_answer_is_said() -> None:
    from dataclasses import replace

    text = status_text(texts_for("en"), replace(status(3), cache_ok=False))
    assert "⚠️ The cache (Redis) did not answer: heartbeats unknown." in text
    assert "Bot heartbeat" not in text and "worker-1: last job 1 min. ago" in text
