"""What the digest sections read: everything a batch of digests needs, gathered once by
services.digest_inputs and handed to the pure composers. Plain frozen dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from core.market import PriceQuote
from core.predict import Forecast, Metrics

# What a section may need; services.digest_inputs reads only those asked for.
PRICES = "prices"  # the latest quote (with its 24 h change) of the digest's coins
TRACKED = "tracked"  # the latest quotes of every tracked coin (movers)
NEWS = "news"  # the stories of the period and the sentiment index per coin
FORECASTS = "forecasts"  # the latest served forecast per coin and the live record


@dataclass(frozen=True, slots=True)
class StoryInput:
    """A story of the period as the digest sees it."""

    id: int
    title: str
    url: str | None
    source: str | None
    publishers: int
    published_at: datetime
    sentiment: float | None  # in [-1, 1]
    coins: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MoodInput:
    """The sentiment index of a coin (or the market) at its latest point."""

    value: float  # in [-1, 1]
    stories: int
    change_24h: float | None = None


@dataclass(frozen=True, slots=True)
class DigestInputs:
    """Everything a batch of digests reads, as of `at`. Missing inputs are empty."""

    at: datetime
    quotes: Mapping[str, PriceQuote] = field(default_factory=dict)  # coin -> latest quote
    tracked: tuple[str, ...] = ()  # the coins whose movers are shown
    names: Mapping[str, str] = field(default_factory=dict)  # coin -> "Bitcoin"
    stories: tuple[StoryInput, ...] = ()  # newest first
    moods: Mapping[str, MoodInput] = field(default_factory=dict)  # coin -> index
    market_mood: MoodInput | None = None
    horizon: str = "24h"
    forecasts: Mapping[str, Forecast] = field(default_factory=dict)  # coin -> at `horizon`
    record: Mapping[str, Metrics] = field(default_factory=dict)  # coin -> live, at `horizon`
