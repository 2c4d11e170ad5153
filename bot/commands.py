"""The commands Pythia offers: the menu Telegram shows and the text of /help, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from core.alerts.grammar import ALERT_HELP


@dataclass(frozen=True, slots=True)
class CommandHelp:
    name: str
    menu: str  # the one-liner in Telegram's command menu (≤ 256 characters)
    usage: str  # HTML, shown by /help <name>


COMMANDS: tuple[CommandHelp, ...] = (
    CommandHelp(
        "price",
        "Latest price of one or more coins",
        "<b>/price</b> SYMBOL [SYMBOL…]\n"
        "The latest price, 24 h change, exchange and how fresh the price is.\n"
        "Examples: <code>/price BTC</code> · <code>/price eth sol doge</code> · "
        "<code>/price bitcoin</code>\nUp to 10 coins at once.",
    ),
    CommandHelp(
        "prices",
        "Prices of your watchlist",
        "<b>/prices</b>\nThe latest price and 24 h change of every coin on your watchlist, in "
        "one message, with a refresh button.",
    ),
    CommandHelp(
        "watch",
        "Add coins to your watchlist",
        "<b>/watch</b> SYMBOL [SYMBOL…]\nAdds coins to your watchlist (up to 30).\n"
        "Example: <code>/watch BTC ETH SOL</code>. Any coin a followed exchange trades works.",
    ),
    CommandHelp(
        "unwatch",
        "Remove coins from your watchlist",
        "<b>/unwatch</b> SYMBOL [SYMBOL…] or <b>/unwatch all</b>\n"
        "Example: <code>/unwatch DOGE</code>.",
    ),
    CommandHelp(
        "alert",
        "Tell me when a coin hits a level or moves",
        ALERT_HELP + "\n\nSend <b>/alert</b> alone and I'll walk you through it with buttons; "
        "/alerts lists yours.",
    ),
    CommandHelp(
        "alerts",
        "Your alerts: pause, resume, delete",
        "<b>/alerts</b>\nEvery alert you set, whether it is active, paused or done, how often it "
        "fired, with Pause, Resume and Delete buttons. In a group I send them to you privately.",
    ),
    CommandHelp(
        "top",
        "Biggest movers of the last 24 hours",
        "<b>/top</b>\nThe biggest gainers and losers over 24 h among the coins Pythia follows.",
    ),
    CommandHelp(
        "chart",
        "Candlestick chart of a coin",
        "<b>/chart</b> SYMBOL [1h|4h|1d] [period]\nCandles with volume, 20 and 50 moving "
        "averages and Bollinger bands.\nExamples: <code>/chart BTC</code> (1h, 7d) · "
        "<code>/chart ETH 4h 30d</code> · <code>/chart SOL 1d 1y</code>\nPeriods: 24h, 7d, 2w, "
        "3m, 1y.",
    ),
    CommandHelp(
        "ta",
        "Technical analysis in plain words",
        "<b>/ta</b> SYMBOL [1h|4h|1d]\nRSI, MACD, Bollinger %B, ATR, moving-average crosses and "
        "realised volatility, each with what it means. Example: <code>/ta BTC 1d</code>",
    ),
    CommandHelp(
        "compare",
        "Two coins on one chart",
        "<b>/compare</b> A B [period]\nBoth normalised to 100 at the start, with their "
        "correlation. Example: <code>/compare BTC ETH 3m</code>",
    ),
    CommandHelp(
        "corr",
        "How the followed coins move together",
        "<b>/corr</b> [period]\nA heat-map of the correlation of returns. "
        "Example: <code>/corr 90d</code>",
    ),
    CommandHelp(
        "buy",
        "Record a buy in your portfolio",
        "<b>/buy</b> SYMBOL QUANTITY [@ PRICE] [fee FEE] [on DATE]\n"
        "Records a buy after you press Confirm. Without a price, the market price now; prices "
        "and fees are in your portfolio's currency (USD unless you chose another).\n"
        "Examples: <code>/buy BTC 0.5</code> · <code>/buy ETH 2 @ 3500 fee 4.20</code> · "
        "<code>/buy SOL 10 @ 140 on 2024-03-01</code>",
    ),
    CommandHelp(
        "sell",
        "Record a sell from your portfolio",
        "<b>/sell</b> SYMBOL QUANTITY [@ PRICE] [fee FEE] [on DATE]\n"
        "Records a sell after you press Confirm; you can't sell more than you held then.\n"
        "Examples: <code>/sell BTC 0.1</code> · <code>/sell ETH 1 @ 3900 on yesterday</code>",
    ),
    CommandHelp(
        "trades",
        "Your trade history",
        "<b>/trades</b> [SYMBOL]\nYour trades, newest first, ten to a page with ◀ ▶ buttons. "
        "In a group I send them to you privately.\nExample: <code>/trades BTC</code>",
    ),
    CommandHelp(
        "undo",
        "Remove your last recorded trade",
        "<b>/undo</b>\nShows your last recorded trade and removes it when you press Undo — "
        "unless a later sell depends on it.",
    ),
    CommandHelp(
        "export",
        "Your trades as a CSV file",
        "<b>/export</b>\nSends your trades as a CSV file (privately, when asked in a group).\n"
        "<b>Import</b>: send me a CSV file in our private chat — my own export, or columns "
        "<code>date,side,symbol,quantity,price,fee</code> — up to 1 MB. I show what I read and "
        "what I refused, line by line, and record it all when you press Confirm.",
    ),
    CommandHelp(
        "portfolio",
        "Your holdings, their value and P&L",
        "<b>/portfolio</b>\nEach holding's quantity, average cost, value at the latest price, "
        "unrealised P&amp;L and share, the totals, and a picture of the allocation. "
        "In a group I send it to you privately.",
    ),
    CommandHelp(
        "pnl",
        "Profit and loss over a period",
        "<b>/pnl</b> [day|week|month|year|all]\nRealised and unrealised P&amp;L since the "
        "period began (in your time zone), with a chart of your portfolio's value from daily "
        "snapshots; today when no period is given. In a group I send it to you privately. "
        "Example: <code>/pnl month</code>",
    ),
    CommandHelp(
        "costbasis",
        "FIFO or average cost for your P&L",
        "<b>/costbasis</b> [fifo|average]\nHow the cost of what you sell is counted: FIFO "
        "(the oldest units first; the default) or average cost. Changing it recounts all your "
        "trades. Without a choice, shows yours.",
    ),
    CommandHelp(
        "currency",
        "The currency your portfolio is kept in",
        "<b>/currency</b> [USD|USDT|USDC]\nUSD by default, and USDT and USDC trades count as "
        "USD; choose a stablecoin to keep them apart. Refused once your trades are booked in "
        "another currency. Without a choice, shows yours.",
    ),
    CommandHelp(
        "quiet",
        "Quiet hours for alerts",
        "<b>/quiet</b> [HH:MM-HH:MM | off]\nAlerts that fire in your quiet hours arrive as one "
        "summary when they end, in your time zone (see /timezone). Without a time, shows yours.\n"
        "Examples: <code>/quiet 22:00-07:00</code> · <code>/quiet off</code>",
    ),
    CommandHelp(
        "timezone",
        "Your time zone",
        "<b>/timezone</b> [ZONE]\nThe time zone your quiet hours, alert dates and P&amp;L "
        "periods are in; UTC until you set one. Without a zone, shows yours.\n"
        "Examples: <code>/timezone Europe/Berlin</code> · <code>/timezone America/New_York</code>",
    ),
    CommandHelp(
        "help",
        "What Pythia can do",
        "<b>/help</b> [command]\nAll commands, or the details of one: <code>/help price</code>.",
    ),
    CommandHelp(
        "start",
        "Start talking to Pythia",
        "<b>/start</b>\nRegisters you and shows what to try first.",
    ),
)

BY_NAME = {c.name: c for c in COMMANDS}


def menu() -> list[tuple[str, str]]:
    """(command, description) pairs for set_my_commands, most useful first."""
    return [(c.name, c.menu) for c in COMMANDS]
