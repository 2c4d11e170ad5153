"""The offline sandbox: the real bot against the in-repo emulator, with a terminal chat."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
from collections.abc import Awaitable

from telegram.ext import Application

from bot.app import BotRuntime, build_application
from bot.chat import TerminalChat
from bot.emulator import Emulator, FloodLimits
from core.settings import Settings
from services.deps import Deps
from services.prices import next_quotes

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "7000000001:SANDBOX-offline-pythia"
SANDBOX_PORT = 8081


class Sandbox:
    """Emulator on 127.0.0.1:8081 (or any free port), the bot polling it, same Deps."""

    def __init__(self, settings: Settings, deps: Deps, port: int = SANDBOX_PORT) -> None:
        self.settings = settings
        self.deps = deps
        self.port = port
        self.emulator = Emulator(SANDBOX_TOKEN, flood_limits=FloodLimits())
        self.app: Application | None = None
        self._runtime: BotRuntime | None = None

    @property
    def emulator_url(self) -> str:
        return self.emulator.url or ""

    async def start(self) -> None:
        try:
            await self.emulator.start(port=self.port)
        except OSError as exc:  # 8081 taken: any free port will do
            if exc.errno != errno.EADDRINUSE:
                raise
            await self.emulator.start(port=0)
        app = self.app = build_application(
            self.settings,
            token=SANDBOX_TOKEN,
            base_url=self.emulator.base_url,
            base_file_url=self.emulator.base_file_url,
            deps=self.deps,
        )
        self._runtime = BotRuntime(app)
        await self._runtime.start(poll_timeout=10)
        await self._first_prices()
        log.info("sandbox emulator at %s", self.emulator_url)

    async def _first_prices(self, timeout: float = 10.0) -> None:
        """Open the chat once the replay's first prices are in, so /price answers at once."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await next_quotes(self.deps, self.settings.symbols[:1])

    async def chat_until(self, stop: Awaitable[object]) -> None:
        await TerminalChat(self.emulator, self.settings.data_dir / "sandbox").run(stop)

    async def stop(self) -> None:
        if self._runtime is not None:
            await self._runtime.stop()
        with contextlib.suppress(Exception):
            await self.emulator.stop()
