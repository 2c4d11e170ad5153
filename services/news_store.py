"""Storing a feed's items as stories, a building block (it takes the caller's session and opens
no transaction): one story, one row, however many publishers carry it.

An item is already stored when its canonical URL is, or its publisher's GUID; otherwise it
retells a stored story when its headline is a near-duplicate of one published within the
window (core.news.titles), and becomes that story's coverage, counting its publisher; else it
is a story of its own. Either way the coins its title and summary name are tagged.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.news.feeds import Item
from core.news.tagging import Tagger, vocabulary
from core.news.titles import WINDOW, Candidate, near_duplicate, title_key
from db.repos import news as repo
from db.repos.assets import AssetDirectory


@dataclass
class Stored:
    """What storing one feed's items did."""

    new: int = 0  # stories of their own
    retold: int = 0  # items added to a story another item told first
    known: int = 0  # items stored before (URL or GUID)


@functools.lru_cache(maxsize=4)
def _tagger(words: frozenset[tuple[str, str]]) -> Tagger:
    return Tagger(dict(words))


def tagger_for(directory: AssetDirectory) -> Tagger:
    """A tagger for the assets Pythia knows (built once per set of names)."""
    words = vocabulary(directory.names, directory.ids)
    return _tagger(frozenset(words.items()))


def _fresh(items: Sequence[Item], urls: set[str], guids: set[str]) -> list[Item]:
    """Items neither stored nor repeated earlier in the same feed."""
    seen: set[str] = set()
    fresh = []
    for item in items:
        if item.url in urls or item.url in seen or (item.guid and item.guid in guids):
            continue
        seen.add(item.url)
        if item.guid:
            guids = guids | {item.guid}
        fresh.append(item)
    return fresh


async def store_items(
    session: AsyncSession,
    items: Sequence[Item],
    tagger: Tagger,
    asset_ids: Mapping[str, int],
    now: datetime,
) -> Stored:
    """Store one publisher's items (dedupe, coverage, tags); see the module's doc."""
    stored = Stored()
    if not items:
        return stored
    publisher = items[0].publisher
    urls = await repo.known_urls(session, [item.url for item in items])
    guids = await repo.known_guids(session, publisher, [i.guid for i in items if i.guid])
    fresh = _fresh(items, urls, guids)
    stored.known = len(items) - len(fresh)
    if not fresh:
        return stored
    dates = [item.published_at for item in fresh]
    candidates = [
        Candidate(s.id, s.title, s.published_at, s.title_key)
        for s in await repo.stories_between(session, min(dates) - WINDOW, max(dates) + WINDOW)
    ]
    coverage: list[dict[str, object]] = []
    retold: set[int] = set()
    tags: set[tuple[int, int]] = set()
    for item in fresh:
        story_id = near_duplicate(item.title, item.published_at, candidates)
        if story_id is None:
            key = title_key(item.title)
            story_id = await repo.add_story(
                session,
                source=item.publisher,
                url=item.url,
                title=item.title,
                title_key=key,
                summary=item.summary,
                published_at=item.published_at,
                fetched_at=now,
                publishers=1,
            )
            candidates.append(Candidate(story_id, item.title, item.published_at, key))
            stored.new += 1
        else:
            retold.add(story_id)
            stored.retold += 1
        coverage.append(
            {
                "article_id": story_id,
                "publisher": item.publisher,
                "url": item.url,
                "guid": item.guid,
                "title": item.title,
                "published_at": item.published_at,
                "fetched_at": now,
            }
        )
        named = tagger.tag(item.title) | tagger.tag(item.summary)
        tags |= {(story_id, asset_ids[symbol]) for symbol in named if symbol in asset_ids}
    await repo.add_coverage(session, coverage)
    await repo.recount(session, sorted(retold))
    await repo.add_tags(session, tags)
    return stored
