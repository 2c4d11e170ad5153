"""What every job shares: its result, and the dependencies it is handed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from services.deps import Deps
from workers.latest import LatestTickers
from workers.sources.base import MarketSource

if TYPE_CHECKING:
    from workers.news.sources import NewsSources
    from workers.sources.streaming import TickerStream


@dataclass(frozen=True, slots=True)
class JobResult:
    """How a run ended, for the operators' log and the job_runs table."""

    ok: bool = True
    summary: str = ""


@dataclass
class WorkerDeps(Deps):
    """Deps plus what only workers hold: the market sources and this worker's name."""

    sources: list[MarketSource] = field(default_factory=list)
    worker_id: str = "worker"
    market_ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (exchange, market)
    running: set[asyncio.Task[object]] = field(default_factory=set)  # jobs in flight
    stopping: bool = False  # set by shutdown: a cancelled job then ends quietly
    latest: LatestTickers = field(default_factory=LatestTickers)  # both lanes' latest tickers
    streams: dict[str, TickerStream] = field(default_factory=dict)  # exchange -> its stream
    news: NewsSources | None = None  # the feeds the news job fetches

    @classmethod
    def of(cls, deps: Deps, **worker: Any) -> WorkerDeps:
        """`deps`' engine, sessions, cache and clock, with the workers' own parts added."""
        return cls(**{f.name: getattr(deps, f.name) for f in fields(Deps)}, **worker)
