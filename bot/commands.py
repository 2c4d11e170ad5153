"""The commands Pythia offers: the menu Telegram shows and the text of /help, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_


@dataclass(frozen=True, slots=True)
class CommandHelp:
    name: str
    menu: str  # the one-liner in Telegram's command menu (≤ 256 characters), in English
    usage: str  # HTML, shown by /help <name>, in English: both are translated when said


COMMANDS: tuple[CommandHelp, ...] = (
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
            "with Pause, Resume and Delete buttons. In a group I send them to you privately."
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
    CommandHelp(
        "buy",
        N_("Record a buy in your portfolio"),
        N_(
            "<b>/buy</b> SYMBOL QUANTITY [@ PRICE] [fee FEE] [on DATE]\n"
            "Records a buy after you press Confirm. Without a price, the market price now; "
            "prices and fees are in your portfolio's currency (USD unless you chose another).\n"
            "Examples: <code>/buy BTC 0.5</code> · <code>/buy ETH 2 @ 3500 fee 4.20</code> · "
            "<code>/buy SOL 10 @ 140 on 2024-03-01</code>"
        ),
    ),
    CommandHelp(
        "sell",
        N_("Record a sell from your portfolio"),
        N_(
            "<b>/sell</b> SYMBOL QUANTITY [@ PRICE] [fee FEE] [on DATE]\n"
            "Records a sell after you press Confirm; you can't sell more than you held then.\n"
            "Examples: <code>/sell BTC 0.1</code> · <code>/sell ETH 1 @ 3900 on "
            "yesterday</code>"
        ),
    ),
    CommandHelp(
        "trades",
        N_("Your trade history"),
        N_(
            "<b>/trades</b> [SYMBOL]\n"
            "Your trades, newest first, ten to a page with ◀ ▶ buttons. In a group I send them "
            "to you privately.\n"
            "Example: <code>/trades BTC</code>"
        ),
    ),
    CommandHelp(
        "undo",
        N_("Remove your last recorded trade"),
        N_(
            "<b>/undo</b>\n"
            "Shows your last recorded trade and removes it when you press Undo — unless a "
            "later sell depends on it."
        ),
    ),
    CommandHelp(
        "export",
        N_("Your trades as a CSV file"),
        N_(
            "<b>/export</b>\n"
            "Sends your trades as a CSV file (privately, when asked in a group).\n"
            "<b>Import</b>: send me a CSV file in our private chat — my own export, or columns "
            "<code>date,side,symbol,quantity,price,fee</code> — up to 1 MB. I show what I read "
            "and what I refused, line by line, and record it all when you press Confirm."
        ),
    ),
    CommandHelp(
        "portfolio",
        N_("Your holdings, their value and P&L"),
        N_(
            "<b>/portfolio</b>\n"
            "Each holding's quantity, average cost, value at the latest price, unrealised "
            "P&amp;L and share, the totals, and a picture of the allocation. In a group I send "
            "it to you privately."
        ),
    ),
    CommandHelp(
        "pnl",
        N_("Profit and loss over a period"),
        N_(
            "<b>/pnl</b> [day|week|month|year|all]\n"
            "Realised and unrealised P&amp;L since the period began (in your time zone), with "
            "a chart of your portfolio's value from daily snapshots; today when no period is "
            "given. In a group I send it to you privately. Example: <code>/pnl month</code>"
        ),
    ),
    CommandHelp(
        "costbasis",
        N_("FIFO or average cost for your P&L"),
        N_(
            "<b>/costbasis</b> [fifo|average]\n"
            "How the cost of what you sell is counted: FIFO (the oldest units first; the "
            "default) or average cost. Changing it recounts all your trades. Without a choice, "
            "shows yours."
        ),
    ),
    CommandHelp(
        "currency",
        N_("The currency your portfolio is kept in"),
        N_(
            "<b>/currency</b> [USD|USDT|USDC]\n"
            "USD by default, and USDT and USDC trades count as USD; choose a stablecoin to "
            "keep them apart. Refused once your trades are booked in another currency. Without "
            "a choice, shows yours."
        ),
    ),
    CommandHelp(
        "quiet",
        N_("Quiet hours for alerts"),
        N_(
            "<b>/quiet</b> [HH:MM-HH:MM | off]\n"
            "Alerts that fire in your quiet hours arrive as one summary when they end, in your "
            "time zone (see /timezone). Without a time, shows yours.\n"
            "Examples: <code>/quiet 22:00-07:00</code> · <code>/quiet off</code>"
        ),
    ),
    CommandHelp(
        "language",
        N_("The language I speak to you"),
        N_(
            "<b>/language</b> [en|es|ru]\nEnglish, Spanish or Russian, with numbers and dates "
            "as your language writes them. At first I speak your Telegram app's language."
        ),
    ),
    CommandHelp(
        "timezone",
        N_("Your time zone"),
        N_(
            "<b>/timezone</b> [ZONE]\n"
            "The time zone your quiet hours, alert dates and P&amp;L periods are in; UTC until "
            "you set one. Without a zone, shows yours.\n"
            "Examples: <code>/timezone Europe/Berlin</code> · <code>/timezone "
            "America/New_York</code>"
        ),
    ),
    CommandHelp(
        "help",
        N_("What Pythia can do"),
        N_(
            "<b>/help</b> [command]\nAll commands, or the details of one: <code>/help price</code>."
        ),
    ),
    CommandHelp(
        "start",
        N_("Start talking to Pythia"),
        N_("<b>/start</b>\nRegisters you and shows what to try first."),
    ),
)

BY_NAME = {c.name: c for c in COMMANDS}


def menu() -> list[tuple[str, str]]:
    """(command, description) pairs for set_my_commands, most useful first."""
    return [(c.name, c.menu) for c in COMMANDS]
