"""The lock-free update counters read as prometheus-client's own Counter and Histogram would,
and the update labels stay bounded whatever people send."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from telegram import CallbackQuery, Chat, Message, Update, User

from bot.metered import label_of
from services.metrics import _Updates

TIMES = [0.0, 0.004, 0.005, 0.0051, 0.3, 0.5, 2.0, 29.99, 30.0, 31.0, 1e6]


def _exposition(collector: object) -> list[str]:
    registry = CollectorRegistry()
    registry.register(collector)  # type: ignore[arg-type]
    text = generate_latest(registry).decode()
    return sorted(line for line in text.splitlines() if not line.startswith("#"))


def test_the_update_histogram_and_counter_read_as_prometheus_clients_own() -> None:
    ours = _Updates()
    reference = CollectorRegistry()
    counter = Counter("pythia_updates", "", ["command"], registry=reference)
    histogram = Histogram(
        "pythia_handler_seconds", "", ["command"], buckets=_Updates.BUCKETS, registry=reference
    )
    for label, times in (("price", TIMES), ("button:al", TIMES[:3]), ("message", [])):
        for seconds in times:
            ours.receive(label)
            counter.labels(label).inc()
            ours.observe(label, seconds)
            histogram.labels(label).observe(seconds)
        if not times:
            ours.receive(label)
            counter.labels(label).inc()
    wanted = sorted(
        line
        for line in generate_latest(reference).decode().splitlines()
        if not line.startswith("#") and "_created" not in line
    )
    assert _exposition(ours) == wanted


def _message(text: str | None, caption: str | None = None) -> Update:
    chat = Chat(-100, "supergroup")
    message = Message(
        1, datetime.now(UTC), chat, from_user=User(1, "A", False), text=text, caption=caption
    )
    return Update(7, message=message)


COMMANDS = frozenset({"price", "help"})


@pytest.mark.parametrize(
    ("update", "label"),
    [
        (_message("/price BTC"), "price"),
        (_message("/PRICE@pythia_bot eth"), "price"),
        (_message("/help"), "help"),
        (_message("/nosuch"), "command:other"),
        (_message("/"), "command:other"),
        (_message("/<script>alert(1)</script>"), "command:other"),
        (_message("/" + "x" * 5000), "command:other"),
        (_message("hello"), "message"),
        (_message(None, caption="/price in a caption"), "price"),
        (_message(None), "message"),
        (Update(8, edited_message=_message("/price").message), "edited"),
        (object(), "other"),
    ],
)
def test_a_label_is_a_routed_command_or_a_kind_never_what_was_typed(
    update: object, label: str
) -> None:
    assert label_of(update, COMMANDS) == label


@pytest.mark.parametrize(
    ("data", "label"),
    [("prices:42", "button:prices"), ("zz:1", "button:other"), ("", "button:other"),
     (None, "button:other"), ("prices", "button:prices")],
)  # fmt: skip
def test_a_press_is_labelled_by_a_declared_button_prefix(data: str | None, label: str) -> None:
    import bot.callbacks  # noqa: F401  (declares the buttons)

    query = CallbackQuery("1", User(1, "A", False), "ci", data=data)
    assert label_of(Update(9, callback_query=query), COMMANDS) == label
