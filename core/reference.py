"""One price per asset from several exchanges: the median of fresh quotes, and their spread.

The median shrugs off one exchange with a stale or broken book; the spread tells how far the
exchanges disagree. Stablecoin quotes (USDT, USDC) count as USD here.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from core.currencies import USD_QUOTES
from core.market import PriceQuote, Ticker

# The `exchange` of a price taken from several: which ones is in `sources`.
SEVERAL = "several"


def _places(values: Iterable[Decimal]) -> int:
    exponents = [v.normalize().as_tuple().exponent for v in values]
    return max(max((-e for e in exponents if isinstance(e, int)), default=0), 0)


def _median(values: list[Decimal]) -> Decimal:
    """Median, kept to the precision the exchanges quote in (the mean of the middle two of an
    even count would otherwise grow an extra digit)."""
    return statistics.median(values).quantize(Decimal(1).scaleb(-_places(values)))


def reference_quotes(
    tickers: Iterable[Ticker], now: datetime, max_age: timedelta
) -> dict[str, PriceQuote]:
    """The cross-exchange price of each asset from `tickers` younger than `max_age`; when none
    of an asset's quotes is fresh, its freshest one stands alone."""
    by_asset: dict[str, list[Ticker]] = defaultdict(list)
    for ticker in tickers:
        if ticker.quote in USD_QUOTES:
            by_asset[ticker.base].append(ticker)
    result = {}
    for asset, quotes in by_asset.items():
        fresh = [t for t in quotes if now - t.ts <= max_age] or [max(quotes, key=lambda t: t.ts)]
        result[asset] = combine(asset, fresh)
    return result


def combine(asset: str, tickers: list[Ticker]) -> PriceQuote:
    """One quote from `tickers` of one asset: their median price (and 24 h change), the volume
    traded on all of them, the exchanges it came from (`sources`) and their spread."""
    if len(tickers) == 1:
        return PriceQuote.from_ticker(tickers[0])
    prices = sorted(t.last for t in tickers)
    price = _median(prices)
    changes = [t.change_24h_pct for t in tickers if t.change_24h_pct is not None]
    volumes = [t.base_volume_24h for t in tickers if t.base_volume_24h is not None]
    quotes = {t.quote for t in tickers}
    exchanges = tuple(sorted(t.exchange for t in tickers))
    spread = ((prices[-1] - prices[0]) / price * 100).quantize(Decimal("0.001"))
    return PriceQuote(
        asset=asset,
        price=price,
        quote=quotes.pop() if len(quotes) == 1 else "USD",
        exchange=SEVERAL,
        ts=max(t.ts for t in tickers),
        change_24h_pct=_median(changes) if changes else None,
        volume_24h=sum(volumes, Decimal(0)) if volumes else None,  # traded on all of them
        sources=exchanges,
        spread_pct=spread,
    )
