"""Which of an asset's candle series to believe for a timeframe, and how that series is put
together from what is stored.

An asset may have candles on several markets: the live ones of the exchanges Pythia follows,
and histories imported from files (Binance dumps, Yahoo downloads) that may have ended long
ago. Among the markets with candles for the timeframe (stored as such, or buildable from the
FINER timeframe), `choose` takes, in order:

1. fresh before stale: a series is fresh while its newest candle opened at most FRESH_PERIODS
   periods of the timeframe ago, and never less than FRESH_AT_LEAST (1h: 3 hours, 4h: 12 hours,
   1d: 3 days) — an exchange that stopped, or a file that ended, stops being believed;
2. spot before perp: a perpetual only where no spot market is as fresh (its price carries the
   funding premium; its candles are not the coin's);
3. coverage: the most candles over the span asked (stored ones counted; finer ones measured
   by the time they span, as counting years of them would cost more than the answer);
4. the configured exchange order (Settings.exchanges); exchanges not in it after, by name.

When none is fresh, the most recent one wins (then 2–4 break ties), and it is said to be stale.

A timeframe is read as stored, and built from the finer one only where stored candles are
missing: before the first and after the last stored one in the span (a hole between stored
candles stays a hole). A built candle stands only when all its finer candles are stored; the
one still forming, when every finer candle from its start to the latest is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from core.market import TIMEFRAMES, Candle, floor_time

FRESH_PERIODS = 3  # a series whose newest candle is older than this many periods is stale…
FRESH_AT_LEAST = timedelta(hours=2)  # …but never sooner: an hour of outage is not a dead feed
# The stored timeframe each longer one is built from where its own candles are missing.
FINER: dict[str, str] = {"4h": "1h", "1d": "1h"}

Range = tuple[datetime | None, datetime | None]  # open times in [start, end); None: unbounded


@dataclass(frozen=True, slots=True)
class Candidate:
    """One market's candles for a timeframe, as the rule weighs them."""

    market_id: int
    exchange: str  # "binance"
    pair: str  # "BTC/USDT"
    quote: str  # "USDT"
    kind: str  # "spot" or "perp"
    newest: datetime  # open time of its newest candle, of the timeframe or the finer one
    coverage: int  # candles of the timeframe it has over the span asked


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a series came from and how current it is: what a reply says with it."""

    exchange: str
    pair: str
    kind: str
    fresh: bool
    age: timedelta  # since its newest candle opened, when it was read


def fresh_within(timeframe: str) -> timedelta:
    """How old a series' newest candle may be for the series to count as fresh."""
    return max(FRESH_PERIODS * TIMEFRAMES[timeframe], FRESH_AT_LEAST)


def is_fresh(newest: datetime, timeframe: str, now: datetime) -> bool:
    return now - newest <= fresh_within(timeframe)


def choose(
    candidates: Iterable[Candidate], timeframe: str, now: datetime, exchanges: Sequence[str]
) -> Candidate | None:
    """The series to believe (see the module's rule), or None when there is none."""
    pool = list(candidates)
    if not pool:
        return None
    order = {name: i for i, name in enumerate(exchanges)}

    def preference(c: Candidate) -> tuple[bool, int, int, str, int]:
        rank = order.get(c.exchange, len(order))
        return (c.kind != "spot", -c.coverage, rank, c.exchange, c.market_id)

    fresh = [c for c in pool if is_fresh(c.newest, timeframe, now)]
    if fresh:
        return min(fresh, key=preference)
    return min(pool, key=lambda c: (-c.newest.timestamp(), *preference(c)))


def origin(chosen: Candidate, timeframe: str, now: datetime) -> Origin:
    fresh = is_fresh(chosen.newest, timeframe, now)
    age = max(now - chosen.newest, timedelta(0))
    return Origin(chosen.exchange, chosen.pair, chosen.kind, fresh, age)


def coverage(stored: int, finer: int, timeframe: str) -> int:
    """Candles of `timeframe` over a span: `stored` ones, and as many whole ones as `finer`
    candles of FINER[timeframe] (where the timeframe's own are missing) make up."""
    source = FINER.get(timeframe)
    if source is None or not finer:
        return stored
    return stored + finer // _ratio(source, timeframe)


def periods_spanned(first: datetime, last: datetime, timeframe: str) -> int:
    """Candles of `timeframe` from the one opened at `first` to the one at `last`, both in, as
    if none were missing between (a hole shows when the candles are read)."""
    return (last - first) // TIMEFRAMES[timeframe] + 1


def missing_ranges(
    since: datetime | None, first: datetime | None, last: datetime | None, timeframe: str
) -> list[Range]:
    """Where finer candles stand in for the timeframe's own, given the first and last stored
    since `since`: before the first and after the last; the whole span when none is stored."""
    if first is None or last is None:
        return [(since, None)]
    after: Range = (last + TIMEFRAMES[timeframe], None)
    if since is not None and since >= first:
        return [after]
    return [(since, first), after]


def build(finer: Sequence[Candle], source: str, timeframe: str, now: datetime) -> list[Candle]:
    """Candles of `timeframe` from `finer` ones of `source` (oldest first, one per open time):
    each whole one, and the one still forming at `now` when its finer candles have no hole."""
    ratio, step, period = _ratio(source, timeframe), TIMEFRAMES[source], TIMEFRAMES[timeframe]
    buckets: dict[datetime, list[Candle]] = {}
    for candle in finer:
        buckets.setdefault(floor_time(candle.ts, timeframe), []).append(candle)
    built = []
    for start, group in buckets.items():
        whole = len(group) == ratio
        forming = start + period > now and (group[-1].ts - start) // step + 1 == len(group)
        if whole or forming:
            built.append(
                Candle(
                    start,
                    group[0].open,
                    max(c.high for c in group),
                    min(c.low for c in group),
                    group[-1].close,
                    sum((c.volume for c in group), Decimal(0)),
                )
            )
    return built


def assemble(stored: Sequence[Candle], built: Sequence[Candle]) -> list[Candle]:
    """One series, oldest first: every stored candle, and a built one only where none is."""
    have = {c.ts for c in stored}
    return sorted([*stored, *(c for c in built if c.ts not in have)], key=lambda c: c.ts)


def _ratio(source: str, timeframe: str) -> int:
    ratio, rest = divmod(TIMEFRAMES[timeframe], TIMEFRAMES[source])
    if ratio < 1 or rest:
        raise ValueError(f"{timeframe} candles cannot be built from {source} candles")
    return ratio
