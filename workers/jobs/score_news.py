"""Score news: stories no model has scored, in batches, by both sentiment models (VADER and
the light model, workers.sentiment) on a worker thread; then the sentiment index's hourly
points of each followed coin and of the market (services.sentiment_series)."""

from __future__ import annotations

import asyncio
import logging

from services.news import StoryScore, save_scores, stories_to_score
from services.sentiment_series import update_sentiment_index
from workers.jobs.base import JobResult, WorkerDeps

log = logging.getLogger(__name__)

BATCH = 256  # headlines scored per call (and per transaction)
MAX_PER_RUN = 4096  # so a backlog is worked off over runs, the index kept on time meanwhile


async def score_stories(deps: WorkerDeps) -> int:
    """Score what is unscored, up to MAX_PER_RUN; how many were scored. The models are loaded
    (once per process) only when there is something to score."""
    stories = await stories_to_score(deps, BATCH)
    if not stories:
        return 0
    from workers.sentiment import load_scorers

    scorers = await asyncio.to_thread(load_scorers)
    scored = 0
    while stories and scored < MAX_PER_RUN:
        scores = await asyncio.to_thread(scorers.score, [story.title for story in stories])
        await save_scores(
            deps,
            [
                StoryScore(story.id, s.vader, s.model, s.label)
                for story, s in zip(stories, scores, strict=True)
            ],
            scorers.version,
        )
        scored += len(stories)
        stories = await stories_to_score(deps, BATCH)
    return scored


async def run(deps: WorkerDeps) -> JobResult:
    try:
        scored = await score_stories(deps)
    except Exception as exc:  # no usable model: the index is still kept from what is scored
        log.exception("news could not be scored")
        points = await update_sentiment_index(deps)
        return JobResult(ok=False, summary=f"not scored ({type(exc).__name__}); {points} points")
    points = await update_sentiment_index(deps)
    return JobResult(summary=f"{scored} stories scored; {points} index points")
