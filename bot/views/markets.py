"""Which market a reply's candles came from, said with it: "Binance · BTC/USDT · spot", and a
warning when no market had fresh ones. Pure; HTML."""

from __future__ import annotations

from collections.abc import Iterable

from bot.i18n import Texts
from bot.views.common import clip, e
from bot.views.symbols import REPLAY
from core.exchanges import EXCHANGE_NAMES
from core.series_choice import Origin


def exchange_name(t: Texts, exchange: str) -> str:
    if exchange == REPLAY:
        return t._("Sandbox replay")
    return EXCHANGE_NAMES.get(exchange) or e(clip(exchange, 20))


def kind_word(t: Texts, kind: str) -> str:
    if kind == "perp":
        return t.pgettext("market kind", "perp")
    return t.pgettext("market kind", "spot")


def stale_note(t: Texts, origin: Origin) -> str:
    """Empty for a fresh series; else how long ago its newest candle opened."""
    if origin.fresh:
        return ""
    return t._("⚠️ no fresh candles: the latest opened {ago}", ago=t.ago(origin.age))


def origin_line(t: Texts, origin: Origin) -> str:
    """Binance · BTC/USDT · spot (· ⚠️ no fresh candles: the latest opened 1 yr. ago)"""
    parts = [exchange_name(t, origin.exchange), e(clip(origin.pair)), kind_word(t, origin.kind)]
    note = stale_note(t, origin)
    return " · ".join([*parts, note] if note else parts)


def origins_line(t: Texts, origins: Iterable[Origin]) -> str:
    """Several coins' markets, by exchange and kind: Binance · spot: BTC/USDT, ETH/USDT."""
    found = list(origins)
    if len(found) == 1:
        return origin_line(t, found[0])
    groups: dict[tuple[str, str], list[str]] = {}
    for origin in found:
        note = stale_note(t, origin)
        pair = e(clip(origin.pair)) + (f" ({note})" if note else "")
        groups.setdefault((origin.exchange, origin.kind), []).append(pair)
    return "; ".join(
        f"{exchange_name(t, exchange)} · {kind_word(t, kind)}: {', '.join(pairs)}"
        for (exchange, kind), pairs in groups.items()
    )
