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

Errors. Network errors (TimedOut, NetworkError, 5xx) go back to the queue with jittered
exponential back-off (`not_before`), up to `max_attempts`, then `failed` with `last_error`.
Forbidden (the person blocked the bot, or the bot left the group): the row and the chat's
other pending rows fail, and a person's `blocked_at` is set and their alerts paused.
BadRequest (chat not found, message too long...): failed at once, logged.

Exactly once, nearly. A row is marked sent in its own transaction right after its send, and
claims are small (one row per chat). A crash between Telegram accepting a message and that
commit leaves the row claimed; when the lease runs out it is sent again. So a crash can double
at most the messages in flight at that instant (`in_flight`, usually one or two at 30 a
second). A TimedOut whose request did reach Telegram is retried too, and may double that one
message: the Bot API has no idempotency key to prevent it.

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

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.delivery.pacing import Pacer, is_group
from bot.delivery.summary import Outgoing, quiet_summary, single, summary_line
from core.backoff import Backoff
from db import outbox
from db.alerts import announce
from db.cache import Cache
from db.models import OutboxMessage, User

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


@dataclass
class OutboxSender:
    bot: Bot
    sessions: async_sessionmaker[AsyncSession]
    cache: Cache
    pacer: Pacer = field(default_factory=Pacer)
    lease: timedelta = LEASE
    claim_chats: int = CLAIM_CHATS
    poll: float = POLL
    max_attempts: int = MAX_ATTEMPTS
    in_flight: int = IN_FLIGHT
    now: Callable[[], datetime] = wall_now  # the rows' clock (deps.clock); leases: wall_now
    stats: SenderStats = field(default_factory=SenderStats)
    _queue: dict[int, Delivery] = field(default_factory=dict, init=False)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, init=False)
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _runner: asyncio.Task[None] | None = field(default=None, init=False)
    _listener: asyncio.Task[None] | None = field(default=None, init=False)
    _claimed_at: float = field(default=0.0, init=False)
    _renewed_at: float = field(default=0.0, init=False)

    # ---- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name="outbox-sender")
        self._listener = asyncio.create_task(self._listen(), name="outbox-listener")

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming, let the sends in flight finish and be marked, hand back the rest."""
        for task in (self._listener, self._runner):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._listener = self._runner = None
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=timeout)
        waiting = [row_id for d in self._queue.values() if not d.sending for row_id in d.ids]
        if waiting:
            await self._write(lambda session: outbox.release(session, waiting))
        self._queue.clear()

    def wake(self) -> None:
        self._wake.set()

    async def _listen(self) -> None:
        while True:
            try:
                async with self.cache.subscribe(outbox.OUTBOX_CHANNEL) as events:
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
        async with self.sessions() as session:
            due = await outbox.next_due(session, self.now())
        if due is None:
            return self.poll
        return min(self.poll, max((due - self.now()).total_seconds(), 0.0))

    async def _nap(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _claim(self) -> None:
        self._claimed_at = time.monotonic()
        skip = set(self._queue) | set(self.pacer.held())
        async with self.sessions.begin() as session:
            rows = await outbox.claim(
                session, wall_now(), self.lease, self.claim_chats - len(self._queue),
                skip_chats=skip, due=self.now(),
            )  # fmt: skip
        for row in rows:
            self._queue.setdefault(row.chat_id, Delivery(row.chat_id, [])).rows.append(row)

    async def _renew(self) -> None:
        self._renewed_at = time.monotonic()
        ids = [row_id for delivery in self._queue.values() for row_id in delivery.ids]
        async with self.sessions.begin() as session:
            await outbox.extend_claims(session, ids, wall_now() + self.lease)

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
            await self._attempt(delivery)
        except Exception:
            log.exception("outbox: delivery to chat %s failed unexpectedly", delivery.chat_id)
        finally:
            self._queue.pop(delivery.chat_id, None)
            self._wake.set()

    async def _attempt(self, delivery: Delivery) -> None:
        ids, chat_id = delivery.ids, delivery.chat_id
        try:
            outgoing = await self._compose(delivery)
        except (KeyError, TypeError, ValueError) as exc:  # a payload no retry can mend
            log.error("outbox: rows %s have a payload that cannot be sent: %r", ids, exc)
            error = f"bad payload: {exc!r}"
            await self._write(lambda s: outbox.mark_failed(s, ids, error))
            self.stats.failed += len(ids)
            return
        try:
            message = await self._send(chat_id, outgoing)
        except RetryAfter as exc:
            await self._wait_as_told(delivery, _seconds(exc.retry_after), str(exc))
        except Forbidden as exc:
            error = f"Forbidden: {exc}"
            paused = await self._write(lambda s: self._shut_out(s, chat_id, ids, error))
            self.stats.failed += len(ids)
            await announce(self.cache, paused)
        except BadRequest as exc:
            error = f"BadRequest: {exc}"
            log.warning("outbox: Telegram refused rows %s for chat %s: %s", ids, chat_id, exc)
            await self._write(lambda s: outbox.mark_failed(s, ids, error))
            self.stats.failed += len(ids)
        except Exception as exc:  # TimedOut, NetworkError, 5xx, anything transient
            await self._retry_later(delivery, f"{type(exc).__name__}: {exc}")
        else:
            now = self.now()
            await self._write(lambda s: outbox.mark_sent(s, ids, message.message_id, now))
            self.stats.sent += 1
            self.stats.rows_sent += len(ids)

    async def _wait_as_told(self, delivery: Delivery, seconds: float, error: str) -> None:
        """RetryAfter: hold the chat as long as Telegram said, everything for a second at most."""
        self.stats.retry_after += 1
        self.pacer.hold(delivery.chat_id, seconds)
        self.pacer.pause(min(seconds, 1.0))
        log.warning("outbox: Telegram asked to wait %ss for chat %s", seconds, delivery.chat_id)
        later, ids = self.now() + timedelta(seconds=seconds), delivery.ids
        await self._write(lambda s: outbox.mark_retry(s, ids, later, error, attempt=False))

    async def _send(self, chat_id: int, outgoing: Outgoing) -> Message:
        return await self.bot.send_message(
            chat_id,
            outgoing.text,
            parse_mode=ParseMode.HTML,
            reply_markup=outgoing.keyboard,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )

    async def _compose(self, delivery: Delivery) -> Outgoing:
        payloads = [row.payload for row in delivery.rows]
        if len(payloads) == 1:
            return single(payloads[0])
        window = None
        person = payloads[0].get("user_id") or delivery.chat_id
        async with self.sessions() as session:
            user = await session.get(User, person)
        if user is not None and user.quiet_start is not None and user.quiet_end is not None:
            window = (user.quiet_start, user.quiet_end)
        return quiet_summary([summary_line(p) for p in payloads], window)

    async def _retry_later(self, delivery: Delivery, error: str) -> None:
        ids, attempts = delivery.ids, max(row.attempts for row in delivery.rows) + 1
        if attempts >= self.max_attempts:
            log.error("outbox: giving up rows %s after %s attempts: %s", ids, attempts, error)
            await self._write(lambda s: outbox.mark_failed(s, ids, error))
            self.stats.failed += len(ids)
            return
        delay = Backoff(failures=attempts - 1).failed(0.0)
        later = self.now() + timedelta(seconds=delay)
        log.warning("outbox: rows %s retry in %.1fs: %s", ids, delay, error)
        await self._write(lambda s: outbox.mark_retry(s, ids, later, error))
        self.stats.retried += len(ids)

    async def _shut_out(
        self, session: AsyncSession, chat_id: int, ids: list[int], error: str
    ) -> list[int]:
        """The bot may not write to this chat any more: stop trying, and stop firing.
        Returns the alerts paused."""
        now = self.now()
        await outbox.mark_failed(session, ids, error)
        dropped = await outbox.fail_chat(session, chat_id, error, wall_now())
        paused = []
        if not is_group(chat_id):
            paused = await outbox.person_blocked_bot(session, chat_id, now)
        log.info(
            "outbox: chat %s is closed to the bot (%s): %s more rows dropped, %s alerts paused",
            chat_id, error, dropped, len(paused),
        )  # fmt: skip
        return paused

    async def _write(self, change: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """One transaction, retried while the database is briefly away (a lost mark would
        mean a message sent twice once the lease runs out)."""
        deadline, pause = time.monotonic() + WRITE_PATIENCE, 0.1
        while True:
            try:
                async with self.sessions.begin() as session:
                    result = await change(session)
                return result
            except Exception:
                if time.monotonic() > deadline:
                    raise
                log.warning("outbox: database write failed; retrying", exc_info=True)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)
