"""Stopping the bot within a deadline (SIGTERM: a deploy, a scale-down).

In this order, all inside `STOP_GRACE` seconds so the process is gone well within the ten an
orchestrator gives before SIGKILL:
- at once: no new updates (polling stops; the updates already fetched are still handled) and no
  new claims; the outbox rows this sender claimed but had not started are handed back
  (`claimed_until` cleared), so another replica sends them now instead of after the lease;
- the handlers running and the sends in flight finish, side by side, until the deadline;
- what is still running then is cancelled and logged: a hung handler's update is lost (Telegram
  was told we had it), a send cut short stays claimed and goes again when its lease ends (it may
  have reached Telegram: the in-flight bound of bot.delivery.sender's "Exactly once, nearly").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram.ext import Application

from bot.context import BotData

log = logging.getLogger(__name__)

STOP_GRACE = 7.0  # seconds for handlers and sends; closing takes the rest of the ten
LAST_WAIT = 1.0  # seconds for cancelled handlers to unwind
HANDLER_TASK = ":process_concurrent_update"  # how PTB names the task of a concurrent update


def stop_sending(app: Application, grace: float) -> asyncio.Task[None]:
    """Stop the outbox sender now (no new claims; unstarted rows handed back); the task ends
    once its sends in flight are settled, or cut short after `grace` seconds."""
    data: BotData = app.bot_data
    sender, data.outbox = data.outbox, None

    async def stop() -> None:
        if sender is not None:
            await sender.stop(timeout=grace)

    return asyncio.create_task(stop(), name="outbox-stop")


def _handlers_running() -> list[asyncio.Task[object]]:
    return [
        task
        for task in asyncio.all_tasks()
        if task.get_name().endswith(HANDLER_TASK) and not task.done()
    ]


async def finish_updates(app: Application, deadline: float) -> None:
    """`app.stop()` (every update fetched is handled), with the handlers still running at
    `deadline` (loop time) cancelled."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.create_task(app.stop(), name="application-stop")
    await asyncio.wait({stopping}, timeout=max(deadline - loop.time(), 0.0))
    if not stopping.done():
        late = _handlers_running()
        log.warning("stopping: %d update(s) still handled at the deadline: cancelled", len(late))
        for task in late:
            task.cancel()
        await asyncio.wait({stopping}, timeout=LAST_WAIT)
    if stopping.done():
        with contextlib.suppress(asyncio.CancelledError):
            stopping.result()  # raises what app.stop raised
    else:
        log.error("stopping: the application did not stop; closing anyway")
        stopping.cancel()
