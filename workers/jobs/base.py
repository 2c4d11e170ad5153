"""What every job shares: its result, and the dependencies it is handed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from services.deps import Deps
from workers.sources.base import MarketSource


@dataclass(frozen=True, slots=True)
class JobResult:
    ok: bool = True
    summary: str = ""


@dataclass
class WorkerDeps(Deps):
    """Deps plus what only workers hold: the market sources and this worker's name."""

    sources: list[MarketSource] = field(default_factory=list)
    worker_id: str = "worker"
    market_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    running: set[asyncio.Task[object]] = field(default_factory=set)  # jobs in flight
    stopping: bool = False  # set by shutdown: a cancelled job then ends quietly
