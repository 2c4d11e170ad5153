"""Ending a background task for sure.

`task.cancel(); await task` waits forever when the task takes the cancel and carries on. On
Python 3.11 `asyncio.wait_for` (ours once, and libraries') does that when the cancel lands in the
same turn of the loop as what it waited for: it returns the result and the cancel is lost. The
bot's outbox runner, napping in `wait_for` while a wake-up came, then sent on while the stop
awaited it — a stop that never ended (a CI run hung at 99 %). `end` cancels again until the task
has ended, giving it `patience` seconds after the first cancel to unwind (a training job stops
its child process then: a second cancel would cut that short).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

PATIENCE = 1.0  # seconds a cancelled task has to end before it is cancelled again
AGAIN_AFTER = 0.1  # seconds between the cancels after that


async def end(task: asyncio.Task[Any], patience: float = PATIENCE) -> None:
    """Cancel `task` until it has ended; raises what it raised, other than its cancellation."""
    wait = patience
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=wait)
        wait = AGAIN_AFTER
    with contextlib.suppress(asyncio.CancelledError):
        task.result()


async def end_all(
    tasks: list[asyncio.Task[Any]] | set[asyncio.Task[Any]], patience: float = PATIENCE
) -> None:
    """`end` each of `tasks` side by side; what they raised is not raised (they were stopped)."""
    await asyncio.gather(*(end(task, patience) for task in tasks), return_exceptions=True)
