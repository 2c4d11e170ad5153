"""Learn what each exchange lists, so any coin it trades can be asked for by name."""

from __future__ import annotations

from services.listings import record_listings
from workers.jobs.base import JobResult, WorkerDeps


async def run(deps: WorkerDeps) -> JobResult:
    """Record every exchange's spot USD markets; new coins start untracked."""
    # An exchange that was down at start-up lists nothing yet: the next run will have it.
    listings = {source.name: listed for source in deps.sources if (listed := source.listed())}
    new = await record_listings(deps, listings)
    counts = ", ".join(f"{name} {len(listed)}" for name, listed in listings.items())
    return JobResult(summary=f"listed: {counts or 'none'}; {new} new markets")
