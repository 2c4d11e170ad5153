"""/ta: the technical indicators of one coin, each read in plain words."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import CustomContext
from bot.handlers.asking import coins_or_say_why, say_no_candles
from bot.views.common import e
from bot.views.ta import render_ta
from core.periods import BadArgument, split_args
from core.ta import MIN_CANDLES, NotEnoughCandles, analyse
from services._legacy import load_series

HISTORY = 500  # candles analysed: EMA, RSI and ATR settle, SMA 200 has room
USAGE = "Send <code>/ta BTC</code> or <code>/ta ETH 1d</code> (timeframe 1h, 4h or 1d)."


async def ta(update: Update, context: CustomContext) -> None:
    """RSI, MACD, Bollinger %B, ATR, moving-average crosses and volatility, explained."""
    message = update.effective_message
    if message is None:
        return
    deps = context.deps
    try:
        args = split_args(context.args or [])
    except BadArgument as exc:
        await message.reply_html(f"That didn't work: {e(exc)}. {USAGE}")
        return
    if len(args.symbols) != 1 or args.period is not None:
        await message.reply_html(f"One coin and, if you like, a timeframe. {USAGE}")
        return
    coins = await coins_or_say_why(deps, list(args.symbols), message)
    if not coins:
        return
    symbol, timeframe = coins[0], args.timeframe or "1h"
    series = await load_series(deps, symbol, timeframe, limit=HISTORY)
    if series is None or not series.candles:
        await say_no_candles(deps, symbol, timeframe, message)
        return
    try:
        report = analyse(series.candles, timeframe)
    except NotEnoughCandles as exc:
        await message.reply_html(
            f"I have {exc.have} {timeframe} candles for {e(symbol)}; the indicators need at "
            f"least {MIN_CANDLES}. Try a shorter timeframe, or again later."
        )
        return
    name = deps.directory.display.get(symbol, symbol)
    await message.reply_html(render_ta(report, symbol, timeframe, name))


HANDLERS = [CommandHandler("ta", ta)]
