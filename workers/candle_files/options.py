"""What the command line says about the files it imports, and what it says with each file's own
word on its exchange, pair and market: one answer, or a line saying which option to give."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.candle_import import KINDS, PERP, SPOT, Pair, read_pair
from core.market import TIMEFRAMES
from workers.candle_files.layouts import Layout
from workers.candle_files.records import CandleFileError

_EXCHANGE = re.compile(r"^[a-z][a-z0-9]{1,31}$", re.ASCII)
OTHER_EXCHANGES = ("yahoo",)  # where candles come from besides ccxt's exchanges


class OptionError(CandleFileError):
    """An option that cannot be right whatever the file."""


@dataclass(frozen=True)
class ImportOptions:
    """`--exchange --pair --market --timeframe --tz --track`, checked; None: not given."""

    exchange: str | None = None
    pair: Pair | None = None  # as given: spot unless it was written as a perpetual
    kind: str | None = None
    timeframe: str | None = None
    tz: tzinfo | None = None
    track: bool = False

    @classmethod
    def given(
        cls,
        exchange: str | None = None,
        pair: str | None = None,
        market: str | None = None,
        timeframe: str | None = None,
        tz: str | None = None,
        track: bool = False,
    ) -> ImportOptions:
        """The options as typed; raises OptionError with what would work."""
        read = None
        if pair is not None and (read := read_pair(pair)) is None:
            raise OptionError(
                f"--pair {pair!r} is not a pair; expected BASE/QUOTE (BTC/USDT), or a "
                "perpetual as ccxt writes it (BTC/USDT:USDT)"
            )
        if market is not None and market not in KINDS:
            raise OptionError(f"--market {market!r}: expected spot or perp")
        if read is not None and market == SPOT and read.kind == PERP:
            raise OptionError(f"--pair {pair} is a perpetual, but --market says spot")
        if timeframe is not None and timeframe not in TIMEFRAMES:
            raise OptionError(f"--timeframe {timeframe!r}: expected one of {', '.join(TIMEFRAMES)}")
        return cls(
            exchange=None if exchange is None else _exchange(exchange),
            pair=read,
            kind=market or (PERP if read is not None and read.kind == PERP else None),
            timeframe=timeframe,
            tz=None if tz is None else _zone(tz),
            track=track,
        )


def series_of(
    where: str, layout: Layout, said: Pair | None, said_kind: bool, options: ImportOptions
) -> tuple[str, Pair]:
    """The exchange and market of a file of `layout` whose content names the pair `said`
    (and, when `said_kind`, whether it is spot or perpetual), completed by the options.
    Raises CandleFileError when they contradict each other or neither says enough."""
    if layout.exchange and options.exchange and options.exchange != layout.exchange:
        raise CandleFileError(
            f"{where}: --exchange {options.exchange}, but the file is {layout.name} "
            f"({layout.exchange})"
        )
    exchange = layout.exchange or options.exchange
    stated = SPOT if layout.spot_only else said.kind if said and said_kind else None
    if stated and options.kind and stated != options.kind:
        raise CandleFileError(
            f"{where}: the options say {options.kind}, but the file holds {stated} candles"
            + (f" ({said.symbol})" if said and said_kind else "")
        )
    kind = stated or options.kind
    if said and options.pair and (said.base, said.quote) != (options.pair.base, options.pair.quote):
        raise CandleFileError(
            f"{where}: --pair {options.pair.symbol}, but the file is of {said.symbol}"
        )
    pair = said or options.pair
    missing = [
        option
        for option, value in (("--exchange", exchange), ("--pair", pair), ("--market", kind))
        if value is None
    ]
    if missing:
        raise CandleFileError(
            f"{where}: the file does not say its {_listed([m[2:] for m in missing])}; give "
            + _listed(missing)
            + (" (spot or perp)" if "--market" in missing else "")
        )
    assert exchange is not None and pair is not None and kind is not None
    if said and said_kind:
        return exchange, said
    return exchange, (options.pair or pair).as_kind(kind)  # the option may name the settle


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _exchange(name: str) -> str:
    import ccxt  # a few hundred milliseconds: only when an exchange is named

    written = name.strip().lower()
    if not _EXCHANGE.match(written) or written not in (*ccxt.exchanges, *OTHER_EXCHANGES):
        raise OptionError(
            f"--exchange {name!r} is not an exchange ccxt knows (binance, bybit, okx, …) nor yahoo"
        )
    return written


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise OptionError(
            f"--tz {name!r} is not a time zone; expected UTC or an IANA name (Europe/Madrid)"
        ) from None
