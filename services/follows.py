"""Following a coin's news: `/follow news BTC`, `/unfollow news BTC|all`, `/follow` (what one
follows), and the workers' push of important stories to the people who follow their coins.

Refusals: `follow.what` / `unfollow.what` (something other than news), `follow.which_coins` /
`unfollow.which_coins` (news and no coin), `coins.unknown` (nothing typed is a coin),
`follow.full` (most, have: following them all would pass MAX_FOLLOWED; nothing is added),
`follow.private` (typed in a group: pushes are personal and go to the private chat).

Pushing (`push_news`, one transaction): the important stories (core.news.importance) that are
still fresh, about coins someone follows, go to each follower not given them before, as many
as their day has room for, most important first, none during their quiet hours. Each push is a
`news_pushes` row and an outbox row (a `NewsStory` notice) whose dedupe key names the person
and the story, so running it twice, or in two processes, sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.news.follows import MAX_FOLLOWED, coins_to_follow, coins_to_unfollow
from core.news.importance import DAY, Rules, Story, is_important, sentiment_of, to_push
from core.notices import NewsStory, to_payload
from core.people import ChatSeen, PersonSeen
from core.quiet_hours import quiet_until
from core.refusal import Refusal
from core.symbols import SymbolRequest
from core.watchlist import adding
from db import outbox
from db.repos import news_follows as repo
from db.repos.news_follows import Follower, RecentStory
from db.repos.people import register
from services.coins import resolve_coins
from services.deps import Deps
from services.market import Unknown, refuse_unknown, unknown

log = logging.getLogger(__name__)

OUTBOX_KIND = "news"


@dataclass(frozen=True, slots=True)
class Followed:
    added: tuple[str, ...]
    already: tuple[str, ...]  # asked for, but followed before
    following: tuple[str, ...]  # every coin followed now, in the order they were followed
    unknown: Unknown  # what else was typed


@dataclass(frozen=True, slots=True)
class Unfollowed:
    removed: tuple[str, ...]
    missing: tuple[str, ...]  # asked for, but not followed
    following: tuple[str, ...]  # what is still followed
    unknown: Unknown


async def _coins(deps: Deps, session: AsyncSession, typed: Sequence[str]) -> SymbolRequest:
    """The coins typed; Refusal coins.unknown when none of it is a coin."""
    request = await resolve_coins(deps, session, typed, limit=MAX_FOLLOWED)
    if not request.symbols:
        refuse_unknown(deps, request)
    return request


async def follow_news(
    deps: Deps, person: PersonSeen, chat: ChatSeen, args: Sequence[str]
) -> Followed:
    """`/follow news BTC ETH`: follow those coins' news, all or none; `/follow` alone: what
    the person follows."""
    typed = coins_to_follow(args)
    if typed and chat.type != "private":
        raise Refusal("follow.private")
    async with deps.write_for(person.id) as session:
        current = await repo.followed(session, person.id)
        if not typed:
            return Followed((), (), tuple(current), unknown(deps, SymbolRequest()))
        request = await _coins(deps, session, typed)
        asked = adding(current, request.symbols)
        if not asked.fits(current, MAX_FOLLOWED):
            raise Refusal("follow.full", most=MAX_FOLLOWED, have=len(current))
        now = deps.clock.now()
        await register(session, person, chat, now)
        directory = await deps.directory_in(session)
        await repo.add(session, person.id, [directory.ids[s] for s in asked.new], now)
        following = await repo.followed(session, person.id)
    return Followed(asked.new, asked.already, tuple(following), unknown(deps, request))


async def unfollow_news(deps: Deps, user_id: int, args: Sequence[str]) -> Unfollowed:
    """`/unfollow news BTC` (or `all`): stop following those coins' news."""
    typed = coins_to_unfollow(args)
    async with deps.write_for(user_id) as session:
        request = SymbolRequest() if typed is None else await _coins(deps, session, typed)
        current = await repo.followed(session, user_id)
        asked = current if typed is None else list(request.symbols)
        targets = [s for s in asked if s in current]
        if targets:
            directory = await deps.directory_in(session)
            await repo.remove(session, user_id, [directory.ids[s] for s in targets])
    return Unfollowed(
        removed=tuple(targets),
        missing=tuple(s for s in asked if s not in current),
        following=tuple(s for s in current if s not in targets),
        unknown=unknown(deps, request),
    )


# --- pushing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pushed:
    """What one push run did: stories important now, people who follow news, pushes written,
    people in quiet hours (they get theirs when those end, if still fresh)."""

    important: int
    followers: int
    pushed: int
    quiet: int


async def push_news(
    deps: Deps, *, per_day: int | None = None, rules: Rules | None = None
) -> Pushed:
    """Push the important fresh stories to the people who follow their coins (see the module)."""
    rules = rules or Rules()
    per_day = deps.settings.news_pushes_per_day if per_day is None else per_day
    now = deps.clock.now()
    pushed = quiet = 0
    async with deps.write() as session:
        people = await repo.followers(session)
        news = await _important_news(deps, session, people, now, rules)
        today = await repo.pushes_per_person(session, now - DAY) if news.stories else {}
        for person in people:
            mine = news.for_person(person)
            if not mine or NewsStory.TYPE in person.muted:  # muted in /settings: never pushed
                continue
            silent = _quiet(person, now)
            quiet += silent
            had = today.get(person.user_id, 0)
            for story in to_push(mine, had, now, per_day=per_day, quiet=silent, rules=rules):
                pushed += await _push(session, news.notice(person, story.id, now), now)
    if pushed:
        await deps.cache.publish(outbox.OUTBOX_CHANNEL, str(pushed))
    return Pushed(len(news.stories), len(people), pushed, quiet)


@dataclass(frozen=True, slots=True)
class _News:
    """The stories important now about coins someone follows, and what a notice says of them."""

    stories: Mapping[int, RecentStory]
    assets: Mapping[int, frozenset[int]]  # story -> the assets it is about
    symbols: Mapping[int, str]  # asset id -> symbol
    publishers: Mapping[int, Sequence[str]]
    pushed: set[tuple[int, int]]  # (user, story) pushed before

    def for_person(self, person: Follower) -> list[Story]:
        """The stories about the person's coins not pushed to them yet."""
        return [
            _story(s)
            for s in self.stories.values()
            if (person.user_id, s.id) not in self.pushed and self.assets[s.id] & person.asset_ids
        ]

    def notice(self, person: Follower, story_id: int, now: datetime) -> NewsStory:
        story, assets = self.stories[story_id], self.assets[story_id]
        coins = sorted(self.symbols[a] for a in assets if a in self.symbols)
        followed = {self.symbols[a] for a in assets & person.asset_ids if a in self.symbols}
        return NewsStory(
            story_id=story.id,
            user_id=person.user_id,
            title=story.title,
            url=story.url,
            publishers=tuple(self.publishers.get(story.id, ())),
            publisher_count=story.publishers,
            published_at=story.published_at,
            at=now,
            sentiment=sentiment_of(story.model, story.vader),
            label=story.label,
            coins=tuple(coins),
            followed=tuple(c for c in coins if c in followed),
        )


async def _important_news(
    deps: Deps, session: AsyncSession, people: Sequence[Follower], now: datetime, rules: Rules
) -> _News:
    followed = sorted({a for person in people for a in person.asset_ids})
    found, tags = await repo.scored_since(session, now - rules.fresh, followed)
    stories = {s.id: s for s in found if is_important(_story(s), now, rules)}
    assets: dict[int, set[int]] = {story_id: set() for story_id in stories}
    for story_id, asset_id in tags:
        if story_id in assets:
            assets[story_id].add(asset_id)
    directory = await deps.directory_in(session)
    ids = list(stories)
    return _News(
        stories,
        {story_id: frozenset(found) for story_id, found in assets.items()},
        {asset_id: symbol for symbol, asset_id in directory.ids.items()},
        await repo.publishers_of(session, ids) if ids else {},
        await repo.pushed_of(session, ids) if ids else set(),
    )


def _story(row: RecentStory) -> Story:
    return Story(row.id, row.published_at, row.publishers, sentiment_of(row.model, row.vader))


def _quiet(person: Follower, now: datetime) -> bool:
    """In their quiet hours (in UTC when their zone is one this Python does not know)."""
    return quiet_until(now, person.timezone, person.quiet_start, person.quiet_end) is not None


def dedupe_key(user_id: int, story_id: int) -> str:
    """One outbox row per person and story, however often or wherever the push runs."""
    return f"news:{user_id}:{story_id}"


async def _push(session: AsyncSession, notice: NewsStory, now: datetime) -> int:
    """The push noted and its notice queued for the person's private chat (its id is theirs);
    0 if it went already (here or in another process)."""
    user_id = notice.user_id
    if not await repo.record_push(session, user_id, notice.story_id, now):
        return 0
    key = dedupe_key(user_id, notice.story_id)
    if await outbox.enqueue(session, user_id, OUTBOX_KIND, to_payload(notice), key, now) is None:
        return 0  # queued already, though not noted: leave it as it was
    return 1
