"""The commands Pythia offers: the menu Telegram shows and the text of /help, in one place
(the market and alert commands here, a person's own things in bot/commands_personal.py)."""

from __future__ import annotations

from bot.command_help import CommandHelp
from bot.commands_personal import PERSONAL
from bot.i18n import N_

__all__ = ["BY_NAME", "COMMANDS", "CommandHelp", "menu"]

MARKET: tuple[CommandHelp, ...] = (
    CommandHelp(
        "price",
        N_("Latest price of one or more coins"),
        N_(
            "<b>/price</b> SYMBOL [SYMBOL…]\n"
            "The latest price, 24 h change, exchange and how fresh the price is.\n"
            "Examples: <code>/price BTC</code> · <code>/price eth sol doge</code> · "
            "<code>/price bitcoin</code>\n"
            "Up to 10 coins at once."
        ),
    ),
    CommandHelp(
        "prices",
        N_("Prices of your watchlist"),
        N_(
            "<b>/prices</b>\n"
            "The latest price and 24 h change of every coin on your watchlist, in one message, "
            "with a refresh button."
        ),
    ),
    CommandHelp(
        "watch",
        N_("Add coins to your watchlist"),
        N_(
            "<b>/watch</b> SYMBOL [SYMBOL…]\n"
            "Adds coins to your watchlist (up to 30).\n"
            "Example: <code>/watch BTC ETH SOL</code>. Any coin a followed exchange trades "
            "works."
        ),
    ),
    CommandHelp(
        "unwatch",
        N_("Remove coins from your watchlist"),
        N_(
            "<b>/unwatch</b> SYMBOL [SYMBOL…] or <b>/unwatch all</b>\n"
            "Example: <code>/unwatch DOGE</code>."
        ),
    ),
    CommandHelp(
        "follow",
        N_("Important news of your coins, as it breaks"),
        N_(
            "<b>/follow news</b> SYMBOL [SYMBOL…]\n"
            "I send you a coin's important stories as they break — strong sentiment or wide "
            "coverage — at most a few a day, never during your quiet hours (see /quiet). Up to "
            "20 coins.\n"
            "Example: <code>/follow news BTC ETH</code>. <b>/follow</b> alone lists what you "
            "follow, with Unfollow buttons."
        ),
    ),
    CommandHelp(
        "unfollow",
        N_("Stop the news of a coin"),
        N_(
            "<b>/unfollow news</b> SYMBOL [SYMBOL…] or <b>/unfollow news all</b>\n"
            "Example: <code>/unfollow news DOGE</code>."
        ),
    ),
    CommandHelp(
        "alert",
        N_("Tell me when a coin hits a level or moves"),
        N_(
            "<b>/alert</b> — tell me when something happens to a coin.\n"
            "\n"
            "<b>Price</b>\n"
            "<code>/alert BTC &gt; 70000</code> — rises to 70,000 USD (also <code>above "
            "70k</code>)\n"
            "<code>/alert BTC &lt; 60,000</code> — falls to 60,000 (also <code>below</code>)\n"
            "<code>/alert BTC 70000</code> — crosses 70,000 from wherever it is now\n"
            "\n"
            "<b>Moves</b> (window 5m to 30d, 24h if left out)\n"
            "<code>/alert ETH -5% 1h</code> — falls 5% or more within an hour\n"
            "<code>/alert SOL +10% 24h</code> — rises 10% or more within a day\n"
            "<code>/alert ETH ±5% 1h</code> — moves 5% either way\n"
            "\n"
            "<b>Indicators</b> (timeframe 1m, 5m, 15m, 1h, 4h or 1d; 1h if left out)\n"
            "<code>/alert SOL rsi &lt; 30 4h</code> — RSI(14) drops below 30; <code>rsi 7 &gt; "
            "70</code>: RSI(7)\n"
            "<code>/alert BTC macd cross up 1d</code> — MACD crosses above its signal line\n"
            "<code>/alert ETH crosses sma 200 1d</code> — price crosses the 200-candle "
            "average\n"
            "<code>/alert ETH price &gt; ema 50 4h</code> — price crosses above EMA 50\n"
            "\n"
            "<b>Volume</b>\n"
            "<code>/alert BTC volume x3</code> — a candle trades 3× the average of the 20 "
            "before it\n"
            "<code>/alert BTC vol 3x 1h</code> — the same on 1h candles\n"
            "\n"
            "<b>News</b>\n"
            "<code>/alert BTC sentiment &lt; -0.3</code> — its news sentiment index (-1 to 1) "
            "falls below -0.3; <code>&gt;</code> for above\n"
            "<code>/alert ETH news 5 in 1h</code> — 5 or more stories about it within an hour "
            "(window 15m to 24h)\n"
            "\n"
            "<b>Forecasts</b> (horizon 1h, 4h or 24h; 24h if left out)\n"
            "<code>/alert BTC predict up &gt; 65% 24h</code> — a model's chance of BTC being "
            "higher in 24h rises above 65% (from 65% or under)\n"
            "<code>/alert ETH predict down &gt; 60% 4h</code> — the same for lower; <code>&lt;"
            "</code> watches a chance fall. Only a model that found an edge fires it, never "
            "the base rate (see /predict)\n"
            "\n"
            "<b>Options</b>, anywhere after the coin\n"
            "<code>once</code> — fire once, then stop (the default)\n"
            "<code>every 1h</code> — keep watching; fire again at most once an hour "
            "(<code>repeat</code>: 1h)\n"
            "<code>for 7d</code> or <code>until 2026-12-31</code> — stop watching after that\n"
            "\n"
            "Minutes are <code>m</code>, hours <code>h</code>, days <code>d</code>. Commas and "
            "<code>k</code> work in prices: <code>70,000</code>, <code>70k</code>, and so does a "
            "decimal comma: <code>0,5</code>.\n"
            "\n"
            "Send <b>/alert</b> alone and I'll walk you through it with buttons; /alerts lists "
            "yours."
        ),
    ),
    CommandHelp(
        "alerts",
        N_("Your alerts: pause, resume, delete"),
        N_(
            "<b>/alerts</b>\n"
            "Every alert you set, whether it is active, paused or done, how often it fired, "
            "with Pause, Resume and Delete buttons. In a group: the group's alerts, which its "
            "admins set and look after."
        ),
    ),
    CommandHelp(
        "digest",
        N_("A market digest on a schedule, here"),
        N_(
            "<b>/digest</b> [daily HH:MM | weekly DAY HH:MM | every Nh]\n"
            "A market summary posted here on a schedule, in this chat's time zone, its sections "
            "chosen with buttons. Alone: this chat's digests, with Pause, Delete, Sections and "
            "Preview. In a group only its admins change them; a linked channel's, from our "
            "private chat: <code>/digest @channel daily 08:00</code>.\n"
            "Examples: <code>/digest daily 08:00</code> · <code>/digest weekly mon 09:30</code> · "
            "<code>/digest every 6h</code> · <code>/digest coins BTC ETH SOL</code> · "
            "<code>/digest zone Europe/Madrid</code> · <code>/digest language es</code>"
        ),
    ),
    CommandHelp(
        "channels",
        N_("Channels I post in for you: link, unlink"),
        N_(
            "<b>/channel</b> @name · <b>/channels</b>\n"
            "Links a channel you run, so I can post your digests there: first add me to it as "
            "an admin with the right to post messages, then send <code>/channel @name</code> "
            "here (or forward me a post from it). <b>/channels</b> lists yours, each with an "
            "Unlink button. If I'm removed from one, I tell you."
        ),
    ),
    CommandHelp(
        "top",
        N_("Biggest movers of the last 24 hours"),
        N_("<b>/top</b>\nThe biggest gainers and losers over 24 h among the coins Pythia follows."),
    ),
    CommandHelp(
        "chart",
        N_("Candlestick chart of a coin"),
        N_(
            "<b>/chart</b> SYMBOL [1h|4h|1d] [period]\n"
            "Candles with volume, 20 and 50 moving averages and Bollinger bands.\n"
            "Examples: <code>/chart BTC</code> (1h, 7d) · <code>/chart ETH 4h 30d</code> · "
            "<code>/chart SOL 1d 1y</code>\n"
            "Periods: 24h, 7d, 2w, 3m, 1y."
        ),
    ),
    CommandHelp(
        "ta",
        N_("Technical analysis in plain words"),
        N_(
            "<b>/ta</b> SYMBOL [1h|4h|1d]\n"
            "RSI, MACD, Bollinger %B, ATR, moving-average crosses and realised volatility, "
            "each with what it means. Example: <code>/ta BTC 1d</code>"
        ),
    ),
    CommandHelp(
        "compare",
        N_("Two coins on one chart"),
        N_(
            "<b>/compare</b> A B [period]\n"
            "Both normalised to 100 at the start, with their correlation. Example: "
            "<code>/compare BTC ETH 3m</code>"
        ),
    ),
    CommandHelp(
        "corr",
        N_("How the followed coins move together"),
        N_(
            "<b>/corr</b> [period]\n"
            "A heat-map of the correlation of returns. Example: <code>/corr 90d</code>"
        ),
    ),
    CommandHelp(
        "news",
        N_("The latest crypto news, with its mood"),
        N_(
            "<b>/news</b> [SYMBOL]\n"
            "The latest stories from the crypto publishers, five to a page with ◀ ▶ buttons: "
            "each with how it reads (🟢 positive, ⚪ neutral, 🔴 negative), how many publishers "
            "carried it, how old it is and its link.\n"
            "Examples: <code>/news</code> · <code>/news BTC</code>"
        ),
    ),
    CommandHelp(
        "sentiment",
        N_("News sentiment of a coin or the market"),
        N_(
            "<b>/sentiment</b> [SYMBOL]\n"
            "The news sentiment index from −1 (all bad news) to +1 (all good), its change over "
            "24 h and 7 days, how many stories it rests on, and a picture of the last week "
            "against the price (the whole market's against BTC).\n"
            "Examples: <code>/sentiment</code> · <code>/sentiment ETH</code>"
        ),
    ),
    CommandHelp(
        "predict",
        N_("Chance a coin is higher in 1h, 4h or 24h"),
        N_(
            "<b>/predict</b> SYMBOL [1h|4h|24h]\n"
            "The chance my model gives the coin of being higher after the horizon (24h if left "
            "out), the 10–90% range of the move, how confident it is, the three things that "
            "pushed it most, the model's age and its record. Where no model beat the base rate "
            'I say so — "no edge found" — and give the base rate.\n'
            "Examples: <code>/predict BTC</code> · <code>/predict ETH 4h</code>\n"
            "Not financial advice."
        ),
    ),
    CommandHelp(
        "accuracy",
        N_("How right the predictions have been"),
        N_(
            "<b>/accuracy</b> [SYMBOL]\n"
            "The live record of every prediction once its horizon passed, per coin and "
            "horizon: how many, how often right, Brier skill against the base rate, calibration "
            "error (ECE), the walk-forward skill of the model serving now — and a picture of "
            "chance given against what happened.\n"
            "Examples: <code>/accuracy</code> · <code>/accuracy BTC</code>"
        ),
    ),
    CommandHelp(
        "backtest",
        N_("Trade a coin's forecasts on past candles"),
        N_(
            "<b>/backtest</b> SYMBOL [1h|4h|24h] [period] [threshold]\n"
            "Long when the model's P(up) is above the threshold (0.55 unless told; 0.5 to "
            "0.95), flat otherwise, against buy-and-hold: a picture of both, their returns and "
            "drawdowns, trades and time in the market, with 0.1% fees per side. Only the "
            "model's out-of-sample predictions count — made on candles it was not trained on — "
            "over the period asked, or all of them.\n"
            "Examples: <code>/backtest BTC</code> (24h) · <code>/backtest ETH 4h 3m</code> · "
            "<code>/backtest BTC 24h 1y 0.6</code>"
        ),
    ),
)
COMMANDS: tuple[CommandHelp, ...] = MARKET + PERSONAL

BY_NAME = {c.name: c for c in COMMANDS}


def menu() -> list[tuple[str, str]]:
    """(command, description) pairs for set_my_commands, most useful first."""
    return [(c.name, c.menu) for c in COMMANDS]
