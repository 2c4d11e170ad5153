"""Learn what each exchange lists, so any coin it trades can be asked for by name."""

from __future__ import annotations

from db.repos.assets import register_listings
from workers.jobs.base import JobResult, WorkerDeps


async def run(deps: WorkerDeps) -> JobResult:
    """Record every exchange's spot USD markets; new coins start untracked."""
    new = 0
    listing = []
    for source in deps.sources:
        listed = source.listed()
        if not listed:
            continue  # not started yet (down at start-up): the next run will have it
        async with deps.sessions.begin() as session:
            new += await register_listings(session, source.name, listed, deps.clock.now())
        listing.append(f"{source.name} {len(listed)}")
    if new:
        await deps.assets_changed()
    await deps.current_directory()
    return JobResult(summary=f"listed: {', '.join(listing) or 'none'}; {new} new markets")
