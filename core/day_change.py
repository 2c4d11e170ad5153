"""The 24 h change of a price: against the price exactly a day before, whatever an exchange's
own ticker calls its change."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from core.market import floor_time

DAY: Final = timedelta(hours=24)
# Exchanges whose polled ticker gives the change since the day's opening (00:00 UTC), not over
# the last 24 h: kraken's REST ticker "o" is today's opening price.
SINCE_MIDNIGHT: Final = frozenset({"kraken"})
# The stored candles a day-ago price is read from, finest first, and the moment of each whose
# open is the price then.
DAY_AGO_TIMEFRAMES: Final = ("1m", "1h")


def day_ago_opens(now: datetime) -> dict[str, datetime]:
    """timeframe -> open time of the candle holding the moment 24 h before `now`."""
    return {tf: floor_time(now - DAY, tf) for tf in DAY_AGO_TIMEFRAMES}


def rolling_change_pct(last: Decimal, day_ago: Decimal | None) -> Decimal | None:
    """Percent change from `day_ago` to `last`; None without a positive price a day ago."""
    if day_ago is None or not day_ago.is_finite() or day_ago <= 0:
        return None
    return (last - day_ago) / day_ago * 100
