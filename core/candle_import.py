"""What an imported candle series is, and the rules a file of candles must satisfy to be one.

A series is one market's candles of one timeframe: exchange, pair, spot or perpetual. A file
says some of that itself (its layout, a ticker column, an API's answer), the command line the
rest; these rules read times written as epoch numbers, tell a series' timeframe from how far
apart its candles are, and say whether two versions of one candle are the same one. Pure: the
file reading and the words are the importer's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from core.currencies import TICKER_QUOTES
from core.dates import EARLIEST, LATEST
from core.market import TIMEFRAMES, Candle

SPOT, PERP = "spot", "perp"
KINDS = (SPOT, PERP)
# Two versions of a value agree within this share of it: as far as a float's formatting moves
# a price (a float32 printed short or in full differs in the 8th digit), and far closer than
# two exchanges' prices of one moment ever are.
AGREEMENT = Decimal("1e-7")
RUN = 3  # this many steps in a row of another timeframe are candles of that timeframe, not holes

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_MICROS = {unit: 10**exponent for unit, exponent in (("s", 6), ("ms", 3), ("us", 0))}
_FIRST = int((datetime.combine(EARLIEST, datetime.min.time(), UTC) - _EPOCH).total_seconds())
_LAST = int((datetime.combine(LATEST, datetime.max.time(), UTC) - _EPOCH).total_seconds())
_SPLIT = re.compile(r"^([A-Z0-9]{2,15})[/\-_ ]([A-Z0-9]{2,10})(?::([A-Z0-9]{2,10}))?$", re.ASCII)
_GLUED = re.compile(rf"^([A-Z0-9]{{2,15}}?)({'|'.join(TICKER_QUOTES)})$", re.ASCII)


@dataclass(frozen=True, slots=True)
class Pair:
    """What a market trades: BTC against USDT; a perpetual also settles in something (USDT for
    a linear one, BTC for an inverse one). Spelled as ccxt spells markets: `symbol`."""

    base: str
    quote: str
    settle: str | None = None  # None: spot

    @property
    def kind(self) -> str:
        return SPOT if self.settle is None else PERP

    @property
    def symbol(self) -> str:
        """ "BTC/USDT" for spot, "BTC/USDT:USDT" for a perpetual."""
        return f"{self.base}/{self.quote}" + (f":{self.settle}" if self.settle else "")

    @property
    def inverse(self) -> bool:
        """Settled in the coin itself: its contracts count dollars, not coins."""
        return self.settle == self.base

    def as_kind(self, kind: str) -> Pair:
        """This pair's spot market, or its perpetual (linear unless it already says inverse)."""
        if kind == SPOT:
            return Pair(self.base, self.quote)
        return Pair(self.base, self.quote, self.settle or self.quote)


def read_pair(text: str) -> Pair | None:
    """ "BTC/USDT", "btc-usdt", "BTCUSDT" (spot) or "BTC/USDT:USDT" (a perpetual); None if it
    names no pair. Glued tickers are split at the quote (the longest known quote)."""
    written = text.strip().upper()
    if split := _SPLIT.match(written):
        base, quote, settle = split.groups()
    elif glued := _GLUED.match(written):
        (base, quote), settle = glued.groups(), None
    else:
        return None
    return None if base == quote else Pair(base, quote, settle)


def epoch_time(number: int) -> datetime | None:
    """An epoch number as a moment, its unit told by its size: seconds, milliseconds or
    microseconds since 1970 (the three ranges of EARLIEST..LATEST do not overlap); None when
    it fits none."""
    for micros in _MICROS.values():
        seconds, fraction = divmod(number * micros, 1_000_000)
        if _FIRST <= seconds <= _LAST:
            return _EPOCH + timedelta(seconds=seconds, microseconds=fraction)
    return None


def timeframe_named(length: timedelta) -> str | None:
    return next((name for name, step in TIMEFRAMES.items() if step == length), None)


class SpacingProblem(ValueError):
    """Why a file's candle times are not one series: `code`, the index in the sorted times of
    the candle it concerns (`at`), the step found there or most common (`step`), and the
    timeframe the file was measured against (`timeframe`), where they apply."""

    def __init__(
        self, code: str, at: int = 0, step: timedelta | None = None, timeframe: str = ""
    ) -> None:
        super().__init__(code, at, step, timeframe)
        self.code, self.at, self.step, self.timeframe = code, at, step, timeframe


def timeframe_of(times: Sequence[int], stated: str | None = None) -> str:
    """The timeframe of candles opened at `times` (microseconds since 1970 UTC, sorted, no two
    alike — an importer holds millions of them, 8 bytes each): `stated` if given, else the step
    most of them are apart. Holes are fine (an exchange's outage); raises SpacingProblem when
    the times do not make one series:

    - `single`: one candle, and no timeframe stated;
    - `not_a_timeframe` (step): most candles are `step` apart, which no timeframe is;
    - `other_timeframe` (step): most are `step` apart, not the stated timeframe;
    - `misaligned` (at): a candle does not open where a candle of the timeframe opens;
    - `mixed` (at, step): a candle `step` after the one before it, not a whole number of
      periods — a candle of another timeframe;
    - `run` (at, step): from `at` on, candles `step` apart, RUN steps in a row: another
      timeframe (holes from outages are of all lengths).
    """
    if len(times) < 2:
        if stated is None:
            raise SpacingProblem("single")
        timeframe = stated
    else:
        counts = Counter(later - earlier for earlier, later in pairwise(times))
        common = max(counts, key=lambda step: (counts[step], -step))  # ties: the shorter
        named = timeframe_named(_span(common))
        if stated is not None and _span(common) != TIMEFRAMES[stated]:
            raise SpacingProblem("other_timeframe", step=_span(common))
        if named is None:
            raise SpacingProblem("not_a_timeframe", step=_span(common))
        timeframe = named
    length = TIMEFRAMES[timeframe] // _MICROSECOND
    lengths = {step // _MICROSECOND for step in TIMEFRAMES.values()}
    run_step, run = length, 0  # the latest steps alike, other than the timeframe's: how many
    previous = None
    for at, ts in enumerate(times):
        step = length if previous is None else ts - previous
        previous = ts
        if step % length:
            raise SpacingProblem("mixed", at, _span(step), timeframe)
        if ts % length:
            raise SpacingProblem("misaligned", at, timeframe=timeframe)
        if step != length:  # a hole, or candles of another timeframe
            run = run + 1 if step == run_step else 1
            if run == RUN and step in lengths:
                raise SpacingProblem("run", at - RUN, _span(step), timeframe)
        else:
            run = 0
        run_step = step
    return timeframe


def micros(moment: datetime) -> int:
    """`moment` as microseconds since 1970 UTC, as `timeframe_of` takes times."""
    return (moment - _EPOCH) // _MICROSECOND


def _span(micros: int) -> timedelta:
    return timedelta(microseconds=micros)


def agree(stored: Decimal, given: Decimal) -> bool:
    """Whether two versions of a value are the same value, written differently."""
    return abs(stored - given) <= AGREEMENT * max(abs(stored), abs(given))


def differences(stored: Candle, given: Candle) -> tuple[str, ...]:
    """Names of the values ("open", … "volume") in which two versions of a candle disagree."""
    names = ("open", "high", "low", "close", "volume")
    return tuple(n for n in names if not agree(getattr(stored, n), getattr(given, n)))
