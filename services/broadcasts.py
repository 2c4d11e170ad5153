"""/broadcast: an operator's message to everyone Pythia can write to. Asked first (a preview
with how many it reaches, kept pending under a token), then, on Send, queued once: one outbox
row per person, written in batches in the transaction that takes the pending action, so two
presses (or two processes) queue it once. The outbox's sender delivers it at Telegram's pace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.notices import Broadcast, to_payload
from core.refusal import BadArgument, Refusal
from db import outbox
from db.repos import status
from services import pending
from services.deps import Deps

KIND = status.BROADCAST_KIND  # the pending action's and the outbox rows' kind
MAX_TEXT = 3500  # characters: the message, with room for what the view puts around it
BATCH = 5000  # rows built and written per round (each insert statement takes ROWS_PER_INSERT)


@dataclass(frozen=True, slots=True)
class Preview:
    """A broadcast waiting for Send: its token, its text and how many it would reach now."""

    token: str
    text: str
    audience: int
    at: datetime


@dataclass(frozen=True, slots=True)
class Queued:
    """Sent out: `people` rows of `text` queued under broadcast `id`."""

    id: str
    people: int
    text: str


@dataclass(frozen=True, slots=True)
class Cancelled:
    pass


def _allowed(deps: Deps, admin_id: int) -> None:
    if admin_id not in deps.settings.admin_ids:
        raise Refusal("admin.only")


def cleaned(text: str) -> str:
    """The text as it will go out: trailing spaces and blank edges gone, line breaks kept;
    BadArgument `broadcast.empty` or `broadcast.too_long` (length, limit)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    kept = "\n".join(lines).strip("\n").strip()
    if not kept:
        raise BadArgument("broadcast.empty")
    if len(kept) > MAX_TEXT:
        raise BadArgument("broadcast.too_long", length=len(kept), limit=MAX_TEXT)
    return kept


async def preview(deps: Deps, admin_id: int, text: str) -> Preview:
    """Keep the broadcast pending for its Send, and count whom it would reach."""
    _allowed(deps, admin_id)
    kept, now = cleaned(text), deps.clock.now()
    async with deps.write() as session:
        token = await pending.ask(session, admin_id, KIND, {"text": kept}, now)
        audience = await status.audience_size(session)
    return Preview(token, kept, audience, now)


async def answer(deps: Deps, admin_id: int, token: str, send: bool) -> Queued | Cancelled:
    """Send (or cancel) the pending broadcast `token`, once however often it is pressed: one
    outbox row per person it reaches now (a person who blocked Pythia is not one).
    Refusal `confirm.expired` / `confirm.answered` / `confirm.not_yours` otherwise."""
    _allowed(deps, admin_id)
    now = deps.clock.now()
    async with deps.write() as session:
        kind, payload = await pending.take(session, token, admin_id, now)
        if kind != KIND:  # not a broadcast's token: nothing is taken (rolled back)
            raise Refusal("confirm.expired")
        if not send:
            return Cancelled()
        people = await status.audience_ids(session)
        notice = _notice(token, payload["text"], now)
        queued = 0
        for start in range(0, len(people), BATCH):
            batch = people[start : start + BATCH]
            rows = [_row(token, person, notice, now) for person in batch]
            queued += len(await outbox.enqueue_many(session, rows, now))
    if queued:
        await deps.cache.publish(outbox.OUTBOX_CHANNEL, KIND)
    return Queued(token, queued, payload["text"])


def _notice(broadcast_id: str, text: str, now: datetime) -> dict[str, Any]:
    """The notice's payload, dumped once for everyone (only the person differs)."""
    return to_payload(Broadcast(broadcast_id=broadcast_id, user_id=0, text=text, at=now))


def _row(broadcast_id: str, person: int, shared: dict[str, Any], now: datetime) -> outbox.Queued:
    payload = {**shared, "notice": {**shared["notice"], "user_id": person}}
    key = f"broadcast:{broadcast_id}:{person}"
    return outbox.Queued(person, KIND, payload, key, now)
