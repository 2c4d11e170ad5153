"""News and sentiment: the period's top stories about the digest's coins (or the market) and
the sentiment index of each coin."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import ClassVar, Literal

from core.digest.facts import MoodLine, SectionFacts, StoryLine
from core.digest.inputs import NEWS, DigestInputs, StoryInput

NAME = "news"
NEEDS = frozenset({NEWS})
PERIOD = timedelta(hours=24)
SHOWN = 5


class NewsFacts(SectionFacts):
    NAME: ClassVar[str] = NAME
    section: Literal["news"] = "news"

    stories: tuple[StoryLine, ...] = ()  # most carried first, then newest
    moods: tuple[MoodLine, ...] = ()  # the digest's coins', then the market's
    period_hours: int = 24


def _rank(story: StoryInput) -> tuple[int, float]:
    return (story.publishers, story.published_at.timestamp())


def compose(inputs: DigestInputs, coins: Sequence[str], at: datetime) -> NewsFacts | None:
    """Up to SHOWN stories of the last PERIOD about the digest's coins (all stories when none
    is about them), most widely carried first; the index of each coin that has one and of
    the market. None when the period had no story and no coin has an index."""
    wanted = set(coins)
    recent = [s for s in inputs.stories if at - PERIOD <= s.published_at <= at]
    about = [s for s in recent if wanted.intersection(s.coins)] or recent
    top = sorted(about, key=_rank, reverse=True)[:SHOWN]
    moods = [
        MoodLine(coin=c, value=m.value, stories=m.stories, change_24h=m.change_24h)
        for c in dict.fromkeys(coins)
        if (m := inputs.moods.get(c)) is not None
    ]
    market = inputs.market_mood
    if market is not None:
        moods.append(
            MoodLine(
                coin=None, value=market.value, stories=market.stories, change_24h=market.change_24h
            )
        )
    if not top and not moods:
        return None
    stories = tuple(
        StoryLine(
            title=s.title,
            url=s.url,
            source=s.source,
            publishers=s.publishers,
            published_at=s.published_at,
            sentiment=s.sentiment,
            coins=s.coins,
        )
        for s in top
    )
    return NewsFacts(
        stories=stories, moods=tuple(moods), period_hours=int(PERIOD / timedelta(hours=1))
    )
