"""First steps the market commands share: typed symbols become coins, and a coin without stored
candles gets its answer — each either gives the command what it needs or tells the person why
not (and returns None)."""

from __future__ import annotations

from telegram import Message

from bot.views.series import no_candles
from bot.views.symbols import problems_line
from services._legacy import ensure_tracked, exchanges, resolve_symbols
from services.deps import Deps


async def coins_or_say_why(deps: Deps, typed: list[str], message: Message) -> list[str] | None:
    """Typed symbols as coins, or None after telling the person what was wrong."""
    request = await resolve_symbols(deps, typed)
    if request.problems:
        line = problems_line(request.problems, deps.settings.symbols, exchanges(deps))
        await message.reply_html(line)
        return None
    return list(request.symbols)


async def say_no_candles(deps: Deps, symbol: str, timeframe: str, message: Message) -> None:
    """There are no candles of `symbol` yet: follow it and say when there will be."""
    following = await ensure_tracked(deps, [symbol])
    await message.reply_html(
        no_candles(symbol, timeframe, bool(following), deps.settings.candle_interval)
    )
