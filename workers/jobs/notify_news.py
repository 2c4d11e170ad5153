"""Push important news: the stories that are important and fresh, about coins people follow
the news of, go to each follower as a notice through the outbox (services.follows.push_news:
at most a few a day each, none twice, none during their quiet hours)."""

from __future__ import annotations

from services.follows import push_news
from workers.jobs.base import JobResult, WorkerDeps


async def run(deps: WorkerDeps) -> JobResult:
    pushed = await push_news(deps)
    return JobResult(
        summary=f"{pushed.pushed} stories pushed to {pushed.followers} followers "
        f"({pushed.important} important, {pushed.quiet} in quiet hours)"
    )
