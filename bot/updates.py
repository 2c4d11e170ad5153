"""Updates run concurrently, except two from the same person in the same chat: those run one
after the other, in the order they came. And nobody can slow everyone else down by sending a
lot: a person's updates beyond their fair share are turned away before they wait for anything.

PTB's ConversationHandler assumes it sees a conversation's updates one by one (its docs ask for
`concurrent_updates=False`); keyed by chat and user, as our conversations are, this keeps that
promise without letting one person's slow chart hold up everyone else.

Fairness, in three parts:
- PTB's BaseUpdateProcessor holds its semaphore around `do_process_update`, so an update that
  waits there for the person's turn holds a slot. That semaphore is therefore only a bound on
  the updates held at once (MAX_HELD); what bounds the handlers running at once is our own
  semaphore (MAX_RUNNING), taken only once it is the update's turn. A person's queue occupies
  nothing that others need.
- A gate (bot/flood.py: a token bucket per person in the cache) is asked before an update
  takes its place in the queue; one it refuses is turned away at once (its handler never
  runs; a press is still answered) and holds nothing.
- However generous the gate, one person never has more than MAX_WAITING updates queued: when
  their handlers are slow, what comes on top is turned away too (still counted by the gate,
  which says whether this is the moment to tell them).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.metered import received, timed
from services import metrics
from services.log_context import handling_update

log = logging.getLogger(__name__)

MAX_RUNNING = 256  # handlers running at once (what concurrent_updates(True) allows)
MAX_HELD = 8192  # updates running or waiting their person's turn, before PTB queues more
MAX_WAITING = 32  # one person's updates in one chat, running or waiting their turn


class Gate(Protocol):
    async def admit(self, update: Update) -> tuple[bool, bool]:
        """(whether `update` may be handled, whether to tell its sender they were refused)."""
        ...

    async def turn_away(self, update: Update, tell: bool) -> None:
        """Answer a refused update as it needs (a press must be answered); nothing else."""
        ...


@dataclass
class _Queue:
    """One person's updates in one chat: how many are in, and the turn of the last one."""

    waiting: int = 0
    last: asyncio.Future[None] | None = field(default=None)


class OnePerPersonAndChat(BaseUpdateProcessor):
    """Like PTB's SimpleUpdateProcessor, serialised per (chat id, user id), with a gate."""

    def __init__(
        self,
        max_running: int = MAX_RUNNING,
        max_waiting: int = MAX_WAITING,
        max_held: int = MAX_HELD,
    ) -> None:
        super().__init__(max_held)
        self._running = asyncio.Semaphore(max_running)
        self._max_waiting = max_waiting
        self._queues: dict[tuple[int, int], _Queue] = {}
        self._gate: Gate | None = None
        self.commands: frozenset[str] = frozenset()  # the routed ones: metrics labels

    def guard(self, gate: Gate) -> None:
        """Ask `gate` about every update of a person before it queues."""
        self._gate = gate

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        label = received(update, self.commands)
        with handling_update(getattr(update, "update_id", None)):  # in its log lines
            await self._process(update, coroutine, label)

    async def _process(self, update: object, coroutine: Awaitable[Any], label: str) -> None:
        key = _key(update)
        if key is None:
            async with self._running:
                await timed(label, coroutine)
            return
        assert isinstance(update, Update)
        queue = self._queues.setdefault(key, _Queue())
        if queue.waiting >= self._max_waiting:  # still asked: it counts, and may start a flood
            await self._turn_away(update, coroutine, (await self._admit(update))[1])
            return
        # Take the place in line now, before anything is awaited: the gate's answers may come
        # back in another order than the updates came.
        previous, mine = queue.last, asyncio.get_running_loop().create_future()
        queue.last, queue.waiting = mine, queue.waiting + 1
        try:
            admitted, tell = await self._admit(update)
            if not admitted:
                await self._turn_away(update, coroutine, tell)
                return
            if previous is not None:
                await asyncio.shield(previous)  # cancelled here, the turn before stays intact
            async with self._running:
                await timed(label, coroutine)
        except asyncio.CancelledError:
            _close(coroutine)  # if it never started (a no-op if it did)
            raise
        finally:
            queue.waiting -= 1
            _after(previous, mine)
            if not queue.waiting:  # nobody else is in: forget the queue
                del self._queues[key]

    async def _admit(self, update: Update) -> tuple[bool, bool]:
        if self._gate is None:
            return True, False
        try:
            return await self._gate.admit(update)
        except Exception:  # the cache is down: serve everyone rather than no one
            log.warning("the flood gate failed; update %s let through", update.update_id,
                        exc_info=True)  # fmt: skip
            return True, False

    async def _turn_away(self, update: Update, coroutine: Awaitable[Any], tell: bool) -> None:
        _close(coroutine)
        metrics.update_turned_away()
        if self._gate is not None:
            try:
                await self._gate.turn_away(update, tell)
            except Exception:
                log.warning("could not turn away update %s", update.update_id, exc_info=True)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _close(coroutine: Awaitable[Any]) -> None:
    """Forget a coroutine never to be awaited (else Python warns that it was not)."""
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()


def _after(previous: asyncio.Future[None] | None, mine: asyncio.Future[None]) -> None:
    """End `mine`'s turn once the turn before it has ended (an update turned away is done
    before those ahead of it are; the one behind it still waits for those)."""

    def end(_: object = None) -> None:
        if not mine.done():
            mine.set_result(None)

    if previous is None or previous.done():
        end()
    else:
        previous.add_done_callback(end)


def _key(update: object) -> tuple[int, int] | None:
    if not isinstance(update, Update):
        return None
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    return chat.id, user.id
