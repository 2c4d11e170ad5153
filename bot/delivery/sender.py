"""The outbox sender: claims due rows, sends them within Telegram's limits, marks them sent.

Pacing. The sender keeps Telegram's limits itself (`Pacer`): 30 messages a second evenly
spaced, one a second per person, one every three seconds per group, each chat on its own clock
so a busy chat's next row waits while other chats' rows go. It sends through the
application's own `bot`, so when `TELEGRAM_RATE_LIMIT` is on (the default) PTB's
`AIORateLimiter` also counts these sends in the same 30-a-second budget as the handlers'
replies: both together stay under Telegram's global limit, and a reply waits behind at most the
few sends in flight (never behind the queue, which lives in the database). AIORateLimiter alone
would not do: it has no per-person limit and would hold a whole alert storm in memory.
A `RetryAfter` that still reaches us holds that chat for as long as Telegram said (and the
whole sender for at most a second); the row goes back to the queue without using an attempt.

Rendering. A row holds a notice (`core.notices`): facts, which are said as the row is sent, in
the recipient's language and time zone (their preferences, read with the claim, so once per
message and never in the way of a send; a group or channel is spoken to in the chat's language,
else that of who set Pythia up there, else English, and in the chat's zone:
`services.delivery.heard_in`). A notice with a topic (a digest's `thread_id`) goes into that
forum topic. A digest with a chart goes as a photo: its text as the caption when it fits, else
the text and then the picture (the row is settled by the text; a picture that fails after it is
logged, never a reason to send the text again). Each picture is drawn and uploaded once per
coin, window, slot and language, then sent by file_id (`pictures.py`). A row written before
notices holds finished HTML and goes as it is. A row whose notice or payload cannot be read
fails at once.

Errors. What a failed send means is decided by which side of the wire it failed on
(`outcome.py`, told by `bot.request.AiohttpRequest`):
- It never reached Telegram (no connection, refused, DNS, no pooled connection in time), or
  Telegram answered an error status (5xx): back to the queue with jittered exponential
  back-off, up to `max_attempts`, then `failed` with `last_error`.
- It may have reached Telegram (a read time-out after the request was written, the connection
  dropped mid-answer, an HTTP 200 whose body is not JSON or not a message): it is never sent
  again. The row is marked `sent` with `telegram_message_id` NULL and `last_error` "ambiguous:
  …", counted in `stats.ambiguous` and logged at warning with the row ids. The Bot API has no
  idempotency key, so a repeat of a message Telegram had accepted is a second alert — and a
  garbling proxy or a too-short time-out would repeat it on every attempt; a person who misses
  one alert because an answer was lost after Telegram had NOT acted on it is the rarer and
  lesser harm.
- Forbidden (the person blocked the bot, or the bot left the group): the row and the chat's
  other pending rows fail, and a person's `blocked_at` is set and their alerts paused; a group
  or channel is paused as removed (`services.chats.removed`: who set it up is told).
- ChatMigrated (a group became a supergroup): the chat's settings, digests, alerts and pending
  rows move to the new id (`services.chats.migrate`) and the rows are claimed again, for it.
- BadRequest (chat not found, message too long...): failed at once, logged.
- RetryAfter: that chat is held for as long as Telegram said (see Pacing).

Time. Every wait the sender decides — back-off, RetryAfter holds, when to look again — runs on
the wall clock, never on `deps.clock` (in the sandbox the replay's, running 60 times fast). A
row sent back to wait is held through its lease (`claimed_until`, wall clock) rather than by a
later `not_before`, which stays on the clock of whoever wrote the row.

Exactly once, nearly. A row is marked sent in its own transaction right after its send, and
claims are small (one row per chat). A crash between Telegram accepting a message and that
commit leaves the row claimed; when the lease runs out it is sent again. So a crash can double
at most the messages in flight at that instant (`in_flight`, usually one or two at 30 a
second). An answer lost in the network never doubles a message (see Errors).

Wake-up: a message on the cache channel `outbox` (the workers publish after writing rows), a
finished send, or at the latest every `poll` seconds (sooner when a row comes due sooner).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from telegram import Bot, Message
from telegram.error import ChatMigrated, RetryAfter

from bot.charts import ChartRenderer
from bot.delivery.outcome import Outcome, outcome
from bot.delivery.pacing import Pacer, is_group
from bot.delivery.pictures import DigestPictures, post
from bot.delivery.stopping import finish_or_cut, hand_back
from bot.delivery.summary import Outgoing, Recipient, message, summary
from bot.i18n import texts_for
from core.backoff import Backoff
from core.notices import read_payload
from core.people import Preferences
from db.models import OutboxMessage
from db.outbox import OUTBOX_CHANNEL
from services import chats, metrics, tasks
from services import delivery as outbox
from services.deps import Deps

log = logging.getLogger(__name__)
T = TypeVar("T")

LEASE = timedelta(seconds=60)  # renewed every LEASE/3 while we hold the row
CLAIM_CHATS = 30  # one second of sending at the global limit
POLL = 1.0
MAX_ATTEMPTS = 8  # back-off 2, 4, ... 256 s: about eight minutes of trying
IN_FLIGHT = 8
CLAIM_EVERY = 0.25  # seconds between claims while sending
WRITE_PATIENCE = 20.0  # seconds a mark is retried while the database is away


def wall_now() -> datetime:
    return datetime.now(UTC)


def _seconds(retry_after: timedelta | float) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after


@dataclass
class Delivery:
    """One message to send: a row, or the quiet-hours rows of a chat merged into a summary."""

    chat_id: int
    rows: list[OutboxMessage]
    sending: bool = False
    chosen: Preferences | None = None  # the recipient's, read when the rows were claimed

    @property
    def ids(self) -> list[int]:
        return [row.id for row in self.rows]


@dataclass
class SenderStats:
    sent: int = 0  # Telegram messages (a summary counts once)
    rows_sent: int = 0
    retried: int = 0
    failed: int = 0
    retry_after: int = 0  # 429s Telegram still answered
    ambiguous: int = 0  # rows Telegram may have (answer lost): marked sent, never repeated


@dataclass
class OutboxSender:
    bot: Bot
    deps: Deps
    pacer: Pacer = field(default_factory=Pacer)
    lease: timedelta = LEASE
    claim_chats: int = CLAIM_CHATS
    poll: float = POLL
    max_attempts: int = MAX_ATTEMPTS
    in_flight: int = IN_FLIGHT
    stats: SenderStats = field(default_factory=SenderStats)
    charts: ChartRenderer | None = None  # draws digests' charts (none: they go as text)
    pictures: DigestPictures = field(init=False)
    _queue: dict[int, Delivery] = field(default_factory=dict, init=False)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, init=False)
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _runner: asyncio.Task[None] | None = field(default=None, init=False)
    _listener: asyncio.Task[None] | None = field(default=None, init=False)
    _claimed_at: float = field(default=0.0, init=False)
    _renewed_at: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self.pictures = DigestPictures(self.deps, self.charts)

    # ---- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        metrics.track_sender(self.stats)  # read at each scrape: no metrics work per send
        self._runner = asyncio.create_task(self._run(), name="outbox-sender")
        self._listener = asyncio.create_task(self._listen(), name="outbox-listener")

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming; hand back the claimed rows not started at once; let the sends in
        flight finish for up to `timeout` s, then cut them short (bot.delivery.stopping)."""
        for task in (self._listener, self._runner):
            if task is not None:
                await tasks.end(task)
        self._listener = self._runner = None
        waiting = [row_id for d in self._queue.values() if not d.sending for row_id in d.ids]
        await hand_back(self.deps, waiting)
        await finish_or_cut(self._tasks, timeout)
        self._queue.clear()

    def wake(self) -> None:
        self._wake.set()

    async def _listen(self) -> None:
        while True:
            try:
                async with self.deps.cache.subscribe(OUTBOX_CHANNEL) as events:
                    async for _ in events:
                        self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis away: the poll still delivers, a little later
                log.warning("outbox: no wake-ups from the cache; polling", exc_info=True)
                await asyncio.sleep(self.poll * 5)

    # ---- the loop ---------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            try:
                await self._nap(await self._step())
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is away, say: keep going, try again soon
                log.exception("outbox: sender step failed; retrying in %ss", self.poll)
                await self._nap(self.poll)

    async def _step(self) -> float:
        """Claim and send what is due; returns how long to sleep."""
        woken, clock = self._wake.is_set(), time.monotonic()
        self._wake.clear()
        if len(self._queue) < self.claim_chats and (
            woken or not self._queue or clock - self._claimed_at >= CLAIM_EVERY
        ):
            await self._claim()
        if self._queue and clock - self._renewed_at >= self.lease.total_seconds() / 3:
            await self._renew()
        wait = self._dispatch()
        if wait is not None:
            return wait
        wait = await outbox.seconds_to_next(self.deps, wall_now())
        return self.poll if wait is None else min(self.poll, wait)

    async def _nap(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):  # not wait_for: see services.tasks
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    async def _claim(self) -> None:
        """Claim due rows, with the preferences of the people they are for (read in the same
        transaction: once per message, and never in the way of the sends)."""
        self._claimed_at = time.monotonic()
        skip = set(self._queue) | set(self.pacer.held())
        room = self.claim_chats - len(self._queue)
        for claimed in await outbox.claim(self.deps, wall_now(), self.lease, room, skip):
            row = claimed.row
            delivery = self._queue.setdefault(row.chat_id, Delivery(row.chat_id, []))
            delivery.rows.append(row)
            delivery.chosen = claimed.preferences

    async def _renew(self) -> None:
        self._renewed_at = time.monotonic()
        ids = [row_id for delivery in self._queue.values() for row_id in delivery.ids]
        await outbox.renew(self.deps, ids, wall_now() + self.lease)

    def _dispatch(self) -> float | None:
        """Start every send the limits allow now; seconds until the next one may start."""
        if not self._queue:
            return None
        soonest = None
        for delivery in list(self._queue.values()):
            if delivery.sending:
                continue
            if len(self._tasks) >= self.in_flight:
                return self.poll  # a finished send wakes us
            wait = self.pacer.ready_at(delivery.chat_id) - self.pacer.now()
            if wait > 0:
                soonest = wait if soonest is None else min(soonest, wait)
                continue
            self.pacer.take(delivery.chat_id)
            delivery.sending = True
            task = asyncio.create_task(self._deliver(delivery))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        # nothing startable: a finished send wakes us; else the next chat's turn
        return self.poll if soonest is None else max(soonest, 0.0)

    # ---- one message ------------------------------------------------------------------------

    async def _deliver(self, delivery: Delivery) -> None:
        try:
            # its slot in the budget every replica shares; a chat another replica wrote to
            # just now waits queued (the pacer knows until when) and other chats go
            if not await self.pacer.cleared(delivery.chat_id):
                delivery.sending = False
                return
            await self._attempt(delivery)
        except Exception:
            log.exception("outbox: delivery to chat %s failed unexpectedly", delivery.chat_id)
        finally:
            if delivery.sending:  # done with, one way or another
                self._queue.pop(delivery.chat_id, None)
            self._wake.set()

    async def _attempt(self, delivery: Delivery) -> None:
        ids, chat_id = delivery.ids, delivery.chat_id
        try:
            outgoing = self._compose(delivery)
        except (KeyError, TypeError, ValueError) as exc:  # a payload or notice no retry can mend
            log.error("outbox: rows %s have a payload that cannot be sent: %r", ids, exc)
            error = f"BadPayload: {exc!r}"
            await self._write(lambda: outbox.failed(self.deps, ids, error))
            self.stats.failed += len(ids)
            return
        try:
            message = await self._send(chat_id, outgoing)
        except Exception as exc:
            await self._settle_failure(delivery, exc)
        else:
            await self._write(lambda: outbox.sent(self.deps, ids, message.message_id))
            self.stats.sent += 1
            self.stats.rows_sent += len(ids)

    async def _settle_failure(self, delivery: Delivery, exc: Exception) -> None:
        """Settle rows whose send raised `exc`, as what it says happened (`outcome`)."""
        ids, chat_id, error = delivery.ids, delivery.chat_id, f"{type(exc).__name__}: {exc}"
        match outcome(exc):
            case Outcome.WAIT if isinstance(exc, RetryAfter):
                await self._wait_as_told(delivery, _seconds(exc.retry_after), str(exc))
            case Outcome.CLOSED:
                person, wall = not is_group(chat_id), wall_now()
                await self._write(
                    lambda: outbox.closed_to_the_bot(
                        self.deps, chat_id, ids, error, wall, person=person
                    )
                )
                if not person:  # removed from a group or channel: pause it, tell who set it up
                    await self._write(lambda: chats.removed(self.deps, chat_id))
                self.stats.failed += len(ids)
            case Outcome.MIGRATED if isinstance(exc, ChatMigrated):  # move it all, send it there
                new, now = exc.new_chat_id, self.deps.clock.now()
                if await self._write(lambda: chats.migrate(self.deps, chat_id, new, now)):
                    await self._write(lambda: outbox.release(self.deps, ids))  # claimed anew
                else:  # a chat Pythia never kept: nothing to move it with
                    await self._write(lambda: outbox.failed(self.deps, ids, error))
            case Outcome.REFUSED:
                log.warning("outbox: Telegram refused rows %s for chat %s: %s", ids, chat_id, exc)
                await self._write(lambda: outbox.failed(self.deps, ids, error))
                self.stats.failed += len(ids)
            case Outcome.RETRY:
                await self._retry_later(delivery, error)
            case Outcome.AMBIGUOUS:
                log.warning(
                    "outbox: rows %s for chat %s may have been sent (answer lost); not sending "
                    "them again: %s", ids, chat_id, error,
                )  # fmt: skip
                note = f"ambiguous: {error}"
                await self._write(lambda: outbox.maybe_sent(self.deps, ids, note))
                self.stats.ambiguous += len(ids)

    async def _wait_as_told(self, delivery: Delivery, seconds: float, error: str) -> None:
        """RetryAfter: hold the chat as long as Telegram said, everything for a second at most."""
        self.stats.retry_after += 1
        self.pacer.hold(delivery.chat_id, seconds)
        self.pacer.pause(min(seconds, 1.0))
        log.warning("outbox: Telegram asked to wait %ss for chat %s", seconds, delivery.chat_id)
        until, ids = wall_now() + timedelta(seconds=seconds), delivery.ids
        await self._write(lambda: outbox.later(self.deps, ids, until, error, attempt=False))

    async def _send(self, chat_id: int, outgoing: Outgoing) -> Message:
        return await post(self.bot, self.pictures, chat_id, outgoing, self.pacer.take)

    def _compose(self, delivery: Delivery) -> Outgoing:
        """The message for `delivery`, rendered now for its recipient (ValueError for a row
        whose notice cannot be read)."""
        payloads = [row.payload for row in delivery.rows]
        notices = [read_payload(payload) for payload in payloads]
        to = _recipient(delivery)
        if len(payloads) == 1:
            return message(to, payloads[0], notices[0])
        return summary(to, list(zip(payloads, notices, strict=True)))

    async def _retry_later(self, delivery: Delivery, error: str) -> None:
        ids, attempts = delivery.ids, max(row.attempts for row in delivery.rows) + 1
        if attempts >= self.max_attempts:
            log.error("outbox: giving up rows %s after %s attempts: %s", ids, attempts, error)
            await self._write(lambda: outbox.failed(self.deps, ids, error))
            self.stats.failed += len(ids)
            return
        delay = Backoff(failures=attempts - 1).failed(0.0)
        until = wall_now() + timedelta(seconds=delay)  # real seconds, whatever deps.clock says
        log.warning("outbox: rows %s retry in %.1fs: %s", ids, delay, error)
        await self._write(lambda: outbox.later(self.deps, ids, until, error))
        self.stats.retried += len(ids)

    async def _write(self, change: Callable[[], Awaitable[T]]) -> T:
        """A settling use case, retried while the database is briefly away (a lost mark would
        mean a message sent twice once the lease runs out)."""
        deadline, pause = time.monotonic() + WRITE_PATIENCE, 0.1
        while True:
            try:
                return await change()
            except Exception:
                if time.monotonic() > deadline:
                    raise
                log.warning("outbox: database write failed; retrying", exc_info=True)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)


def _recipient(delivery: Delivery) -> Recipient:
    """How the chat hears it: its person's choices, or a group's or channel's language and
    zone (decided with the claim: services.delivery.heard_in)."""
    chosen = delivery.chosen or Preferences()
    return Recipient(texts_for(chosen.language), chosen.timezone, chosen.quiet_hours)
