"""One price per asset from several exchanges, which one broken book cannot move.

For each asset, from the exchanges' tickers:

1. Out of scope: perpetuals (`kind != "spot"`) and books not quoted in dollars (USD_QUOTES).
2. Refused: a price that is not a positive finite number, and a quote stamped more than
   MAX_SKEW in the future (the exchange's clock or ours is wrong: its age means nothing).
3. Fresh: younger than `max_age`; when none is, the freshest quote stands alone.
4. One vote per exchange: of its dollar books (USDT, USD, USDC) the most liquid — the largest
   24 h volume in the asset, then the freshest — so a thin second book neither doubles the
   exchange's weight nor speaks for it.
5. Far off: a vote more than FAR_OFF_PCT % from the median of all votes, or, when there are
   two, more than that from the other one. The median of three or more is the yardstick
   because one bad quote cannot move it (the median of "the others" would be, for three
   quotes, the mean of two — one of them possibly the bad one).
   - When most votes are near, the far ones are dropped and named in `outliers` (with the
     exchanges refused in 2); the price is the exact median of the rest.
   - When two votes disagree, or no majority is near, the price is disputed: it is not
     averaged but taken from the most liquid exchange, and `dispute` holds every vote, so
     the person is told who says what.

Prices stay exact Decimals: the mean of the middle two is kept to every digit (0.1235 from
0.1230 and 0.1240).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal, Inexact, localcontext

from core.currencies import USD_QUOTES
from core.market import PriceQuote, Ticker

# The `exchange` of a price taken from several: which ones is in `sources`.
SEVERAL = "several"
# How far a quote may lie from the others before it is an outlier (or the pair disputed):
# exchanges quote majors within a few hundredths of a percent and thin coins within a percent
# or two; 5 % apart is a broken or stuck book, not arbitrage.
FAR_OFF_PCT = Decimal(5)
# How far in the future a quote's time may lie (exchange and server clocks drift by seconds).
MAX_SKEW = timedelta(seconds=30)

_QUOTE_RANK = {quote: i for i, quote in enumerate(USD_QUOTES)}


def refusal(ticker: Ticker, now: datetime, max_skew: timedelta = MAX_SKEW) -> str | None:
    """Why `ticker` cannot count towards a price: "price" (not a positive finite number) or
    "future" (stamped more than `max_skew` ahead of `now`); None when it can."""
    if not ticker.last.is_finite() or ticker.last <= 0:
        return "price"
    if ticker.ts - now > max_skew:
        return "future"
    return None


def median(values: Iterable[Decimal]) -> Decimal:
    """The exact median: the middle value, or the mean of the middle two to every digit."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("the median of nothing")
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    low, high = ordered[middle - 1], ordered[middle]
    with localcontext() as ctx:
        # enough digits for the sum and its half (x / 2 always ends), and a trap to prove it
        top = max(low.adjusted(), high.adjusted()) + 1
        bottom = min(_exponent(low), _exponent(high))
        ctx.prec = max(top - bottom + 2, 28)
        ctx.traps[Inexact] = True
        return (low + high) / 2


def reference_quotes(
    tickers: Iterable[Ticker],
    now: datetime,
    max_age: timedelta,
    *,
    far_off_pct: Decimal = FAR_OFF_PCT,
    max_skew: timedelta = MAX_SKEW,
) -> dict[str, PriceQuote]:
    """The cross-exchange price of each asset (see the module's rules); an asset none of whose
    quotes can count has no price."""
    by_asset: dict[str, list[Ticker]] = defaultdict(list)
    for ticker in tickers:
        if ticker.kind == "spot" and ticker.quote in USD_QUOTES:
            by_asset[ticker.base].append(ticker)
    result = {}
    for asset, quotes in by_asset.items():
        usable = [t for t in quotes if refusal(t, now, max_skew) is None]
        if not usable:
            continue
        fresh = [t for t in usable if now - t.ts <= max_age] or [max(usable, key=_freshness)]
        quote = combine(asset, one_vote_each(fresh), far_off_pct)
        refused = {t.exchange for t in quotes if refusal(t, now, max_skew) is not None}
        voters = set(quote.sources) or {quote.exchange}
        outliers = tuple(sorted((refused | set(quote.outliers)) - voters))
        result[asset] = replace(quote, outliers=outliers)
    return result


def one_vote_each(tickers: Iterable[Ticker]) -> list[Ticker]:
    """Each exchange's most liquid book (then its freshest), in exchange order."""
    best: dict[str, Ticker] = {}
    for ticker in tickers:
        held = best.get(ticker.exchange)
        if held is None or _liquidity(ticker) > _liquidity(held):
            best[ticker.exchange] = ticker
    return [best[exchange] for exchange in sorted(best)]


def combine(asset: str, votes: Sequence[Ticker], far_off_pct: Decimal = FAR_OFF_PCT) -> PriceQuote:
    """One quote from one vote per exchange of one asset: agreed (their median, the far-off
    ones named in `outliers`) or disputed (see the module's rules)."""
    if len(votes) == 1:
        return PriceQuote.from_ticker(votes[0])
    if len(votes) == 2:
        low, high = sorted(v.last for v in votes)
        near = list(votes) if high - low <= low * far_off_pct / 100 else []
    else:
        middle = median(v.last for v in votes)
        near = [v for v in votes if abs(v.last - middle) <= middle * far_off_pct / 100]
    if 2 * len(near) <= len(votes):
        return _disputed(asset, votes)
    agreeing = {v.exchange for v in near}
    far = tuple(sorted(v.exchange for v in votes if v.exchange not in agreeing))
    return replace(_agreed(asset, near), outliers=far)


def _agreed(asset: str, votes: Sequence[Ticker]) -> PriceQuote:
    price = median(v.last for v in votes)
    changes = [c for v in votes if (c := v.change_24h_pct) is not None and c.is_finite()]
    return PriceQuote(
        asset=asset,
        price=price,
        quote=_quote_of(votes),
        exchange=SEVERAL,
        ts=max(v.ts for v in votes),
        change_24h_pct=median(changes) if changes else None,
        volume_24h=_volume(votes),
        sources=tuple(sorted(v.exchange for v in votes)),
        spread_pct=_spread(votes, price),
    )


def _disputed(asset: str, votes: Sequence[Ticker]) -> PriceQuote:
    leader = max(votes, key=_liquidity)
    ordered = sorted(votes, key=lambda v: (v.last, v.exchange))
    return PriceQuote(
        asset=asset,
        price=leader.last,
        quote=_quote_of(votes),
        exchange=SEVERAL,
        ts=max(v.ts for v in votes),
        change_24h_pct=leader.change_24h_pct,
        volume_24h=_volume(votes),
        sources=tuple(sorted(v.exchange for v in votes)),
        spread_pct=_spread(votes, leader.last),
        dispute=tuple((v.exchange, v.last) for v in ordered),
    )


def _quote_of(votes: Sequence[Ticker]) -> str:
    quotes = {v.quote for v in votes}
    return quotes.pop() if len(quotes) == 1 else "USD"


def _volume(votes: Sequence[Ticker]) -> Decimal | None:
    """The volume traded on all of the books (None when none says)."""
    volumes = sorted(v.base_volume_24h for v in votes if v.base_volume_24h is not None)
    return sum(volumes, Decimal(0)) if volumes else None


def _spread(votes: Sequence[Ticker], price: Decimal) -> Decimal:
    prices = [v.last for v in votes]
    return ((max(prices) - min(prices)) / price * 100).quantize(Decimal("0.001"))


def _liquidity(ticker: Ticker) -> tuple[Decimal, datetime, int, str, str, Decimal]:
    """Orders books by how much they trade, then how fresh they are; the rest only makes the
    order total, so the choice never depends on the order quotes arrive in."""
    volume = ticker.base_volume_24h
    traded = volume if volume is not None and volume.is_finite() else Decimal(-1)
    rank = -_QUOTE_RANK.get(ticker.quote, len(_QUOTE_RANK))
    return (traded, ticker.ts, rank, ticker.exchange, ticker.market, ticker.last)


def _freshness(ticker: Ticker) -> tuple[datetime, Decimal, int, str, str, Decimal]:
    traded, _, rank, exchange, market, last = _liquidity(ticker)
    return (ticker.ts, traded, rank, exchange, market, last)


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0
