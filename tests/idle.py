"""Whether the real Application has handled every update the emulator holds for it.

A mixin for the stacks the e2e tests and the fuzzer run (each has `emu` and `app`): the
update processor takes updates of different chats or people concurrently, so "my reply came"
says nothing of another update sent alongside (a group's upgrade is two service messages,
one in each chat); `settle` waits for all of them.
"""

from __future__ import annotations

import asyncio
import time

from telegram.ext import Application

from bot.emulator import Emulator
from bot.emulator.emulator import PATIENCE


class Idle:
    emu: Emulator
    app: Application

    def busy(self) -> bool:
        """Whether an update is still on its way to, or inside, a handler."""
        processor = self.app.update_processor
        return bool(
            self.emu.state.updates  # not yet fetched and confirmed by the bot
            or not self.app.update_queue.empty()
            or processor.current_concurrent_updates
        )

    async def settle(self, timeout: float = PATIENCE) -> bool:
        """Wait until the bot has handled everything sent to it (False: still busy at
        `timeout`). Idle twice in a row: between taking an update off its queue and starting
        to handle it, PTB is briefly neither."""
        deadline = time.monotonic() + timeout
        idle = 0
        while idle < 2:
            await asyncio.sleep(0.004)
            idle = 0 if self.busy() else idle + 1
            if time.monotonic() > deadline:
                return False
        return True
