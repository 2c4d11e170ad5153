"""What a batch of digests reads, once: the latest prices and 24 h changes, the tracked
coins' quotes (movers), the last day's stories with their sentiment and each coin's
sentiment index, the latest served forecasts at 24 h and their live record — only what the
asked sections need, in one read transaction. Chart candles are not read here: the bot draws
the chart when it sends (services.charts)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.digest.inputs import (
    FORECASTS,
    NEWS,
    PRICES,
    TRACKED,
    DigestInputs,
    MoodInput,
    StoryInput,
)
from core.digest.registry import needs, ordered
from core.predict import DEFAULT_HORIZON, Forecast, Metrics
from core.predict.record import score
from db.repos import news as news_repo
from db.repos import predictions as predictions_repo
from db.repos.assets import AssetDirectory
from services.deps import Deps
from services.news import coins_of
from services.predictions import _forecast_of, newest_model_at, record_bins_in
from services.prices import quotes
from services.sentiment_series import SentimentReading, summary_of

PERIOD = timedelta(hours=24)  # the stories of the last day
STORIES_READ = 50  # newest stories of the market read, and of each coin (then filtered)
MOOD_SPAN = timedelta(hours=26)  # the index's latest point and the one a day before it
MOOD_FRESH = timedelta(hours=6)  # an older latest point is not "now"


async def gather(
    deps: Deps, sections: Iterable[str], coins: Sequence[str], now: datetime
) -> DigestInputs:
    """Everything `sections` need for `coins` as of `now` (coins Pythia does not know are
    simply absent from what is read)."""
    wanted = needs(sections)
    coins = tuple(dict.fromkeys(c.upper() for c in coins))
    async with deps.read() as session:
        directory = await deps.directory_in(session)
        known = tuple(c for c in coins if c in directory.ids)
        tracked = directory.tracked if TRACKED in wanted else ()
        priced = tuple(dict.fromkeys((*known, *tracked))) if wanted & {PRICES, TRACKED} else ()
        found = await quotes(deps, session, list(priced)) if priced else {}
        stories: tuple[StoryInput, ...] = ()
        moods: dict[str, MoodInput] = {}
        market = None
        if NEWS in wanted:
            stories = await _stories(session, directory, known, now)
            for coin in known:
                mood = await _mood(session, directory.ids[coin], now)
                if mood is not None:
                    moods[coin] = mood
            market = await _mood(session, None, now)
        forecasts: dict[str, Forecast] = {}
        record: dict[str, Metrics] = {}
        if FORECASTS in wanted:
            forecasts, record = await _forecasts(session, directory, known)
    return DigestInputs(
        at=now,
        quotes=found,
        tracked=tracked,
        names={c: directory.names[c] for c in priced + known if c in directory.names},
        stories=stories,
        moods=moods,
        market_mood=market,
        horizon=DEFAULT_HORIZON,
        forecasts=forecasts,
        record=record,
    )


async def _stories(
    session: AsyncSession, directory: AssetDirectory, coins: Sequence[str], now: datetime
) -> tuple[StoryInput, ...]:
    """The stories of the last PERIOD: the market's newest and each coin's newest."""
    rows = {}
    scopes: list[int | None] = [None, *(directory.ids[c] for c in coins)]
    for asset_id in scopes:
        page = await news_repo.newest_stories(session, asset_id, 0, STORIES_READ)
        rows.update({row.id: row for row in page if now - PERIOD <= row.published_at <= now})
    tags = await coins_of(session, directory, list(rows))
    ordered = sorted(rows.values(), key=lambda r: (r.published_at, r.id), reverse=True)
    return tuple(
        StoryInput(
            id=row.id,
            title=row.title,
            url=row.url,
            source=row.source,
            publishers=row.publishers,
            published_at=row.published_at,
            sentiment=row.model_score if row.model_score is not None else row.vader_score,
            coins=tuple(sorted(tags.get(row.id, ()))),
        )
        for row in ordered
    )


async def _mood(session: AsyncSession, asset_id: int | None, now: datetime) -> MoodInput | None:
    """The index of `asset_id` (None: the market) at its latest point, if recent."""
    rows = await news_repo.points(session, asset_id, now - MOOD_SPAN, now)
    readings = [SentimentReading(r.ts, r.value, r.weight, r.stories) for r in rows]
    summary = summary_of(None, readings)
    if summary.now is None or now - summary.now.ts > MOOD_FRESH:
        return None
    return MoodInput(summary.now.value, summary.now.stories, summary.change_24h)


async def _forecasts(
    session: AsyncSession, directory: AssetDirectory, coins: Sequence[str]
) -> tuple[dict[str, Forecast], dict[str, Metrics]]:
    """The latest forecast at DEFAULT_HORIZON of each coin, and its live record (each
    resolved prediction against the base rate of the model that served it)."""
    forecasts: dict[str, Forecast] = {}
    record: dict[str, Metrics] = {}
    for coin in coins:
        asset_id = directory.ids[coin]
        row = await predictions_repo.latest(session, asset_id, DEFAULT_HORIZON)
        if row is not None:
            forecasts[coin] = _forecast_of(row)
        binned, _ = await record_bins_in(session, None, asset_id, DEFAULT_HORIZON)
        metrics = score(binned.get((coin, DEFAULT_HORIZON), {}))
        if metrics is not None:
            record[coin] = metrics
    return forecasts, record


async def available_sections(deps: Deps) -> tuple[str, ...]:
    """The sections whose capability is present, in the digest's order: prices (overview,
    movers) and the chart always; news when feeds are configured; predictions when the
    workers train models or a model was ever trained."""
    settings = deps.settings
    present = {"overview", "movers", "chart"}
    if settings.news_feeds:
        present.add("news")
    if settings.train_models or await newest_model_at(deps) is not None:
        present.add("predictions")
    return ordered(present)
