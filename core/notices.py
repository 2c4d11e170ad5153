"""What the workers hand the bot: notices — typed, versioned facts, never words.

A notice goes into the outbox as JSON (`to_payload`) and is read back by the bot's sender
(`read_payload`), which renders it in the recipient's language and time zone when it sends.
Both sides import this module and nothing else of each other. A notice type is a pydantic
model with a `type` and a `version`; a new field gets a default (old rows still read), a
change of meaning gets a new version and an `upgrade` from the old one.

Rows written before notices existed hold finished HTML (`{"text": …, "buttons": …}`):
`read_payload` returns None for them and the sender sends their text as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.digest.facts import DigestFacts


class Notice(BaseModel):
    """Base of every notice: facts for one chat (and, for a person's own, their user id)."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    TYPE: ClassVar[str]

    version: int = 1

    @classmethod
    def upgrade(cls, data: dict[str, Any]) -> dict[str, Any]:
        """Data written by an older version, as this version reads it."""
        return data


class Headline(BaseModel):
    """A news story under an alert (or in a digest): what it said, where, when."""

    model_config = ConfigDict(frozen=True)

    title: str
    url: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    sentiment: float | None = None  # a score in [-1, 1]
    publishers: int = 1  # how many carried the story


class AlertCondition(BaseModel):
    """An alert as it is stored (the `alerts` columns `core.alerts.storage` maps a spec to):
    enough to say what fired in any language, and to rebuild the `AlertSpec`."""

    model_config = ConfigDict(frozen=True)

    symbol: str
    kind: str
    direction: str | None = None
    threshold: Decimal | None = None
    timeframe: str | None = None
    window_seconds: int | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    recurring: bool = False
    cooldown_seconds: int = 0
    expires_at: datetime | None = None


class ForecastRecord(BaseModel):
    """How right a coin's served forecasts at one horizon have been: of `resolved` predictions
    whose horizon passed, `correct` called the direction."""

    model_config = ConfigDict(frozen=True)

    resolved: int
    correct: int


class AlertFired(Notice):
    """A person's alert fired: on what, at which price, when, and how many times so far."""

    TYPE: ClassVar[str] = "alert_fired"
    type: Literal["alert_fired"] = "alert_fired"

    alert_id: int
    user_id: int
    condition: AlertCondition
    at: datetime  # the tick's time, the close of the candle, the index point or the story
    price: Decimal | None  # None: no price known (a news alert on a coin not yet priced)
    quote: str = "USD"
    change_pct: Decimal | None = None
    change_window: timedelta | None = None  # what change_pct is measured over
    fire_count: int = 1  # including this firing
    quiet: bool = False  # fired in quiet hours: held, then merged into one summary
    headlines: tuple[Headline, ...] = ()  # the coin's latest stories, or those that drove it
    value: Decimal | None = None  # a news alert's: the sentiment index, or stories counted;
    # a forecast alert's: the chance (0..1) of its side in the prediction it fired on
    record: ForecastRecord | None = None  # a forecast alert's: the served forecasts' record
    thread_id: int | None = None  # a group alert set in a forum topic posts into that topic


class NewsStory(Notice):
    """An important story about coins a person follows the news of (/follow news BTC): what
    it said, who carried it, when, how it reads, and which of their coins it is about."""

    TYPE: ClassVar[str] = "news_story"
    type: Literal["news_story"] = "news_story"

    story_id: int
    user_id: int
    title: str
    url: str
    publishers: tuple[str, ...] = ()  # the first to publish first
    publisher_count: int = 1
    published_at: datetime
    at: datetime  # when it was chosen for the person (their age of it is counted to here)
    sentiment: float | None = None  # a score in [-1, 1]
    label: str | None = None  # negative, neutral or positive
    coins: tuple[str, ...] = ()  # every coin it is about
    followed: tuple[str, ...] = ()  # those of them the person follows


def to_payload(notice: Notice) -> dict[str, Any]:
    """The outbox payload of `notice`. `quiet` is kept on top, where the outbox's claim reads it."""
    return {
        "quiet": bool(getattr(notice, "quiet", False)),
        "notice": notice.model_dump(mode="json"),
    }


def read_payload(payload: Mapping[str, Any]) -> Notice | None:
    """The notice an outbox payload holds; None for a row of finished text (written before
    notices). Raises ValueError (pydantic's ValidationError is one) for a notice it cannot
    read: an unknown type, or fields that do not fit."""
    data = payload.get("notice")
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise ValueError("the notice is not an object")
    model = NOTICE_TYPES.get(str(data.get("type")))
    if model is None:
        raise ValueError(f"unknown notice type {data.get('type')!r}")
    return model.model_validate(model.upgrade(dict(data)))


class DigestPosted(Notice):
    """A scheduled digest is due in a chat (and topic): its facts, composed once for every
    chat asking for the same sections and coins; the bot says them in the chat's language."""

    TYPE: ClassVar[str] = "digest"
    type: Literal["digest"] = "digest"

    digest_id: int
    thread_id: int | None = None  # the forum topic it posts into
    slot: datetime  # the scheduled time it is for
    schedule: str  # canonical: "daily 08:00", "weekly mon 09:30", "every 6h"
    facts: DigestFacts


NOTICE_TYPES: dict[str, type[Notice]] = {
    AlertFired.TYPE: AlertFired,
    NewsStory.TYPE: NewsStory,
    DigestPosted.TYPE: DigestPosted,
}


class ChatPaused(Notice):
    """Pythia was removed from a group or channel (or lost the right to post there): what of it
    is paused, told to the person who set it up there, in their private chat."""

    TYPE: ClassVar[str] = "chat_paused"
    type: Literal["chat_paused"] = "chat_paused"

    user_id: int  # who set Pythia up there: the one told
    chat_id: int
    chat_type: str  # group, supergroup or channel
    title: str | None = None
    username: str | None = None
    digests: int = 0  # what stopped posting there
    alerts: int = 0
    at: datetime


NOTICE_TYPES[ChatPaused.TYPE] = ChatPaused


class Broadcast(Notice):
    """A message from Pythia's operators to everyone (/broadcast): their plain text, as typed
    (line breaks kept), for one person."""

    TYPE: ClassVar[str] = "broadcast"
    type: Literal["broadcast"] = "broadcast"

    broadcast_id: str  # one per /broadcast sent: its rows' dedupe keys and /status group by it
    user_id: int
    text: str
    at: datetime  # when it was sent out


NOTICE_TYPES[Broadcast.TYPE] = Broadcast
