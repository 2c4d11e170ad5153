"""What a digest says, as facts (never words): pydantic, so a digest goes into the outbox as
JSON and is rendered by the bot in the chat's language when it is sent.

`DigestFacts.sections` holds each section's facts in the digest's order; a section with
nothing to say is left out. Each section's facts name their section (`section`), which is
how they are read back (core.digest.registry maps names to their models)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, SerializeAsAny, field_validator

from core.market import PriceQuote

F = TypeVar("F", bound="SectionFacts")


class SectionFacts(BaseModel):
    """Base of every section's facts."""

    model_config = ConfigDict(frozen=True)
    NAME: ClassVar[str]

    section: str


class CoinLine(BaseModel):
    """A coin's price and its change over 24 h."""

    model_config = ConfigDict(frozen=True)

    coin: str
    name: str | None = None
    price: Decimal
    quote: str = "USD"
    change_pct: Decimal | None = None
    at: datetime | None = None  # when the price was taken

    @classmethod
    def of(cls, coin: str, name: str | None, quote: PriceQuote) -> CoinLine:
        """The line of `coin` (called `name`) as `quote` prices it."""
        return cls(
            coin=coin,
            name=name,
            price=quote.price,
            quote=quote.quote,
            change_pct=quote.change_24h_pct,
            at=quote.ts,
        )


class StoryLine(BaseModel):
    """A story of the period."""

    model_config = ConfigDict(frozen=True)

    title: str
    url: str | None = None
    source: str | None = None
    publishers: int = 1
    published_at: datetime
    sentiment: float | None = None  # in [-1, 1]
    coins: tuple[str, ...] = ()


class MoodLine(BaseModel):
    """The sentiment index of a coin (None: the whole market)."""

    model_config = ConfigDict(frozen=True)

    coin: str | None
    value: float
    stories: int
    change_24h: float | None = None


class ForecastLine(BaseModel):
    """A coin's latest served forecast and the live record of its forecasts."""

    model_config = ConfigDict(frozen=True)

    coin: str
    horizon: str
    p_up: float | None = None  # None: no forecast yet
    no_edge: bool = False  # the base rate is served: no model earned its place
    confidence: str | None = None  # core.predict.record.confidence: none/toss_up/low/...
    made_at: datetime | None = None
    q10: float | None = None
    q90: float | None = None
    resolved: int = 0  # the live record: forecasts whose horizon passed
    hit_rate: float | None = None
    skill: float | None = None


class DigestFacts(BaseModel):
    """A digest's facts as of `at`, for `coins`, its sections in order."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    coins: tuple[str, ...] = ()
    sections: tuple[SerializeAsAny[SectionFacts], ...] = ()

    @field_validator("sections", mode="before")
    @classmethod
    def _typed(cls, value: Any) -> Any:
        """Each section's dict read as its own model; an unknown section is dropped (a
        newer writer's), so an old bot still sends the rest."""
        from core.digest.registry import FACTS  # the registry imports the sections: late

        if not isinstance(value, (list, tuple)):
            return value
        read: list[Any] = []
        for item in value:
            if isinstance(item, SectionFacts):
                read.append(item)
            elif isinstance(item, dict) and item.get("section") in FACTS:
                read.append(FACTS[item["section"]].model_validate(item))
        return tuple(read)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.section for s in self.sections)

    def section(self, kind: type[F]) -> F | None:
        """The facts of the section `kind` models, or None when the digest has none."""
        for found in self.sections:
            if isinstance(found, kind):
                return found
        return None
