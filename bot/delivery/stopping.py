"""How the outbox sender stops (SIGTERM): claimed rows it had not started go back at once,
sends in flight get until a deadline (see bot.shutdown)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from services import delivery as outbox
from services.deps import Deps

log = logging.getLogger(__name__)

HAND_BACK_WITHIN = 2.0  # seconds before unsent rows are left to their lease instead
LAST_WAIT = 1.0  # seconds for cancelled sends to unwind


async def hand_back(deps: Deps, ids: Sequence[int]) -> int:
    """Release claimed rows not yet sent (`claimed_until` cleared): another sender takes them
    now, not once the lease ends. Returns how many; 0 if the database would not have it."""
    if not ids:
        return 0
    try:
        async with asyncio.timeout(HAND_BACK_WITHIN):
            while True:
                try:
                    await outbox.release(deps, ids)
                    return len(ids)
                except Exception:  # the database is away for a moment, say
                    log.warning("outbox: handing back rows failed; retrying", exc_info=True)
                    await asyncio.sleep(0.2)
    except TimeoutError:
        log.warning("outbox: could not hand back rows %s; their lease frees them", list(ids))
        return 0


async def finish_or_cut(tasks: set[asyncio.Task[None]], timeout: float) -> int:
    """Let the sends in flight finish (and be marked) for up to `timeout` seconds; cancel the
    rest, whose rows stay claimed until the lease ends (they may have reached Telegram).
    Returns how many were cut short."""
    late: set[asyncio.Task[None]] = set()
    if tasks:
        _, late = await asyncio.wait(set(tasks), timeout=timeout)
    for task in late:
        task.cancel()
    if late:
        log.warning("outbox: %d sends cut short at the deadline; left to their lease", len(late))
        with contextlib.suppress(Exception):
            await asyncio.wait(late, timeout=LAST_WAIT)
    return len(late)
