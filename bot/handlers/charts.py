"""/chart, /compare and /corr: pictures of the market, each with the numbers in its caption."""

from __future__ import annotations

from datetime import timedelta

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.ext import CommandHandler

from bot.context import CustomContext
from bot.handlers.asking import coins_or_say_why, say_no_candles
from bot.pictures import send_picture
from bot.views.chart import candles_caption, compare_caption, correlation_caption
from bot.views.common import e
from bot.views.series import period_too_long, too_many_candles
from core.compare import align, correlation_matrix
from core.indicators import bollinger, closes
from core.periods import (
    DEFAULT_PERIOD,
    MAX_CANDLES,
    BadArgument,
    Period,
    candles_in,
    period_label,
    split_args,
)
from services._legacy import load_series
from services.deps import Deps
from services.series import Series

CORR_MAX = 12


def _usage(command: str) -> str:
    return {
        "chart": "Send <code>/chart BTC</code>, or <code>/chart BTC 4h 30d</code> "
        "(timeframe 1h, 4h or 1d; period like 7d, 3m, 1y).",
        "compare": "Send <code>/compare BTC ETH</code>, or <code>/compare BTC ETH 3m</code>.",
        "corr": "Send <code>/corr</code>, or <code>/corr 90d</code>.",
    }[command]


async def _series(
    deps: Deps, symbol: str, timeframe: str, period: Period, command: str, message: Message
) -> Series | None:
    """The candles to draw, or None after saying why there are none to draw."""
    count = candles_in(period.span, timeframe)
    if count > MAX_CANDLES:
        await message.reply_html(too_many_candles(symbol, timeframe, count, command))
        return None
    series = await load_series(deps, symbol, timeframe, span=period.span)
    if series is None or len(series.candles) < 2:
        await say_no_candles(deps, symbol, timeframe, message)
        return None
    step = series.candles[1].ts - series.candles[0].ts
    starts_late = series.candles[0].ts - (deps.clock.now() - period.span)
    if starts_late > max(3 * step, period.span * 0.1):
        covered = deps.clock.now() - series.candles[0].ts
        await message.reply_html(period_too_long(symbol, timeframe, covered, command))
        return None
    return series


async def _send_picture(
    context: CustomContext, message: Message, key: str, draw, caption: str
) -> None:
    """Reply with the picture: Telegram's copy if it was sent before, else drawn (off the loop)."""

    async def reply(photo) -> Message:
        return await message.reply_photo(photo, caption=caption, parse_mode="HTML")

    async def uploading() -> None:
        await message.chat.send_action(ChatAction.UPLOAD_PHOTO)

    await send_picture(context.deps.cache, key, draw, reply, uploading)


async def chart(update: Update, context: CustomContext) -> None:
    """Candlesticks with volume, moving averages and Bollinger bands: /chart BTC 4h 30d."""
    message = update.effective_message
    if message is None:
        return
    deps = context.deps
    try:
        args = split_args(context.args or [])
    except BadArgument as exc:
        await message.reply_html(f"That didn't work: {e(exc)}. {_usage('chart')}")
        return
    if len(args.symbols) != 1:
        hint = " To compare two, use <code>/compare BTC ETH</code>." if args.symbols else ""
        await message.reply_html(f"One coin per chart.{hint} {_usage('chart')}")
        return
    coins = await coins_or_say_why(deps, list(args.symbols), message)
    if not coins:
        return
    symbol, timeframe = coins[0], args.timeframe or "1h"
    period = args.period or Period(
        DEFAULT_PERIOD[timeframe], period_label(DEFAULT_PERIOD[timeframe])
    )
    series = await _series(deps, symbol, timeframe, period, "chart", message)
    if series is None:
        return
    candles, last = series.candles, series.candles[-1]
    key = (
        f"chart:candles:{symbol}:{timeframe}:{period.label}:{last.ts.timestamp():.0f}:{last.close}"
    )
    name = deps.directory.display.get(symbol, symbol)
    caption = candles_caption(symbol, name, timeframe, period.label, candles, series.quote)

    async def draw() -> bytes:
        upper, middle, lower = bollinger(closes(candles))
        title = f"{symbol} · {timeframe} · {period.label} · {series.exchange}"
        return await context.charts.candles(candles, title=title, bands=(upper, middle, lower))

    await _send_picture(context, message, key, draw, caption)


async def compare(update: Update, context: CustomContext) -> None:
    """Two coins normalised on one picture, with their correlation: /compare BTC ETH 3m."""
    message = update.effective_message
    if message is None:
        return
    deps = context.deps
    try:
        args = split_args(context.args or [])
    except BadArgument as exc:
        await message.reply_html(f"That didn't work: {e(exc)}. {_usage('compare')}")
        return
    if len(args.symbols) != 2:
        await message.reply_html(f"Compare takes two coins. {_usage('compare')}")
        return
    coins = await coins_or_say_why(deps, list(args.symbols), message)
    if not coins:
        return
    if len(coins) != 2:
        await message.reply_html(f"Compare takes two different coins. {_usage('compare')}")
        return
    period = args.period or Period(timedelta(days=30), "30d")
    timeframe = args.timeframe or ("1h" if period.span <= timedelta(days=20) else "1d")
    series = {}
    for symbol in coins:
        found = await _series(deps, symbol, timeframe, period, "compare", message)
        if found is None:
            return
        series[symbol] = found.candles
    aligned = align(series)
    if len(aligned.times) < 3:
        await message.reply_html("Those two have too few candles in common yet to compare.")
        return
    a, b = coins
    r = correlation_matrix(series)[0][1]
    caption = compare_caption(a, b, aligned.change_pct(a), aligned.change_pct(b), r, period.label)
    key = f"chart:compare:{a}:{b}:{timeframe}:{period.label}:{aligned.times[-1].timestamp():.0f}"
    key += ":" + ":".join(str(aligned.closes[s][-1]) for s in coins)
    points = {s: list(zip(aligned.times, aligned.closes[s], strict=True)) for s in coins}

    async def draw() -> bytes:
        return await context.charts.compare(points, title=f"{a} vs {b} · {period.label}")

    await _send_picture(context, message, key, draw, caption)


async def corr(update: Update, context: CustomContext) -> None:
    """A heat-map of how the followed coins move together: /corr 90d."""
    message = update.effective_message
    if message is None:
        return
    deps = context.deps
    try:
        args = split_args(context.args or [])
    except BadArgument as exc:
        await message.reply_html(f"That didn't work: {e(exc)}. {_usage('corr')}")
        return
    if args.symbols:
        await message.reply_html(f"/corr compares the coins I follow. {_usage('corr')}")
        return
    period = args.period or Period(timedelta(days=30), "30d")
    timeframe = args.timeframe or ("1h" if period.span <= timedelta(days=20) else "1d")
    if candles_in(period.span, timeframe) > 5 * MAX_CANDLES:
        await message.reply_html(
            too_many_candles("", timeframe, candles_in(period.span, timeframe), "corr")
        )
        return
    directory = await deps.current_directory()
    order = [s for s in deps.settings.symbols if s in directory.tracked]
    order += [s for s in directory.tracked if s not in order]
    series = {}
    for symbol in order[:CORR_MAX]:
        found = await load_series(deps, symbol, timeframe, span=period.span)
        if found is not None and len(found.candles) > 2:
            series[symbol] = found.candles
    if len(series) < 2:
        await message.reply_html(
            "Not enough candles yet to correlate — try again in a few minutes."
        )
        return
    symbols = list(series)
    matrix = correlation_matrix(series)
    caption = correlation_caption(symbols, matrix, period.label)
    last = max(c[-1].ts for c in series.values())
    key = f"chart:corr:{','.join(symbols)}:{timeframe}:{period.label}:{last.timestamp():.0f}"

    async def draw() -> bytes:
        title = f"Correlation of returns · {timeframe} · {period.label}"
        return await context.charts.correlation(symbols, matrix, title=title)

    await _send_picture(context, message, key, draw, caption)


HANDLERS = [
    CommandHandler("chart", chart),
    CommandHandler("compare", compare),
    CommandHandler("corr", corr),
]
